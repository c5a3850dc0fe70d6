import ArgumentParser
import ElohimProtocol
import ElohimWire
import Foundation

extension Elohim {
    /// `elohim models …`: the GGUF inventory and memory fit checks.
    struct Models: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "models",
            abstract: "List local models, show their metadata and check whether they fit in memory.",
            subcommands: [List.self, Show.self, CheckFit.self, Pull.self], defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List the GGUF models under the model directories.")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let raw = try global.withClient { try $0.callRaw(ModelsMethods.list.name, params: nil) }
                if global.json { return say(JSONWriter.string(raw)) }
                let result = try RPCCoding.decode(ModelsListResult.self, from: raw)
                if result.models.isEmpty {
                    return say("No models in \(result.directories.joined(separator: ", ")).")
                }
                var table = Table(["NAME", "ARCH", "PARAMS", "TYPE", "CONTEXT", "SIZE"])
                for model in result.models {
                    if let error = model.error {
                        table.add([model.name, "-", "-", "-", "-", "unreadable: \(error)"])
                        continue
                    }
                    table.add([
                        model.name, model.architecture ?? "-", model.parameterCount.map(Models.parameters) ?? "-",
                        model.fileType ?? "-", model.contextLength.map { "\($0)" } ?? "-", Format.bytes(model.fileSizeBytes),
                    ])
                }
                say(table.render(style: global.style))
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one model's metadata and memory estimate.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "A model name from `elohim models list`, or a path to a GGUF file.") var model: String

            func run() throws {
                let raw = try global.withClient { try $0.callRaw(ModelsMethods.show.name, params: ["model": .string(Models.absolute(model))]) }
                if global.json { return say(JSONWriter.string(raw)) }
                let detail = try RPCCoding.decode(ModelDetail.self, from: raw)
                let m = detail.model
                func n(_ value: Int?) -> String { value.map { "\($0)" } ?? "-" }
                var lines = [
                    "Name:           \(m.name)" + (m.displayName.map { $0 == m.name ? "" : " (\($0))" } ?? ""),
                    "Path:           \(m.path)",
                    "Architecture:   \(m.architecture ?? "-")",
                    "Parameters:     \(m.parameterCount.map(Models.parameters) ?? "-")",
                    "File type:      \(m.fileType ?? "-")",
                    "File size:      \(Format.bytes(m.fileSizeBytes))",
                    "Context:        \(n(m.contextLength))",
                    "Layers:         \(n(m.layers))",
                    "Heads:          \(n(m.heads))",
                    "KV heads:       \(n(m.kvHeads))",
                    "Embedding:      \(n(m.embeddingSize))",
                    "GGUF version:   \(detail.ggufVersion)",
                    "Tensors:        \(detail.tensorCount)",
                ]
                lines.append("Memory estimate at \(detail.estimate.context) tokens:")
                lines += Models.breakdownLines(detail.estimate)
                say(lines.joined(separator: "\n"))
            }
        }

        struct CheckFit: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "check-fit", abstract: "Check whether a model fits in memory before loading it.",
                discussion: "Exit 0 when it fits (or you answer y, or with --force), 1 when it does not.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "A model name or a path to a GGUF file.") var model: String
            @Option(help: "Context length in tokens (default: the model's, at most 4096).") var context: Int?
            @Flag(help: "Do not ask; succeed even when the model does not fit (for scripts).") var force = false

            func run() throws {
                let (result, raw) = try Models.checkFit(Models.absolute(model), context: context, global: global)
                if global.json {
                    say(JSONWriter.string(raw))
                    if !result.fits && !force { throw ExitCode(1) }
                    return
                }
                var lines = [
                    "\(result.fits ? global.style.green("fits") : global.style.yellow("does not fit")): \(result.model) needs ~\(Models.gb(result.estimatedGb)) at \(result.breakdown.context) tokens; available \(Models.gb(result.availableGb)) of \(Models.gb(result.totalGb)) (\(result.memorySource)); rule ≤ \(Int(result.limitFraction * 100))% of available",
                ]
                lines += Models.breakdownLines(result.breakdown)
                say(lines.joined(separator: "\n"))
                if result.fits { return }
                try Models.confirmDespite(warning: result.warning ?? result.recommendation, recommendation: result.recommendation, force: force, style: global.style)
            }
        }

        struct Pull: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "pull",
                abstract: "Download a GGUF model (resumable, checksum-verified) into the model directory, or pull one through Ollama.",
                discussion: """
                    Run the same command again after an interruption: the download resumes where it stopped.
                    `elohim models pull ollama:llama3.2` has Ollama pull the model (it is then listed and usable as ollama:NAME).
                    """)
            @OptionGroup var global: GlobalOptions
            @Argument(help: "An http:// URL of a GGUF file, or ollama:NAME.") var url: String
            @Option(help: "The expected SHA-256 (64 hex digits).") var sha256: String?

            func run() throws {
                let ollamaName = url.hasPrefix("ollama:") ? String(url.dropFirst("ollama:".count)) : nil
                var params: [String: JSONValue] = ollamaName.map { ["name": .string($0)] } ?? ["url": .string(url)]
                if let sha256 { params["sha256"] = .string(sha256) }
                let showBar = isatty(2) == 1 && !global.json
                let raw = try global.withClient { client -> JSONValue in
                    _ = try client.callRaw("events.subscribe", params: ["topics": ["models"]])
                    let id: Int64 = 1_000_000
                    let request = RPCRequest(id: .int(id), method: ModelsMethods.pull.name, params: .object(params))
                    try client.connection.send(JSONWriter.bytes(request.json))
                    while true {
                        let message = try JSONParser.parse(try client.connection.receive())
                        if message["id"] == .int(id) {
                            if showBar { FileHandle.standardError.write(Data("\n".utf8)) }
                            if let error = message["error"] {
                                throw RPCError(json: error) ?? ClientError.malformedResponse("error without code/message")
                            }
                            return message["result"] ?? .null
                        }
                        guard showBar, let event = message["params"], event["type"]?.stringValue == "models.pull_progress",
                            let data = event["data"], ollamaName == nil ? data["url"]?.stringValue == url : data["name"]?.stringValue == ollamaName
                        else { continue }
                        FileHandle.standardError.write(Data(("\r" + Models.progressBar(data)).utf8))
                    }
                }
                if global.json { return say(JSONWriter.string(raw)) }
                let result = try RPCCoding.decode(PullResult.self, from: raw)
                if ollamaName != nil { return say("Ollama pulled \(result.name) (\(Format.bytes(result.bytes))); use it as \(result.path)") }
                say("Downloaded \(result.name) (\(Format.bytes(result.bytes))) to \(result.path)\(result.resumed ? ", resumed" : "")\nsha256 \(result.sha256)")
            }
        }

        /// `[##########..........]  45% 12.3 MiB / 27.0 MiB  4.1 MiB/s  ETA 3s`
        static func progressBar(_ data: JSONValue) -> String {
            let bytes = data["bytes"]?.intValue ?? 0
            let total = data["total"]?.intValue
            let rate = data["rate_bytes_per_second"]?.doubleValue ?? 0
            let width = 20
            var line = ""
            if let total, total > 0 {
                let fraction = min(1, Double(bytes) / Double(total))
                let filled = Int((fraction * Double(width)).rounded(.down))
                line = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
                line += "\(Int(fraction * 100))% \(Format.bytes(bytes)) / \(Format.bytes(total))"
            } else {
                line = Format.bytes(bytes)
            }
            line += "  \(Format.bytes(Int64(rate)))/s"
            if let status = data["status"]?.stringValue { line = status + "  " + line }
            if let eta = data["eta_seconds"]?.doubleValue { line += "  ETA \(Format.duration(seconds: eta))" }
            return line + "   "
        }

        /// `models.check_fit` for `model` (already made absolute when it is a path).
        static func checkFit(_ model: String, context: Int?, global: GlobalOptions) throws -> (CheckFitResult, JSONValue) {
            var params: [String: JSONValue] = ["model": .string(model)]
            if let context { params["context"] = .int(Int64(context)) }
            let raw = try global.withClient { try $0.callRaw(ModelsMethods.checkFit.name, params: .object(params)) }
            return (try RPCCoding.decode(CheckFitResult.self, from: raw), raw)
        }

        /// Prints the seed's warning and asks `Load anyway? [y/N]` unless `force`; throws exit 1 on no.
        static func confirmDespite(warning: String, recommendation: String, force: Bool, style: Style) throws {
            FileHandle.standardError.write(Data((style.yellow("Warning: ") + warning + "\n" + recommendation + "\n").utf8))
            if force { return }
            guard Prompt.confirm("Load anyway?") else { throw ExitCode(1) }
        }

        static func breakdownLines(_ e: EstimateBreakdown) -> [String] {
            [
                "  weights        \(Format.bytes(e.weightsBytes))",
                "  KV cache       \(Format.bytes(e.kvCacheBytes))",
                "  compute        \(Format.bytes(e.computeBytes))",
                "  runtime        \(Format.bytes(e.runtimeBytes))",
                "  total          \(Format.bytes(e.totalBytes))",
            ]
        }

        static func gb(_ value: Double) -> String { "\(Format.oneDecimal(value)) GB" }

        /// `135000000` → `135.0M`.
        static func parameters(_ count: Int64) -> String {
            let value = Double(count)
            if value >= 1e9 { return Format.oneDecimal(value / 1e9) + "B" }
            if value >= 1e6 { return Format.oneDecimal(value / 1e6) + "M" }
            if value >= 1e3 { return Format.oneDecimal(value / 1e3) + "K" }
            return "\(count)"
        }

        /// A relative path that exists is sent absolute (the daemon's working directory is not ours).
        static func absolute(_ model: String) -> String {
            guard !model.hasPrefix("/"), model.contains("/") || model.hasSuffix(".gguf"),
                FileManager.default.fileExists(atPath: model)
            else { return model }
            return FileManager.default.currentDirectoryPath + "/" + model
        }
    }
}
