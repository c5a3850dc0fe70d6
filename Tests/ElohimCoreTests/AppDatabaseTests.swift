import ElohimCore
import Foundation
import GRDB
import Testing

@Suite struct AppDatabaseTests {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "elohim-core-\(UUID().uuidString.prefix(8))"
        try DataDirectory.prepare(path)
        return path
    }

    @Test func createsAMigratedPrivateDatabase() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try AppDatabase.open(path: directory + "/elohim.db")
        #expect(
            try database.appliedMigrations() == [
                "v1_daemon_meta", "v2_accounts", "v3_models", "v4_library", "v5_chat_sessions", "v6_chat_active_model", "v7_cleanup",
                "v8_chat_archive",
            ])
        let attributes = try FileManager.default.attributesOfItem(atPath: database.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let directoryAttributes = try FileManager.default.attributesOfItem(atPath: directory)
        #expect((directoryAttributes[.posixPermissions] as? Int) == 0o700)
        #expect(database.sizeOnDisk() > 0)
    }

    @Test func reopeningKeepsDataAndDoesNotRerunMigrations() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try AppDatabase.open(path: directory + "/elohim.db")
        try first.writer.write { db in
            try db.execute(sql: "INSERT INTO daemon_meta (key, value) VALUES ('k', 'v')")
        }
        let second = try AppDatabase.open(path: directory + "/elohim.db")
        let value = try second.writer.read { db in try String.fetchOne(db, sql: "SELECT value FROM daemon_meta WHERE key = 'k'") }
        #expect(value == "v")
    }

    @Test func aFileWhereTheDataDirectoryShouldBeIsNamedInTheError() throws {
        let path = NSTemporaryDirectory() + "elohim-core-file-\(UUID().uuidString.prefix(8))"
        _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            try DataDirectory.prepare(path)
            Issue.record("accepted a regular file as the data directory")
        } catch {
            #expect(error.path == path)
            #expect(error.message.contains("not a directory"))
        }
    }
}

@Suite struct TimestampTests {
    @Test func formatsUTCWithMillisecondsAndParsesBack() {
        let date = Date(timeIntervalSince1970: 1_796_155_262.345)
        #expect(Timestamp.format(date) == "2026-12-01T20:01:02.345Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        let parsed = Timestamp.parse(Timestamp.format(date))
        #expect(parsed.map { abs($0.timeIntervalSince(date)) < 0.001 } == true)
    }
}
