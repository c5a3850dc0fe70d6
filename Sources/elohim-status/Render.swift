// The output formats: one line (or block) per state.

enum OutputFormat: String, CaseIterable {
    case waybar, i3blocks, polybar, i3bar, plain
}

/// Colours per state word (Nord-like; themes restyle waybar through `class`).
func colour(_ word: String) -> String {
    switch word {
    case "idle", "online": return "#a3be8c"
    case "processing": return "#ebcb8b"
    case "error": return "#bf616a"
    default: return "#888888"
    }
}

func light(_ word: String) -> String {
    switch word {
    case "idle", "online": return "🟢"
    case "processing": return "🟡"
    case "error": return "🔴"
    default: return "⚪"
    }
}

struct Renderer {
    let format: OutputFormat
    let following: Bool

    /// The short text: `[Local] 🟢 42%`, or `[Local] offline`.
    func text(_ state: BarState) -> String {
        guard state.online else { return "[Local] offline" }
        var text = "[Local] " + light(state.word)
        if let slots = state.slots { text += " \(Int(slots.percent.rounded()))%" }
        return text
    }

    /// Tooltip lines: engine queue, waits, last activity, memory, loaded models.
    func tooltip(_ state: BarState, now: Double) -> String {
        guard state.online else { return "elohimd is not running" }
        var lines = ["elohimd: \(state.word)"]
        if let engine = state.engine {
            lines.append("Queue: \(engine.queueDepth) (\(engine.pending) pending, \(engine.inFlight) in flight)")
            lines.append("Average wait: \(Int(engine.averageWaitMs.rounded())) ms")
            lines.append("Last activity: " + (engine.lastActivity.map { relative($0, now: now) } ?? "none"))
            if let error = engine.error { lines.append("Error: \(error)") }
        }
        if let slots = state.slots {
            let gib = Double(slots.totalBytes) / 1_073_741_824
            lines.append("Hot slots: \(Int(slots.percent.rounded()))% of \(Int(gib.rounded())) GiB RAM")
            lines.append("Loaded models: " + (slots.models.isEmpty ? "none" : slots.models.joined(separator: ", ")))
        }
        return lines.joined(separator: "\n")
    }

    /// The output for `state`: one line, except i3blocks one-shot (three) and the i3bar header.
    func render(_ state: BarState, now: Double) -> String {
        let word = state.word
        switch format {
        case .plain:
            guard state.online else { return "[Local] offline" }
            var text = "[Local] \(word)"
            if let slots = state.slots { text += " · RAM \(Int(slots.percent.rounded()))%" }
            if let engine = state.engine, engine.queueDepth > 0 { text += " · queue \(engine.queueDepth)" }
            return text
        case .waybar:
            var object = ObjectWriter()
            object.add("text", text(state))
            object.add("alt", word)
            object.add("tooltip", tooltip(state, now: now))
            object.add("class", word)
            object.add("percentage", Int((state.slots?.percent ?? 0).rounded()))
            return object.text
        case .i3blocks:
            // One-shot: full_text, short_text, colour lines. Following (`interval=persist`,
            // `format=json`): one JSON object per line.
            if following {
                var object = ObjectWriter()
                object.add("full_text", text(state))
                object.add("short_text", state.online ? light(word) : "offline")
                object.add("color", colour(word))
                return object.text
            }
            return text(state) + "\n" + (state.online ? light(word) : "offline") + "\n" + colour(word)
        case .polybar:
            return "%{F\(colour(word))}\(text(state))%{F-}"
        case .i3bar:
            var block = ObjectWriter()
            block.add("name", "elohim")
            block.add("full_text", text(state))
            block.add("short_text", state.online ? light(word) : "offline")
            block.add("color", colour(word))
            block.add("markup", "none")
            return "[" + block.text + "]"
        }
    }
}
