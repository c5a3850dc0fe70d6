import Foundation
public import GRDB

/// Parsed GGUF facts in the database, keyed by path and valid while the file keeps its size
/// and modification time — listing a directory of 30 GB models does not re-read them.
public struct ModelCache: Sendable {
    private let database: DatabasePool

    public init(database: DatabasePool) {
        self.database = database
    }

    /// The cached facts for `path` if the file still has this size and mtime.
    public func lookup(path: String, size: UInt64, mtime: Double) -> ModelInfo? {
        let text = try? database.read { db in
            try String.fetchOne(
                db, sql: "SELECT info FROM model_cache WHERE path = ? AND size = ? AND mtime = ?",
                arguments: [path, Int64(clamping: size), mtime])
        }
        guard let text, let data = text.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(ModelInfo.self, from: data)
    }

    /// Remembers `info` for the file's current size and mtime.
    public func store(_ info: ModelInfo, size: UInt64, mtime: Double) throws {
        let text = String(decoding: try JSONEncoder().encode(info), as: UTF8.self)
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO model_cache (path, size, mtime, info, scanned_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime,
                        info = excluded.info, scanned_at = excluded.scanned_at
                    """,
                arguments: [info.path, Int64(clamping: size), mtime, text, Timestamp.now()])
        }
    }

    /// The number of entries.
    public func count() throws -> Int {
        try database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM model_cache") ?? 0 }
    }

    /// Paths of entries whose file is gone or has changed size or mtime (what `pruneStale`
    /// removes; the cleanup job's dry run reports them).
    public func stalePaths() throws -> [String] {
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT path, size, mtime FROM model_cache").map {
                (path: $0["path"] as String, size: $0["size"] as Int64, mtime: $0["mtime"] as Double)
            }
        }
        return rows.filter { row in
            guard let stat = FileStat(path: row.path) else { return true }
            return Int64(clamping: stat.size) != row.size || stat.mtime != row.mtime
        }.map(\.path)
    }

    /// Removes entries whose file is gone or has changed size or mtime; returns how many.
    /// (The cleanup job calls this.)
    @discardableResult
    public func pruneStale() throws -> Int {
        let stale = try stalePaths()
        guard !stale.isEmpty else { return 0 }
        try database.write { db in
            for path in stale { try db.execute(sql: "DELETE FROM model_cache WHERE path = ?", arguments: [path]) }
        }
        return stale.count
    }
}

/// Size, mtime and kind of a path (following symlinks: model stores link blobs).
struct FileStat {
    var size: UInt64
    var mtime: Double
    var isRegular: Bool
    var isDirectory: Bool

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        size = UInt64(info.st_size)
        mtime = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        isRegular = (info.st_mode & S_IFMT) == S_IFREG
        isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
    }
}
