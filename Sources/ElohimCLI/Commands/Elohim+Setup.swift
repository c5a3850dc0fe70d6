import ArgumentParser
import ElohimProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Elohim {
    /// `elohim setup`: the first-run wizard.
    struct Setup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "setup",
            abstract: "First-run setup: choose the founder password (you become the founder), a default model and hot slots.",
            discussion: """
                Interactive on a terminal; for scripts pass --founder-password-stdin, --default-model and --hot-slot.
                Every model chosen is fit-checked first: one that may not fit in memory is refused in scripts unless \
                --force, and asked about (Load anyway? [y/N]) on a terminal. Hot slots are assigned before setup is \
                recorded, so a refusal (the 75% rule) leaves setup to be run again.
                """)

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Read the founder password from standard input.") var founderPasswordStdin = false
        @Option(help: "The model chat uses by default (a name from `elohim models list`, ollama:NAME, or a GGUF path).") var defaultModel: String?
        @Option(name: .customLong("hot-slot"), help: "A model to keep loaded in a hot slot; repeat for slots 1, 2, … in order.")
        var hotSlots: [String] = []
        @Flag(help: "Use models that may not fit in memory without asking.") var force = false

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
            let interactive = !founderPasswordStdin && isatty(STDIN_FILENO) == 1
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

            var defaultModel = self.defaultModel.map(Models.absolute)
            if interactive && defaultModel == nil {
                defaultModel = Prompt.line("Default model (a name from `elohim models list`; empty for none): ").map(Models.absolute)
            }
            if let defaultModel { try checkFit(defaultModel, interactive: interactive) }

            var hotSlots = self.hotSlots.map(Models.absolute)
            let slotCount = try global.withClient { try RPCCoding.decode(SlotsListResult.self, from: $0.callRaw(SlotsMethods.list.name, params: nil)) }
                .slots.count
            if interactive && hotSlots.isEmpty {
                while hotSlots.count < slotCount, let model = Prompt.line("Hot slot \(hotSlots.count + 1) model (empty to finish): ") {
                    hotSlots.append(Models.absolute(model))
                }
            }
            guard hotSlots.count <= slotCount else {
                throw CLIFailure.usage("there are \(slotCount) hot slots; \(hotSlots.count) models were given; nothing was changed")
            }
            for model in hotSlots { try checkFit(model, interactive: interactive) }

            // Through the same code as `elohim slots assign`: the daemon holds the slots together
            // to 75% of total memory and refuses with the numbers.
            for (index, model) in hotSlots.enumerated() {
                let params: JSONValue = ["slot": .int(Int64(index + 1)), "model": .string(model), "force": true]
                do {
                    _ = try global.withClient { try $0.callRaw(SlotsMethods.assign.name, params: params) }
                } catch CLIFailure.daemon(let error) {
                    throw CLIFailure.daemon(
                        RPCError(code: error.code, message: error.message + " (hot slot \(index + 1), \(model); setup was not completed — run it again)", data: error.data))
                }
                if !global.json { say("hot slot \(index + 1): \(model)") }
            }

            var params: [String: JSONValue] = ["founder_password": .string(password)]
            if let defaultModel { params["default_model"] = .string(defaultModel) }
            let raw = try global.withClient { try $0.callRaw(SetupMethods.complete.name, params: .object(params)) }
            if global.json { return say(JSONWriter.string(raw)) }
            let status = try RPCCoding.decode(SetupStatusResult.self, from: raw)
            say("setup complete: uid \(status.founderUid.map(String.init) ?? "?") is the founder\(status.defaultModel.map { "; default model \($0)" } ?? "")")
        }

        /// The fit check every model choice goes through: fits → on; may not fit → the seed's
        /// warning, then `Load anyway? [y/N]` on a terminal, or a refusal in scripts unless --force.
        private func checkFit(_ model: String, interactive: Bool) throws {
            let fit = try Models.checkFit(model, context: nil, global: global).0
            if fit.fits { return }
            let warning = fit.warning ?? fit.recommendation
            if force || interactive {
                try Models.confirmDespite(warning: warning, recommendation: fit.recommendation, force: force, style: global.style)
                return
            }
            FileHandle.standardError.write(
                Data(
                    (global.style.yellow("Warning: ") + warning + "\n" + fit.recommendation + "\n"
                        + "\(model) may not fit in memory: pass --force to use it anyway, or pick a smaller model. Setup was not completed.\n").utf8))
            throw ExitCode(1)
        }
    }
}
