import Foundation

/// The answer to "can I load this model?": the seed's rule (estimate ≤ 50% of available
/// memory), applied to what the model will really occupy rather than its file size.
public struct FitReport: Sendable {
    public var fits: Bool
    public var model: ModelInfo
    public var estimate: MemoryEstimate
    public var memory: SystemMemory
    /// The share of available memory a model may take (0.5 by default).
    public var availableFraction: Double
    /// "OK" or what to do.
    public var recommendation: String
    /// The warning to show when it does not fit (nil when it fits).
    public var warning: String?
}

/// Applies the fit rule.
public struct FitCheck: Sendable {
    public var availableFraction: Double

    public init(availableFraction: Double = 0.5) {
        self.availableFraction = availableFraction
    }

    public func check(_ model: ModelInfo, estimate: MemoryEstimate, memory: SystemMemory) -> FitReport {
        let budget = Double(memory.availableBytes) * availableFraction
        let fits = Double(estimate.totalBytes) <= budget
        let warning: String? = fits ? nil :
            "This model (\(GB.text(estimate.totalBytes))) may exceed available RAM (\(GB.text(memory.availableBytes))). Loading may cause system slowdown."
        let recommendation: String
        if fits {
            recommendation = "OK"
        } else if estimate.kvCacheBytes > estimate.weightsBytes / 2, estimate.context > 2048 {
            recommendation = "May cause system slowdown: use a smaller context (the KV cache for \(estimate.context) tokens is \(GB.text(estimate.kvCacheBytes))), a smaller quantization, or free memory"
        } else {
            recommendation = "May cause system slowdown: pick a smaller model or quantization, or free memory (the rule is ≤ \(Int(availableFraction * 100))% of available RAM, \(GB.text(UInt64(budget))))"
        }
        return FitReport(
            fits: fits, model: model, estimate: estimate, memory: memory, availableFraction: availableFraction,
            recommendation: recommendation, warning: warning)
    }
}

/// Gigabytes the way the seed writes them: 1024³ bytes, one decimal, "GB".
public enum GB {
    public static func value(_ bytes: UInt64) -> Double { Double(bytes) / 1_073_741_824 }
    public static func text(_ bytes: UInt64) -> String { String(format: "%.1fGB", value(bytes)) }
    /// Rounded to 3 decimals for the wire.
    public static func wire(_ bytes: UInt64) -> Double { (value(bytes) * 1000).rounded() / 1000 }
}
