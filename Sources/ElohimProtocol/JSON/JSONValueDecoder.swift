import Foundation

/// Decodes any `Decodable` straight from a `JSONValue`, without going through text.
///
/// With its defaults it behaves like Foundation's `JSONDecoder` with `.convertFromSnakeCase` and
/// `.iso8601`, fed the `JSONWriter` serialisation of the value — which is how `RPCCoding` decoded
/// before — down to the `DecodingError` cases, their types and coding paths:
///
/// - Object keys go through Foundation's snake_case → camelCase conversion (`camelCase(_:)`)
///   before they are matched against coding keys, so coding paths hold the type's own keys
///   (`sessionId`), and a key such as `userID` is never found (`user_id` becomes `userId`).
///   Keys of `[String: V]` dictionaries are left alone.
/// - Missing keys throw `keyNotFound`, `null` throws `valueNotFound` (a `Bool` expected where
///   `null` is found throws `typeMismatch`, as in Foundation), a value of the wrong kind throws
///   `typeMismatch` with Foundation's types (`Dictionary<String, Any>` for objects,
///   `Array<Any>` for arrays).
/// - Integers accept whole numbers, also written as doubles (`3.0`, `1e3`); a fraction or a
///   number out of the type's range throws `dataCorrupted`. Doubles accept integers.
/// - `Date` from an ISO 8601 string, `Data` from Base64, `URL` from a string, `Decimal` from a number.
/// - A `JSONValue` is handed over as it is (Foundation rebuilt it from the text, turning a whole
///   `.double` such as `3.0` into `.int(3)`).
///
/// Deliberate differences from Foundation 6.3, both about where errors point: a number that
/// does not fit the integer or float type throws `dataCorrupted` at the field's path
/// ("Parsed JSON number <300> does not fit in UInt8.") where Foundation throws it at the root
/// with "The given data was not valid JSON."; and an ISO 8601 date that does not parse is
/// reported at the field's path, where Foundation leaves the field's own key off the path.
public struct JSONValueDecoder: Sendable {
    /// How object keys are matched with the type's coding keys.
    public enum KeyDecodingStrategy: Sendable {
        /// Keys must equal the coding keys.
        case useDefaultKeys
        /// `session_id` → `sessionId` first, exactly like Foundation's `.convertFromSnakeCase`.
        case convertFromSnakeCase
    }

    /// How `Date` values are read.
    public enum DateDecodingStrategy: Sendable {
        /// An ISO 8601 string, parsed with `Date.ISO8601FormatStyle`.
        case iso8601
        /// Whatever `Date.init(from:)` does: seconds since 2001-01-01.
        case deferredToDate
        /// Seconds since 1970-01-01.
        case secondsSince1970
        /// Milliseconds since 1970-01-01.
        case millisecondsSince1970
    }

    public var keyDecodingStrategy: KeyDecodingStrategy = .convertFromSnakeCase
    public var dateDecodingStrategy: DateDecodingStrategy = .iso8601
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init() {}

    /// A `T` read from `value`.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        let options = _JSONValueDecodingOptions(
            convertKeys: keyDecodingStrategy == .convertFromSnakeCase, dateStrategy: dateDecodingStrategy,
            userInfo: userInfo)
        let decoder = _JSONValueDecoder(options: options, value: value, parent: nil, key: nil)
        return try decoder.unwrap(value, as: T.self, key: nil)
    }

    /// Foundation's `.convertFromSnakeCase` applied to one key: leading and trailing underscores
    /// stay, the words between underscores are joined, the first lowercased and the others
    /// capitalised (`capitalized`: a letter is upper case when it follows a non-letter, so
    /// `a_b1c` → `aB1C`). A key with a single word is left as it is (`fooBar` stays `fooBar`).
    public static func camelCase(_ key: String) -> String {
        var key = key
        let conversion = key.withUTF8 { bytes -> _JSONValueKeyConversion in
            var hasUnderscore = false
            for byte in bytes {
                if byte == UInt8(ascii: "_") {
                    hasUnderscore = true
                } else if (byte | 0x20) &- 0x61 >= 26 && byte &- 0x30 >= 10 {
                    return .needsFoundation  // not a letter, digit or underscore
                }
            }
            guard hasUnderscore, let converted = asciiCamelCase(bytes) else { return .unchanged }
            return .converted(converted)
        }
        switch conversion {
        case .unchanged: return key
        case .needsFoundation: return foundationCamelCase(key)
        case .converted(let result): return result
        }
    }

    /// The conversion for keys made of ASCII letters, digits and underscores; nil when the key
    /// is left unchanged (no underscore between two words).
    private static func asciiCamelCase(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let underscore = UInt8(ascii: "_")
        @inline(__always) func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 0x61 < 26 }
        var first = 0
        while first < bytes.count && bytes[first] == underscore { first += 1 }
        guard first < bytes.count else { return nil }
        var last = bytes.count - 1
        while last > first && bytes[last] == underscore { last -= 1 }
        guard bytes[first...last].contains(underscore) else { return nil }
        return String(unsafeUninitializedCapacity: bytes.count) { output in
            var written = 0
            for index in 0..<first {
                output[written] = bytes[index]
                written += 1
            }
            // The first word is lowercased; each later one capitalised: a letter is upper case
            // after a non-letter (the underscore or a digit), lower case after a letter.
            var index = first
            var firstWord = true
            var afterLetter = false
            while index <= last {
                let byte = bytes[index]
                index += 1
                if byte == underscore {
                    firstWord = false
                    afterLetter = false
                    continue
                }
                if isLetter(byte) {
                    output[written] = firstWord || afterLetter ? byte | 0x20 : byte & ~0x20
                    afterLetter = true
                } else {
                    output[written] = byte
                    afterLetter = false
                }
                written += 1
            }
            for index in (last + 1)..<bytes.count {
                output[written] = bytes[index]
                written += 1
            }
            return written
        }
    }

    /// Foundation's own formulation, with its `lowercased()` and `capitalized`, for other keys.
    private static func foundationCamelCase(_ stringKey: String) -> String {
        guard !stringKey.isEmpty else { return stringKey }
        guard let firstNonUnderscore = stringKey.firstIndex(where: { $0 != "_" }) else { return stringKey }
        var lastNonUnderscore = stringKey.index(before: stringKey.endIndex)
        while lastNonUnderscore > firstNonUnderscore && stringKey[lastNonUnderscore] == "_" {
            stringKey.formIndex(before: &lastNonUnderscore)
        }
        let keyRange = firstNonUnderscore...lastNonUnderscore
        let leading = stringKey[stringKey.startIndex..<firstNonUnderscore]
        let trailing = stringKey[stringKey.index(after: lastNonUnderscore)..<stringKey.endIndex]
        let components = stringKey[keyRange].split(separator: "_")
        let joined: String
        if components.count == 1 {
            joined = String(stringKey[keyRange])
        } else {
            joined = ([components[0].lowercased()] + components[1...].map { $0.capitalized }).joined()
        }
        return String(leading) + joined + String(trailing)
    }
}

// MARK: - Decoder internals

final class _JSONValueDecodingOptions {
    let convertKeys: Bool
    let dateStrategy: JSONValueDecoder.DateDecodingStrategy
    let userInfo: [CodingUserInfoKey: Any]

    init(convertKeys: Bool, dateStrategy: JSONValueDecoder.DateDecodingStrategy, userInfo: [CodingUserInfoKey: any Sendable]) {
        self.convertKeys = convertKeys
        self.dateStrategy = dateStrategy
        self.userInfo = userInfo
    }
}

extension JSONValue {
    /// How Foundation's decoder names the kind of value it found.
    fileprivate var foundTypeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int, .double: return "number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "a dictionary"
        }
    }
}

/// Marks `[String: V]`, whose keys Foundation exempts from key conversion.
protocol _JSONValueStringKeyedDictionaryDecodable {
    static func _decodeMembers(from value: JSONValue, decoder: _JSONValueDecoder, key: (any CodingKey)?) throws -> Self
}

extension Dictionary: _JSONValueStringKeyedDictionaryDecodable where Key == String, Value: Decodable {
    static func _decodeMembers(from value: JSONValue, decoder: _JSONValueDecoder, key: (any CodingKey)?) throws -> Self {
        guard case .object(let members) = value else {
            if case .null = value {
                throw DecodingError.valueNotFound(
                    [String: Any].self,
                    DecodingError.Context(
                        codingPath: decoder.path(appending: key),
                        debugDescription: "Cannot get value of type \([String: Any].self) -- found null value instead"))
            }
            throw DecodingError.typeMismatch(
                [String: Any].self,
                DecodingError.Context(
                    codingPath: decoder.path(appending: key),
                    debugDescription: "Expected to decode \([String: Any].self) but found \(value.foundTypeDescription) instead."))
        }
        let child = decoder.child(value, key: key)
        var result: [String: Value] = [:]
        result.reserveCapacity(members.count)
        do {
            for (name, member) in members {
                result[name] = try child.unwrap(member, as: Value.self, key: _JSONValueStringKey(stringValue: name))
            }
        } catch {
            // Foundation read the members in JSONWriter's (sorted) order: report the first of
            // those that fails, whatever order the dictionary happened to iterate in.
            for name in members.keys.sorted() {
                _ = try child.unwrap(members[name]!, as: Value.self, key: _JSONValueStringKey(stringValue: name))
            }
            throw error
        }
        return result
    }
}

final class _JSONValueDecoder: Decoder, SingleValueDecodingContainer {
    let options: _JSONValueDecodingOptions
    let value: JSONValue
    let parent: _JSONValueDecoder?
    let key: (any CodingKey)?
    private var cachedPath: _JSONValueCodingPath?

    init(options: _JSONValueDecodingOptions, value: JSONValue, parent: _JSONValueDecoder?, key: (any CodingKey)?) {
        self.options = options
        self.value = value
        self.parent = parent
        self.key = key
    }

    /// This decoder's path, built on first use.
    var path: _JSONValueCodingPath {
        if let cachedPath { return cachedPath }
        let path = (parent?.path ?? .root).appending(key)
        cachedPath = path
        return path
    }

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { options.userInfo }

    func path(appending key: (any CodingKey)?) -> [any CodingKey] { path.keys(appending: key) }

    /// A decoder for `value`, found at this decoder's path + `key`.
    func child(_ value: JSONValue, key: (any CodingKey)?) -> _JSONValueDecoder {
        guard key != nil else { return self }
        return _JSONValueDecoder(options: options, value: value, parent: self, key: key)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch value {
        case .object(let members):
            let converted = options.convertKeys ? Self.convertKeys(members) : members
            return KeyedDecodingContainer(_JSONValueKeyedDecodingContainer<Key>(decoder: self, members: converted))
        case .null:
            throw DecodingError.valueNotFound(
                [String: Any].self,
                DecodingError.Context(
                    codingPath: codingPath, debugDescription: "Cannot get keyed decoding container -- found null value instead"))
        default:
            throw DecodingError.typeMismatch(
                [String: Any].self,
                DecodingError.Context(
                    codingPath: codingPath,
                    debugDescription: "Expected to decode \([String: Any].self) but found \(value.foundTypeDescription) instead."))
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case .array(let elements):
            return _JSONValueUnkeyedDecodingContainer(decoder: self, elements: elements)
        case .null:
            throw DecodingError.valueNotFound(
                [Any].self,
                DecodingError.Context(
                    codingPath: codingPath, debugDescription: "Cannot get unkeyed decoding container -- found null value instead"))
        default:
            throw DecodingError.typeMismatch(
                [Any].self,
                DecodingError.Context(
                    codingPath: codingPath,
                    debugDescription: "Expected to decode \([Any].self) but found \(value.foundTypeDescription) instead."))
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// The object's members under their camelCase names.
    static func convertKeys(_ members: [String: JSONValue]) -> [String: JSONValue] {
        var needsConversion = false
        for name in members.keys where name.utf8.contains(UInt8(ascii: "_")) {
            needsConversion = true
            break
        }
        guard needsConversion else { return members }
        var converted: [String: JSONValue] = [:]
        converted.reserveCapacity(members.count)
        for (name, member) in members { converted[JSONValueDecoder.camelCase(name)] = member }
        if converted.count < members.count {
            // Two names met (`user_id` and `userId`). Foundation keeps the first it read, and it
            // read JSONWriter's output, where names are sorted.
            converted = [:]
            for name in members.keys.sorted() {
                let camel = JSONValueDecoder.camelCase(name)
                if converted[camel] == nil { converted[camel] = members[name] }
            }
        }
        return converted
    }

    // MARK: Single value container

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try unwrapBool(value, key: nil) }
    func decode(_ type: String.Type) throws -> String { try unwrapString(value, key: nil) }
    func decode(_ type: Double.Type) throws -> Double { try unwrapDouble(value, key: nil) }
    func decode(_ type: Float.Type) throws -> Float { try unwrapFloat(value, key: nil) }
    func decode(_ type: Int.Type) throws -> Int { try unwrapInteger(value, as: type, key: nil) }
    func decode(_ type: Int8.Type) throws -> Int8 { try unwrapInteger(value, as: type, key: nil) }
    func decode(_ type: Int16.Type) throws -> Int16 { try unwrapInteger(value, as: type, key: nil) }
    func decode(_ type: Int32.Type) throws -> Int32 { try unwrapInteger(value, as: type, key: nil) }
    func decode(_ type: Int64.Type) throws -> Int64 { try unwrapInteger(value, as: type, key: nil) }
    func decode(_ type: Int128.Type) throws -> Int128 { try unwrapInteger(value, as: type, key: nil) }
    func decode(_ type: UInt.Type) throws -> UInt { try unwrapInteger(value, as: type, key: nil) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try unwrapInteger(value, as: type, key: nil) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try unwrapInteger(value, as: type, key: nil) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try unwrapInteger(value, as: type, key: nil) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try unwrapInteger(value, as: type, key: nil) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try unwrapInteger(value, as: type, key: nil) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try unwrap(value, as: type, key: nil) }

    // MARK: Unwrapping, at this decoder's path + key

    func unwrap<T: Decodable>(_ value: JSONValue, as type: T.Type, key: (any CodingKey)?) throws -> T {
        if T.self == String.self { return try unwrapString(value, key: key) as! T }
        if T.self == Int.self { return try unwrapInteger(value, as: Int.self, key: key) as! T }
        if T.self == Int64.self { return try unwrapInteger(value, as: Int64.self, key: key) as! T }
        if T.self == Bool.self { return try unwrapBool(value, key: key) as! T }
        if T.self == Double.self { return try unwrapDouble(value, key: key) as! T }
        if T.self == JSONValue.self { return value as! T }
        if T.self == Date.self { return try unwrapDate(value, key: key) as! T }
        if T.self == Data.self { return try unwrapData(value, key: key) as! T }
        if T.self == URL.self { return try unwrapURL(value, key: key) as! T }
        if T.self == Decimal.self { return try unwrapDecimal(value, key: key) as! T }
        if options.convertKeys, let dictionary = T.self as? any _JSONValueStringKeyedDictionaryDecodable.Type {
            return try dictionary._decodeMembers(from: value, decoder: self, key: key) as! T
        }
        return try T(from: child(value, key: key))
    }

    func valueNotFound(_ type: Any.Type, key: (any CodingKey)?) -> DecodingError {
        .valueNotFound(
            type,
            DecodingError.Context(
                codingPath: path(appending: key), debugDescription: "Cannot get value of type \(type) -- found null value instead"))
    }

    func typeMismatch(_ type: Any.Type, _ value: JSONValue, key: (any CodingKey)?) -> DecodingError {
        .typeMismatch(
            type,
            DecodingError.Context(
                codingPath: path(appending: key),
                debugDescription: "Expected to decode \(type) but found \(value.foundTypeDescription) instead."))
    }

    func numberDoesNotFit(_ type: Any.Type, _ value: JSONValue, key: (any CodingKey)?) -> DecodingError {
        .dataCorrupted(
            DecodingError.Context(
                codingPath: path(appending: key),
                debugDescription: "Parsed JSON number <\(JSONWriter.string(value))> does not fit in \(type)."))
    }

    func unwrapBool(_ value: JSONValue, key: (any CodingKey)?) throws -> Bool {
        guard case .bool(let flag) = value else { throw typeMismatch(Bool.self, value, key: key) }
        return flag
    }

    func unwrapString(_ value: JSONValue, key: (any CodingKey)?) throws -> String {
        switch value {
        case .string(let text): return text
        case .null: throw valueNotFound(String.self, key: key)
        default: throw typeMismatch(String.self, value, key: key)
        }
    }

    /// 2^53: below it every integer is a double, so a whole double is exactly the integer.
    private static let exactDoubleLimit: Double = 9_007_199_254_740_992

    func unwrapInteger<T: FixedWidthInteger>(_ value: JSONValue, as type: T.Type, key: (any CodingKey)?) throws -> T {
        switch value {
        case .int(let number):
            if let exact = T(exactly: number) { return exact }
            throw numberDoesNotFit(T.self, value, key: key)
        case .double(let number) where number.isFinite:
            if let exact = T(exactly: number) {
                if number.magnitude < Self.exactDoubleLimit { return exact }
                // Past 2^53 Foundation re-reads the digits JSONWriter wrote (`1.152921504606847e+18`)
                // as a Decimal and takes its integer value.
                if let integer = Self.integer(fromDecimalText: "\(number)", as: T.self) { return integer }
            }
            throw numberDoesNotFit(T.self, value, key: key)
        case .null, .double:
            // JSONWriter writes a non-finite double as null.
            throw valueNotFound(T.self, key: key)
        default:
            throw typeMismatch(T.self, value, key: key)
        }
    }

    /// What Foundation's `T(Decimal)` gives for a number written in decimal, exponent allowed:
    /// the magnitude must fit in a `UInt64` and then in `T`; a fraction is truncated.
    static func integer<T: FixedWidthInteger>(fromDecimalText text: String, as type: T.Type) -> T? {
        let bytes = Array(text.utf8)
        var index = 0
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index += 1 }
        var magnitude: UInt64 = 0
        var exponent = 0
        var afterPoint = false
        var overflow = false
        while index < bytes.count && bytes[index] != UInt8(ascii: "e") && bytes[index] != UInt8(ascii: "E") {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: ".") {
                afterPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            overflow = overflow || o1 || o2
            magnitude = sum
            if afterPoint { exponent -= 1 }
        }
        if index < bytes.count {
            guard let written = Int(String(decoding: bytes[(index + 1)...], as: UTF8.self)) else { return nil }
            exponent += written
        }
        guard !overflow else { return nil }
        while exponent < 0 {
            magnitude /= 10
            exponent += 1
        }
        while exponent > 0 {
            let (times10, o) = magnitude.multipliedReportingOverflow(by: 10)
            guard !o else { return nil }
            magnitude = times10
            exponent -= 1
        }
        if negative {
            guard T.isSigned, let positive = T(exactly: magnitude) else { return nil }
            return positive * -1
        }
        return T(exactly: magnitude)
    }

    func unwrapDouble(_ value: JSONValue, key: (any CodingKey)?) throws -> Double {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number) where number.isFinite:
            // JSONWriter writes -0.0 as 0.
            return number == 0 ? 0 : number
        case .null, .double: throw valueNotFound(Double.self, key: key)
        default: throw typeMismatch(Double.self, value, key: key)
        }
    }

    func unwrapFloat(_ value: JSONValue, key: (any CodingKey)?) throws -> Float {
        switch value {
        case .int(let number): return Float(number)
        case .double(let number) where number.isFinite:
            // Foundation parsed JSONWriter's digits as a Float: round from those, not from the
            // double, and refuse what overflows to infinity or underflows to zero.
            let float = Float(JSONWriter.string(value)) ?? Float(number)
            guard float.isFinite, float != 0 || number == 0 else { throw numberDoesNotFit(Float.self, value, key: key) }
            return float == 0 ? 0 : float
        case .null, .double: throw valueNotFound(Float.self, key: key)
        default: throw typeMismatch(Float.self, value, key: key)
        }
    }

    func unwrapDate(_ value: JSONValue, key: (any CodingKey)?) throws -> Date {
        if case .null = value { throw valueNotFound(Date.self, key: key) }
        switch options.dateStrategy {
        case .iso8601:
            let text = try unwrapString(value, key: key)
            guard let date = try? Date.ISO8601FormatStyle().parse(text) else {
                throw DecodingError.dataCorrupted(
                    DecodingError.Context(
                        codingPath: path(appending: key), debugDescription: "Expected date string to be ISO8601-formatted."))
            }
            return date
        case .secondsSince1970:
            return Date(timeIntervalSince1970: try unwrapDouble(value, key: key))
        case .millisecondsSince1970:
            return Date(timeIntervalSince1970: try unwrapDouble(value, key: key) / 1000.0)
        case .deferredToDate:
            return try Date(from: child(value, key: key))
        }
    }

    func unwrapData(_ value: JSONValue, key: (any CodingKey)?) throws -> Data {
        if case .null = value { throw valueNotFound(Data.self, key: key) }
        guard case .string(let text) = value else { throw typeMismatch(String.self, value, key: key) }
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: path(appending: key), debugDescription: "Encountered Data is not valid Base64."))
        }
        return data
    }

    func unwrapURL(_ value: JSONValue, key: (any CodingKey)?) throws -> URL {
        if case .null = value { throw valueNotFound(URL.self, key: key) }
        let text = try unwrapString(value, key: key)
        guard let url = URL(string: text) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: path(appending: key), debugDescription: "Invalid URL string."))
        }
        return url
    }

    func unwrapDecimal(_ value: JSONValue, key: (any CodingKey)?) throws -> Decimal {
        switch value {
        case .int(let number): return Decimal(number)
        case .double(let number) where number.isFinite:
            guard let decimal = Decimal(string: JSONWriter.string(value)) else {
                throw numberDoesNotFit(Decimal.self, value, key: key)
            }
            return decimal
        case .null, .double: throw valueNotFound(Decimal.self, key: key)
        default:
            throw DecodingError.typeMismatch(
                Decimal.self, DecodingError.Context(codingPath: path(appending: key), debugDescription: ""))
        }
    }
}

// MARK: - Containers

struct _JSONValueKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: _JSONValueDecoder
    /// The object's members, under converted names when keys are converted.
    let members: [String: JSONValue]

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    @inline(__always) private func value(for key: some CodingKey) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(
                    codingPath: decoder.codingPath, debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return value
    }

    /// The member for `key`, or nil when it is absent or null (`decodeIfPresent`).
    @inline(__always) private func presentValue(for key: Key) -> JSONValue? {
        switch members[key.stringValue] {
        case nil, .null?: return nil
        case let value?: return value
        }
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try value(for: key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.unwrapBool(try value(for: key), key: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try decoder.unwrapString(try value(for: key), key: key)
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try decoder.unwrapDouble(try value(for: key), key: key)
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoder.unwrapFloat(try value(for: key), key: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try integer(key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(key) }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try integer(key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(key) }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { try integer(key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.unwrap(try value(for: key), as: type, key: key)
    }

    @inline(__always) private func integer<T: FixedWidthInteger>(_ key: Key) throws -> T {
        try decoder.unwrapInteger(try value(for: key), as: T.self, key: key)
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        try presentValue(for: key).map { try decoder.unwrapBool($0, key: key) }
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        try presentValue(for: key).map { try decoder.unwrapString($0, key: key) }
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        try presentValue(for: key).map { try decoder.unwrapDouble($0, key: key) }
    }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? {
        try presentValue(for: key).map { try decoder.unwrapFloat($0, key: key) }
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: Int128.Type, forKey key: Key) throws -> Int128? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try integerIfPresent(key) }
    func decodeIfPresent(_ type: UInt128.Type, forKey key: Key) throws -> UInt128? { try integerIfPresent(key) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try presentValue(for: key).map { try decoder.unwrap($0, as: type, key: key) }
    }

    @inline(__always) private func integerIfPresent<T: FixedWidthInteger>(_ key: Key) throws -> T? {
        try presentValue(for: key).map { try decoder.unwrapInteger($0, as: T.self, key: key) }
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.child(try value(for: key), key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(try value(for: key), key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = _JSONValueStringKey.super
        return decoder.child(members[key.stringValue] ?? .null, key: key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(members[key.stringValue] ?? .null, key: key)
    }
}

struct _JSONValueUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: _JSONValueDecoder
    let elements: [JSONValue]
    private(set) var currentIndex = 0

    init(decoder: _JSONValueDecoder, elements: [JSONValue]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private var indexKey: _JSONValueIndexKey { _JSONValueIndexKey(index: currentIndex) }

    /// The next element, which must exist.
    private func next(_ type: Any.Type, message: String = "Unkeyed container is at end.") throws -> JSONValue {
        guard currentIndex < elements.count else {
            throw DecodingError.valueNotFound(
                type, DecodingError.Context(codingPath: decoder.path(appending: indexKey), debugDescription: message))
        }
        return elements[currentIndex]
    }

    /// The next element, or nil when absent or null; moves past it either way (`decodeIfPresent`).
    private mutating func nextIfPresent<T>(_ read: (JSONValue, _JSONValueIndexKey, _JSONValueDecoder) throws -> T) throws -> T? {
        var result: T?
        if currentIndex < elements.count, elements[currentIndex] != .null {
            result = try read(elements[currentIndex], indexKey, decoder)
        }
        currentIndex += 1
        return result
    }

    private mutating func read<T>(_ type: T.Type, _ read: (JSONValue, _JSONValueIndexKey, _JSONValueDecoder) throws -> T) throws -> T {
        let result = try read(try next(type), indexKey, decoder)
        currentIndex += 1
        return result
    }

    mutating func decodeNil() throws -> Bool {
        guard case .null = try next(Never.self) else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try read(type) { try $2.unwrapBool($0, key: $1) } }
    mutating func decode(_ type: String.Type) throws -> String { try read(type) { try $2.unwrapString($0, key: $1) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try read(type) { try $2.unwrapDouble($0, key: $1) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try read(type) { try $2.unwrapFloat($0, key: $1) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try integer() }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer() }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer() }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer() }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer() }
    mutating func decode(_ type: Int128.Type) throws -> Int128 { try integer() }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer() }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer() }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer() }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer() }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer() }
    mutating func decode(_ type: UInt128.Type) throws -> UInt128 { try integer() }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try read(type) { try $2.unwrap($0, as: type, key: $1) }
    }

    private mutating func integer<T: FixedWidthInteger>() throws -> T {
        try read(T.self) { try $2.unwrapInteger($0, as: T.self, key: $1) }
    }

    mutating func decodeIfPresent(_ type: Bool.Type) throws -> Bool? {
        try nextIfPresent { try $2.unwrapBool($0, key: $1) }
    }
    mutating func decodeIfPresent(_ type: String.Type) throws -> String? {
        try nextIfPresent { try $2.unwrapString($0, key: $1) }
    }
    mutating func decodeIfPresent(_ type: Double.Type) throws -> Double? {
        try nextIfPresent { try $2.unwrapDouble($0, key: $1) }
    }
    mutating func decodeIfPresent(_ type: Float.Type) throws -> Float? {
        try nextIfPresent { try $2.unwrapFloat($0, key: $1) }
    }
    mutating func decodeIfPresent(_ type: Int.Type) throws -> Int? { try integerIfPresent() }
    mutating func decodeIfPresent(_ type: Int8.Type) throws -> Int8? { try integerIfPresent() }
    mutating func decodeIfPresent(_ type: Int16.Type) throws -> Int16? { try integerIfPresent() }
    mutating func decodeIfPresent(_ type: Int32.Type) throws -> Int32? { try integerIfPresent() }
    mutating func decodeIfPresent(_ type: Int64.Type) throws -> Int64? { try integerIfPresent() }
    mutating func decodeIfPresent(_ type: Int128.Type) throws -> Int128? { try integerIfPresent() }
    mutating func decodeIfPresent(_ type: UInt.Type) throws -> UInt? { try integerIfPresent() }
    mutating func decodeIfPresent(_ type: UInt8.Type) throws -> UInt8? { try integerIfPresent() }
    mutating func decodeIfPresent(_ type: UInt16.Type) throws -> UInt16? { try integerIfPresent() }
    mutating func decodeIfPresent(_ type: UInt32.Type) throws -> UInt32? { try integerIfPresent() }
    mutating func decodeIfPresent(_ type: UInt64.Type) throws -> UInt64? { try integerIfPresent() }
    mutating func decodeIfPresent(_ type: UInt128.Type) throws -> UInt128? { try integerIfPresent() }
    mutating func decodeIfPresent<T: Decodable>(_ type: T.Type) throws -> T? {
        try nextIfPresent { try $2.unwrap($0, as: type, key: $1) }
    }

    private mutating func integerIfPresent<T: FixedWidthInteger>() throws -> T? {
        try nextIfPresent { try $2.unwrapInteger($0, as: T.self, key: $1) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try read(KeyedDecodingContainer<NestedKey>.self) { try $2.child($0, key: $1).container(keyedBy: type) }
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try read((any UnkeyedDecodingContainer).self) { try $2.child($0, key: $1).unkeyedContainer() }
    }

    mutating func superDecoder() throws -> any Decoder {
        let value = try next((any Decoder).self, message: "Cannot get superDecoder() -- unkeyed container is at end.")
        let sub = decoder.child(value, key: indexKey)
        currentIndex += 1
        return sub
    }
}
