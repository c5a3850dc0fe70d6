import ArgumentParser
import ElohimProtocol
import Foundation

extension Elohim {
    /// `elohim slots …`: models kept loaded, with the RAM meter.
    struct Slots: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "slots",
            abstract: "Show the hot slots and their RAM meter; assign or eject models.",
            subcommands: [List.self, Assign.self, Eject.self], defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "The RAM meter and the slot table.")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let raw = try global.withClient { try $0.callRaw(SlotsMethods.list.name, params: nil) }
                try Slots.render(raw, global: global)
            }
        }

        struct Assign: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "assign",
                abstract: "Load a model into a slot and keep it loaded.",
                discussion: "Checks the fit first; when the model may not fit, shows the warning and asks (or --force).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The slot, 1-based.") var slot: Int
            @Argument(help: "A model name from `elohim models list`, or a path to a GGUF file.") var model: String
            @Option(help: "Context length in tokens (default: the model's, at most 4096).") var context: Int?
            @Flag(help: "Load even when the model may not fit, without asking.") var force = false

            func run() throws {
                let name = Models.absolute(model)
                var force = self.force
                if !force && !global.json {
                    let fit = try Models.checkFit(name, context: context, global: global).0
                    if !fit.fits {
                        try Models.confirmDespite(
                            warning: fit.warning ?? fit.recommendation, recommendation: fit.recommendation, force: false, style: global.style)
                        force = true
                    }
                }
                var params: [String: JSONValue] = ["slot": .int(Int64(slot)), "model": .string(name), "force": .bool(force)]
                if let context { params["context"] = .int(Int64(context)) }
                let raw = try global.withClient { try $0.callRaw(SlotsMethods.assign.name, params: .object(params)) }
                try Slots.render(raw, global: global)
            }
        }

        struct Eject: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "eject", abstract: "Empty a slot and stop its model.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The slot, 1-based.") var slot: Int

            func run() throws {
                let raw = try global.withClient { try $0.callRaw(SlotsMethods.eject.name, params: ["slot": .int(Int64(slot))]) }
                try Slots.render(raw, global: global)
            }
        }

        static func render(_ raw: JSONValue, global: GlobalOptions) throws {
            if global.json { return say(JSONWriter.string(raw)) }
            let result = try RPCCoding.decode(SlotsListResult.self, from: raw)
            say(meter(result, style: global.style))
            var table = Table(["SLOT", "MODEL", "STATE", "ESTIMATE", "RSS", "PID", "CONTEXT"])
            for slot in result.slots {
                table.add([
                    "\(slot.slot)", slot.model ?? "Empty", slot.state, slot.estimateBytes.map(Format.bytes) ?? "-",
                    slot.rssBytes.map(Format.bytes) ?? "-", slot.pid.map { "\($0)" } ?? "-", slot.context.map { "\($0)" } ?? "-",
                ])
            }
            say(table.render(style: global.style) { _, column, text in
                guard column == 2 else { return text }
                switch text.trimmingCharacters(in: .whitespaces) {
                case "ready": return global.style.green(text)
                case "loading": return global.style.yellow(text)
                case "failed": return global.style.red(text)
                default: return text
                }
            })
            for slot in result.slots { if let error = slot.error { say("slot \(slot.slot): \(error)") } }
        }

        /// `Hot Slots RAM Usage: 18.5 GB / 24 GB (77%)` and a bar, coloured by the 75% limit.
        static func meter(_ result: SlotsListResult, style: Style) -> String {
            let used = Double(result.usedBytes) / 1_073_741_824
            let total = Double(result.totalBytes) / 1_073_741_824
            let totalText = total.rounded() == total ? "\(Int(total))" : Format.oneDecimal(total)
            let line = "Hot Slots RAM Usage: \(Format.oneDecimal(used)) GB / \(totalText) GB (\(Int(result.percent.rounded()))%)"
            let width = 30
            let filled = min(width, Int((result.percent / 100 * Double(width)).rounded()))
            let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
            let over = result.usedBytes > result.limitBytes
            let limit = " limit \(Format.oneDecimal(Double(result.limitBytes) / 1_073_741_824)) GB"
            return line + "\n" + (over ? style.red(bar) : style.green(bar)) + limit
        }
    }
}
