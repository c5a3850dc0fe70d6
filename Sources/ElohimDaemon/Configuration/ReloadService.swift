import ElohimCore
import ElohimProtocol
import Logging
import ServiceLifecycle
import UnixSignals

/// Re-reads the configuration on SIGHUP and applies what can change without a restart (log
/// level, frame limit for new connections, shutdown grace). A bad file keeps the old settings.
struct ReloadService: Service, CustomStringConvertible {
    /// Trapped by the daemon before it announces readiness, so no early SIGHUP is lost.
    let hangups: UnixSignalsSequence
    let audit: AuditWriter
    let overrides: DaemonConfiguration.Overrides
    let environment: [String: String]
    let settings: LiveSettings
    let events: EventBus
    let logger: Logger
    let statusLine: @Sendable () -> String

    /// What the service group logs: the environment stays out of the journal.
    var description: String { "ReloadService" }

    func run() async throws {
        for await _ in hangups.cancelOnGracefulShutdown() {
            reload()
        }
    }

    func reload() {
        Systemd.reloading()
        events.publish(.daemon, type: "daemon.reloading", data: [:])
        let previous = settings.current
        do {
            var next = try DaemonConfiguration.load(overrides: overrides, environment: environment)
            var restartNeeded: [String] = []
            if next.socketPath != previous.socketPath { restartNeeded.append("socket_path") }
            if next.dataDir != previous.dataDir { restartNeeded.append("data_dir") }
            // Keep what only a restart can change, so status reports what is really in force.
            next.socketPath = previous.socketPath
            next.dataDir = previous.dataDir
            next.enableTestMethods = previous.enableTestMethods
            settings.replace(with: next)
            if !restartNeeded.isEmpty {
                logger.warning("configuration reloaded; these settings take effect after a restart", metadata: ["keys": "\(restartNeeded.joined(separator: ","))"])
            } else {
                logger.info("configuration reloaded", metadata: ["file": "\(next.configPath ?? "(none)")"])
            }
            events.publish(
                .daemon, type: "daemon.reloaded",
                data: ["config_path": next.configPath.map { .string($0) } ?? .null, "restart_needed": .array(restartNeeded.map { .string($0) })]
            )
            audit.record(
                AuditEvent(
                    "config.reloaded", action: "reload", actor: .daemon, resourceType: "config",
                    resourceID: next.configPath, details: ["restart_needed": .array(restartNeeded.map { .string($0) })]))
            Systemd.notify("READY=1\nSTATUS=\(statusLine())")
        } catch {
            audit.record(
                AuditEvent("config.reload_failed", action: "reload", actor: .daemon, details: ["error": .string(error.description)]))
            logger.error("configuration reload failed; keeping the previous settings", metadata: ["error": "\(error)"])
            events.publish(.daemon, type: "daemon.reload_failed", data: ["error": .string(error.description)])
            Systemd.notify("READY=1\nSTATUS=Reload failed (\(error.description)); running on the previous settings")
        }
    }
}
