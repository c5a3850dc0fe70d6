import Crypto
import ElohimProtocol
import Foundation
public import GRDB
import GRDBSQLite

/// The audit log's own SQLite file (`audit.db`, WAL), so audit writes never contend with the
/// main database, with a SHA-256 hash chain that makes any edit detectable.
///
/// Each row stores `hash = SHA-256(canonical row including prev_hash)`; `prev_hash` is the
/// previous row's hash (the chain's anchor for the first row: 64 zeros, or the last archived
/// row's hash after retention moved older rows out).
public final class AuditStore: Sendable {
    public static let genesis = String(repeating: "0", count: 64)

    public let pool: DatabasePool
    public let path: String

    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        self.path = path
        try Self.migrator.migrate(pool)
        for suffix in ["", "-wal", "-shm"] { chmod(path + suffix, 0o600) }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_audit_log") { db in
            try db.execute(
                sql: """
                    CREATE TABLE audit_log (
                        id INTEGER PRIMARY KEY,
                        timestamp TEXT NOT NULL,
                        user_id TEXT,
                        event_type TEXT NOT NULL,
                        resource_type TEXT,
                        resource_id TEXT,
                        action TEXT NOT NULL,
                        details TEXT NOT NULL,
                        peer_uid INTEGER,
                        peer_pid INTEGER,
                        client_name TEXT,
                        client_version TEXT,
                        prev_hash TEXT NOT NULL,
                        hash TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX idx_audit_user ON audit_log(user_id, timestamp DESC);
                    CREATE INDEX idx_audit_event ON audit_log(event_type, timestamp DESC);
                    -- The hash the oldest remaining row chains from (changes when retention archives).
                    CREATE TABLE audit_anchor (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        hash TEXT NOT NULL,
                        archived_through INTEGER NOT NULL
                    ) STRICT;
                    """)
        }
        return migrator
    }

    /// The hash new rows chain from and the id they continue after.
    func tail() throws -> (id: Int64, hash: String) {
        try pool.read { db in
            if let row = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1") {
                return (row["id"], row["hash"])
            }
            if let anchor = try Row.fetchOne(db, sql: "SELECT hash, archived_through FROM audit_anchor WHERE id = 1") {
                return (anchor["archived_through"], anchor["hash"])
            }
            return (0, Self.genesis)
        }
    }

    /// Appends events in one transaction, chaining each to the previous; returns the rows.
    ///
    /// The hot path of every audited request: each event's `details` is serialised once (for
    /// its hash and its row), the canonical form is written without building a dictionary, and
    /// one cached statement inserts the whole batch.
    func append(_ events: [(AuditEvent, String)], after tail: (id: Int64, hash: String)) throws -> [AuditRecord] {
        var previous = tail
        var records: [AuditRecord] = []
        var detailsTexts: [String] = []
        records.reserveCapacity(events.count)
        detailsTexts.reserveCapacity(events.count)
        for (event, timestamp) in events {
            let detailsText = JSONWriter.string(event.details)
            var record = AuditRecord(
                id: previous.id + 1, timestamp: timestamp, userId: event.actor.uid.map { String($0) },
                eventType: event.eventType, resourceType: event.resourceType, resourceId: event.resourceID,
                action: event.action, details: event.details, peerUid: event.actor.uid, peerPid: event.actor.pid,
                clientName: event.actor.clientName, clientVersion: event.actor.clientVersion, prevHash: previous.hash,
                hash: "")
            record.hash = Self.digest(record.canonical(detailsText: detailsText))
            previous = (record.id, record.hash)
            records.append(record)
            detailsTexts.append(detailsText)
        }
        try pool.write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO audit_log (id, timestamp, user_id, event_type, resource_type, resource_id, action, details,
                        peer_uid, peer_pid, client_name, client_version, prev_hash, hash)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            // Bound and stepped through SQLite's API directly: GRDB's arguments box every value
            // (`StatementArguments`), which cost more per row than the insert itself.
            let raw = statement.sqliteStatement
            defer { sqlite3_reset(raw) }
            func check(_ code: Int32, _ expected: Int32 = SQLITE_OK) throws {
                guard code != expected else { return }
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                    sql: statement.sql)
            }
            func text(_ index: Int32, _ value: String?) throws {
                guard let value else { return try check(sqlite3_bind_null(raw, index)) }
                try check(sqlite3_bind_text(raw, index, value, -1, sqliteTransient))
            }
            func integer(_ index: Int32, _ value: Int64?) throws {
                guard let value else { return try check(sqlite3_bind_null(raw, index)) }
                try check(sqlite3_bind_int64(raw, index, value))
            }
            for (record, detailsText) in zip(records, detailsTexts) {
                sqlite3_reset(raw)
                try integer(1, record.id)
                try text(2, record.timestamp)
                try text(3, record.userId)
                try text(4, record.eventType)
                try text(5, record.resourceType)
                try text(6, record.resourceId)
                try text(7, record.action)
                try text(8, detailsText)
                try integer(9, record.peerUid.map(Int64.init))
                try integer(10, record.peerPid.map(Int64.init))
                try text(11, record.clientName)
                try text(12, record.clientVersion)
                try text(13, record.prevHash)
                try text(14, record.hash)
                try check(sqlite3_step(raw), SQLITE_DONE)
            }
        }
        return records
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lowercase hex SHA-256 of `bytes`.
    static func digest(_ bytes: [UInt8]) -> String {
        let hash = SHA256.hash(data: bytes)
        return String(unsafeUninitializedCapacity: 2 * SHA256.byteCount) { text in
            var index = 0
            for byte in hash {
                text[index] = hexDigits[Int(byte >> 4)]
                text[index + 1] = hexDigits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }
}

extension AuditStore {
    /// Filters for `admin.audit_log`. All optional; combined with AND.
    public struct Query: Sendable {
        public var userID: String?
        public var eventType: String?
        public var resourceType: String?
        public var resourceID: String?
        /// Inclusive lower bound on `timestamp` (ISO 8601).
        public var since: String?
        /// Exclusive upper bound on `timestamp`.
        public var until: String?
        /// Keyset cursor: only rows with `id` below this (the `next_cursor` of the previous page).
        public var before: Int64?
        public var limit: Int = 50

        public init() {}
    }

    /// One page, newest first, and the cursor of the next page (nil at the end). Keyset
    /// pagination: rows inserted meanwhile never shift or repeat a page.
    public func page(_ query: Query) throws -> (records: [AuditRecord], nextCursor: Int64?) {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        func add(_ clause: String, _ value: (any DatabaseValueConvertible)?) {
            guard let value else { return }
            clauses.append(clause)
            arguments += [value]
        }
        add("user_id = ?", query.userID)
        add("event_type = ?", query.eventType)
        add("resource_type = ?", query.resourceType)
        add("resource_id = ?", query.resourceID)
        add("timestamp >= ?", query.since)
        add("timestamp < ?", query.until)
        add("id < ?", query.before)
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = max(1, min(query.limit, 1000))
        arguments += [limit + 1]
        let records = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit_log \(whereClause) ORDER BY id DESC LIMIT ?", arguments: arguments)
                .map(Self.record)
        }
        guard records.count > limit else { return (records, nil) }
        let page = Array(records.prefix(limit))
        return (page, page.last?.id)
    }

    /// Rows oldest first after `after`, for export; and the hash the first row chains from.
    public func exportPage(after: Int64?, limit: Int) throws -> (records: [AuditRecord], nextAfter: Int64?, anchor: String) {
        let limit = max(1, min(limit, 1000))
        return try pool.read { db in
            let anchor = try String.fetchOne(db, sql: "SELECT hash FROM audit_anchor WHERE id = 1") ?? Self.genesis
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM audit_log WHERE id > ? ORDER BY id LIMIT ?", arguments: [after ?? 0, limit + 1]
            ).map(Self.record)
            let page = Array(rows.prefix(limit))
            return (page, rows.count > limit ? page.last?.id : nil, anchor)
        }
    }

    /// Result of walking the chain.
    public struct Verification: Sendable, Codable, Equatable {
        public var ok: Bool
        public var rowsChecked: Int
        /// The first row whose content, hash or link does not match.
        public var firstBrokenId: Int64?
        public var problem: String?
    }

    /// Walks every row in order, recomputing each hash and checking each link.
    public func verify() throws -> Verification {
        try pool.read { db in
            var expectedPrevious = try String.fetchOne(db, sql: "SELECT hash FROM audit_anchor WHERE id = 1") ?? Self.genesis
            var expectedID = try Int64.fetchOne(db, sql: "SELECT archived_through FROM audit_anchor WHERE id = 1") ?? 0
            var checked = 0
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log ORDER BY id")
            while let row = try cursor.next() {
                let record = Self.record(row)
                let detailsText: String = row["details"] ?? ""
                expectedID += 1
                checked += 1
                func broken(_ problem: String) -> Verification {
                    Verification(ok: false, rowsChecked: checked, firstBrokenId: record.id, problem: problem)
                }
                if record.id != expectedID { return broken("row \(expectedID) is missing (found \(record.id) next)") }
                if record.prevHash != expectedPrevious { return broken("prev_hash does not match the previous row's hash") }
                if Self.digest(record.canonical(detailsText: detailsText)) != record.hash { return broken("content does not match its hash (the row was edited)") }
                expectedPrevious = record.hash
            }
            return Verification(ok: true, rowsChecked: checked, firstBrokenId: nil, problem: nil)
        }
    }

    static func record(_ row: Row) -> AuditRecord {
        let detailsText: String = row["details"] ?? "{}"
        return AuditRecord(
            id: row["id"], timestamp: row["timestamp"], userId: row["user_id"], eventType: row["event_type"],
            resourceType: row["resource_type"], resourceId: row["resource_id"], action: row["action"],
            details: (try? JSONParser.parse(detailsText)) ?? .string(detailsText), peerUid: row["peer_uid"],
            peerPid: row["peer_pid"], clientName: row["client_name"], clientVersion: row["client_version"],
            prevHash: row["prev_hash"], hash: row["hash"])
    }
}
