import ArgumentParser
import ElohimWire

#if canImport(Glibc)
import Glibc
#endif

/// Options every subcommand takes.
public struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The daemon's socket (default: $ELOHIM_SOCKET, then the user socket, then /run/elohim/elohimd.sock).", valueName: "path"))
    public var socket: String?

    @Flag(help: "Print the daemon's result as JSON, unchanged, for scripts.")
    public var json = false

    @Flag(help: "No colours (also: NO_COLOR set, or output not a terminal).")
    public var noColor = false

    @Flag(name: .shortAndLong, help: "Say more about what is happening.")
    public var verbose = false

    public init() {}

    /// The socket paths to try, in order.
    var candidates: [String] { SocketPath.candidates(explicit: socket) }

    /// Whether to draw colours: a terminal, no `--no-color`, no `NO_COLOR`.
    var style: Style {
        let wanted = !noColor && getenv("NO_COLOR") == nil && isatty(STDOUT_FILENO) == 1
        return Style(color: wanted)
    }

    /// Connects, turning "nothing listens" into the one-line hint and exit code 3.
    func connect() throws -> DaemonClient {
        do {
            return try DaemonClient(candidates: candidates)
        } catch {
            throw CLIFailure.transport(error, candidates: candidates)
        }
    }
}
