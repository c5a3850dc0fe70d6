/// A configuration that cannot be used, naming the key and the source it came from.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offending key as written in its source (`max_frame_bytes`, `ELOHIMD_LOG_LEVEL`, `--socket`).
    public let key: String
    /// Where the key came from: a file path, "environment" or "command line".
    public let source: String
    public let problem: String

    public init(key: String, source: String, problem: String) {
        self.key = key
        self.source = source
        self.problem = problem
    }

    public var description: String { "\(source): \(key): \(problem)" }
}
