import ArgumentParser
import ElohimProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Elohim {
    /// `elohim data`: the datasets the query engine reads.
    struct DataCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "data", abstract: "Import, list, describe and drop your datasets (what `elohim query` reads).",
            subcommands: [Import.self, List.self, Describe.self, Drop.self], defaultSubcommand: List.self)

        struct Import: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "import",
                abstract: "Import a CSV (header row; types inferred) or SQLite file as a dataset.",
                discussion: "All or nothing: a bad CSV row stops the import and is named by its line number.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The CSV or SQLite file.") var path: String
            @Option(help: "Dataset name (default: from the file name).") var name: String?
            @Flag(help: "Replace a dataset of the same name.") var replace = false
            @Option(help: "CSV field separator (default ',', tab for .tsv; '\\t' for tab).") var delimiter: String?

            func run() throws {
                let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
                let token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
                var params: [String: JSONValue] = ["path": .string(absolute), "progress_id": .string(token)]
                if let name { params["name"] = .string(name) }
                if replace { params["replace"] = true }
                if let delimiter { params["delimiter"] = .string(delimiter) }
                let showProgress = !global.json && isatty(STDERR_FILENO) == 1
                let raw = try global.withClient { client -> JSONValue in
                    if showProgress { _ = try client.callRaw(EventMethods.subscribe.name, params: ["topics": ["data"]]) }
                    return try client.callRaw(DataMethods.importFile.name, params: .object(params)) { _, params in
                        guard showProgress, let data = params["data"], data["progress_id"]?.stringValue == token,
                            let progress = try? RPCCoding.decode(DataImportProgress.self, from: data)
                        else { return }
                        let percent = progress.bytesTotal > 0 ? Double(progress.bytesDone) * 100 / Double(progress.bytesTotal) : 100
                        FileHandle.standardError.write(
                            Data("\r\(progress.phase) \(String(format: "%5.1f", percent))% · \(Format.grouped(progress.rows)) rows   ".utf8))
                    }
                }
                if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                if global.json { return say(JSONWriter.string(raw)) }
                let info = try RPCCoding.decode(DatasetInfo.self, from: raw)
                say(
                    "\(global.style.green("imported")) \(info.name): \(Format.grouped(info.rows)) rows in \(info.tables) table\(info.tables == 1 ? "" : "s") (\(info.kind), \(Format.bytes(info.bytes)))"
                )
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "Your datasets.")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let raw = try global.withClient { try $0.callRaw(DataMethods.list.name, params: nil) }
                if global.json { return say(JSONWriter.string(raw)) }
                let list = try RPCCoding.decode(DataListResult.self, from: raw)
                guard !list.datasets.isEmpty else { return say("no datasets yet; import one with `elohim data import FILE.csv`") }
                var table = Table(["NAME", "KIND", "TABLES", "ROWS", "SIZE", "IMPORTED", "SOURCE"])
                for info in list.datasets {
                    table.add([info.name, info.kind, "\(info.tables)", Format.grouped(info.rows), Format.bytes(info.bytes), info.importedAt, info.source])
                }
                say(table.render(style: global.style))
            }
        }

        struct Describe: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "describe", abstract: "A dataset's tables and columns.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The dataset.") var name: String

            func run() throws {
                let raw = try global.withClient { try $0.callRaw(DataMethods.describe.name, params: ["name": .string(name)]) }
                if global.json { return say(JSONWriter.string(raw)) }
                let description = try RPCCoding.decode(DatasetDescription.self, from: raw)
                var lines = [
                    "\(global.style.bold(description.dataset.name)) (\(description.dataset.kind) from \(description.dataset.source), imported \(description.dataset.importedAt))"
                ]
                for table in description.tables {
                    lines.append("")
                    lines.append("table \(global.style.bold(table.name)): \(Format.grouped(table.rows)) rows")
                    var columns = Table(["COLUMN", "TYPE"])
                    for column in table.columns { columns.add([column.name, column.type.isEmpty ? "-" : column.type]) }
                    lines.append(columns.render(style: global.style))
                }
                say(lines.joined(separator: "\n"))
            }
        }

        struct Drop: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "drop", abstract: "Delete a dataset and its file.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The dataset.") var name: String

            func run() throws {
                let raw = try global.withClient { try $0.callRaw(DataMethods.drop.name, params: ["name": .string(name)]) }
                if global.json { return say(JSONWriter.string(raw)) }
                say("dropped \(name)")
            }
        }
    }
}
