public import ElohimProtocol

/// Why a chat operation was refused or failed, in words the caller can act on.
public struct ChatError: DomainError, CustomStringConvertible {
    public let reason: ApplicationErrorReason
    public let message: String
    public let detail: [String: JSONValue]

    public init(_ reason: ApplicationErrorReason, _ message: String, detail: [String: JSONValue] = [:]) {
        self.reason = reason
        self.message = message
        self.detail = detail
    }

    public var description: String { message }

    static func noSession(_ id: Int64) -> ChatError {
        ChatError(
            .notFound, "you have no chat session \(id); `elohim chat list` shows yours",
            detail: ["session_id": .int(id)])
    }

    static func archivedSession(_ id: Int64) -> ChatError {
        ChatError(
            .notFound, "chat session \(id) is archived (it was idle too long); bring it back with `elohim chat restore \(id)`",
            detail: ["session_id": .int(id), "archived": .bool(true)])
    }

    static func noArchivedSession(_ id: Int64) -> ChatError {
        ChatError(
            .notFound, "you have no archived chat session \(id); `elohim chat list --archived` shows yours",
            detail: ["session_id": .int(id)])
    }

    static func notArchived(_ id: Int64) -> ChatError {
        ChatError(
            .conflict, "chat session \(id) is not archived; it is already in `elohim chat list`",
            detail: ["session_id": .int(id)])
    }

    /// A move between the live and archive tables did not add up, so it was rolled back.
    static func moveMismatch(
        _ what: String, sessions: (expected: Int, copied: Int, removed: Int), messages: (expected: Int, copied: Int, removed: Int)
    ) -> ChatError {
        ChatError(
            .failed,
            "\(what) was rolled back, nothing changed: of \(sessions.expected) sessions \(sessions.copied) were copied and "
                + "\(sessions.removed) removed, of \(messages.expected) messages \(messages.copied) copied and \(messages.removed) removed; "
                + "check the database with `PRAGMA integrity_check`",
            detail: [
                "sessions_expected": .int(Int64(sessions.expected)), "sessions_copied": .int(Int64(sessions.copied)),
                "sessions_removed": .int(Int64(sessions.removed)), "messages_expected": .int(Int64(messages.expected)),
                "messages_copied": .int(Int64(messages.copied)), "messages_removed": .int(Int64(messages.removed)),
            ])
    }

    static func noModel(_ session: Int64) -> ChatError {
        ChatError(
            .unavailable,
            "session \(session) has no model and no default is set; pick one with `elohim chat model \(session) NAME` "
                + "or set default_model in the configuration",
            detail: ["session_id": .int(session)])
    }

    static func badInput(_ field: String, _ message: String) -> ChatInputError {
        ChatInputError(field: field, message: message)
    }

    static func contextTooSmall(model: String, limit: Int, needed: Int) -> ChatError {
        ChatError(
            .contextTooSmall,
            "your message alone needs about \(needed) tokens but \(model)'s context holds \(limit); "
                + "shorten it or use a model with a larger context",
            detail: ["model": .string(model), "limit": .int(Int64(limit)), "needed": .int(Int64(needed))])
    }
}

/// Why a runtime could not answer. Thrown by `ChatModelProvider`s; the user's message is kept.
public struct ChatRuntimeError: DomainError, CustomStringConvertible {
    public let reason: ApplicationErrorReason
    public let message: String
    public let detail: [String: JSONValue]

    public init(_ reason: ApplicationErrorReason, _ message: String, detail: [String: JSONValue] = [:]) {
        self.reason = reason
        self.message = message
        self.detail = detail
    }

    public var description: String { message }

    /// No runtime answers for the model (not running, crashed, refused the connection).
    public static func runtimeDown(model: String, _ why: String) -> ChatRuntimeError {
        ChatRuntimeError(
            .unavailable, "the runtime for \(model) is not answering (\(why)); check `elohim models` and try again",
            detail: ["model": .string(model)])
    }

    /// No such model is known.
    public static func modelMissing(_ model: String) -> ChatRuntimeError {
        ChatRuntimeError(
            .notFound, "no model named '\(model)'; `elohim models` lists the installed ones",
            detail: ["model": .string(model)])
    }

    /// The runtime answered with an error or broke off mid-reply.
    public static func failed(model: String, _ why: String) -> ChatRuntimeError {
        ChatRuntimeError(.failed, "\(model) failed to answer: \(why)", detail: ["model": .string(model)])
    }
}

/// A chat param the store refuses (an empty or over-long title, message or model name):
/// -32602 naming the field.
public struct ChatInputError: FieldInputError, CustomStringConvertible {
    public let field: String
    public let message: String

    public var description: String { message }
}
