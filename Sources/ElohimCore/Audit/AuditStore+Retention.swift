import Foundation
import GRDB

extension AuditStore {
    /// Moves rows older than `cutoff` (ISO 8601) to the archive file at `archivePath`, in one
    /// transaction, and records the last moved row's hash as this file's anchor, so that the
    /// remaining chain still verifies from its first row and the archive verifies on its own.
    /// - Returns: how many rows moved.
    @discardableResult
    public func archive(olderThan cutoff: String, into archivePath: String) throws -> Int {
        let hasOldRows = try pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM audit_log WHERE timestamp < ?)", arguments: [cutoff]) ?? false
        }
        guard hasOldRows else { return 0 }
        // Create and migrate the archive (same schema) before attaching it.
        _ = try AuditStore(path: archivePath)
        return try pool.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS archive", arguments: [archivePath])
            defer { try? db.execute(sql: "DETACH DATABASE archive") }
            var moved = 0
            try db.inTransaction {
                // Ids and timestamps grow together, so the old rows are a prefix of the chain.
                guard let through = try Int64.fetchOne(db, sql: "SELECT max(id) FROM main.audit_log WHERE timestamp < ?", arguments: [cutoff]),
                    let hash = try String.fetchOne(db, sql: "SELECT hash FROM main.audit_log WHERE id = ?", arguments: [through])
                else { return .commit }
                try db.execute(sql: "INSERT INTO archive.audit_log SELECT * FROM main.audit_log WHERE id <= ?", arguments: [through])
                moved = db.changesCount
                try db.execute(sql: "DELETE FROM main.audit_log WHERE id <= ?", arguments: [through])
                guard db.changesCount == moved else {
                    throw StorageError.corrupt(path, "archiving moved \(moved) rows but deleted \(db.changesCount)")
                }
                try db.execute(
                    sql: "INSERT OR REPLACE INTO main.audit_anchor (id, hash, archived_through) VALUES (1, ?, ?)",
                    arguments: [hash, through])
                return .commit
            }
            return moved
        }
    }
}
