import ServiceLifecycle

/// Announces that the daemon is ready (`READY=1`, the log line, the `daemon.started` event and
/// audit record) from inside the service group, then waits for shutdown.
///
/// Until a signal is trapped its default action applies, and for SIGTERM, SIGINT and SIGHUP that
/// is to kill the process. The group traps SIGTERM and SIGINT before it starts any service, and
/// the daemon traps SIGHUP before it runs the group, so by the time this runs a manager that
/// reloads or stops the daemon right after `READY=1` reaches a handler, not the default.
struct ReadinessService: Service, CustomStringConvertible {
    let announce: @Sendable () -> Void

    var description: String { "ReadinessService" }

    func run() async throws {
        announce()
        // Returning now would end the group (a service that finishes ends it), so wait.
        try? await gracefulShutdown()
    }
}
