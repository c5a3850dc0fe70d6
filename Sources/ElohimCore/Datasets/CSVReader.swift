#if canImport(Glibc)
import Glibc
#endif

/// Reads RFC 4180 CSV from a file descriptor, one record at a time: quoted fields (with `""`
/// for a quote, and line breaks inside quotes), CRLF or LF, a UTF-8 byte order mark skipped.
/// Strict: a stray quote, text after a closing quote, an unclosed quote or bytes that are not
/// UTF-8 are errors naming the line, never guesses.
struct CSVReader {
    /// One record: its fields, whether each was quoted, and the line it starts on (1-based).
    struct Record {
        var fields: [String]
        var quoted: [Bool]
        var line: Int
    }

    /// What is wrong, and on which line.
    struct Problem: Error {
        var line: Int
        var message: String
    }

    static let maxFieldBytes = 16 << 20

    private let descriptor: Int32
    private let delimiter: UInt8
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var count = 0
    private var position = 0
    private var atEnd = false
    private var line = 1
    private var started = false
    /// Bytes consumed so far (for progress).
    private(set) var bytesRead: Int64 = 0

    init(descriptor: Int32, delimiter: UInt8 = UInt8(ascii: ",")) {
        self.descriptor = descriptor
        self.delimiter = delimiter
    }

    private mutating func fill() throws(Problem) -> Bool {
        guard !atEnd else { return false }
        while true {
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                throw Problem(line: line, message: "read failed: \(String(cString: strerror(errno)))")
            }
            if got == 0 {
                atEnd = true
                return false
            }
            count = got
            position = 0
            return true
        }
    }

    private mutating func nextByte() throws(Problem) -> UInt8? {
        if position >= count {
            guard try fill() else { return nil }
        }
        let byte = buffer[position]
        position += 1
        bytesRead += 1
        return byte
    }

    private mutating func peekByte() throws(Problem) -> UInt8? {
        if position >= count {
            guard try fill() else { return nil }
        }
        return buffer[position]
    }

    /// The next record; nil at the end of the file. Blank lines are skipped.
    mutating func next() throws(Problem) -> Record? {
        if !started {
            started = true
            // A UTF-8 byte order mark.
            if try peekByte() == 0xEF {
                _ = try nextByte()
                guard try nextByte() == 0xBB, try nextByte() == 0xBF else {
                    throw Problem(line: 1, message: "the file does not start with valid UTF-8")
                }
            }
        }
        while true {
            guard let record = try readRecord() else { return nil }
            if record.fields.count == 1 && !record.quoted[0] && record.fields[0].isEmpty { continue }
            return record
        }
    }

    private mutating func readRecord() throws(Problem) -> Record? {
        var fields: [String] = []
        var quoted: [Bool] = []
        var field: [UInt8] = []
        var inQuotes = false
        var wasQuoted = false
        var afterQuote = false
        var quoteLine = line
        let startLine = line

        func finishField() throws(Problem) {
            guard let text = String(validating: field, as: UTF8.self) else {
                throw Problem(line: line, message: "field \(fields.count + 1) is not valid UTF-8; save the file as UTF-8")
            }
            fields.append(text)
            quoted.append(wasQuoted)
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
            afterQuote = false
        }

        while true {
            let byte = try nextByte()
            if inQuotes {
                guard let byte else {
                    throw Problem(line: quoteLine, message: "a quoted field opened here is never closed")
                }
                if byte == UInt8(ascii: "\"") {
                    if try peekByte() == UInt8(ascii: "\"") {
                        _ = try nextByte()
                        field.append(byte)
                    } else {
                        inQuotes = false
                        afterQuote = true
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                    if field.count > Self.maxFieldBytes {
                        throw Problem(line: quoteLine, message: "a quoted field longer than 16 MiB (is a closing quote missing?)")
                    }
                }
                continue
            }
            guard let byte else {
                if fields.isEmpty && field.isEmpty && !wasQuoted { return nil }
                try finishField()
                return Record(fields: fields, quoted: quoted, line: startLine)
            }
            switch byte {
            case delimiter:
                try finishField()
            case UInt8(ascii: "\n"):
                try finishField()
                line += 1
                return Record(fields: fields, quoted: quoted, line: startLine)
            case UInt8(ascii: "\r"):
                if try peekByte() == UInt8(ascii: "\n") { _ = try nextByte() }
                try finishField()
                line += 1
                return Record(fields: fields, quoted: quoted, line: startLine)
            case UInt8(ascii: "\""):
                guard field.isEmpty && !wasQuoted else {
                    throw Problem(
                        line: line,
                        message: "a quote inside unquoted field \(fields.count + 1); quote the whole field and double the quote (\"\")")
                }
                inQuotes = true
                wasQuoted = true
                quoteLine = line
            default:
                guard !afterQuote else {
                    throw Problem(line: line, message: "text after the closing quote of field \(fields.count + 1)")
                }
                field.append(byte)
                if field.count > Self.maxFieldBytes {
                    throw Problem(line: line, message: "a field longer than 16 MiB")
                }
            }
        }
    }
}

/// The SQLite column type a CSV column gets: INTEGER when every value is an integer, REAL when
/// every value is a number, TEXT otherwise. Empty unquoted fields are NULL and do not vote; a
/// quoted empty field is the empty string (TEXT). Numbers with leading zeros (`007`, zip codes)
/// stay TEXT so nothing is lost.
struct ColumnTypeInference {
    enum Kind: String { case integer = "INTEGER", real = "REAL", text = "TEXT" }

    private var allInteger = true
    private var allReal = true
    private var seen = false

    var kind: Kind {
        guard seen else { return .text }
        return allInteger ? .integer : (allReal ? .real : .text)
    }

    mutating func observe(_ text: String, quoted: Bool) {
        if text.isEmpty && !quoted { return }
        seen = true
        guard allReal else { return }
        if allInteger && Self.integer(text) == nil { allInteger = false }
        if !allInteger && Self.real(text) == nil { allReal = false }
    }

    static func integer(_ text: String) -> Int64? {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 &- 0x30 < 10 }) else { return nil }
        if digits.count > 1 && digits.first == "0" { return nil }
        return Int64(text)
    }

    static func real(_ text: String) -> Double? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 &- 0x30 < 10 || $0 == 0x2E || $0 == 0x2D || $0 == 0x2B || $0 == 0x65 || $0 == 0x45 })
        else { return nil }
        let unsigned = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        if unsigned.count > 1 && unsigned.first == "0" && unsigned.dropFirst().first != "." { return nil }
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }
}
