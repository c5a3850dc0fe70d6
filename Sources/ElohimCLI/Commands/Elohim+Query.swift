import ArgumentParser
import ElohimProtocol
import Foundation

extension Elohim {
    /// `elohim query "SQL"`: run a read-only query on the engine and print the rows.
    struct Query: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "query",
            abstract: "Run a read-only SQL query on the query engine and print the rows.",
            discussion: "Without --dataset each of your datasets is a schema of its name (SELECT * FROM sales.sales); `elohim data list` shows them.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "One SQL statement (SELECT, WITH, read-only PRAGMA).") var sql: String
        @Option(help: "The dataset to query (its tables are the main schema).") var dataset: String?
        @Flag(help: "Print the rows as CSV (RFC 4180) instead of a table.") var csv = false
        @Option(help: "Stop the query after this many milliseconds of running.") var timeoutMs: Int?
        @Option(help: "Keep at most this many rows.") var maxRows: Int?

        func run() throws {
            var params: [String: JSONValue] = ["sql": .string(sql)]
            if let dataset { params["dataset"] = .string(dataset) }
            if let timeoutMs { params["timeout_ms"] = .int(Int64(timeoutMs)) }
            if let maxRows { params["max_rows"] = .int(Int64(maxRows)) }
            let (result, raw) = try global.withClient { client -> (EngineJobResult, JSONValue) in
                let raw = try client.callRaw(EngineMethods.run.name, params: .object(params))
                var result = try RPCCoding.decode(EngineJobResult.self, from: raw)
                // Fetch the remaining pages.
                while let next = result.nextOffset {
                    let page = try RPCCoding.decode(
                        EngineJobResult.self,
                        from: try client.callRaw(EngineMethods.result.name, params: ["job": .int(result.job), "offset": .int(Int64(next))]))
                    result.rows += page.rows
                    result.nextOffset = page.nextOffset
                }
                return (result, raw)
            }
            if global.json {
                var whole = raw.objectValue ?? [:]
                whole["rows"] = .array(result.rows.map { .array($0) })
                whole["next_offset"] = .null
                return say(JSONWriter.string(.object(whole)))
            }
            if csv { return print(CSVOutput.render(columns: result.columns, rows: result.rows), terminator: "") }
            say(QueryView.render(result, style: global.style))
        }
    }
}

/// Renders query results.
enum QueryView {
    static func cell(_ value: JSONValue) -> String {
        switch value {
        case .null: return "NULL"
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .object(let members):
            if let blob = members["blob_base64"]?.stringValue { return "<blob \(Data(base64Encoded: blob)?.count ?? 0) bytes>" }
            return JSONWriter.string(value)
        case .array: return JSONWriter.string(value)
        }
    }

    static func render(_ result: EngineJobResult, style: Style) -> String {
        var table = Table(result.columns)
        for row in result.rows { table.add(row.map { cell($0).replacingOccurrences(of: "\n", with: "⏎") }) }
        let count = "\(result.rows.count) row\(result.rows.count == 1 ? "" : "s")"
        let timing = result.runMs.map { String(format: "%.1f ms", $0) } ?? "–"
        var footer = "\(count) · \(timing) · waited \(String(format: "%.1f ms", result.waitMs)) · job \(result.job) on worker \(result.worker.map(String.init) ?? "?")"
        if result.truncated { footer += " · truncated (raise --max-rows)" }
        let body = result.columns.isEmpty ? "" : table.render(style: style) + "\n"
        return body + style.dim(footer)
    }
}

/// RFC 4180 output: fields with a comma, quote or line break are quoted, quotes doubled; NULL is empty.
enum CSVOutput {
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func render(columns: [String], rows: [[JSONValue]]) -> String {
        var lines = [columns.map(field).joined(separator: ",")]
        for row in rows {
            lines.append(row.map { $0 == .null ? "" : field(QueryView.cell($0)) }.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
