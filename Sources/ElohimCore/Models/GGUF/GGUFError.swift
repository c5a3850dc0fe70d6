public import ElohimProtocol

/// Why a file could not be read as a GGUF model. Every case names the problem and the byte
/// offset where it was found, so a broken download or a hostile file is diagnosable.
public struct GGUFError: DomainError, CustomStringConvertible, Equatable {
    /// What kind of problem it is (stable, for tests and scripts).
    public enum Kind: String, Sendable {
        case unreadable, badMagic, unsupportedVersion, truncated, limitExceeded, invalidValue, invalidTensor
    }

    public let kind: Kind
    /// The file, when reading one ("" for in-memory input).
    public let path: String
    /// Where in the file the problem is.
    public let offset: UInt64
    private let problem: String

    init(_ kind: Kind, at offset: UInt64, _ problem: String, path: String = "") {
        self.kind = kind
        self.offset = offset
        self.problem = problem
        self.path = path
    }

    /// The same error attributed to `path`.
    func at(path: String) -> GGUFError { GGUFError(kind, at: offset, problem, path: path) }

    public var reason: ApplicationErrorReason { kind == .unreadable ? .notFound : .invalidModel }

    public var message: String {
        let name = path.isEmpty ? "the GGUF data" : path
        switch kind {
        case .unreadable:
            return "cannot read \(name): \(problem)"
        default:
            return "\(name) is not a usable GGUF model: \(problem) (at byte \(offset)); re-download or re-convert it"
        }
    }

    public var detail: [String: JSONValue] {
        ["path": .string(path), "offset": .int(Int64(clamping: offset)), "problem": .string(kind.rawValue)]
    }

    public var description: String { message }
}
