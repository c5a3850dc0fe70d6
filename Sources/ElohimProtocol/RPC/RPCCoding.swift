import Foundation

/// The one way typed params and results cross the wire: snake_case keys, ISO 8601 dates.
public enum RPCCoding {
    /// Foundation's encoder with the settings the wire uses; `encode` and `json` produce the
    /// same JSON without it (see `JSONValueEncoder`).
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Foundation's decoder with the settings the wire uses; `decode` behaves the same without
    /// it (see `JSONValueDecoder`).
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// The encoder behind `encode` and `json`: snake_case keys, ISO 8601 dates, and `null` for
    /// a nil optional, so every field a result declares is present (PROTOCOL.md promises it).
    static let valueEncoder: JSONValueEncoder = {
        var encoder = JSONValueEncoder()
        encoder.nilOptionals = .null
        return encoder
    }()

    /// The decoder behind `decode`: snake_case keys, ISO 8601 dates.
    static let valueDecoder = JSONValueDecoder()

    /// Serialises `value` to JSON bytes (compact, keys sorted).
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        JSONWriter.bytes(try valueEncoder.encode(value))
    }

    /// Serialises a value that writes itself: the same bytes, without Codable's tree.
    public static func encode(_ value: some JSONWritable) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)  // a daemon.status result in one allocation
        value.writeJSON(into: &output)
        return output
    }

    /// Converts `value` to a `JSONValue` (for events and documents assembled from parts).
    public static func json(_ value: some Encodable) throws -> JSONValue {
        try valueEncoder.encode(value)
    }

    /// Decodes a typed value from JSON, turning decoding errors into a message that names
    /// the offending field the way a user wrote it (`session_id`, not `sessionId`).
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(FieldError) -> T {
        do {
            return try valueDecoder.decode(T.self, from: value)
        } catch let error as DecodingError {
            throw FieldError(error)
        } catch {
            throw FieldError(field: nil, detail: "\(error)")
        }
    }

    /// A decoding failure, described for a person.
    public struct FieldError: Error, Sendable, CustomStringConvertible {
        /// Dotted path of the field, in wire spelling (`topics.1`); `nil` for the whole value.
        public var field: String?
        public var detail: String

        public init(field: String?, detail: String) {
            self.field = field
            self.detail = detail
        }

        init(_ error: DecodingError) {
            func path(_ codingPath: [any CodingKey], appending key: (any CodingKey)? = nil) -> String? {
                let keys = codingPath + (key.map { [$0] } ?? [])
                guard !keys.isEmpty else { return nil }
                return keys.map { $0.intValue.map(String.init) ?? RPCCoding.snakeCase($0.stringValue) }
                    .joined(separator: ".")
            }
            switch error {
            case .keyNotFound(let key, let context):
                let name = path(context.codingPath, appending: key) ?? key.stringValue
                self.init(field: name, detail: "missing required field '\(name)'")
            case .typeMismatch(let type, let context):
                let name = path(context.codingPath)
                self.init(field: name, detail: "field '\(name ?? "params")' must be \(RPCCoding.describe(type))")
            case .valueNotFound(let type, let context):
                let name = path(context.codingPath)
                self.init(field: name, detail: "field '\(name ?? "params")' must be \(RPCCoding.describe(type)), not null")
            case .dataCorrupted(let context):
                let name = path(context.codingPath)
                self.init(field: name, detail: "field '\(name ?? "params")' is invalid: \(context.debugDescription)")
            @unknown default:
                self.init(field: nil, detail: "\(error)")
            }
        }

        public var description: String { detail }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type, is UInt32.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is [String].Type: return "an array of strings"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a valid \(name)"
        }
    }

    /// `sessionId` → `session_id`: the wire spelling of a coding key, as the encoder writes it
    /// (Foundation's `.convertToSnakeCase`, so `userID` → `user_id`).
    public static func snakeCase(_ key: String) -> String {
        JSONValueEncoder.snakeCase(key)
    }
}
