import ElohimProtocol
import Foundation
import GRDBSQLite
import Synchronization

/// Lets whoever holds it stop a running query: the worker's SQLite progress handler polls it
/// every `QueryRunner.progressInterval` virtual-machine steps and aborts the statement
/// (SQLITE_INTERRUPT) once it says stop — on cancel, or when the deadline passes.
final class JobControl: Sendable {
    enum Stop: Int { case none = 0, cancel = 1, timeout = 2 }

    private let reason = Atomic<Int>(0)
    private let deadline: ContinuousClock.Instant

    init(timeoutMilliseconds: Int) {
        deadline = ContinuousClock.now + .milliseconds(timeoutMilliseconds)
    }

    func cancel() { _ = reason.compareExchange(expected: 0, desired: Stop.cancel.rawValue, ordering: .relaxed) }

    /// True when the query must stop now (and remembers why).
    func shouldStop() -> Bool {
        if reason.load(ordering: .relaxed) != 0 { return true }
        if ContinuousClock.now >= deadline {
            _ = reason.compareExchange(expected: 0, desired: Stop.timeout.rawValue, ordering: .relaxed)
            return true
        }
        return false
    }

    var stop: Stop { Stop(rawValue: reason.load(ordering: .relaxed)) ?? .none }
}

/// Runs one query on a read-only connection. Read-only three times over: the connection is
/// opened `SQLITE_OPEN_READONLY` with `PRAGMA query_only`, an authorizer allows nothing but
/// reading (SELECT, reads, functions, recursive CTEs and a list of read-only PRAGMAs), and a
/// statement SQLite does not call read-only is refused before it runs.
enum QueryRunner {
    /// Virtual-machine steps between checks for cancel or timeout.
    static let progressInterval: Int32 = 1000
    /// Result bytes one job may keep before its rows are truncated.
    static let maxResultBytes = 16 << 20

    /// Read-only PRAGMAs a query may use (they describe; none sets anything).
    static let readablePragmas: Set<String> = [
        "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "database_list",
        "foreign_key_list", "collation_list", "function_list", "pragma_list", "compile_options", "page_count",
        "page_size", "user_version", "schema_version", "freelist_count", "encoding",
    ]

    /// What the authorizer saw refused, for a message that says what was refused.
    final class AuthorizerLog {
        var refused: String?
    }

    static func run(_ request: QueryRequest, control: JobControl) -> JobOutcome {
        let connection: SQLiteConnection
        do {
            connection = try SQLiteConnection(path: request.databasePath ?? ":memory:", flags: SQLITE_OPEN_READONLY)
            for attachment in request.attachments {
                // The main connection is read-only, and so is every database attached to it. A
                // dataset that cannot be attached (a damaged file) is left out rather than
                // failing queries that do not read it; one that does gets "no such table".
                guard let attach = try connection.prepare("ATTACH DATABASE ? AS \(quoteIdentifier(attachment.name))").statement else { continue }
                try attach.bind([.text(attachment.path)])
                _ = try? attach.step()
            }
            try connection.execute("PRAGMA query_only = ON")
            sqlite3_limit(connection.handle, SQLITE_LIMIT_LENGTH, 32 << 20)
            if request.databasePath != nil {
                // Fail here, as an engine problem, if the file is not a database any more.
                try connection.execute("SELECT count(*) FROM sqlite_schema")
            }
        } catch {
            return .failed(
                JobFailure(
                    kind: .engine,
                    message: "cannot open dataset '\(request.dataset ?? "")': \(error.message); re-import it (elohim data import) or drop it"))
        }
        let log = AuthorizerLog()
        let logPointer = Unmanaged.passUnretained(log).toOpaque()
        sqlite3_set_authorizer(connection.handle, authorize, logPointer)
        sqlite3_progress_handler(
            connection.handle, progressInterval,
            { context in Unmanaged<JobControl>.fromOpaque(context!).takeUnretainedValue().shouldStop() ? 1 : 0 },
            Unmanaged.passUnretained(control).toOpaque())
        defer {
            sqlite3_progress_handler(connection.handle, 0, nil, nil)
            sqlite3_set_authorizer(connection.handle, nil, nil)
        }
        return withExtendedLifetime((log, control)) {
            execute(request, on: connection, control: control, log: log)
        }
    }

    private static func execute(_ request: QueryRequest, on connection: SQLiteConnection, control: JobControl, log: AuthorizerLog) -> JobOutcome {
        do {
            let (prepared, hasMore) = try connection.prepare(request.sql)
            guard let statement = prepared else {
                return .failed(JobFailure(kind: .query, message: "the query is empty; give one SQL statement, e.g. SELECT 1"))
            }
            guard !hasMore else {
                return .failed(JobFailure(kind: .query, message: "one statement per query: remove everything after the first ';'"))
            }
            guard statement.isReadOnly else {
                return .failed(JobFailure(kind: .readOnly, message: refusal(log.refused ?? "this statement")))
            }
            let columns = (0..<statement.columnCount).map(statement.columnName)
            var rows: [[JSONValue]] = []
            var bytes = 0
            var truncated = false
            while try statement.step() {
                if rows.count >= request.maxRows || bytes >= maxResultBytes {
                    truncated = true
                    break
                }
                var row: [JSONValue] = []
                row.reserveCapacity(columns.count)
                for index in 0..<columns.count {
                    let (value, size) = json(statement.value(index))
                    row.append(value)
                    bytes += size
                }
                rows.append(row)
                if control.shouldStop() { throw SQLiteConnection.Failure(code: SQLITE_INTERRUPT, message: "interrupted") }
            }
            return .succeeded(QueryResultSet(columns: columns, rows: rows, truncated: truncated, approximateBytes: bytes))
        } catch let error as SQLiteConnection.Failure {
            return outcome(for: error, control: control, log: log)
        } catch {
            return .failed(JobFailure(kind: .engine, message: "the engine could not run the query: \(error)"))
        }
    }

    private static func outcome(for error: SQLiteConnection.Failure, control: JobControl, log: AuthorizerLog) -> JobOutcome {
        switch error.primary {
        case SQLITE_INTERRUPT:
            switch control.stop {
            case .timeout: return .timedOut
            default: return .cancelled
            }
        case SQLITE_AUTH, SQLITE_READONLY:
            return .failed(JobFailure(kind: .readOnly, message: refusal(log.refused ?? "this statement")))
        case SQLITE_ERROR, SQLITE_RANGE, SQLITE_MISMATCH, SQLITE_CONSTRAINT, SQLITE_TOOBIG, SQLITE_SCHEMA:
            return .failed(JobFailure(kind: .query, message: error.message))
        default:
            return .failed(JobFailure(kind: .engine, message: "the engine could not run the query: \(error.message)"))
        }
    }

    static func refusal(_ what: String) -> String {
        "the engine only reads: \(what) is refused (datasets are read-only; to change one, re-import it with elohim data import --replace)"
    }

    /// A value on the wire and about how many bytes it takes.
    static func json(_ value: SQLiteConnection.Value) -> (JSONValue, Int) {
        switch value {
        case .null: return (.null, 4)
        case .integer(let number): return (.int(number), 8)
        case .real(let number): return (number.isFinite ? .double(number) : .string("\(number)"), 8)
        case .text(let text): return (.string(text), text.utf8.count + 2)
        case .blob(let bytes): return (["blob_base64": .string(Data(bytes).base64EncodedString())], bytes.count * 4 / 3 + 20)
        }
    }

    /// The authorizer: reading only.
    private static let authorize: @convention(c) (
        UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?
    ) -> Int32 = { context, action, first, _, _, _ in
        switch action {
        case SQLITE_SELECT, SQLITE_READ, SQLITE_FUNCTION, SQLITE_RECURSIVE:
            return SQLITE_OK
        case SQLITE_PRAGMA:
            if let first, readablePragmas.contains(String(cString: first).lowercased()) { return SQLITE_OK }
        default:
            break
        }
        if let context {
            let log = Unmanaged<AuthorizerLog>.fromOpaque(context).takeUnretainedValue()
            if log.refused == nil { log.refused = describe(action, first.map { String(cString: $0) }) }
        }
        return SQLITE_DENY
    }

    static func describe(_ action: Int32, _ name: String?) -> String {
        let on = name.map { " \($0)" } ?? ""
        switch action {
        case SQLITE_INSERT: return "INSERT into\(on)"
        case SQLITE_UPDATE: return "UPDATE of\(on)"
        case SQLITE_DELETE: return "DELETE from\(on)"
        case SQLITE_CREATE_TABLE, SQLITE_CREATE_TEMP_TABLE: return "CREATE TABLE\(on)"
        case SQLITE_CREATE_INDEX, SQLITE_CREATE_TEMP_INDEX: return "CREATE INDEX\(on)"
        case SQLITE_CREATE_VIEW, SQLITE_CREATE_TEMP_VIEW: return "CREATE VIEW\(on)"
        case SQLITE_CREATE_TRIGGER, SQLITE_CREATE_TEMP_TRIGGER: return "CREATE TRIGGER\(on)"
        case SQLITE_DROP_TABLE, SQLITE_DROP_TEMP_TABLE: return "DROP TABLE\(on)"
        case SQLITE_DROP_INDEX, SQLITE_DROP_TEMP_INDEX, SQLITE_DROP_VIEW, SQLITE_DROP_TEMP_VIEW, SQLITE_DROP_TRIGGER,
            SQLITE_DROP_TEMP_TRIGGER:
            return "DROP\(on)"
        case SQLITE_ALTER_TABLE: return "ALTER TABLE"
        case SQLITE_ATTACH: return "ATTACH"
        case SQLITE_DETACH: return "DETACH"
        case SQLITE_TRANSACTION: return "a transaction statement"
        case SQLITE_PRAGMA: return "PRAGMA\(on)"
        case SQLITE_REINDEX: return "REINDEX"
        case SQLITE_ANALYZE: return "ANALYZE"
        case SQLITE_SAVEPOINT: return "SAVEPOINT"
        case SQLITE_CREATE_VTABLE, SQLITE_DROP_VTABLE: return "a virtual table statement"
        default: return "this statement"
        }
    }
}
