import ElohimCore
import ElohimProtocol
import Foundation
import GRDB
import Testing

/// The cleanup's chat_archive task and `ChatStore`'s archive on a real SQLite file.
@Suite struct ChatArchiveTests {
    static let old = "2020-01-01T00:00:00.000Z"

    /// A store with `count` sessions of `uid`, each with `messages` messages, all idle since 2020
    /// unless `fresh`. Returns the session ids in creation order.
    static func sessions(
        _ store: ChatStore, _ database: AppDatabase, uid: UInt32, count: Int, messages: Int, fresh: Bool = false
    ) throws -> [Int64] {
        var ids: [Int64] = []
        for index in 0..<count {
            let session = try store.create(uid: uid, title: "s\(index)", model: index % 2 == 0 ? "m" : nil)
            for turn in 0..<messages { _ = try store.appendUserMessage(session: session.id, uid: uid, content: "\(index).\(turn)") }
            ids.append(session.id)
        }
        if !fresh {
            try database.writer.write { db in
                for id in ids { try db.execute(sql: "UPDATE chat_sessions SET last_activity = ? WHERE id = ?", arguments: [Self.old, id]) }
            }
        }
        return ids
    }

    static func ids(_ database: AppDatabase, _ table: String) throws -> [Int64] {
        try database.writer.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM \(table) ORDER BY id") }
    }

    static func task(_ database: AppDatabase, batch: Int = 500, days: Int = 90) -> ChatArchiveTask {
        var configuration = ChatArchiveTask.Configuration()
        configuration.batchSize = batch
        configuration.afterDays = days
        return ChatArchiveTask(store: ChatStore(database: database.writer), configuration: configuration)
    }

    @Test func idleSessionsMoveInBatchesWithEveryMessageAndFreshOnesStay() async throws {
        let (database, directory) = try ChatStoreTests.open()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = ChatStore(database: database.writer)
        let idle = try Self.sessions(store, database, uid: 1000, count: 7, messages: 3)
        let theirs = try Self.sessions(store, database, uid: 2000, count: 2, messages: 1)
        let fresh = try Self.sessions(store, database, uid: 1000, count: 2, messages: 2, fresh: true)
        let before = try await database.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM chat_messages ORDER BY id") }

        let stats = try await Self.task(database, batch: 4).run(dryRun: false)
        #expect(stats.name == "chat_archive" && stats.unit == "sessions")
        #expect(stats.scanned == 9 && stats.removed == 9 && stats.errors.isEmpty)
        #expect(stats.alsoRemoved == ["messages": 23])
        #expect(try Self.ids(database, "chat_sessions") == fresh)
        #expect(try Self.ids(database, "archived_sessions") == (idle + theirs).sorted())
        // Every message is in exactly one table, unchanged (same id, same columns).
        let live = try await database.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM chat_messages ORDER BY id") }
        let archived = try await database.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM archived_messages ORDER BY id") }
        #expect((live + archived).sorted { ($0["id"] as Int64) < ($1["id"] as Int64) } == before)
        #expect(live.allSatisfy { fresh.contains($0["session_id"]) })

        // Each user lists only their own archived sessions.
        let mine = try store.list(uid: 1000, limit: 5, offset: 0, archived: true)
        #expect(mine.total == 7 && mine.sessions.count == 5)
        #expect(mine.sessions.allSatisfy { $0.archivedAt != nil && $0.messageCount == 3 && $0.lastActivity == Self.old })
        let rest = try store.list(uid: 1000, limit: 5, offset: 5, archived: true)
        #expect(Set((mine.sessions + rest.sessions).map(\.id)) == Set(idle))
        #expect(try store.list(uid: 2000, limit: 10, offset: 0, archived: true).sessions.map(\.id).sorted() == theirs)

        // A second run finds nothing.
        let again = try await Self.task(database, batch: 4).run(dryRun: false)
        #expect(again.scanned == 0 && again.removed == 0)
    }

    @Test func aDryRunCountsAndMovesNothing() async throws {
        let (database, directory) = try ChatStoreTests.open()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = ChatStore(database: database.writer)
        let idle = try Self.sessions(store, database, uid: 1, count: 3, messages: 2)
        let stats = try await Self.task(database, batch: 2).run(dryRun: true)
        #expect(stats.scanned == 3 && stats.removed == 3 && stats.alsoRemoved == ["messages": 6])
        #expect(try Self.ids(database, "chat_sessions") == idle)
        #expect(try Self.ids(database, "archived_sessions").isEmpty)
        #expect(try Self.ids(database, "archived_messages").isEmpty)
    }

    @Test func zeroDaysMeansNever() async throws {
        let (database, directory) = try ChatStoreTests.open()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let idle = try Self.sessions(ChatStore(database: database.writer), database, uid: 1, count: 2, messages: 1)
        let stats = try await Self.task(database, days: 0).run(dryRun: false)
        #expect(stats.removed == 0 && stats.scanned == 0)
        #expect(try Self.ids(database, "chat_sessions") == idle)
    }

    @Test func aBatchWhoseCountsDoNotAddUpIsRolledBackAndTheScanGoesOn() async throws {
        let (database, directory) = try ChatStoreTests.open()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = ChatStore(database: database.writer)
        let idle = try Self.sessions(store, database, uid: 1, count: 5, messages: 2)
        // Sabotage: a trigger that makes one archived message vanish as it is copied, so the
        // batch holding session 3 copies fewer messages than it found.
        try await database.writer.write { db in
            try db.execute(sql: "UPDATE chat_messages SET content = 'vanish' WHERE session_id = ?", arguments: [idle[2]])
            try db.execute(
                sql: """
                    CREATE TRIGGER sabotage AFTER INSERT ON archived_messages WHEN NEW.content = 'vanish'
                    BEGIN DELETE FROM archived_messages WHERE id = NEW.id; END
                    """)
        }
        let stats = try await Self.task(database, batch: 2).run(dryRun: false)
        // Batches [1, 2] and [5] went; [3, 4] was rolled back whole.
        #expect(stats.removed == 3 && stats.alsoRemoved == ["messages": 6])
        #expect(stats.errors.count == 1)
        #expect(stats.errors.first?.contains("rolled back") == true)
        #expect(try Self.ids(database, "chat_sessions") == [idle[2], idle[3]])
        #expect(try Self.ids(database, "archived_sessions") == [idle[0], idle[1], idle[4]])
        let liveMessages = try await database.writer.read { db in
            try Int64.fetchAll(db, sql: "SELECT DISTINCT session_id FROM chat_messages ORDER BY session_id")
        }
        #expect(liveMessages == [idle[2], idle[3]])
        #expect(try store.session(idle[3], uid: 1).messageCount == 2)
        #expect(try store.session(idle[2], uid: 1).messageCount == 2)
    }

    @Test func restoreBringsBackTheOwnersSessionWithItsMessages() async throws {
        let (database, directory) = try ChatStoreTests.open()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = ChatStore(database: database.writer)
        let id = try Self.sessions(store, database, uid: 1000, count: 1, messages: 4)[0]
        let before = try store.messages(session: id, uid: 1000, limit: 10, before: nil).messages
        _ = try await Self.task(database).run(dryRun: false)

        // Archived: reads and writes say so and how to bring it back.
        for attempt in [
            { _ = try store.session(id, uid: 1000) },
            { _ = try store.appendUserMessage(session: id, uid: 1000, content: "hi") },
        ] as [() throws -> Void] {
            let error = #expect(throws: ChatError.self) { try attempt() }
            #expect(error?.reason == .notFound && error?.message.contains("elohim chat restore \(id)") == true)
        }
        // Someone else cannot see or restore it.
        let stranger = #expect(throws: ChatError.self) { try store.restore(id, uid: 2000) }
        #expect(stranger?.reason == .notFound && stranger?.message.contains("elohim chat list --archived") == true)
        #expect(try store.list(uid: 2000, limit: 10, offset: 0, archived: true).total == 0)
        #expect(throws: ChatError.self) { try store.session(id, uid: 2000) }
        let unknown = #expect(throws: ChatError.self) { try store.restore(999, uid: 1000) }
        #expect(unknown?.reason == .notFound)

        let restored = try store.restore(id, uid: 1000)
        #expect(restored.id == id && restored.messageCount == 4 && restored.archivedAt == nil)
        #expect(restored.lastActivity > Self.old, "restoring is activity: the next run must not archive it again")
        #expect(try store.messages(session: id, uid: 1000, limit: 10, before: nil).messages == before)
        #expect(try Self.ids(database, "archived_sessions").isEmpty && Self.ids(database, "archived_messages").isEmpty)
        let twice = #expect(throws: ChatError.self) { try store.restore(id, uid: 1000) }
        #expect(twice?.reason == .conflict)
        // The restored session works as before.
        _ = try store.appendUserMessage(session: id, uid: 1000, content: "back")
        #expect(try store.session(id, uid: 1000).messageCount == 5)
    }

    @Test func theArchiveTablesHaveEveryColumnOfTheLiveOnes() throws {
        let (database, directory) = try ChatStoreTests.open()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A column added to chat_sessions / chat_messages must be added to the archive (and to
        // ChatStore+Archive's column lists), or archiving would drop it.
        try database.writer.read { db in
            for (live, archive) in [("chat_sessions", "archived_sessions"), ("chat_messages", "archived_messages")] {
                let liveColumns = try db.columns(in: live).map(\.name)
                let archiveColumns = try db.columns(in: archive).map(\.name).filter { $0 != "archived_at" }
                #expect(Set(liveColumns) == Set(archiveColumns), "\(archive) lacks columns of \(live)")
            }
        }
    }
}
