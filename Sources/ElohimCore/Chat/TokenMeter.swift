public import ElohimProtocol

/// How full a model's context is, with the seed's thresholds: green below 60 %, yellow to 85 %,
/// red above; a warning from 90 %.
public enum TokenMeter {
    public static let warnPercent = 60.0
    public static let criticalPercent = 85.0
    public static let warningPercent = 90.0

    public static func meter(used: Int, limit: Int?) -> ChatContextMeter {
        guard let limit, limit > 0 else {
            return ChatContextMeter(used: used, limit: nil, percent: nil, level: "unknown", warning: false)
        }
        let percent = (Double(used) / Double(limit) * 1000).rounded() / 10
        let level = percent >= criticalPercent ? "critical" : percent >= warnPercent ? "warn" : "ok"
        return ChatContextMeter(used: used, limit: limit, percent: percent, level: level, warning: percent >= warningPercent)
    }
}
