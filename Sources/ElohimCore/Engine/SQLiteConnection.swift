import Foundation
import GRDBSQLite

/// A raw SQLite connection, for what GRDB does not expose the way the engine needs it: the
/// progress handler that stops a runaway query, the authorizer that refuses anything but reading,
/// the backup API and fast bulk inserts. One thread uses a connection at a time.
final class SQLiteConnection {
    /// A failed SQLite call: the extended result code and SQLite's message.
    struct Failure: Error, CustomStringConvertible {
        let code: Int32
        let message: String
        /// The primary result code (`SQLITE_INTERRUPT`, `SQLITE_AUTH`…).
        var primary: Int32 { code & 0xff }
        var description: String { "\(message) (SQLite code \(code))" }
    }

    let handle: OpaquePointer

    /// Opens `path` (a file name or a `file:` URI) with `flags` (`SQLITE_OPEN_*`).
    init(path: String, flags: Int32) throws(Failure) {
        var db: OpaquePointer?
        let status = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw Failure(code: status, message: message)
        }
        sqlite3_extended_result_codes(db, 1)
        handle = db
    }

    deinit {
        sqlite3_progress_handler(handle, 0, nil, nil)
        sqlite3_set_authorizer(handle, nil, nil)
        sqlite3_close_v2(handle)
    }

    var lastError: Failure {
        Failure(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)))
    }

    /// Runs statements that return no rows.
    func execute(_ sql: String) throws(Failure) {
        var error: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &error)
        guard status == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw Failure(code: sqlite3_extended_errcode(handle), message: message)
        }
    }

    /// Prepares the first statement of `sql`; `tail` says whether another statement follows.
    func prepare(_ sql: String) throws(Failure) -> (statement: Statement?, hasMore: Bool) {
        var raw: OpaquePointer?
        var more = false
        let status = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let status = sqlite3_prepare_v2(handle, text, -1, &raw, &tail)
            if status == SQLITE_OK, let tail {
                // Another statement follows unless only whitespace and comments remain.
                var next: OpaquePointer?
                if sqlite3_prepare_v2(handle, tail, -1, &next, nil) == SQLITE_OK, let next {
                    more = true
                    sqlite3_finalize(next)
                } else if sqlite3_errcode(handle) != SQLITE_OK, String(cString: tail).contains(where: { !$0.isWhitespace && $0 != ";" }) {
                    more = true
                }
            }
            return status
        }
        guard status == SQLITE_OK else {
            sqlite3_finalize(raw)
            throw lastError
        }
        return (raw.map { Statement($0, connection: self) }, more)
    }

    /// One value as SQLite holds it.
    enum Value: Sendable, Equatable {
        case null
        case integer(Int64)
        case real(Double)
        case text(String)
        case blob([UInt8])
    }

    /// A prepared statement; finalized when released.
    final class Statement {
        let raw: OpaquePointer
        unowned let connection: SQLiteConnection

        init(_ raw: OpaquePointer, connection: SQLiteConnection) {
            self.raw = raw
            self.connection = connection
        }

        deinit { sqlite3_finalize(raw) }

        var isReadOnly: Bool { sqlite3_stmt_readonly(raw) != 0 }
        var columnCount: Int { Int(sqlite3_column_count(raw)) }
        func columnName(_ index: Int) -> String { sqlite3_column_name(raw, Int32(index)).map { String(cString: $0) } ?? "column\(index + 1)" }
        func declaredType(_ index: Int) -> String? { sqlite3_column_decltype(raw, Int32(index)).map { String(cString: $0) } }

        /// Steps once: true when a row is ready, false when done.
        func step() throws(Failure) -> Bool {
            switch sqlite3_step(raw) {
            case SQLITE_ROW: return true
            case SQLITE_DONE: return false
            default: throw connection.lastError
            }
        }

        func value(_ index: Int) -> Value {
            let column = Int32(index)
            switch sqlite3_column_type(raw, column) {
            case SQLITE_INTEGER: return .integer(sqlite3_column_int64(raw, column))
            case SQLITE_FLOAT: return .real(sqlite3_column_double(raw, column))
            case SQLITE_TEXT:
                guard let text = sqlite3_column_text(raw, column) else { return .text("") }
                let count = Int(sqlite3_column_bytes(raw, column))
                return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
            case SQLITE_BLOB:
                let count = Int(sqlite3_column_bytes(raw, column))
                guard count > 0, let bytes = sqlite3_column_blob(raw, column) else { return .blob([]) }
                return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
            default: return .null
            }
        }

        func bind(_ values: [Value]) throws(Failure) {
            for (offset, value) in values.enumerated() {
                let index = Int32(offset + 1)
                let status: Int32
                switch value {
                case .null: status = sqlite3_bind_null(raw, index)
                case .integer(let number): status = sqlite3_bind_int64(raw, index, number)
                case .real(let number): status = sqlite3_bind_double(raw, index, number)
                case .text(let text): status = sqlite3_bind_text(raw, index, text, -1, sqliteTransient)
                case .blob(let bytes):
                    status = bytes.withUnsafeBytes { sqlite3_bind_blob(raw, index, $0.baseAddress, Int32($0.count), sqliteTransient) }
                }
                guard status == SQLITE_OK else { throw connection.lastError }
            }
        }

        func reset() {
            sqlite3_reset(raw)
            sqlite3_clear_bindings(raw)
        }
    }

    /// Copies this whole database into `destination` (SQLite's online backup).
    func backup(into destination: SQLiteConnection, step: (Int, Int) -> Bool) throws(Failure) {
        guard let backup = sqlite3_backup_init(destination.handle, "main", handle, "main") else { throw destination.lastError }
        var status: Int32 = SQLITE_OK
        repeat {
            status = sqlite3_backup_step(backup, 256)
            let total = Int(sqlite3_backup_pagecount(backup))
            if !step(total - Int(sqlite3_backup_remaining(backup)), total) {
                sqlite3_backup_finish(backup)
                throw Failure(code: SQLITE_INTERRUPT, message: "stopped")
            }
        } while status == SQLITE_OK || status == SQLITE_BUSY || status == SQLITE_LOCKED
        sqlite3_backup_finish(backup)
        guard status == SQLITE_DONE else { throw Failure(code: status, message: String(cString: sqlite3_errstr(status))) }
    }
}

/// SQLite's "copy this buffer now" destructor.
let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// Quotes an identifier for SQL: `my "col"` → `"my ""col"""`.
func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
