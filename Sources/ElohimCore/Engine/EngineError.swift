public import ElohimProtocol

/// Why the engine refused a request.
public struct EngineError: DomainError, CustomStringConvertible {
    private enum Code: Sendable { case busy, notFound, notYours, invalid, stopped }
    private let code: Code
    public let message: String
    public let detail: [String: JSONValue]

    /// The queue is full.
    public static func busy(depth: Int, limit: Int) -> EngineError {
        EngineError(
            code: .busy,
            message: "the query engine is busy: \(depth) jobs in the engine and \(limit) waiting already (the queue limit); retry shortly",
            detail: ["queue_depth": .int(Int64(depth)), "queue_limit": .int(Int64(limit))])
    }

    static func notFound(_ job: JobID) -> EngineError {
        EngineError(
            code: .notFound, message: "no job \(job): it never existed or its result was dropped (finished jobs are kept a while)",
            detail: ["job": .int(job)])
    }

    static func notYours(_ job: JobID) -> EngineError {
        EngineError(
            code: .notYours, message: "job \(job) belongs to another user; stopping someone else's job needs admin.manage_users",
            detail: ["job": .int(job), "permission": "admin.manage_users"])
    }

    static func invalid(_ message: String, field: String) -> EngineError {
        EngineError(code: .invalid, message: message, detail: ["field": .string(field)])
    }

    static let stopped = EngineError(code: .stopped, message: "the query engine is shutting down; retry after the daemon restarts", detail: [:])

    public var reason: ApplicationErrorReason {
        switch code {
        case .busy: return .busy
        case .notFound: return .notFound
        case .notYours: return .forbidden
        case .invalid: return .failed
        case .stopped: return .shuttingDown
        }
    }

    public var description: String { message }
}
