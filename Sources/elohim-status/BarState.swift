// What the bar shows, read from `engine.status` and `slots.list` (shapes in Protocol/PROTOCOL.md).
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's state as far as the status bar cares.
struct BarState {
    struct Engine {
        var status = "idle"
        var queueDepth: Int64 = 0
        var pending: Int64 = 0
        var inFlight: Int64 = 0
        var averageWaitMs: Double = 0
        var lastActivity: String?
        var error: String?
    }

    struct Slots {
        var percent: Double = 0
        var usedBytes: Int64 = 0
        var totalBytes: Int64 = 0
        /// Loaded models, "name (slot N)".
        var models: [String] = []
    }

    var online = false
    /// Nil when the daemon has no engine (method or topic unknown) or refused to say.
    var engine: Engine?
    var slots: Slots?

    /// `idle`, `processing`, `error`, `online` (up, engine unknown) or `offline`.
    var word: String {
        guard online else { return "offline" }
        guard let engine else { return "online" }
        switch engine.status {
        case "processing": return "processing"
        case "error": return "error"
        default: return "idle"
        }
    }

    mutating func update(engine value: Value) {
        guard value.isObject else { return }
        var engine = Engine()
        engine.status = value["status"].string ?? "idle"
        engine.queueDepth = value["queue_depth"].int ?? 0
        engine.pending = value["queue"]["pending"].int ?? 0
        engine.inFlight = value["queue"]["in_flight"].int ?? 0
        engine.averageWaitMs = displayable(value["queue"]["avg_wait_ms"].double)
        engine.lastActivity = value["last_activity"].string
        engine.error = value["error"]["message"].string
        self.engine = engine
    }

    /// The one-shot poll's batch reply: `engine.status` answers id 1, `slots.list` id 2.
    mutating func update(batchReply value: Value) {
        for response in value.array {
            let result = response["result"]
            switch response["id"].int {
            case 1: update(engine: result)
            case 2: update(slots: result)
            default: break
            }
        }
    }

    /// The `events.subscribe` answer: the snapshot of the topics the bar shows.
    mutating func update(subscribeReply value: Value) {
        update(engine: value["result"]["snapshot"]["engine"])
        update(slots: value["result"]["snapshot"]["slots"])
    }

    /// One frame of the event stream; true when it may have changed what the bar shows.
    mutating func apply(event message: Value) -> Bool {
        guard message["method"].string == "event" else { return false }
        let params = message["params"]
        switch params["type"].string {
        case "engine.status": update(engine: params["data"])
        case "slots.changed": update(slots: params["data"])
        case "daemon.stopping": self = BarState()
        default: return false
        }
        return true
    }

    mutating func update(slots value: Value) {
        guard value.isObject else { return }
        var slots = Slots()
        slots.percent = displayable(value["percent"].double)
        slots.usedBytes = value["used_bytes"].int ?? 0
        slots.totalBytes = value["total_bytes"].int ?? 0
        for slot in value["slots"].array {
            guard let model = slot["model"].string, slot["state"].string != "empty" else { continue }
            let state = slot["state"].string.map { $0 == "ready" ? "" : ", \($0)" } ?? ""
            slots.models.append("\(model) (slot \(slot["slot"].int ?? 0)\(state))")
        }
        self.slots = slots
    }
}

/// A number from the daemon as the bar shows it (`Int(x.rounded())`): json-c reads `NaN`,
/// `Infinity` and `1e999` too, which would trap there — they show as 0; the rest is clamped.
func displayable(_ value: Double?) -> Double {
    guard let value, value.isFinite else { return 0 }
    return min(max(value, -1e15), 1e15)
}

/// The index of the topic an `events.subscribe` error refused (`data.field` = `topics.N`), if
/// it is one of the `count` asked for.
func refusedTopic(in response: Value, count: Int) -> Int? {
    guard !response["error"].isNull else { return nil }
    let field = response["error"]["data"]["field"].string ?? ""
    guard field.hasPrefix("topics."), let index = Int(field.dropFirst(7)), (0..<count).contains(index) else { return nil }
    return index
}

/// Seconds since the epoch, now, from the real-time clock.
func wallNow() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Parses the daemon's RFC 3339 UTC timestamps (`2026-11-30T20:01:02.345Z`).
func parseTimestamp(_ text: String) -> Double? {
    let bytes = Array(text.utf8)
    guard bytes.count >= 20, bytes[4] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T") else { return nil }
    func number(_ start: Int, _ count: Int) -> Int32? {
        var value: Int32 = 0
        for byte in bytes[start..<start + count] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int32(byte - UInt8(ascii: "0"))
        }
        return value
    }
    guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
        let minute = number(14, 2), let second = number(17, 2)
    else { return nil }
    var parts = tm()
    parts.tm_year = year - 1900
    parts.tm_mon = month - 1
    parts.tm_mday = day
    parts.tm_hour = hour
    parts.tm_min = minute
    parts.tm_sec = second
    var fraction = 0.0
    if bytes[19] == UInt8(ascii: ".") {
        var scale = 0.1
        for byte in bytes[20...] where (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            fraction += Double(byte - UInt8(ascii: "0")) * scale
            scale /= 10
        }
    }
    return Double(timegm(&parts)) + fraction
}

/// "12 s ago", "5 min ago", "3 h ago", "2 d ago".
func relative(_ timestamp: String, now: Double) -> String {
    guard let then = parseTimestamp(timestamp) else { return timestamp }
    let seconds = max(0, Int(now - then))
    if seconds < 90 { return "\(seconds) s ago" }
    if seconds < 90 * 60 { return "\(seconds / 60) min ago" }
    if seconds < 36 * 3600 { return "\(seconds / 3600) h ago" }
    return "\(seconds / 86_400) d ago"
}
