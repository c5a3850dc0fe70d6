import ElohimProtocol

/// The chat token meter: `[██████████████░░░░░░] 6,144 / 8,192 tokens (75%) warn`, coloured
/// green / yellow / red by level, with the level in words for NO_COLOR and screen readers.
public enum TokenMeterView {
    public static let width = 20

    public static func line(_ meter: ChatContextMeter, style: Style) -> String {
        guard let limit = meter.limit, let percent = meter.percent else {
            return "\(Format.grouped(Int64(meter.used))) tokens used (context size not known until the model answers)"
        }
        let filled = min(width, max(0, Int((percent / 100 * Double(width)).rounded())))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let painted: String
        switch meter.level {
        case "critical": painted = style.red(bar)
        case "warn": painted = style.yellow(bar)
        default: painted = style.green(bar)
        }
        let shown = percent == percent.rounded() ? String(Int(percent)) : Format.oneDecimal(percent)
        return "[\(painted)] \(Format.grouped(Int64(meter.used))) / \(Format.grouped(Int64(limit))) tokens (\(shown)%) \(meter.level)"
    }

    /// The warning shown at 90 % and above, or nil below.
    public static func warning(_ meter: ChatContextMeter, style: Style) -> String? {
        guard meter.warning, let percent = meter.percent else { return nil }
        return style.red("warning: the context is \(Format.oneDecimal(percent))% full; the oldest turns will be dropped soon — /new starts a fresh session")
    }

    /// `prompt 5,000 + completion 1,144 = 6,144 tokens this session`.
    public static func breakdown(_ count: ChatTokenCount) -> String {
        "prompt \(Format.grouped(Int64(count.promptTokens))) + completion \(Format.grouped(Int64(count.completionTokens))) = \(Format.grouped(Int64(count.totalTokens))) tokens this session"
    }
}
