import ArgumentParser
import ElohimProtocol

extension Elohim {
    /// `elohim setup`: the first-run wizard.
    struct Setup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "First-run setup: choose the founder password (you become the founder) and a default model.",
            discussion: "Interactive on a terminal; for scripts pass --founder-password-stdin and --default-model.")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Read the founder password from standard input.") var founderPasswordStdin = false
        @Option(help: "The model chat uses by default.") var defaultModel: String?

        func run() throws {
            try global.withClient { client in
                let status = try RPCCoding.decode(SetupStatusResult.self, from: try client.callRaw(SetupMethods.status.name, params: nil))
                if status.completed {
                    throw CLIFailure.daemon(
                        RPCError.application(
                            .conflict,
                            "setup is already done (by uid \(status.completedBy.map(String.init) ?? "?") at \(status.completedAt ?? "?")); nothing to do"))
                }
            }
            let password: String
            if founderPasswordStdin {
                password = try Prompt.lineFromStandardInput(what: "founder password")
            } else {
                say("Welcome to ElohimOS. The founder password unlocks rights no role has (like sudo); keep it safe.")
                let first = try Prompt.secret("Founder password (8+ characters): ")
                let second = try Prompt.secret("Again: ")
                guard first == second else { throw CLIFailure.usage("the passwords differ; nothing was changed") }
                password = first
            }
            var params: [String: JSONValue] = ["founder_password": .string(password)]
            if let defaultModel { params["default_model"] = .string(defaultModel) }
            let raw = try global.withClient { try $0.callRaw(SetupMethods.complete.name, params: .object(params)) }
            if global.json { return say(JSONWriter.string(raw)) }
            let status = try RPCCoding.decode(SetupStatusResult.self, from: raw)
            say("setup complete: uid \(status.founderUid.map(String.init) ?? "?") is the founder\(status.defaultModel.map { "; default model \($0)" } ?? "")")
        }
    }
}
