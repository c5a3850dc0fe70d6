/// The protocol this build speaks. Minor bumps add methods/fields; a major bump breaks.
public enum ProtocolVersion {
    public static let current = "1.0"
    public static let major = 1

    /// The major version of a `"MAJOR.MINOR"` string, when it parses.
    public static func major(of version: String) -> Int? {
        Int(version.split(separator: ".", maxSplits: 1).first ?? "")
    }
}
