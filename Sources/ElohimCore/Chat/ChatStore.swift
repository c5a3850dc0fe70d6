public import ElohimProtocol
import Foundation
public import GRDB

/// Chat sessions and messages in the main database. Every method is one transaction and
/// takes the caller's uid: a session belongs to the user who created it, and someone else's
/// session is reported as not found (its existence is not revealed).
public struct ChatStore: Sendable {
    /// A session as stored; `model` is filled by the caller, who knows the default.
    public struct Session: Sendable, Equatable {
        public var id: Int64
        public var userID: UInt32
        public var title: String
        public var activeModel: String?
        public var messageCount: Int
        public var createdAt: String
        public var updatedAt: String
        public var lastActivity: String
        /// When the cleanup archived it; nil for a live session.
        public var archivedAt: String?

        public func info(defaultModel: String?) -> ChatSessionInfo {
            ChatSessionInfo(
                id: id, title: title, context: "local", activeModel: activeModel, model: activeModel ?? defaultModel,
                messageCount: messageCount, createdAt: createdAt, updatedAt: updatedAt, lastActivity: lastActivity,
                archivedAt: archivedAt)
        }
    }

    /// A stored message plus what history trimming needs.
    public struct Message: Sendable, Equatable {
        public var info: ChatMessageInfo
        /// The content's own token count, when known.
        public var tokens: Int?
        /// The model's context window when this reply was written.
        public var contextLimit: Int?
    }

    /// Sums over a session's replies and the latest one, for the token meter.
    public struct Totals: Sendable, Equatable {
        public var promptTokens: Int
        public var completionTokens: Int
        /// The latest reply's prompt + completion: what the conversation occupies now.
        public var lastUsed: Int
        public var lastModel: String?
        public var lastContextLimit: Int?
    }

    /// Longest title accepted, in characters.
    public static let maxTitleLength = 200
    public static let defaultTitle = "New chat"
    /// Longest model name accepted (a GGUF file name, an Ollama `name:tag`), in characters.
    public static let maxModelNameLength = 255

    let database: DatabasePool

    public init(database: DatabasePool) {
        self.database = database
    }

    private static let sessionColumns = """
        s.id, s.user_id, s.title, s.active_model, s.created_at, s.updated_at, s.last_activity,
        (SELECT count(*) FROM chat_messages m WHERE m.session_id = s.id) AS message_count
        """

    static func session(_ row: Row) -> Session {
        Session(
            id: row["id"], userID: row["user_id"], title: row["title"], activeModel: row["active_model"],
            messageCount: row["message_count"], createdAt: row["created_at"], updatedAt: row["updated_at"],
            lastActivity: row["last_activity"], archivedAt: row.hasColumn("archived_at") ? row["archived_at"] : nil)
    }

    private static func message(_ row: Row) -> Message {
        Message(
            info: ChatMessageInfo(
                id: row["id"], sessionId: row["session_id"], role: row["role"], content: row["content"], model: row["model"],
                promptTokens: row["prompt_tokens"], completionTokens: row["completion_tokens"],
                droppedTurns: row["dropped_turns"], createdAt: row["created_at"]),
            tokens: row["tokens"], contextLimit: row["context_limit"])
    }

    static func validTitle(_ title: String) throws -> String {
        let trimmed = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ChatError.badInput("title", "the title is empty; give the session a name") }
        guard trimmed.count <= maxTitleLength else {
            throw ChatError.badInput("title", "the title has \(trimmed.count) characters; the limit is \(maxTitleLength)")
        }
        return trimmed
    }

    static func validModel(_ model: String?) throws -> String? {
        guard let model = model?.trimmingCharacters(in: .whitespaces) else { return nil }
        guard model.count <= maxModelNameLength else {
            throw ChatError.badInput("model", "the model name has \(model.count) characters; the limit is \(maxModelNameLength)")
        }
        return model
    }

    static func fetchSession(_ db: Database, _ id: Int64, uid: UInt32) throws -> Session {
        let row = try Row.fetchOne(
            db, sql: "SELECT \(sessionColumns) FROM chat_sessions s WHERE s.id = ? AND s.user_id = ? AND s.team_id IS NULL",
            arguments: [id, uid])
        guard let row else {
            // An archived session is not reachable either, but its owner is told how to bring it back.
            if try isArchived(db, id, uid: uid) { throw ChatError.archivedSession(id) }
            throw ChatError.noSession(id)
        }
        return session(row)
    }

    /// Starts a session for `uid`.
    public func create(uid: UInt32, title: String?, model: String?) throws -> Session {
        let title = try title.map(Self.validTitle) ?? Self.defaultTitle
        let model = try Self.validModel(model)
        let now = Timestamp.now()
        return try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO chat_sessions (user_id, team_id, title, active_model, created_at, updated_at, last_activity)
                    VALUES (?, NULL, ?, ?, ?, ?, ?)
                    """,
                arguments: [uid, title, model?.isEmpty == false ? model : nil, now, now, now])
            return try Self.fetchSession(db, db.lastInsertedRowID, uid: uid)
        }
    }

    /// `uid`'s sessions (or with `archived`, archived sessions), most recently active first,
    /// and how many there are in all.
    public func list(uid: UInt32, limit: Int, offset: Int, archived: Bool = false) throws -> (sessions: [Session], total: Int) {
        let (columns, table) = archived ? (Self.archivedSessionColumns, "archived_sessions") : (Self.sessionColumns, "chat_sessions")
        return try database.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(columns) FROM \(table) s
                    WHERE s.user_id = ? AND s.team_id IS NULL ORDER BY s.last_activity DESC, s.id DESC LIMIT ? OFFSET ?
                    """,
                arguments: [uid, limit, offset])
            let total = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM \(table) WHERE user_id = ? AND team_id IS NULL", arguments: [uid]) ?? 0
            return (rows.map(Self.session), total)
        }
    }

    /// One of `uid`'s sessions.
    public func session(_ id: Int64, uid: UInt32) throws -> Session {
        try database.read { db in try Self.fetchSession(db, id, uid: uid) }
    }

    /// A page of messages, oldest first: the newest `limit` with ids below `before`, and the
    /// `before` for the page preceding it (nil when this page reaches the first message).
    public func messages(session id: Int64, uid: UInt32, limit: Int, before: Int64?) throws -> (
        session: Session, messages: [ChatMessageInfo], nextBefore: Int64?
    ) {
        try database.read { db in
            let session = try Self.fetchSession(db, id, uid: uid)
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM chat_messages WHERE session_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                arguments: [id, before ?? Int64.max, limit + 1])
            let more = rows.count > limit
            let page = rows.prefix(limit).map { Self.message($0).info }.reversed()
            return (session, Array(page), more ? page.first?.id : nil)
        }
    }

    /// Every message of a session, oldest first (the history a reply is written from).
    public func history(session id: Int64, uid: UInt32) throws -> [Message] {
        try database.read { db in
            _ = try Self.fetchSession(db, id, uid: uid)
            return try Row.fetchAll(db, sql: "SELECT * FROM chat_messages WHERE session_id = ? ORDER BY id", arguments: [id])
                .map(Self.message)
        }
    }

    public func rename(_ id: Int64, uid: UInt32, title: String) throws -> Session {
        let title = try Self.validTitle(title)
        return try database.write { db in
            _ = try Self.fetchSession(db, id, uid: uid)
            try db.execute(
                sql: "UPDATE chat_sessions SET title = ?, updated_at = ? WHERE id = ?", arguments: [title, Timestamp.now(), id])
            return try Self.fetchSession(db, id, uid: uid)
        }
    }

    /// Sets (or with nil clears) the session's own model.
    public func setModel(_ id: Int64, uid: UInt32, model: String?) throws -> Session {
        try database.write { db in
            _ = try Self.fetchSession(db, id, uid: uid)
            try db.execute(
                sql: "UPDATE chat_sessions SET active_model = ?, updated_at = ? WHERE id = ?",
                arguments: [model, Timestamp.now(), id])
            return try Self.fetchSession(db, id, uid: uid)
        }
    }

    /// Deletes a session and its messages; returns how many messages went.
    public func delete(_ id: Int64, uid: UInt32) throws -> Int {
        try database.write { db in
            let session = try Self.fetchSession(db, id, uid: uid)
            try db.execute(sql: "DELETE FROM chat_sessions WHERE id = ?", arguments: [id])
            return session.messageCount
        }
    }

    /// Stores the user's message (and titles an untitled session after it).
    public func appendUserMessage(session id: Int64, uid: UInt32, content: String) throws -> ChatMessageInfo {
        let now = Timestamp.now()
        return try database.write { db in
            let session = try Self.fetchSession(db, id, uid: uid)
            try db.execute(
                sql: "INSERT INTO chat_messages (session_id, role, content, created_at) VALUES (?, 'user', ?, ?)",
                arguments: [id, content, now])
            let messageID = db.lastInsertedRowID
            var title = session.title
            if session.messageCount == 0 && title == Self.defaultTitle {
                title = Self.title(from: content)
            }
            try db.execute(
                sql: "UPDATE chat_sessions SET last_activity = ?, updated_at = ?, title = ? WHERE id = ?",
                arguments: [now, now, title, id])
            return Self.message(try Row.fetchOne(db, sql: "SELECT * FROM chat_messages WHERE id = ?", arguments: [messageID])!).info
        }
    }

    /// Remembers messages' token counts (message id → tokens) so the next fit need not ask again.
    public func recordTokens(_ counts: [Int64: Int]) throws {
        guard !counts.isEmpty else { return }
        try database.write { db in
            for (id, tokens) in counts {
                try db.execute(sql: "UPDATE chat_messages SET tokens = ? WHERE id = ?", arguments: [tokens, id])
            }
        }
    }

    /// Stores a finished reply with the model that wrote it and what it cost. Its own token
    /// count is left for the next fit to measure: the text as sent back in a prompt may
    /// tokenize differently from how it was generated.
    public func appendReply(
        session id: Int64, uid: UInt32, completion: ChatCompletion, contextLimit: Int, droppedTurns: Int
    ) throws -> ChatMessageInfo {
        let now = Timestamp.now()
        return try database.write { db in
            _ = try Self.fetchSession(db, id, uid: uid)
            try db.execute(
                sql: """
                    INSERT INTO chat_messages
                        (session_id, role, content, model, prompt_tokens, completion_tokens, context_limit, dropped_turns, created_at)
                    VALUES (?, 'assistant', ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, completion.content, completion.model, completion.usage.promptTokens, completion.usage.completionTokens,
                    contextLimit, droppedTurns, now,
                ])
            let messageID = db.lastInsertedRowID
            try db.execute(sql: "UPDATE chat_sessions SET last_activity = ?, updated_at = ? WHERE id = ?", arguments: [now, now, id])
            return Self.message(try Row.fetchOne(db, sql: "SELECT * FROM chat_messages WHERE id = ?", arguments: [messageID])!).info
        }
    }

    /// Token sums over the session's replies and the latest reply's figures.
    public func totals(session id: Int64, uid: UInt32) throws -> (session: Session, totals: Totals) {
        try database.read { db in
            let session = try Self.fetchSession(db, id, uid: uid)
            let sums = try Row.fetchOne(
                db,
                sql: """
                    SELECT coalesce(sum(prompt_tokens), 0) AS p, coalesce(sum(completion_tokens), 0) AS c
                    FROM chat_messages WHERE session_id = ? AND role = 'assistant'
                    """,
                arguments: [id])!
            let last = try Row.fetchOne(
                db,
                sql: """
                    SELECT prompt_tokens, completion_tokens, model, context_limit FROM chat_messages
                    WHERE session_id = ? AND role = 'assistant' ORDER BY id DESC LIMIT 1
                    """,
                arguments: [id])
            let lastPrompt: Int = last?["prompt_tokens"] ?? 0
            let lastCompletion: Int = last?["completion_tokens"] ?? 0
            return (
                session,
                Totals(
                    promptTokens: sums["p"], completionTokens: sums["c"], lastUsed: lastPrompt + lastCompletion,
                    lastModel: last?["model"], lastContextLimit: last?["context_limit"])
            )
        }
    }

    /// A title from the first message: its first line, at most 60 characters.
    static func title(from content: String) -> String {
        let line = content.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return defaultTitle }
        return trimmed.count <= 60 ? trimmed : String(trimmed.prefix(59)) + "…"
    }
}
