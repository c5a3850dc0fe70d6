import ArgumentParser
import ElohimProtocol
import Foundation

/// `elohim`: the command line for everything elohimd does.
public struct Elohim: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "elohim",
        abstract: "Talk to elohimd, the ElohimOS daemon.",
        discussion: """
            Exit codes: 0 success, 1 the daemon refused or failed the request, 2 usage error, \
            3 the daemon is not running, 4 permission denied on its socket.
            """,
        version: "0.1.0",
        subcommands: [
            Status.self, Ping.self, Call.self, Perms.self, Users.self, Setup.self, Founder.self, Audit.self, Doctor.self,
            Query.self, DataCommand.self, Perf.self, Docs.self, Vault.self, Workflows.self, Models.self, Slots.self,
            Chat.self, Cleanup.self,
        ]
    )

    public init() {}

    /// Parses the process's arguments, runs the command and exits with the documented codes.
    public static func start(arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        do {
            var command = try parseAsRoot(hoistingGlobalOptions(arguments))
            try command.run()
            Foundation.exit(0)
        } catch let failure as CLIFailure {
            FileHandle.standardError.write(Data("elohim: \(failure.message)\n".utf8))
            Foundation.exit(failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            // ArgumentParser says 64 (EX_USAGE) for usage errors; we document 2, like most tools.
            guard code.rawValue == 64 else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }

    /// Global options may come before the subcommand (`elohim --json status`), as users type
    /// them; ArgumentParser wants them after it, where every subcommand's `GlobalOptions` reads them.
    static func hoistingGlobalOptions(_ arguments: [String]) -> [String] {
        var hoisted: [String] = []
        var rest = arguments[...]
        while let first = rest.first, first.hasPrefix("-") {
            if first == "--socket", rest.count >= 2 {
                hoisted.append(contentsOf: rest.prefix(2))
                rest = rest.dropFirst(2)
            } else if first.hasPrefix("--socket=") || ["--json", "--no-color", "-v", "--verbose"].contains(first) {
                hoisted.append(first)
                rest = rest.dropFirst()
            } else {
                break
            }
        }
        guard !hoisted.isEmpty, !rest.isEmpty else { return arguments }
        var result = Array(rest)
        let insertAt = result.firstIndex(of: "--") ?? result.count
        result.insert(contentsOf: hoisted, at: insertAt)
        return result
    }
}

/// Writes a line to stdout.
func say(_ text: String) {
    print(text)
}
