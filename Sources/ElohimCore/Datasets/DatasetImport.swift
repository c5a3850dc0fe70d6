import ElohimProtocol
import Foundation
import GRDBSQLite

#if canImport(Glibc)
import Glibc
#endif

/// Loads a CSV file into a new SQLite file as one table, in two passes over the file: the first
/// checks every row and infers the column types, the second writes. A bad row stops the import
/// before anything is written.
enum CSVImport {
    static let progressEvery: Int64 = 50_000

    static func load(
        _ source: SourceFile, from path: String, into file: String, table: String, delimiter: UInt8,
        progress: @escaping @Sendable (DatasetStore.Progress) -> Void
    ) throws -> (tables: Int, rows: Int64) {
        // Pass 1: validate and infer.
        lseek(source.descriptor, 0, SEEK_SET)
        var reader = CSVReader(descriptor: source.descriptor, delimiter: delimiter)
        let header: CSVReader.Record
        var inference: [ColumnTypeInference]
        var rows: Int64 = 0
        do {
            guard let first = try reader.next() else {
                throw DatasetError.badData(path, line: nil, "is empty; a CSV needs a header row naming its columns")
            }
            header = first
            inference = Array(repeating: ColumnTypeInference(), count: header.fields.count)
            progress(.init(phase: "checking", bytesDone: 0, bytesTotal: source.size, rows: 0))
            while let record = try reader.next() {
                guard record.fields.count == header.fields.count else {
                    throw DatasetError.badData(
                        path, line: record.line,
                        "has \(record.fields.count) field\(record.fields.count == 1 ? "" : "s"), but the header has \(header.fields.count)")
                }
                for (index, field) in record.fields.enumerated() { inference[index].observe(field, quoted: record.quoted[index]) }
                rows += 1
                if rows % progressEvery == 0 {
                    progress(.init(phase: "checking", bytesDone: reader.bytesRead, bytesTotal: source.size, rows: rows))
                }
            }
        } catch let problem as CSVReader.Problem {
            throw DatasetError.badData(path, line: problem.line, problem.message)
        }
        let names = columnNames(header.fields)
        let kinds = inference.map(\.kind)

        // Pass 2: write.
        let connection: SQLiteConnection
        do {
            connection = try SQLiteConnection(path: file, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            try connection.execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF")
            let columns = zip(names, kinds).map { "\(quoteIdentifier($0)) \($1.rawValue)" }.joined(separator: ", ")
            try connection.execute("CREATE TABLE \(quoteIdentifier(table)) (\(columns))")
            try connection.execute("BEGIN")
            let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
            guard let insert = try connection.prepare("INSERT INTO \(quoteIdentifier(table)) VALUES (\(placeholders))").statement else {
                throw DatasetError.storage("cannot prepare the insert")
            }
            lseek(source.descriptor, 0, SEEK_SET)
            reader = CSVReader(descriptor: source.descriptor, delimiter: delimiter)
            _ = try reader.next()
            var written: Int64 = 0
            var values = [SQLiteConnection.Value](repeating: .null, count: names.count)
            while let record = try reader.next() {
                for index in 0..<names.count {
                    values[index] = value(record.fields[index], quoted: record.quoted[index], kind: kinds[index])
                }
                try insert.bind(values)
                _ = try insert.step()
                insert.reset()
                written += 1
                if written % progressEvery == 0 {
                    progress(.init(phase: "loading", bytesDone: reader.bytesRead, bytesTotal: source.size, rows: written))
                }
            }
            try connection.execute("COMMIT")
            try connection.execute("PRAGMA journal_mode = DELETE")
            progress(.init(phase: "loading", bytesDone: source.size, bytesTotal: source.size, rows: written))
            return (1, written)
        } catch let problem as CSVReader.Problem {
            // The file changed between the passes.
            throw DatasetError.badData(path, line: problem.line, problem.message + " (did the file change during the import?)")
        } catch let failure as SQLiteConnection.Failure {
            if let storage = StorageError.classify(failure) { throw storage }
            throw DatasetError.storage("cannot write the dataset: \(failure.message)")
        }
    }

    static func value(_ text: String, quoted: Bool, kind: ColumnTypeInference.Kind) -> SQLiteConnection.Value {
        if text.isEmpty && !quoted { return .null }
        switch kind {
        case .integer: return ColumnTypeInference.integer(text).map { .integer($0) } ?? .text(text)
        case .real: return ColumnTypeInference.real(text).map { .real($0) } ?? .text(text)
        case .text: return .text(text)
        }
    }

    /// Header cells as column names: trimmed, `column_N` for blanks, `_2`, `_3` for repeats
    /// (SQLite compares column names without case).
    static func columnNames(_ header: [String]) -> [String] {
        var used: Set<String> = []
        return header.enumerated().map { index, raw in
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            let base = trimmed.isEmpty ? "column_\(index + 1)" : trimmed
            var name = base
            var suffix = 2
            while used.contains(name.lowercased()) {
                name = "\(base)_\(suffix)"
                suffix += 1
            }
            used.insert(name.lowercased())
            return name
        }
    }
}

/// Copies an SQLite file (and its WAL, if any) byte for byte, then opens the copy to fold the
/// WAL in and check it.
enum SQLiteImport {
    static func copy(
        _ source: SourceFile, from path: String, to file: String, uid: UInt32, gid: UInt32,
        progress: @escaping @Sendable (DatasetStore.Progress) -> Void
    ) throws -> (tables: Int, rows: Int64) {
        try copyBytes(source.descriptor, total: source.size, to: file, progress: progress)
        if let wal = try? SourceFile.open(source.resolvedPath + "-wal", uid: uid, gid: gid) {
            defer { close(wal.descriptor) }
            try copyBytes(wal.descriptor, total: wal.size, to: file + "-wal", progress: { _ in })
        }
        do {
            let connection = try SQLiteConnection(path: file, flags: SQLITE_OPEN_READWRITE)
            try connection.execute("PRAGMA journal_mode = DELETE")
            guard let check = try connection.prepare("PRAGMA quick_check").statement, try check.step(),
                case .text(let verdict) = check.value(0), verdict == "ok"
            else {
                throw DatasetError.badData(path, line: nil, "is a damaged SQLite database (quick_check failed)")
            }
            let tables = try DatasetStore.tables(of: connection)
            return (tables.count, tables.reduce(0) { $0 + $1.rows })
        } catch let failure as SQLiteConnection.Failure {
            throw DatasetError.badData(path, line: nil, "cannot be read as an SQLite database (\(failure.message))")
        }
    }

    static func copyBytes(
        _ descriptor: Int32, total: Int64, to file: String, progress: @escaping @Sendable (DatasetStore.Progress) -> Void
    ) throws {
        let output = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw DatasetError.storage("cannot create \(file): \(String(cString: strerror(errno)))") }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        while true {
            let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else { throw DatasetError.storage("read failed: \(String(cString: strerror(errno)))") }
            if got == 0 { break }
            var written = 0
            while written < got {
                let count = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, got - written) }
                guard count > 0 else {
                    throw DatasetError.storage(
                        errno == ENOSPC ? "the disk holding the datasets is full" : "write failed: \(String(cString: strerror(errno)))")
                }
                written += count
            }
            offset += Int64(got)
            progress(.init(phase: "copying", bytesDone: offset, bytesTotal: total, rows: 0))
        }
    }
}
