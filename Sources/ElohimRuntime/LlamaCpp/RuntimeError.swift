public import ElohimCore
public import ElohimProtocol

/// A runtime could not do what was asked; says what to do about it.
public struct RuntimeError: DomainError, CustomStringConvertible {
    public let reason: ApplicationErrorReason
    public let message: String
    public let detail: [String: JSONValue]

    public init(_ reason: ApplicationErrorReason, _ message: String, detail: [String: JSONValue] = [:]) {
        self.reason = reason
        self.message = message
        self.detail = detail
    }

    public var description: String { message }
}
