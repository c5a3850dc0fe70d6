import ElohimProtocol
import Foundation
import GRDB

/// Archiving: sessions idle too long move with their messages from `chat_sessions` /
/// `chat_messages` to `archived_sessions` / `archived_messages` (same ids, same columns, plus
/// `archived_at`), and back on `chat.restore`. Every move is one transaction that counts the
/// rows it copied and removed on both sides and rolls back unless they add up, so a session
/// and its messages are always in exactly one of the two places — also after a SIGKILL.
extension ChatStore {
    /// Where the nightly scan resumes: sessions are taken in (last_activity, id) order.
    public struct ArchiveKey: Sendable, Equatable {
        public var lastActivity: String
        public var id: Int64
    }

    /// What one archiving transaction did.
    public struct ArchiveBatch: Sendable, Equatable {
        /// Sessions picked for this batch (fewer than the limit: the scan is done).
        public var selected: Int
        public var sessions: Int
        public var messages: Int
        /// The last session picked, where the next batch starts after.
        public var lastKey: ArchiveKey?
    }

    /// A batch that was rolled back; the scan may go on after `lastKey`.
    public struct ArchiveBatchError: Error, CustomStringConvertible {
        public var selected: Int
        public var lastKey: ArchiveKey?
        public var underlying: any Error

        public var description: String {
            let range = lastKey.map { " (up to session \($0.id))" } ?? ""
            return "a batch of \(selected) sessions\(range) was not archived: \(underlying)"
        }
    }

    /// The two homes of a session; the archive's sessions also carry `archived_at`.
    private struct Tables {
        var sessions: String
        var messages: String
        static let live = Tables(sessions: "chat_sessions", messages: "chat_messages")
        static let archive = Tables(sessions: "archived_sessions", messages: "archived_messages")
    }

    private static let movedSessionColumns = "id, user_id, team_id, title, created_at, updated_at, last_activity, active_model"
    private static let movedMessageColumns = """
        id, session_id, role, content, model, prompt_tokens, completion_tokens, tokens, context_limit, dropped_turns, created_at
        """

    /// Sessions (of anyone) last active before `cutoff`, and their messages: what a run would archive.
    public func archiveCandidates(idleBefore cutoff: String) throws -> (sessions: Int, messages: Int) {
        try database.read { db in
            let sessions = try Int.fetchOne(db, sql: "SELECT count(*) FROM chat_sessions WHERE last_activity < ?", arguments: [cutoff]) ?? 0
            let messages =
                try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM chat_messages WHERE session_id IN (SELECT id FROM chat_sessions WHERE last_activity < ?)",
                    arguments: [cutoff]) ?? 0
            return (sessions, messages)
        }
    }

    /// Archives up to `limit` sessions last active before `cutoff` (after `key` in scan order)
    /// with their messages, in one transaction. Throws `ArchiveBatchError` when the batch was
    /// rolled back (its counts did not add up, or SQLite refused), so the caller can go on past it.
    public func archiveBatch(idleBefore cutoff: String, after key: ArchiveKey?, limit: Int, archivedAt: String) throws -> ArchiveBatch {
        var selected: [ArchiveKey] = []
        do {
            return try database.write { db in
                let start = key ?? ArchiveKey(lastActivity: "", id: 0)
                selected = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, last_activity FROM chat_sessions
                        WHERE last_activity < ? AND last_activity >= ? AND (last_activity, id) > (?, ?)
                        ORDER BY last_activity, id LIMIT ?
                        """,
                    arguments: [cutoff, start.lastActivity, start.lastActivity, start.id, limit]
                ).map { ArchiveKey(lastActivity: $0["last_activity"], id: $0["id"]) }
                try Self.fillMoveTable(db, ids: selected.map(\.id))
                let moved = try Self.move(
                    db, from: .live, to: .archive, archivedAt: archivedAt, what: "archiving \(selected.count) sessions")
                return ArchiveBatch(selected: selected.count, sessions: moved.sessions, messages: moved.messages, lastKey: selected.last)
            }
        } catch {
            throw ArchiveBatchError(selected: selected.count, lastKey: selected.last, underlying: error)
        }
    }

    /// What `list(archived: true)` selects from `archived_sessions s`.
    static let archivedSessionColumns = """
        s.id, s.user_id, s.title, s.active_model, s.created_at, s.updated_at, s.last_activity, s.archived_at,
        (SELECT count(*) FROM archived_messages m WHERE m.session_id = s.id) AS message_count
        """

    /// Moves one of `uid`'s archived sessions and its messages back, in one transaction, and
    /// marks it active now (otherwise the next nightly run would archive it again).
    public func restore(_ id: Int64, uid: UInt32) throws -> Session {
        try database.write { db in
            guard try Self.isArchived(db, id, uid: uid) else {
                let live = try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM chat_sessions WHERE id = ? AND user_id = ? AND team_id IS NULL", arguments: [id, uid])
                throw live == true ? ChatError.notArchived(id) : ChatError.noArchivedSession(id)
            }
            try Self.fillMoveTable(db, ids: [id])
            _ = try Self.move(db, from: .archive, to: .live, archivedAt: nil, what: "restoring session \(id)")
            try db.execute(sql: "UPDATE chat_sessions SET last_activity = ? WHERE id = ?", arguments: [Timestamp.now(), id])
            return try Self.fetchSession(db, id, uid: uid)
        }
    }

    static func isArchived(_ db: Database, _ id: Int64, uid: UInt32) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM archived_sessions WHERE id = ? AND user_id = ? AND team_id IS NULL", arguments: [id, uid]) == true
    }

    /// The sessions the next `move` takes, in a temporary table of the writer's connection.
    private static func fillMoveTable(_ db: Database, ids: [Int64]) throws {
        try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS chat_move (id INTEGER PRIMARY KEY); DELETE FROM temp.chat_move")
        let insert = try db.cachedStatement(sql: "INSERT INTO temp.chat_move (id) VALUES (?)")
        for id in ids { try insert.execute(arguments: [id]) }
    }

    /// Copies the sessions in `temp.chat_move` and their messages to `target`, deletes them from
    /// `source`, and throws (rolling the transaction back) unless every count matches.
    private static func move(_ db: Database, from source: Tables, to target: Tables, archivedAt: String?, what: String) throws -> (
        sessions: Int, messages: Int
    ) {
        let batch = "SELECT id FROM temp.chat_move"
        func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql) ?? 0 }
        let expectedSessions = try count("SELECT count(*) FROM temp.chat_move")
        let expectedMessages = try count("SELECT count(*) FROM \(source.messages) WHERE session_id IN (\(batch))")
        let sessionColumns = movedSessionColumns
        if let archivedAt {
            try db.execute(
                sql: """
                    INSERT INTO \(target.sessions) (\(sessionColumns), archived_at)
                    SELECT \(sessionColumns), ? FROM \(source.sessions) WHERE id IN (\(batch))
                    """,
                arguments: [archivedAt])
        } else {
            try db.execute(
                sql: "INSERT INTO \(target.sessions) (\(sessionColumns)) SELECT \(sessionColumns) FROM \(source.sessions) WHERE id IN (\(batch))")
        }
        try db.execute(
            sql: """
                INSERT INTO \(target.messages) (\(movedMessageColumns))
                SELECT \(movedMessageColumns) FROM \(source.messages) WHERE session_id IN (\(batch)) ORDER BY id
                """)
        let copiedSessions = try count("SELECT count(*) FROM \(target.sessions) WHERE id IN (\(batch))")
        let copiedMessages = try count("SELECT count(*) FROM \(target.messages) WHERE session_id IN (\(batch))")
        // Messages first: the sessions' cascade then deletes nothing, so changesCount is the whole story.
        try db.execute(sql: "DELETE FROM \(source.messages) WHERE session_id IN (\(batch))")
        let removedMessages = db.changesCount
        try db.execute(sql: "DELETE FROM \(source.sessions) WHERE id IN (\(batch))")
        let removedSessions = db.changesCount
        guard copiedSessions == expectedSessions, removedSessions == expectedSessions, copiedMessages == expectedMessages,
            removedMessages == expectedMessages
        else {
            throw ChatError.moveMismatch(
                what, sessions: (expectedSessions, copiedSessions, removedSessions),
                messages: (expectedMessages, copiedMessages, removedMessages))
        }
        return (expectedSessions, expectedMessages)
    }
}
