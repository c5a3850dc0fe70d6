import CSystemd
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's conversation with systemd through libsystemd. Every call is a no-op when the
/// daemon was not started by systemd (no `NOTIFY_SOCKET`), so the same binary runs anywhere.
public enum Systemd {
    /// Sends a state string such as `"READY=1\nSTATUS=Serving"`, in order, without waiting.
    ///
    /// sd_notify(3) blocks when the receiver's datagram queue is full; a manager that stops
    /// reading must never stall a request thread, so sends happen on one serial queue.
    public static func notify(_ state: String) {
        guard notifySocketIsSet else { return }
        notifications.async(group: pending) { _ = sd_notify(0, state) }
    }

    /// Waits (bounded) until queued notifications are sent; called before exiting.
    public static func flush(timeout: Duration = .seconds(1)) {
        _ = pending.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1000)))
    }

    private static let notifications = DispatchQueue(label: "elohimd.sd_notify")
    private static let pending = DispatchGroup()
    private static let notifySocketIsSet = getenv("NOTIFY_SOCKET") != nil

    /// Tells systemd the daemon is up, with a status line.
    public static func ready(status: String) {
        notify("READY=1\nSTATUS=\(status)")
    }

    /// Updates the one-line status `systemctl status` shows.
    public static func status(_ text: String) {
        notify("STATUS=\(text)")
    }

    /// Announces a configuration reload, as `Type=notify-reload` expects.
    public static func reloading() {
        notify("RELOADING=1\nMONOTONIC_USEC=\(monotonicMicroseconds())")
    }

    /// Announces shutdown.
    public static func stopping(status: String) {
        notify("STOPPING=1\nSTATUS=\(status)")
    }

    /// Pets the watchdog.
    public static func watchdog() {
        notify("WATCHDOG=1")
    }

    /// The watchdog interval systemd expects, when `WatchdogSec=` is set for this process.
    public static func watchdogInterval() -> Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(microseconds))
    }

    /// The listening socket systemd passed (`LISTEN_FDS`/`LISTEN_PID`), if exactly one was.
    /// Unsets the variables so child processes do not inherit them.
    public static func takeListeningSocket() throws(SocketActivationError) -> Int32? {
        let count = sd_listen_fds(1)
        if count < 0 { throw .libsystemd(code: count) }
        if count == 0 { return nil }
        guard count == 1 else { throw .tooMany(count) }
        let descriptor = SD_LISTEN_FDS_START
        guard sd_is_socket_unix(descriptor, SOCK_STREAM_VALUE, 1, nil, 0) > 0 else { throw .notAUnixStreamSocket }
        return descriptor
    }

    static let SOCK_STREAM_VALUE = Int32(SOCK_STREAM.rawValue)

    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
    }
}

/// Socket activation handed the daemon something it cannot serve on.
public enum SocketActivationError: Error, CustomStringConvertible {
    case libsystemd(code: Int32)
    case tooMany(Int32)
    case notAUnixStreamSocket

    public var description: String {
        switch self {
        case .libsystemd(let code): return "sd_listen_fds failed: \(String(cString: strerror(-code)))"
        case .tooMany(let count): return "systemd passed \(count) sockets; elohimd.socket must declare exactly one ListenStream="
        case .notAUnixStreamSocket: return "the socket systemd passed is not a listening AF_UNIX stream socket; check ListenStream= in elohimd.socket"
        }
    }
}
