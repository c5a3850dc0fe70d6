import ArgumentParser
import ElohimProtocol
import ElohimWire
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Elohim {
    /// `elohim perf`: the performance monitor.
    struct Perf: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "perf",
            abstract: "The performance monitor: engine light, queue status, throughput and the hot-slot memory meter.",
            discussion: "--watch redraws whenever the daemon publishes a change (topic engine, and slots when the daemon has hot slots); it never polls.")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Keep redrawing on every change until interrupted.") var watch = false

        func run() throws {
            try global.withClient { client in
                var engine = try client.callRaw(EngineMethods.status.name, params: nil)
                var slots: JSONValue?
                do {
                    slots = try client.callRaw("slots.list", params: nil)
                } catch let error as RPCError where error.code == RPCError.methodNotFoundCode {
                    slots = nil
                }
                guard watch else { return draw(engine: engine, slots: slots, clear: false) }
                let topics: [JSONValue] = slots == nil ? ["engine"] : ["engine", "slots"]
                let subscribed = try client.callRaw(EventMethods.subscribe.name, params: ["topics": .array(topics)])
                if let snapshot = subscribed["snapshot"] {
                    if let value = snapshot["engine"], value.objectValue?.isEmpty == false { engine = value }
                    if slots != nil, let value = snapshot["slots"], value.objectValue?.isEmpty == false { slots = value }
                }
                let redraw = isatty(STDOUT_FILENO) == 1 && !global.json
                draw(engine: engine, slots: slots, clear: redraw)
                while true {
                    let message = try JSONParser.parse(try client.connection.receive())
                    guard message["method"] == .string(EventMethods.notificationMethod), let params = message["params"],
                        let data = params["data"]
                    else { continue }
                    switch params["topic"]?.stringValue {
                    case "engine" where params["type"] == "engine.status": engine = data
                    case "slots": slots = data
                    default: continue
                    }
                    draw(engine: engine, slots: slots, clear: redraw)
                }
            }
        }

        func draw(engine: JSONValue, slots: JSONValue?, clear: Bool) {
            if global.json {
                say(JSONWriter.string(["engine": engine, "slots": slots ?? .null]))
            } else {
                let status = try? RPCCoding.decode(EngineStatus.self, from: engine)
                let text = status.map { PerfView(engine: $0, slots: slots, style: global.style).render() } ?? "engine status unreadable"
                if clear { print("\u{1B}[H\u{1B}[2J", terminator: "") } else if watch { say("") }
                say(text)
            }
            fflush(nil)
        }
    }
}

/// The human rendering of `elohim perf`.
struct PerfView {
    let engine: EngineStatus
    let slots: JSONValue?
    let style: Style
    var now = Date()

    func light() -> String {
        switch engine.status {
        case "idle": return "🟢 " + style.green("idle")
        case "processing": return "🟡 " + style.yellow("processing")
        default: return "🔴 " + style.red("error") + (engine.error.map { ": \($0.message) (at \($0.at))" } ?? "")
        }
    }

    static func milliseconds(_ value: Double?) -> String {
        guard let value else { return "–" }
        return value >= 100 ? "\(Int(value.rounded()))ms" : String(format: "%.1fms", value)
    }

    func render() -> String {
        var lines = ["Engine         \(light())"]
        var activity = "never"
        if let text = engine.lastActivity {
            activity = text
            let parser = ISO8601DateFormatter()
            parser.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = parser.date(from: text) {
                activity += " (\(Format.duration(seconds: max(0, now.timeIntervalSince(date)))) ago)"
            }
        }
        lines.append("Last activity  \(activity)")
        lines.append(
            "Throughput     \(String(format: "%.1f", engine.throughputPerMin)) queries/min · p50 \(Self.milliseconds(engine.p50Ms)) · p95 \(Self.milliseconds(engine.p95Ms))"
        )
        lines.append("Workers        \(engine.workers) · queue depth \(engine.queueDepth)")
        lines.append("")
        let inner = [
            "Pending: \(engine.queue.pending) quer\(engine.queue.pending == 1 ? "y" : "ies")",
            "In Flight: \(engine.queue.inFlight)",
            "Avg Wait: \(Self.milliseconds(engine.queue.avgWaitMs))",
        ]
        let width = max(23, inner.map(\.count).max() ?? 0)
        lines.append("Queue Status")
        lines.append("┌" + String(repeating: "─", count: width + 2) + "┐")
        for line in inner { lines.append("│ " + line + String(repeating: " ", count: width - line.count) + " │") }
        lines.append("└" + String(repeating: "─", count: width + 2) + "┘")
        if let meter = slotMeter() {
            lines.append("")
            lines.append(meter)
        }
        return lines.joined(separator: "\n")
    }

    /// `Hot slots RAM [█████░░░░░] 42.0% 10.1 GiB of 24.0 GiB (limit 18.0 GiB)`, from `slots.list`.
    func slotMeter() -> String? {
        guard let slots, let used = slots["used_bytes"]?.intValue, let total = slots["total_bytes"]?.intValue, total > 0 else { return nil }
        let percent = slots["percent"]?.doubleValue ?? Double(used) * 100 / Double(total)
        let limit = slots["limit_bytes"]?.intValue
        let cells = 20
        let filled = max(0, min(cells, Int((percent / 100 * Double(cells)).rounded())))
        var bar = String(repeating: "█", count: filled) + String(repeating: "░", count: cells - filled)
        let overLimit = limit.map { used > $0 } ?? false
        bar = overLimit ? style.red(bar) : (percent >= 60 ? style.yellow(bar) : style.green(bar))
        let assigned = slots["slots"]?.arrayValue?.filter { $0["model"] != nil && $0["model"] != .null }.count ?? 0
        var text = "Hot slots RAM  [\(bar)] \(String(format: "%.1f", percent))% \(Format.bytes(used)) of \(Format.bytes(total))"
        if let limit { text += " (limit \(Format.bytes(limit)))" }
        return text + " · \(assigned) slot\(assigned == 1 ? "" : "s") in use"
    }
}
