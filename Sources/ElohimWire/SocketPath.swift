#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the daemon's socket lives, resolved the same way by the daemon and every client.
///
/// Order: an explicit path, then `ELOHIM_SOCKET`, then the mode's default:
/// user mode `$XDG_RUNTIME_DIR/elohim/elohimd.sock` (falling back to `/run/user/UID/…`, then
/// `/tmp/elohim-UID/…`),
/// system mode `/run/elohim/elohimd.sock`.
public enum SocketPath {
    /// The environment variable that overrides the default path for every client and the daemon.
    public static let environmentVariable = "ELOHIM_SOCKET"
    /// The file name inside the runtime directory.
    public static let fileName = "elohimd.sock"
    /// The system-mode socket.
    public static let systemPath = "/run/elohim/elohimd.sock"

    /// The per-user runtime directory: `$XDG_RUNTIME_DIR/elohim`; without a login session,
    /// `/run/user/UID/elohim` when that exists, else `/tmp/elohim-UID` (the XDG fallback; the
    /// daemon creates it 0700 and refuses it when it is a symlink or someone else's).
    public static func userRuntimeDirectory(environment: (String) -> String? = Self.environment) -> String {
        if let runtime = environment("XDG_RUNTIME_DIR"), runtime.hasPrefix("/") {
            return runtime + "/elohim"
        }
        let uid = getuid()
        var info = stat()
        if stat("/run/user/\(uid)", &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            return "/run/user/\(uid)/elohim"
        }
        return "/tmp/elohim-\(uid)"
    }

    /// The user-mode socket path.
    public static func userPath(environment: (String) -> String? = Self.environment) -> String {
        userRuntimeDirectory(environment: environment) + "/" + fileName
    }

    /// The candidate paths a client tries, in order. A user-mode daemon is preferred; the
    /// system socket is the fallback so one CLI works against either.
    public static func candidates(
        explicit: String? = nil,
        environment: (String) -> String? = Self.environment
    ) -> [String] {
        if let explicit, !explicit.isEmpty { return [explicit] }
        if let fromEnvironment = environment(environmentVariable), !fromEnvironment.isEmpty {
            return [fromEnvironment]
        }
        return [userPath(environment: environment), systemPath]
    }

    /// Reads an environment variable without Foundation.
    public static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}
