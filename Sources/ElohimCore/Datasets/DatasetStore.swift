public import ElohimProtocol
import Foundation
import GRDBSQLite
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Each user's datasets: `<root>/<uid>/` (0700) holds one SQLite file per dataset (0600) and
/// `catalog.db`, the list of them. An import writes a new file beside the others and only a
/// complete, checked file is renamed into place and entered in the catalog — a failed import
/// leaves nothing behind.
public final class DatasetStore: Sendable {
    public let root: String
    /// (uid, name) pairs being imported now.
    private let importing = Mutex<Set<String>>([])
    /// Serialises catalog writes (imports and drops are rare; reads take it too, briefly).
    private let catalogLock = Mutex(())

    /// Progress of one import, for events.
    public struct Progress: Sendable {
        public var phase: String
        public var bytesDone: Int64
        public var bytesTotal: Int64
        public var rows: Int64
    }

    public init(root: String) throws {
        try DataDirectory.prepare(root)
        self.root = root
        removeInterruptedImports()
    }

    /// Temporary files of imports a crash interrupted (`.<name>.<token>.importing*`).
    private func removeInterruptedImports() {
        let files = FileManager.default
        for user in (try? files.contentsOfDirectory(atPath: root)) ?? [] {
            let directory = root + "/" + user
            for name in (try? files.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(".") && name.contains(".importing") {
                unlink(directory + "/" + name)
            }
        }
    }

    static func validName(_ name: String) -> Bool {
        guard (1...64).contains(name.utf8.count), let first = name.utf8.first, !(first &- 0x30 < 10) else { return false }
        return name.utf8.allSatisfy { $0 &- 0x30 < 10 || ($0 | 0x20) &- 0x61 < 26 || $0 == 0x5F }
    }

    /// A dataset name from a file name: `Sales 2024.csv` → `sales_2024`.
    static func derivedName(from path: String) -> String {
        var base = (path as NSString).lastPathComponent
        if let dot = base.lastIndex(of: "."), dot != base.startIndex { base = String(base[..<dot]) }
        var name = String(base.lowercased().unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "_") ? Character(scalar) : "_"
        })
        if name.isEmpty || name.first!.isNumber { name = "d_" + name }
        return String(name.prefix(64))
    }

    func directory(for uid: UInt32) throws -> String {
        let path = "\(root)/\(uid)"
        try DataDirectory.prepare(path)
        return path
    }

    // MARK: Catalog

    private struct Entry {
        var info: DatasetInfo
        var file: String
    }

    private func withCatalog<T>(_ uid: UInt32, _ body: (SQLiteConnection) throws -> T) throws -> T {
        let directory = try directory(for: uid)
        return try catalogLock.withLock { _ in
            let connection = try SQLiteConnection(path: directory + "/catalog.db", flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            sqlite3_busy_timeout(connection.handle, 5000)
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS dataset (
                    name TEXT PRIMARY KEY, kind TEXT NOT NULL, source TEXT NOT NULL, file TEXT NOT NULL,
                    imported_at TEXT NOT NULL, tables INTEGER NOT NULL, rows INTEGER NOT NULL)
                """)
            chmod(directory + "/catalog.db", 0o600)
            return try body(connection)
        }
    }

    private func entries(_ uid: UInt32, named name: String? = nil) throws -> [Entry] {
        let directory = try directory(for: uid)
        return try withCatalog(uid) { catalog in
            let sql = "SELECT name, kind, source, file, imported_at, tables, rows FROM dataset" + (name == nil ? " ORDER BY name" : " WHERE name = ?")
            guard let statement = try catalog.prepare(sql).statement else { return [] }
            if let name { try statement.bind([.text(name)]) }
            var found: [Entry] = []
            while try statement.step() {
                func text(_ index: Int) -> String { if case .text(let value) = statement.value(index) { value } else { "" } }
                func integer(_ index: Int) -> Int64 { if case .integer(let value) = statement.value(index) { value } else { 0 } }
                let file = directory + "/" + text(3)
                var info = stat()
                let bytes = stat(file, &info) == 0 ? Int64(info.st_size) : 0
                found.append(
                    Entry(
                        info: DatasetInfo(
                            name: text(0), kind: text(1), source: text(2), importedAt: text(4), tables: Int(integer(5)), rows: integer(6),
                            bytes: bytes),
                        file: file))
            }
            return found
        }
    }

    public func list(uid: UInt32) throws -> [DatasetInfo] {
        try entries(uid).map(\.info)
    }

    /// Every dataset's name and file, by name.
    public func files(uid: UInt32) throws -> [(name: String, path: String)] {
        try entries(uid).map { ($0.info.name, $0.file) }
    }

    /// The dataset's file, for the engine. - Throws: `DatasetError` when there is none.
    public func path(uid: UInt32, name: String) throws -> String {
        guard let entry = try entries(uid, named: name).first else { throw DatasetError.notFound(name) }
        return entry.file
    }

    public func describe(uid: UInt32, name: String) throws -> DatasetDescription {
        guard let entry = try entries(uid, named: name).first else { throw DatasetError.notFound(name) }
        let connection: SQLiteConnection
        do {
            connection = try SQLiteConnection(path: entry.file, flags: SQLITE_OPEN_READONLY)
            return DatasetDescription(dataset: entry.info, tables: try Self.tables(of: connection))
        } catch {
            throw DatasetError.storage("dataset '\(name)' cannot be read (\(error.message)); re-import it or drop it")
        }
    }

    static func tables(of connection: SQLiteConnection) throws(SQLiteConnection.Failure) -> [DatasetTable] {
        var names: [String] = []
        if let statement = try connection.prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").statement
        {
            while try statement.step() { if case .text(let name) = statement.value(0) { names.append(name) } }
        }
        var tables: [DatasetTable] = []
        for name in names {
            var columns: [DatasetColumn] = []
            if let statement = try connection.prepare("SELECT name, type FROM pragma_table_info(?)").statement {
                try statement.bind([.text(name)])
                while try statement.step() {
                    if case .text(let column) = statement.value(0) {
                        var type = ""
                        if case .text(let declared) = statement.value(1) { type = declared }
                        columns.append(DatasetColumn(name: column, type: type))
                    }
                }
            }
            var rows: Int64 = 0
            if let statement = try connection.prepare("SELECT count(*) FROM \(quoteIdentifier(name))").statement, try statement.step(),
                case .integer(let count) = statement.value(0)
            {
                rows = count
            }
            tables.append(DatasetTable(name: name, rows: rows, columns: columns))
        }
        return tables
    }

    public func drop(uid: UInt32, name: String) throws -> DatasetInfo {
        guard let entry = try entries(uid, named: name).first else { throw DatasetError.notFound(name) }
        try withCatalog(uid) { catalog in
            guard let statement = try catalog.prepare("DELETE FROM dataset WHERE name = ?").statement else { return }
            try statement.bind([.text(name)])
            _ = try statement.step()
        }
        // Running queries keep their open file; the name is gone at once.
        unlink(entry.file)
        return entry.info
    }

    // MARK: Import

    /// Imports `path` (read with the caller's rights) as dataset `name`.
    /// - Parameter progress: called now and then from the importing thread.
    public func importFile(
        path: String, name requested: String?, replace: Bool, delimiter: UInt8?, uid: UInt32, gid: UInt32,
        progress: @escaping @Sendable (Progress) -> Void
    ) throws -> DatasetInfo {
        guard path.hasPrefix("/") else {
            throw DatasetError.unreadable(path, "give an absolute path (the daemon does not know your working directory)")
        }
        let name = requested ?? Self.derivedName(from: path)
        guard Self.validName(name) else { throw DatasetError.badName(name) }
        let key = "\(uid)/\(name)"
        guard importing.withLock({ $0.insert(key).inserted }) else { throw DatasetError.importing(name) }
        defer { _ = importing.withLock { $0.remove(key) } }
        if !replace, try !entries(uid, named: name).isEmpty { throw DatasetError.exists(name) }

        let source = try SourceFile.open(path, uid: uid, gid: gid)
        defer { close(source.descriptor) }
        let directory = try directory(for: uid)
        let token = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let temporary = "\(directory)/.\(name).\(token).importing"
        let final = "\(directory)/\(name).\(token).sqlite"
        var finished = false
        defer {
            if !finished {
                for suffix in ["", "-journal", "-wal", "-shm"] { unlink(temporary + suffix) }
            }
        }
        let kind: String
        let counts: (tables: Int, rows: Int64)
        if source.isSQLite {
            kind = "sqlite"
            counts = try SQLiteImport.copy(source, from: path, to: temporary, uid: uid, gid: gid, progress: progress)
        } else {
            kind = "csv"
            let separator = delimiter ?? (path.lowercased().hasSuffix(".tsv") ? UInt8(ascii: "\t") : UInt8(ascii: ","))
            counts = try CSVImport.load(source, from: path, into: temporary, table: name, delimiter: separator, progress: progress)
        }
        chmod(temporary, 0o600)
        try Self.sync(temporary)
        guard rename(temporary, final) == 0 else {
            throw DatasetError.storage("cannot move the imported dataset into place: \(String(cString: strerror(errno)))")
        }
        let old = try entries(uid, named: name).first
        let importedAt = Timestamp.now()
        do {
            try withCatalog(uid) { catalog in
                guard let statement = try catalog.prepare("INSERT OR REPLACE INTO dataset VALUES (?, ?, ?, ?, ?, ?, ?)").statement else { return }
                try statement.bind([
                    .text(name), .text(kind), .text(path), .text((final as NSString).lastPathComponent), .text(importedAt),
                    .integer(Int64(counts.tables)), .integer(counts.rows),
                ])
                _ = try statement.step()
            }
        } catch {
            unlink(final)
            throw DatasetError.storage("cannot record the dataset in the catalog: \(error)")
        }
        finished = true
        if let old, old.file != final { unlink(old.file) }
        try? Self.sync(directory)
        var info = stat()
        let bytes = stat(final, &info) == 0 ? Int64(info.st_size) : 0
        return DatasetInfo(name: name, kind: kind, source: path, importedAt: importedAt, tables: counts.tables, rows: counts.rows, bytes: bytes)
    }

    static func sync(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw DatasetError.storage("cannot sync \(path): \(String(cString: strerror(errno)))")
        }
    }
}
