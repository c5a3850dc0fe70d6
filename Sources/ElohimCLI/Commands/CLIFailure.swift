import ArgumentParser
import ElohimProtocol
import ElohimWire

/// How a command failed, and the exit code that tells scripts which way.
///
/// Exit codes: 1 the daemon refused or failed the request, 2 usage, 3 the daemon is not
/// running, 4 permission denied on the socket.
public enum CLIFailure: Error {
    case transport(WireError, candidates: [String])
    case daemon(RPCError)
    case usage(String)

    public static let notRunningExitCode: Int32 = 3
    public static let permissionExitCode: Int32 = 4

    /// The line printed on stderr.
    public var message: String {
        switch self {
        case .transport(.notRunning, let candidates):
            let looked = candidates.joined(separator: " or ")
            return "elohimd is not running (no socket answering at \(looked)); start it with `systemctl --user start elohimd.socket` or run `elohimd`"
        case .transport(.permissionDenied(let path), _):
            return "permission denied on \(path): in system mode, add yourself to the 'elohim' group (sudo usermod -aG elohim $USER) and log in again"
        case .transport(let error, _):
            return "\(error)"
        case .daemon(let error):
            return error.message
        case .usage(let text):
            return text
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .transport(.notRunning, _): return Self.notRunningExitCode
        case .transport(.permissionDenied, _): return Self.permissionExitCode
        case .transport: return 1
        case .daemon: return 1
        case .usage: return 2
        }
    }
}

extension GlobalOptions {
    /// Runs `body` with a connected client, mapping every failure to a message and exit code.
    func withClient<T>(_ body: (DaemonClient) throws -> T) throws -> T {
        let client = try connect()
        defer { client.connection.close() }
        do {
            return try body(client)
        } catch let error as RPCError {
            throw CLIFailure.daemon(error)
        } catch let error as WireError {
            throw CLIFailure.transport(error, candidates: [client.connection.path])
        }
    }
}
