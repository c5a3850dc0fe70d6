extension Duration {
    /// The duration in seconds, as a `TimeInterval`-like `Double` (rates, deadlines, progress).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
