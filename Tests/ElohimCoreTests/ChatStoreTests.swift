import ElohimCore
import ElohimProtocol
import Foundation
import GRDB
import Testing

@Suite struct ChatStoreTests {
    static func open() throws -> (AppDatabase, String) {
        let directory = try AppDatabaseTests.temporaryDirectory()
        return (try AppDatabase.open(path: directory + "/elohim.db"), directory)
    }

    @Test func aDatabaseFromBeforeActiveModelUpgradesWithoutLosingARow() throws {
        let directory = try AppDatabaseTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/elohim.db"
        // A database as the build that shipped v5_chat_sessions left it: sessions and messages, no active_model.
        do {
            let pool = try DatabasePool(path: path)
            try Migrations.main.migrate(pool, upTo: "v5_chat_sessions")
            try pool.write { db in
                #expect(try !db.columns(in: "chat_sessions").map(\.name).contains("active_model"))
                for session in 1...3 {
                    try db.execute(
                        sql: """
                            INSERT INTO chat_sessions (user_id, title, created_at, updated_at, last_activity)
                            VALUES (1000, ?, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')
                            """,
                        arguments: ["old \(session)"])
                    for turn in 1...4 {
                        try db.execute(
                            sql: """
                                INSERT INTO chat_messages (session_id, role, content, model, prompt_tokens, completion_tokens, created_at)
                                VALUES (?, ?, ?, 'm', ?, ?, '2026-11-01T00:00:00.000Z')
                                """,
                            arguments: [session, turn % 2 == 1 ? "user" : "assistant", "turn \(turn)", turn * 10, turn])
                    }
                }
            }
        }
        let upgraded = try AppDatabase.open(path: path)
        #expect(try upgraded.appliedMigrations().contains("v6_chat_active_model"))
        let store = ChatStore(database: upgraded.writer)
        let (sessions, total) = try store.list(uid: 1000, limit: 10, offset: 0)
        #expect(total == 3)
        #expect(Set(sessions.map(\.title)) == ["old 1", "old 2", "old 3"])
        #expect(sessions.allSatisfy { $0.activeModel == nil && $0.messageCount == 4 })
        let page = try store.messages(session: 2, uid: 1000, limit: 10, before: nil)
        #expect(page.messages.map(\.content) == ["turn 1", "turn 2", "turn 3", "turn 4"])
        #expect(page.messages.map(\.promptTokens) == [10, 20, 30, 40])
        // The new column works on the old rows.
        #expect(try store.setModel(2, uid: 1000, model: "other").activeModel == "other")
    }

    @Test func aUserSeesOnlyTheirOwnSessions() throws {
        let (database, directory) = try Self.open()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = ChatStore(database: database.writer)
        let mine = try store.create(uid: 1000, title: "mine", model: nil)
        _ = try store.create(uid: 2000, title: "theirs", model: nil)
        #expect(try store.list(uid: 1000, limit: 10, offset: 0).sessions.map(\.title) == ["mine"])
        for attempt in [
            { _ = try store.session(mine.id, uid: 2000) },
            { _ = try store.rename(mine.id, uid: 2000, title: "x") },
            { _ = try store.delete(mine.id, uid: 2000) },
            { _ = try store.appendUserMessage(session: mine.id, uid: 2000, content: "hi") },
            { _ = try store.setModel(mine.id, uid: 2000, model: "m") },
        ] as [() throws -> Void] {
            #expect(throws: ChatError.self) { try attempt() }
        }
        #expect(try store.session(mine.id, uid: 1000).title == "mine")
        #expect(try store.session(mine.id, uid: 1000).messageCount == 0)
    }

    @Test func messagesPageBackwardsOldestFirstWithinAPage() throws {
        let (database, directory) = try Self.open()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = ChatStore(database: database.writer)
        let session = try store.create(uid: 1, title: nil, model: nil)
        for index in 1...7 { _ = try store.appendUserMessage(session: session.id, uid: 1, content: "m\(index)") }
        let first = try store.messages(session: session.id, uid: 1, limit: 3, before: nil)
        #expect(first.messages.map(\.content) == ["m5", "m6", "m7"])
        let second = try store.messages(session: session.id, uid: 1, limit: 3, before: first.nextBefore)
        #expect(second.messages.map(\.content) == ["m2", "m3", "m4"])
        let third = try store.messages(session: session.id, uid: 1, limit: 3, before: second.nextBefore)
        #expect(third.messages.map(\.content) == ["m1"])
        #expect(third.nextBefore == nil)
        // The first message titled the untitled session.
        #expect(try store.session(session.id, uid: 1).title == "m1")
    }

    @Test func totalsSumRepliesAndTheMeterUsesTheLastOne() throws {
        let (database, directory) = try Self.open()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = ChatStore(database: database.writer)
        let session = try store.create(uid: 1, title: "t", model: nil)
        for (prompt, completion) in [(10, 5), (30, 7)] {
            _ = try store.appendUserMessage(session: session.id, uid: 1, content: "q")
            _ = try store.appendReply(
                session: session.id, uid: 1,
                completion: ChatCompletion(content: "a", model: "m", usage: ChatUsage(promptTokens: prompt, completionTokens: completion)),
                contextLimit: 512, droppedTurns: 0)
        }
        let totals = try store.totals(session: session.id, uid: 1).totals
        #expect(totals.promptTokens == 40)
        #expect(totals.completionTokens == 12)
        #expect(totals.lastUsed == 37)
        #expect(totals.lastModel == "m")
        #expect(totals.lastContextLimit == 512)
        #expect(try store.delete(session.id, uid: 1) == 4)
        #expect(try database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM chat_messages") } == 0)
    }

    @Test func badTitlesAreRefusedWithAReason() throws {
        let (database, directory) = try Self.open()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = ChatStore(database: database.writer)
        let session = try store.create(uid: 1, title: "ok", model: nil)
        do {
            _ = try store.rename(session.id, uid: 1, title: "   ")
            Issue.record("an empty title was accepted")
        } catch let error as ChatInputError {
            #expect(error.message.contains("empty") && error.field == "title")
        }
        #expect(throws: ChatInputError.self) { _ = try store.rename(session.id, uid: 1, title: String(repeating: "x", count: 201)) }
        #expect(try store.session(session.id, uid: 1).title == "ok")
        // A model name is a label, not a payload: over 255 characters nothing is created.
        do {
            _ = try store.create(uid: 1, title: nil, model: String(repeating: "m", count: 256))
            Issue.record("a 256-character model name was accepted")
        } catch let error as ChatInputError {
            #expect(error.field == "model")
        }
        #expect(try store.list(uid: 1, limit: 10, offset: 0).sessions.count == 1)
    }
}

@Suite struct TokenMeterTests {
    @Test func levelsFollowTheSeedThresholds() {
        #expect(TokenMeter.meter(used: 6144, limit: 8192).level == "warn")
        #expect(TokenMeter.meter(used: 6144, limit: 8192).percent == 75)
        #expect(TokenMeter.meter(used: 100, limit: 1000).level == "ok")
        #expect(TokenMeter.meter(used: 599, limit: 1000).level == "ok")
        #expect(TokenMeter.meter(used: 600, limit: 1000).level == "warn")
        #expect(TokenMeter.meter(used: 849, limit: 1000).level == "warn")
        #expect(TokenMeter.meter(used: 850, limit: 1000).level == "critical")
        #expect(!TokenMeter.meter(used: 899, limit: 1000).warning)
        #expect(TokenMeter.meter(used: 900, limit: 1000).warning)
        #expect(TokenMeter.meter(used: 10, limit: nil).level == "unknown")
    }
}
