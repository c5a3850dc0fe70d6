import ArgumentParser
import ElohimProtocol

extension Elohim {
    /// `elohim founder …`: founder elevation, like sudo.
    struct Founder: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "founder",
            abstract: "Unlock or drop founder rights (they last 5 minutes after the password).",
            subcommands: [Verify.self, Drop.self])

        struct Verify: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "verify", abstract: "Enter the founder password to unlock founder rights.")
            @OptionGroup var global: GlobalOptions
            @Flag(help: "Read the password from standard input (for scripts).") var passwordStdin = false

            func run() throws {
                let password = passwordStdin
                    ? try Prompt.lineFromStandardInput(what: "founder password") : try Prompt.secret("Founder password: ")
                let raw = try global.withClient { try $0.callRaw(AuthMethods.founderVerify.name, params: ["password": .string(password)]) }
                if global.json { return say(JSONWriter.string(raw)) }
                let state = try RPCCoding.decode(FounderState.self, from: raw)
                say("founder rights unlocked for \(state.remainingSeconds ?? 0) s (until \(state.expiresAt ?? "?"))")
            }
        }

        struct Drop: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "drop", abstract: "Give up founder rights now.")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let raw = try global.withClient { try $0.callRaw(AuthMethods.founderDrop.name, params: nil) }
                if global.json { return say(JSONWriter.string(raw)) }
                say("founder rights dropped")
            }
        }
    }
}
