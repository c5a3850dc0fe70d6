import ElohimProtocol
import Foundation
public import GRDB

/// First-run setup: who completed it, when, and the founder it created.
public struct SetupState: Sendable {
    public struct Status: Sendable, Codable, Equatable {
        public var completed: Bool
        public var completedAt: String?
        public var completedBy: UInt32?
        public var founderUid: UInt32?
        public var defaultModel: String?
    }

    private let database: DatabasePool

    public init(database: DatabasePool) {
        self.database = database
    }

    public func status() throws -> Status {
        try database.read { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT s.completed_at, s.completed_by, s.default_model, f.uid AS founder FROM setup s LEFT JOIN founder f ON f.id = 1 WHERE s.id = 1")
            guard let row else { return Status(completed: false) }
            return Status(
                completed: true, completedAt: row["completed_at"], completedBy: row["completed_by"], founderUid: row["founder"],
                defaultModel: row["default_model"])
        }
    }

    /// Records setup and makes `uid` the founder, in one transaction.
    /// - Throws: `conflict` when setup already ran.
    public func complete(by uid: UInt32, passwordHash: String, defaultModel: String?) throws -> Status {
        let now = Timestamp.now()
        try database.write { db in
            if let existing = try Row.fetchOne(db, sql: "SELECT completed_at, completed_by FROM setup WHERE id = 1") {
                let at: String = existing["completed_at"]
                let by: Int64 = existing["completed_by"]
                throw AccountsError(
                    .conflict, "setup is already done (by uid \(by) at \(at)); nothing was changed",
                    detail: ["completed_at": .string(at), "completed_by": .int(by)])
            }
            try db.execute(
                sql: "INSERT INTO setup (id, completed_at, completed_by, default_model) VALUES (1, ?, ?, ?)",
                arguments: [now, uid, defaultModel])
            try db.execute(
                sql: "INSERT INTO founder (id, uid, password_hash, created_at) VALUES (1, ?, ?, ?)",
                arguments: [uid, passwordHash, now])
        }
        return try status()
    }
}

extension SetupState.Status {
    init(completed: Bool) {
        self.init(completed: completed, completedAt: nil, completedBy: nil, founderUid: nil, defaultModel: nil)
    }
}
