/// A strict RFC 8259 parser from UTF-8 bytes to `JSONValue`.
///
/// Written here rather than borrowed from Foundation so that the daemon can tell a missing
/// `id` from `"id": null` (JSON-RPC needs that), reject invalid UTF-8 and deep nesting with a
/// precise message, and parse hostile input in bounded stack.
public struct JSONParser {
    /// Why a document was rejected, with the byte offset where it went wrong.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Deeper nesting than this is refused rather than risking the stack.
    public static let maximumDepth = 128

    /// Parses one JSON document; trailing non-whitespace is an error.
    public static func parse(_ bytes: some Collection<UInt8>) throws(Failure) -> JSONValue {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { buffer throws(Failure) in
            var parser = Cursor(bytes: buffer)
            parser.skipWhitespace()
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.index == buffer.count else { throw parser.fail("unexpected data after the JSON value") }
            return value
        }
    }

    /// Parses a document held in a string.
    public static func parse(_ text: String) throws(Failure) -> JSONValue {
        try parse(Array(text.utf8))
    }

    /// The members of a JSON-RPC request object, each `nil` when absent.
    public struct RequestMembers: Sendable, Equatable {
        public var jsonrpc: JSONValue?
        public var id: JSONValue?
        public var method: JSONValue?
        public var params: JSONValue?

        public init() {}

        /// The four members of a parsed object; any others are not read.
        public init(of object: [String: JSONValue]) {
            jsonrpc = object["jsonrpc"]
            id = object["id"]
            method = object["method"]
            params = object["params"]
        }
    }

    /// Reads a document that is one object whose members are only `jsonrpc`, `id`, `method` and
    /// `params`, each at most once and named without escapes (what clients send), without
    /// building a dictionary for it: hashing four names into one and looking each up again was
    /// most of the cost of reading a small request. Anything else, valid JSON or not, gives
    /// `nil`, and the caller reads the document with `parse` (which also names any error).
    public static func requestMembers(_ bytes: [UInt8]) -> RequestMembers? {
        bytes.withUnsafeBufferPointer { buffer -> RequestMembers? in
            var cursor = Cursor(bytes: buffer)
            cursor.skipWhitespace()
            guard cursor.index < buffer.count, buffer[cursor.index] == UInt8(ascii: "{") else { return nil }
            cursor.index += 1
            var members = RequestMembers()
            cursor.skipWhitespace()
            if cursor.index < buffer.count && buffer[cursor.index] == UInt8(ascii: "}") {
                cursor.index += 1
            } else {
                while true {
                    cursor.skipWhitespace()
                    guard let name = cursor.requestMemberName() else { return nil }
                    cursor.skipWhitespace()
                    guard cursor.index < buffer.count, buffer[cursor.index] == UInt8(ascii: ":") else { return nil }
                    cursor.index += 1
                    cursor.skipWhitespace()
                    // Depth 1, as `parse` reads the members of a top-level object.
                    guard let value = try? cursor.value(depth: 1) else { return nil }
                    switch name {
                    case .jsonrpc where members.jsonrpc == nil: members.jsonrpc = value
                    case .id where members.id == nil: members.id = value
                    case .method where members.method == nil: members.method = value
                    case .params where members.params == nil: members.params = value
                    default: return nil  // a repeated member: `parse` keeps the last, say so there
                    }
                    cursor.skipWhitespace()
                    guard cursor.index < buffer.count else { return nil }
                    if buffer[cursor.index] == UInt8(ascii: ",") {
                        cursor.index += 1
                        continue
                    }
                    guard buffer[cursor.index] == UInt8(ascii: "}") else { return nil }
                    cursor.index += 1
                    break
                }
            }
            cursor.skipWhitespace()
            return cursor.index == buffer.count ? members : nil
        }
    }

    private enum RequestMemberName: CaseIterable {
        case jsonrpc, id, method, params

        /// The name as it appears in a document, quotes included.
        var quoted: StaticString {
            switch self {
            case .jsonrpc: "\"jsonrpc\""
            case .id: "\"id\""
            case .method: "\"method\""
            case .params: "\"params\""
            }
        }
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func fail(_ reason: String) -> Failure { Failure(offset: index, reason: reason) }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard index < bytes.count else { throw fail("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw fail("unexpected character")
            }
        }

        /// Consumes a member name when it is one of a request's four, spelled plainly.
        mutating func requestMemberName() -> RequestMemberName? {
            for name in RequestMemberName.allCases {
                guard isAt(name.quoted) else { continue }
                index += name.quoted.utf8CodeUnitCount
                return name
            }
            return nil
        }

        /// True when the bytes from `index` on begin with `word`.
        func isAt(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
            return true
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            guard index + word.utf8CodeUnitCount <= bytes.count else { throw fail("unexpected end of input") }
            guard isAt(word) else { throw fail("invalid literal") }
            index += word.utf8CodeUnitCount
        }

        mutating func object(depth: Int) throws(Failure) -> JSONValue {
            guard depth <= JSONParser.maximumDepth else { throw fail("nesting deeper than \(JSONParser.maximumDepth)") }
            index += 1
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object([:])
            }
            // Room for a request envelope's members in one allocation instead of three.
            var members: [String: JSONValue] = Dictionary(minimumCapacity: 4)
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                let key = try string()
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipWhitespace()
                members[key] = try value(depth: depth)
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw fail("expected ',' or '}'")
            }
        }

        mutating func array(depth: Int) throws(Failure) -> JSONValue {
            guard depth <= JSONParser.maximumDepth else { throw fail("nesting deeper than \(JSONParser.maximumDepth)") }
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth))
                skipWhitespace()
                guard index < bytes.count else { throw fail("unexpected end of input") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
                throw fail("expected ',' or ']'")
            }
        }

        mutating func string() throws(Failure) -> String {
            index += 1
            let start = index
            // Fast path: no escapes, so the bytes are the string.
            var nonASCII: UInt8 = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    // ASCII is valid UTF-8 as it is: no validation, and no generic call (most
                    // strings here are member names and short values).
                    if nonASCII < 0x80 { return String(decoding: slice, as: UTF8.self) }
                    guard let text = String(validating: slice, as: UTF8.self) else {
                        throw Failure(offset: start, reason: "invalid UTF-8 in string")
                    }
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw fail("control character in string") }
                nonASCII |= byte
                index += 1
            }
            var scratch = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: scratch, as: UTF8.self) else {
                        throw Failure(offset: start, reason: "invalid UTF-8 in string")
                    }
                    index += 1
                    return text
                case UInt8(ascii: "\\"):
                    index += 1
                    guard index < bytes.count else { throw fail("unexpected end of input") }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): scratch.append(0x22)
                    case UInt8(ascii: "\\"): scratch.append(0x5C)
                    case UInt8(ascii: "/"): scratch.append(0x2F)
                    case UInt8(ascii: "b"): scratch.append(0x08)
                    case UInt8(ascii: "f"): scratch.append(0x0C)
                    case UInt8(ascii: "n"): scratch.append(0x0A)
                    case UInt8(ascii: "r"): scratch.append(0x0D)
                    case UInt8(ascii: "t"): scratch.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                                bytes[index + 1] == UInt8(ascii: "u")
                            else { throw fail("unpaired surrogate") }
                            index += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(scalar) {
                            throw fail("unpaired surrogate")
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid unicode escape") }
                        scratch.append(contentsOf: String(Character(unicode)).utf8)
                    default:
                        throw fail("invalid escape")
                    }
                default:
                    if byte < 0x20 { throw fail("control character in string") }
                    scratch.append(byte)
                    index += 1
                }
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail("unexpected end of input") }
            var result: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw fail("invalid hex digit")
                }
                result = result << 4 | digit
                index += 1
            }
            return result
        }

        mutating func number() throws(Failure) -> JSONValue {
            let start = index
            var isInteger = true
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
                if index < bytes.count && isDigit(bytes[index]) { throw fail("leading zero in number") }
            } else {
                while index < bytes.count && isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
                isInteger = false
                index += 1
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
                while index < bytes.count && isDigit(bytes[index]) { index += 1 }
            }
            if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
                isInteger = false
                index += 1
                if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                    index += 1
                }
                guard index < bytes.count, isDigit(bytes[index]) else { throw fail("invalid number") }
                while index < bytes.count && isDigit(bytes[index]) { index += 1 }
            }
            // Up to 18 digits always fit in an Int64: the common case (ids, counts) without a String.
            if isInteger && index - start <= 18 {
                var magnitude: Int64 = 0
                for byte in bytes[start..<index] where byte != UInt8(ascii: "-") {
                    magnitude = magnitude * 10 + Int64(byte &- UInt8(ascii: "0"))
                }
                return .int(bytes[start] == UInt8(ascii: "-") ? -magnitude : magnitude)
            }
            // Number characters are ASCII, so this cannot fail to decode.
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if isInteger, let exact = Int64(text) { return .int(exact) }
            guard let double = Double(text), double.isFinite else {
                throw Failure(offset: start, reason: "number out of range")
            }
            return .double(double)
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    }
}
