#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What went wrong between a client and the daemon's socket.
public enum WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing is listening at `path` (`errno` from `connect`: ENOENT, ECONNREFUSED, …).
    case notRunning(path: String, errno: Int32)
    /// The socket exists but this user may not connect to it.
    case permissionDenied(path: String)
    /// The path does not fit in `sockaddr_un` (108 bytes on Linux).
    case pathTooLong(path: String)
    /// A frame announced more bytes than the limit.
    case frameTooLarge(length: Int, maximum: Int)
    /// The peer closed the connection; `midFrame` when it stopped inside a frame.
    case closed(midFrame: Bool)
    /// No reply within the timeout.
    case timedOut
    /// Any other system call failure.
    case system(call: String, errno: Int32)

    public var description: String {
        switch self {
        case .notRunning(let path, let code):
            return "elohimd is not running: nothing listens on \(path) (\(Self.message(code)))"
        case .permissionDenied(let path):
            return "permission denied connecting to \(path): the socket belongs to another user or group"
        case .pathTooLong(let path):
            return "socket path is longer than 107 bytes: \(path)"
        case .frameTooLarge(let length, let maximum):
            return "frame of \(length) bytes exceeds the maximum of \(maximum) bytes"
        case .closed(let midFrame):
            return midFrame ? "the daemon closed the connection in the middle of a reply" : "the daemon closed the connection"
        case .timedOut:
            return "timed out waiting for the daemon"
        case .system(let call, let code):
            return "\(call) failed: \(Self.message(code))"
        }
    }

    static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
