import ArgumentParser
@testable import ElohimCLI
import ElohimWire
import Foundation
import Testing

@Suite struct CLITests {
    static let completions = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("contrib/completions")

    @Test(arguments: [(CompletionShell.bash, "elohim.bash"), (.zsh, "_elohim"), (.fish, "elohim.fish")])
    func committedCompletionsMatchTheCommands(_ shell: CompletionShell, _ file: String) throws {
        let committed = try String(contentsOf: Self.completions.appendingPathComponent(file), encoding: .utf8)
        let generated = Elohim.completionScript(for: shell)
        let matches = committed.trimmingCharacters(in: .newlines) == generated.trimmingCharacters(in: .newlines)
        #expect(matches, "contrib/completions/\(file) is stale: run `elohim --generate-completion-script \(shell.rawValue)`")
    }

    /// Without an explicit name ArgumentParser derives one with `String(describing:)`, whose
    /// protocol-conformance lookups scan every conformance record in this statically linked
    /// binary: 72 commands made that two thirds of `elohim status`'s start-up CPU.
    @Test func everyCommandNamesItselfSoStartUpSkipsTheRuntimeLookup() {
        func unnamed(_ command: any ParsableCommand.Type, path: String) -> [String] {
            let configuration = command.configuration
            let name = configuration.commandName ?? "<\(command)>"
            let here = configuration.commandName == nil ? ["\(path) \(name)"] : []
            return here + configuration.subcommands.flatMap { unnamed($0, path: "\(path) \(name)") }
        }
        let missing = unnamed(Elohim.self, path: "")
        #expect(missing.isEmpty, "give these commands a commandName in their CommandConfiguration: \(missing)")
    }

    @Test func globalOptionsBeforeTheSubcommandMoveAfterIt() {
        #expect(Elohim.hoistingGlobalOptions(["--socket", "/s", "--json", "status"]) == ["status", "--socket", "/s", "--json"])
        #expect(Elohim.hoistingGlobalOptions(["call", "m", "--", "-1"]) == ["call", "m", "--", "-1"])
        #expect(Elohim.hoistingGlobalOptions(["--json", "call", "m", "--", "x"]) == ["call", "m", "--json", "--", "x"])
    }

    @Test func formatsNumbersForPeople() {
        #expect(Format.bytes(45_328) == "44.3 KiB")
        #expect(Format.bytes(512) == "512 B")
        #expect(Format.duration(seconds: 7384) == "2h 3m")
        #expect(Format.grouped(1_234_567) == "1,234,567")
    }

    @Test func notRunningMapsToExitCodeThreeAndNamesThePath() {
        let failure = CLIFailure.transport(.notRunning(path: "/x.sock", errno: 2), candidates: ["/x.sock"])
        #expect(failure.exitCode == 3)
        #expect(failure.message.contains("/x.sock"))
        #expect(failure.message.contains("systemctl --user start elohimd.socket"))
    }

    @Test func colourIsOnlyDecorationTheWordsRemain() {
        #expect(Style(color: false).green("[Local]") == "[Local]")
        #expect(Style(color: true).green("[Local]").contains("[Local]"))
    }
}
