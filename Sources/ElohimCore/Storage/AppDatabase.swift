public import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's main database: one `DatabasePool` (WAL) for the process, migrated on open.
///
/// Areas get their own intent-named methods in `AppDatabase+Area.swift` files, each one
/// transaction. Other files (audit, embeddings) get their own pools so they never contend.
public struct AppDatabase: Sendable {
    /// The pool; areas read and write through it.
    public let writer: DatabasePool
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the database at `path` and runs every pending migration.
    /// - Parameter prepare: runs on every connection the pool opens, after the pragmas (areas
    ///   attach their own files here, e.g. the library's `embeddings.db`; tests add trace hooks).
    public static func open(
        path: String, migrator: DatabaseMigrator = Migrations.main, prepare: (@Sendable (Database) throws -> Void)? = nil
    ) throws -> AppDatabase {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try prepare?(db)
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try migrator.migrate(pool)
        } catch let error as DatabaseError {
            if error.resultCode == .SQLITE_FULL { throw StorageError.full(path) }
            if error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_CANTOPEN {
                throw StorageError.notWritable(path, error.message ?? "\(error.resultCode)")
            }
            throw StorageError.corrupt(path, "\(error)")
        }
        // The process umask is 0077, but a file created by an older build may be looser.
        for suffix in ["", "-wal", "-shm"] {
            chmod(path + suffix, 0o600)
        }
        return AppDatabase(writer: pool, path: path)
    }

    /// Bytes on disk: the database file plus its WAL.
    public func sizeOnDisk() -> Int64 {
        var total: Int64 = 0
        for suffix in ["", "-wal"] {
            var info = stat()
            if stat(path + suffix, &info) == 0 { total += Int64(info.st_size) }
        }
        return total
    }

    /// The migrations applied so far, oldest first.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try Migrations.main.appliedIdentifiers(db).sorted() }
    }
}
