/// `chat.*`: the caller's own chat sessions, their messages, per-session model and token meter.
///
/// While `chat.send` runs, the daemon sends `chat.delta` notifications on the same connection
/// (params: `ChatDelta`), one per streamed piece of the reply, before the response.
public enum ChatMethods {
    /// The notification method carrying a streamed piece of a reply.
    public static let deltaMethod = "chat.delta"

    public static let create = MethodSpec<ChatCreateParams, ChatSessionInfo>(
        "chat.create", summary: "Start a chat session (optionally titled and with its own model).",
        access: .permission("chat.use"), result: ChatSessionInfo.schema)

    public static let list = MethodSpec<ChatListParams, ChatListResult>(
        "chat.list", summary: "Your chat sessions (with archived: true, your archived ones), most recently active first.",
        access: .permission("chat.use"),
        result: Schema.object(["sessions": Schema.array(ChatSessionInfo.schema), "total": Schema.integer]))

    public static let get = MethodSpec<ChatGetParams, ChatGetResult>(
        "chat.get", summary: "A session and a page of its messages (newest page first; `before` pages back).",
        access: .permission("chat.use"),
        result: Schema.object([
            "session": ChatSessionInfo.schema, "messages": Schema.array(ChatMessageInfo.schema),
            "next_before": Schema.nullable(Schema.integer),
        ]))

    public static let rename = MethodSpec<ChatRenameParams, ChatSessionInfo>(
        "chat.rename", summary: "Rename one of your sessions.",
        access: .permission("chat.manage_sessions"), result: ChatSessionInfo.schema)

    public static let delete = MethodSpec<ChatSessionParams, ChatDeleteResult>(
        "chat.delete", summary: "Delete one of your sessions and all its messages.",
        access: .permission("chat.manage_sessions"),
        result: Schema.object(["session_id": Schema.integer, "deleted_messages": Schema.integer]))

    public static let send = MethodSpec<ChatSendParams, ChatSendResult>(
        "chat.send",
        summary: "Send a message and get the model's reply; the reply streams as chat.delta notifications first.",
        access: .permission("chat.use"), result: ChatSendResult.schema)

    public static let setModel = MethodSpec<ChatSetModelParams, ChatSessionInfo>(
        "chat.set_model", summary: "Use a model for this session (null resets to the default).",
        access: .permission("chat.use"), result: ChatSessionInfo.schema)

    public static let tokenCount = MethodSpec<ChatSessionParams, ChatTokenCount>(
        "chat.token_count", summary: "The session's token totals and how full the model's context is.",
        access: .permission("chat.use"), result: ChatTokenCount.schema)

    public static let restore = MethodSpec<ChatSessionParams, ChatSessionInfo>(
        "chat.restore", summary: "Bring one of your archived sessions and all its messages back into your live sessions.",
        access: .permission("chat.manage_sessions"), result: ChatSessionInfo.schema)

    public static let all = [
        create.name, list.name, get.name, rename.name, delete.name, send.name, setModel.name, tokenCount.name, restore.name,
    ]
}

/// A session as the wire shows it.
public struct ChatSessionInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var title: String
    /// Always `local` in this phase (no team sessions yet).
    public var context: String
    /// The session's own model, or null when it follows the default.
    public var activeModel: String?
    /// The model the next message will use: `active_model`, else the default (null if neither).
    public var model: String?
    public var messageCount: Int
    public var createdAt: String
    public var updatedAt: String
    public var lastActivity: String
    /// When the cleanup archived it (sessions listed with `archived: true`); null for live sessions.
    public var archivedAt: String?

    public init(
        id: Int64, title: String, context: String, activeModel: String?, model: String?, messageCount: Int,
        createdAt: String, updatedAt: String, lastActivity: String, archivedAt: String? = nil
    ) {
        self.id = id
        self.title = title
        self.context = context
        self.activeModel = activeModel
        self.model = model
        self.messageCount = messageCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastActivity = lastActivity
        self.archivedAt = archivedAt
    }

    public static let schema = Schema.object([
        "id": Schema.integer, "title": Schema.string, "context": Schema.string,
        "active_model": Schema.nullable(Schema.string), "model": Schema.nullable(Schema.string),
        "message_count": Schema.integer, "created_at": Schema.string, "updated_at": Schema.string,
        "last_activity": Schema.string, "archived_at": Schema.nullable(Schema.string),
    ])
}

/// A stored message.
public struct ChatMessageInfo: Codable, Sendable, Equatable {
    public var id: Int64
    public var sessionId: Int64
    /// `system`, `user` or `assistant`.
    public var role: String
    public var content: String
    /// The model that wrote it (assistant messages).
    public var model: String?
    public var promptTokens: Int?
    public var completionTokens: Int?
    /// Oldest turns left out of the history sent to the model for this reply.
    public var droppedTurns: Int
    public var createdAt: String

    public init(
        id: Int64, sessionId: Int64, role: String, content: String, model: String?, promptTokens: Int?,
        completionTokens: Int?, droppedTurns: Int, createdAt: String
    ) {
        self.id = id
        self.sessionId = sessionId
        self.role = role
        self.content = content
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.droppedTurns = droppedTurns
        self.createdAt = createdAt
    }

    public static let schema = Schema.object([
        "id": Schema.integer, "session_id": Schema.integer, "role": Schema.oneOf(["system", "user", "assistant"]),
        "content": Schema.string, "model": Schema.nullable(Schema.string),
        "prompt_tokens": Schema.nullable(Schema.integer), "completion_tokens": Schema.nullable(Schema.integer),
        "dropped_turns": Schema.integer, "created_at": Schema.string,
    ])
}

/// How full the model's context window is for the next turn.
public struct ChatContextMeter: Codable, Sendable, Equatable {
    /// Tokens the conversation occupies: the last reply's prompt + completion.
    public var used: Int
    /// The model's context window (the runtime's n_ctx), null when unknown.
    public var limit: Int?
    /// used / limit × 100, null when the limit is unknown.
    public var percent: Double?
    /// `ok` (< 60 %), `warn` (60–85 %), `critical` (≥ 85 %), `unknown` without a limit.
    public var level: String
    /// True at 90 % and above.
    public var warning: Bool

    public init(used: Int, limit: Int?, percent: Double?, level: String, warning: Bool) {
        self.used = used
        self.limit = limit
        self.percent = percent
        self.level = level
        self.warning = warning
    }

    public static let schema = Schema.object([
        "used": Schema.integer, "limit": Schema.nullable(Schema.integer), "percent": Schema.nullable(Schema.number),
        "level": Schema.oneOf(["ok", "warn", "critical", "unknown"]), "warning": Schema.boolean,
    ])
}

/// `chat.token_count`: the session's totals (as the seed's endpoint) plus the context meter.
public struct ChatTokenCount: Codable, Sendable, Equatable {
    public var sessionId: Int64
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    /// The model the meter measures against (the one the next message will use).
    public var model: String?
    public var context: ChatContextMeter

    public init(
        sessionId: Int64, promptTokens: Int, completionTokens: Int, totalTokens: Int, model: String?,
        context: ChatContextMeter
    ) {
        self.sessionId = sessionId
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens
        self.model = model
        self.context = context
    }

    public static let schema = Schema.object([
        "session_id": Schema.integer, "prompt_tokens": Schema.integer, "completion_tokens": Schema.integer,
        "total_tokens": Schema.integer, "model": Schema.nullable(Schema.string), "context": ChatContextMeter.schema,
    ])
}

/// Params of a `chat.delta` notification.
public struct ChatDelta: Codable, Sendable, Equatable {
    public var sessionId: Int64
    /// The stored user message this reply answers.
    public var replyTo: Int64
    public var delta: String
    /// 0, 1, 2…: the order of the pieces.
    public var index: Int

    public init(sessionId: Int64, replyTo: Int64, delta: String, index: Int) {
        self.sessionId = sessionId
        self.replyTo = replyTo
        self.delta = delta
        self.index = index
    }
}

public struct ChatUsageInfo: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = promptTokens + completionTokens
    }
}

/// `chat.send`'s result: the stored reply, the model that wrote it and what it cost.
public struct ChatSendResult: Codable, Sendable, Equatable {
    public var userMessage: ChatMessageInfo
    public var message: ChatMessageInfo
    public var model: String
    public var usage: ChatUsageInfo
    /// Oldest turns left out because the history would not fit the model's context.
    public var droppedTurns: Int
    public var finishReason: String?
    public var tokens: ChatTokenCount

    public init(
        userMessage: ChatMessageInfo, message: ChatMessageInfo, model: String, usage: ChatUsageInfo,
        droppedTurns: Int, finishReason: String?, tokens: ChatTokenCount
    ) {
        self.userMessage = userMessage
        self.message = message
        self.model = model
        self.usage = usage
        self.droppedTurns = droppedTurns
        self.finishReason = finishReason
        self.tokens = tokens
    }

    static let schema = Schema.object([
        "user_message": ChatMessageInfo.schema, "message": ChatMessageInfo.schema, "model": Schema.string,
        "usage": Schema.object([
            "prompt_tokens": Schema.integer, "completion_tokens": Schema.integer, "total_tokens": Schema.integer,
        ]),
        "dropped_turns": Schema.integer, "finish_reason": Schema.nullable(Schema.string), "tokens": ChatTokenCount.schema,
    ])
}

public struct ChatListResult: Codable, Sendable {
    public var sessions: [ChatSessionInfo]
    public var total: Int
    public init(sessions: [ChatSessionInfo], total: Int) {
        self.sessions = sessions
        self.total = total
    }
}

public struct ChatGetResult: Codable, Sendable {
    public var session: ChatSessionInfo
    /// Oldest first.
    public var messages: [ChatMessageInfo]
    /// Pass as `before` for the previous page; null on the first page of the session.
    public var nextBefore: Int64?
    public init(session: ChatSessionInfo, messages: [ChatMessageInfo], nextBefore: Int64?) {
        self.session = session
        self.messages = messages
        self.nextBefore = nextBefore
    }
}

public struct ChatDeleteResult: Codable, Sendable {
    public var sessionId: Int64
    public var deletedMessages: Int
    public init(sessionId: Int64, deletedMessages: Int) {
        self.sessionId = sessionId
        self.deletedMessages = deletedMessages
    }
}

private let sessionIDField = ParamField("session_id", Schema.integer, required: true, summary: "The session's id.")

public struct ChatCreateParams: RPCParams {
    public var title: String?
    public var model: String?
    public init(title: String? = nil, model: String? = nil) {
        self.title = title
        self.model = model
    }
    public static let fields = [
        ParamField("title", Schema.string, summary: "A title (default: 'New chat')."),
        ParamField("model", Schema.string, summary: "The session's model (default: follow the configured default)."),
    ]
}

public struct ChatListParams: RPCParams {
    public var limit: Int?
    public var offset: Int?
    public var archived: Bool?
    public init(limit: Int? = nil, offset: Int? = nil, archived: Bool? = nil) {
        self.limit = limit
        self.offset = offset
        self.archived = archived
    }
    public static let fields = [
        ParamField("limit", Schema.integer, summary: "At most this many sessions (1–500, default 100)."),
        ParamField("offset", Schema.integer, summary: "Skip this many (default 0)."),
        ParamField("archived", Schema.boolean, summary: "List your archived sessions instead (default false); chat.restore brings one back."),
    ]
}

public struct ChatGetParams: RPCParams {
    public var sessionId: Int64
    public var limit: Int?
    public var before: Int64?
    public init(sessionId: Int64, limit: Int? = nil, before: Int64? = nil) {
        self.sessionId = sessionId
        self.limit = limit
        self.before = before
    }
    public static let fields = [
        sessionIDField,
        ParamField("limit", Schema.integer, summary: "Messages per page (1–500, default 50)."),
        ParamField("before", Schema.integer, summary: "Only messages with an id below this (from next_before)."),
    ]
}

public struct ChatSessionParams: RPCParams {
    public var sessionId: Int64
    public init(sessionId: Int64) { self.sessionId = sessionId }
    public static let fields = [sessionIDField]
}

public struct ChatRenameParams: RPCParams {
    public var sessionId: Int64
    public var title: String
    public init(sessionId: Int64, title: String) {
        self.sessionId = sessionId
        self.title = title
    }
    public static let fields = [
        sessionIDField, ParamField("title", Schema.string, required: true, summary: "The new title (1–200 characters)."),
    ]
}

public struct ChatSendParams: RPCParams {
    public var sessionId: Int64
    public var content: String
    public init(sessionId: Int64, content: String) {
        self.sessionId = sessionId
        self.content = content
    }
    public static let fields = [
        sessionIDField, ParamField("content", Schema.string, required: true, summary: "Your message."),
    ]
}

public struct ChatSetModelParams: RPCParams {
    public var sessionId: Int64
    public var model: String?
    public var force: Bool?
    public init(sessionId: Int64, model: String?, force: Bool? = nil) {
        self.sessionId = sessionId
        self.model = model
        self.force = force
    }
    public static let fields = [
        sessionIDField,
        ParamField("model", Schema.nullable(Schema.string), required: true, summary: "A model name, or null for the default."),
        ParamField("force", Schema.boolean, summary: "Switch even when the model fails the memory fit check."),
    ]
}
