public import ElohimProtocol

/// An error a user can act on. The daemon turns it into a JSON-RPC application error
/// (`reason` picks the code); anything that is not a `DomainError` becomes -32603 and is logged.
public protocol DomainError: Error, Sendable {
    /// The machine-readable reason, e.g. `.notFound`.
    var reason: ApplicationErrorReason { get }
    /// What went wrong and what to do about it, in one or two sentences.
    var message: String { get }
    /// Structured detail for scripts (ids, limits, figures).
    var detail: [String: JSONValue] { get }
}

extension DomainError {
    public var detail: [String: JSONValue] { [:] }
}

/// A value the caller gave for one param that the domain refuses (empty, too long, malformed).
/// The daemon answers it like a param of the wrong type: -32602 naming `field` (`data.field`).
public protocol FieldInputError: Error, Sendable {
    /// The param in wire spelling (`title`, `content`).
    var field: String { get }
    /// What is wrong and what is accepted.
    var message: String { get }
}
