import ElohimCore
import ElohimProtocol
import Foundation
import GRDB
import Synchronization

/// A library on a real temporary data directory (elohim.db + embeddings.db + vault.key), with
/// every SQL statement any connection runs recorded, for counting and EXPLAIN QUERY PLAN.
final class LibraryFixture: Sendable {
    let directory: String
    let database: AppDatabase
    let store: LibraryStore
    private let log = StatementLog()

    init() throws {
        directory = NSTemporaryDirectory() + "elohim-library-\(UUID().uuidString.prefix(8))"
        try DataDirectory.prepare(directory)
        let embeddings = directory + "/embeddings.db"
        try LibraryStore.prepareEmbeddings(path: embeddings)
        let attach = LibraryStore.attachEmbeddings(path: embeddings)
        let log = self.log
        database = try AppDatabase.open(path: directory + "/elohim.db") { db in
            try attach(db)
            db.trace(options: .statement) { event in
                if case .statement(let statement) = event {
                    let sql = statement.expandedSQL
                    log.entries.withLock { $0.append(sql) }
                }
            }
        }
        store = LibraryStore(database: database.writer, cipher: try VaultCipher.loadOrCreate(path: directory + "/vault.key"))
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// What GRDB runs once when the pool opens a new reader connection (not per call).
    static let connectionSetup = "SELECT * FROM sqlite_master LIMIT 1"

    /// The statements `body` ran, in order: the ones the code prepared, without GRDB's
    /// once-per-connection setup and without the statements SQLite runs inside them (FTS5
    /// reading its shadow tables; the trace marks those with a leading `-- `).
    func statements<T>(_ body: () throws -> T) rethrows -> (result: T, statements: [String]) {
        log.entries.withLock { $0.removeAll() }
        let result = try body()
        return (result, log.entries.withLock { $0 }.filter { $0 != Self.connectionSetup && !$0.hasPrefix("-- ") })
    }

    /// Raw SQL, bypassing the library (to seed team rows the API cannot create).
    func execute(_ sql: String, _ arguments: StatementArguments = []) throws {
        try database.writer.write { db in try db.execute(sql: sql, arguments: arguments) }
    }

    func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
        try database.writer.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    /// `EXPLAIN QUERY PLAN` of a statement as it ran (values inlined), one line per step.
    func plan(_ expandedSQL: String) throws -> String {
        try database.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + expandedSQL).map { $0["detail"] as String }.joined(separator: "\n")
        }
    }

    /// Inserts `count` documents for `user` (every `teamEvery`-th one a team row), each with two
    /// tags, in one transaction.
    func seedDocuments(count: Int, user: UInt32, teamEvery: Int = 10) throws {
        try database.writer.write { db in
            for index in 0..<count {
                let team: String? = index % teamEvery == 0 ? "engineering" : nil
                try db.execute(
                    sql: """
                        INSERT INTO documents (user_id, team_id, title, content, size_bytes, created_at, updated_at)
                        VALUES (?, ?, ?, ?, 20, '2026-11-30T00:00:00Z', '2026-11-30T00:00:00Z')
                        """,
                    arguments: [user, team, "doc \(index)", "content of document \(index)"])
                let id = db.lastInsertedRowID
                try db.execute(sql: "INSERT INTO document_tags (document_id, tag) VALUES (?, 'a'), (?, 'b')", arguments: [id, id])
            }
        }
    }
}

/// Every statement run, in order (a class so connections' trace hooks can share it).
final class StatementLog: Sendable {
    let entries = Mutex<[String]>([])
}
