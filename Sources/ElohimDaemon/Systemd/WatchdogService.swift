import Logging
import ServiceLifecycle

/// Pets systemd's watchdog at half its interval, for as long as the daemon runs.
///
/// It runs on the same cooperative pool as request handling, so a wedged executor stops the
/// pings and systemd restarts the daemon: that is the point. It is first in the service
/// group, so it keeps petting while the server drains on shutdown.
struct WatchdogService: Service, CustomStringConvertible {
    let interval: Duration
    let logger: Logger

    var description: String { "WatchdogService(\(interval))" }

    func run() async throws {
        logger.info("watchdog enabled", metadata: ["interval": "\(interval)"])
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    Systemd.watchdog()
                    try await Task.sleep(for: interval / 2)
                }
            }
        } catch is CancellationError {
            return
        }
    }
}
