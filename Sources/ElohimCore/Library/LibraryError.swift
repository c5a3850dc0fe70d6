public import ElohimProtocol

/// Why a library operation was refused, in words the caller can act on.
public struct LibraryError: DomainError, CustomStringConvertible {
    public let reason: ApplicationErrorReason
    public let message: String
    public let detail: [String: JSONValue]

    init(_ reason: ApplicationErrorReason, _ message: String, detail: [String: JSONValue] = [:]) {
        self.reason = reason
        self.message = message
        self.detail = detail
    }

    public var description: String { message }

    /// `what` (document, workflow, vault item) `key` does not exist in the caller's local data.
    static func notFound(_ what: String, _ key: JSONValue, list: String) -> LibraryError {
        let shown: String
        switch key {
        case .string(let text): shown = "'\(text)'"
        default: shown = JSONWriter.string(key)
        }
        return LibraryError(
            .notFound, "no local \(what) \(shown); `\(list)` shows yours",
            detail: ["resource": .string(what), "key": key])
    }

    static func tooLarge(_ field: String, bytes: Int, limit: Int, hint: String) -> LibraryError {
        LibraryError(
            .tooLarge, "\(field) is \(bytes) bytes; the limit is \(limit) bytes — \(hint)",
            detail: ["field": .string(field), "bytes": .int(Int64(bytes)), "limit_bytes": .int(Int64(limit))])
    }

    static func nameTaken(_ what: String, _ name: String) -> LibraryError {
        LibraryError(
            .conflict, "you already have a local \(what) named '\(name)'; pick another name or update that one",
            detail: ["resource": .string(what), "name": .string(name)])
    }
}

/// A field the caller sent is not acceptable: the daemon answers -32602 naming `field`.
public struct LibraryInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field in wire spelling (`title`, `steps.2.kind`).
    public let field: String
    /// What is wrong and what is accepted.
    public let problem: String

    public init(_ field: String, _ problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String { "\(field) \(problem)" }
}
