import Foundation

/// Encodes any `Encodable` straight to a `JSONValue`, without going through text.
///
/// With its defaults it reproduces what Foundation's `JSONEncoder` produced with the settings
/// `RPCCoding` used before (`.convertToSnakeCase`, `.iso8601`): `JSONWriter.bytes(encode(x))` is
/// byte for byte what that encoder wrote with `[.sortedKeys, .withoutEscapingSlashes]`, and
/// `encode(x)` equals `JSONParser.parse` of those bytes. In detail:
///
/// - Keys of keyed containers go through Foundation's snake_case algorithm (`snakeCase(_:)`);
///   keys of `[String: V]` dictionaries are left alone, as Foundation leaves them.
/// - `nil` optionals are omitted (synthesised `encodeIfPresent`); an explicit `encodeNil` is `null`.
/// - Integers of every width become `.int`. Above `Int64.max` (`UInt64`, `UInt128`, `Int128`)
///   they become `.double`, which is what parsing Foundation's digits gave, though the digits
///   themselves are then lost.
/// - A `Double` with no fraction and magnitude up to 2^53 becomes `.int` (Foundation writes it
///   without `.0`); other finite values stay `.double`. NaN and infinities throw
///   `EncodingError.invalidValue`, as Foundation does.
/// - `Date` is an ISO 8601 string (`Date.ISO8601FormatStyle`, whole seconds, UTC), `Data` is
///   Base64, `URL` its absolute string, `Decimal` a number.
/// - A `JSONValue` is inserted as it is, without being taken apart and rebuilt (so a `.double(3)`
///   inside one stays `.double(3)`, where parsing Foundation's output gave `.int(3)`; the bytes agree).
/// - A value that encodes nothing is `{}` when nested and an error at the top level.
///
/// Where the bytes cannot be identical (the parsed values still are): `-0.0` is written `0`
/// (Foundation: `-0`); whole `Float`s above 2^24 are written in full (Foundation: `1.6777218e+07`);
/// integers above `Int64.max` are written as doubles; U+0008 and U+000C are written `\u0008`
/// and `\u000c` (Foundation: `\b`, `\f`). A `JSONValue` holding NaN or infinity is written as
/// `JSONWriter` writes it, `null` (Foundation threw), and one holding a whole double from 10^15
/// to 2^53 too: `1000000000000000.0` (Foundation: `1000000000000000`).
public struct JSONValueEncoder: Sendable {
    /// How keys of keyed containers are spelled on the wire.
    public enum KeyEncodingStrategy: Sendable {
        /// As the type's coding keys spell them.
        case useDefaultKeys
        /// `sessionId` → `session_id`, exactly like Foundation's `.convertToSnakeCase`.
        case convertToSnakeCase
    }

    /// How `Date` values are represented.
    public enum DateEncodingStrategy: Sendable {
        /// An ISO 8601 string in UTC with whole seconds (`2024-05-01T12:00:00Z`).
        case iso8601
        /// Whatever `Date.encode(to:)` does: seconds since 2001-01-01 as a number.
        case deferredToDate
        /// Seconds since 1970-01-01 as a number.
        case secondsSince1970
        /// Milliseconds since 1970-01-01 as a number.
        case millisecondsSince1970
    }

    /// What a `nil` optional property becomes.
    public enum NilOptionals: Sendable {
        /// Left out, as Foundation does (synthesised `encodeIfPresent`).
        case omit
        /// `null`, so every declared field is always present (the daemon's results use this:
        /// `"config_path": null` says "none", where a missing key says nothing).
        case null
    }

    public var keyEncodingStrategy: KeyEncodingStrategy = .convertToSnakeCase
    public var nilOptionals: NilOptionals = .omit
    public var dateEncodingStrategy: DateEncodingStrategy = .iso8601
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init() {}

    /// The JSON value of `value`.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let options = _JSONValueEncodingOptions(
            convertKeys: keyEncodingStrategy == .convertToSnakeCase, dateStrategy: dateEncodingStrategy,
            userInfo: userInfo, nilAsNull: nilOptionals == .null)
        let encoder = _JSONValueEncoder(options: options, parentPath: .root, key: nil)
        if let value = try encoder.boxSpecial(value, parentPath: .root, key: nil) { return value }
        try value.encode(to: encoder)
        guard let result = encoder.takeValue() else {
            throw EncodingError.invalidValue(
                value,
                EncodingError.Context(codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        return result
    }

    /// Foundation's `.convertToSnakeCase` applied to one key: words split where a lowercase
    /// letter is followed by an uppercase one and before the last capital of a run of capitals,
    /// then lowercased and joined with `_`. Digits are neither upper nor lower case, so they
    /// never split a word: `userID` → `user_id`, `p50Ms` → `p50_ms`, `isHTTP2Enabled` →
    /// `is_http2_enabled`, but `userIDs` → `user_i_ds` and `URLPath` → `u_rl_path`.
    public static func snakeCase(_ key: String) -> String {
        var key = key
        let conversion = key.withUTF8 { bytes -> _JSONValueKeyConversion in
            var hasUppercase = false
            for byte in bytes {
                if byte >= 0x80 { return .needsFoundation }
                if byte &- 0x41 < 26 { hasUppercase = true }
            }
            guard hasUppercase else { return .unchanged }
            return .converted(asciiSnakeCase(bytes))
        }
        switch conversion {
        case .unchanged: return key
        case .needsFoundation: return foundationSnakeCase(key)
        case .converted(let result): return result
        }
    }

    /// The algorithm on ASCII bytes, where upper and lower case are `A-Z` and `a-z`.
    private static func asciiSnakeCase(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        @inline(__always) func isUpper(_ byte: UInt8) -> Bool { byte &- 0x41 < 26 }
        @inline(__always) func isLower(_ byte: UInt8) -> Bool { byte &- 0x61 < 26 }
        let end = bytes.count
        // Every word but the first adds one underscore, and words never overlap.
        return String(unsafeUninitializedCapacity: end * 2) { output in
            var written = 0
            var wordCount = 0
            func appendWord(_ start: Int, _ stop: Int) {
                if wordCount > 0 {
                    output[written] = UInt8(ascii: "_")
                    written += 1
                }
                wordCount += 1
                var index = start
                while index < stop {
                    let byte = bytes[index]
                    output[written] = isUpper(byte) ? byte | 0x20 : byte
                    written += 1
                    index += 1
                }
            }
            var wordStart = 0
            var search = 1
            while true {
                while search < end && !isUpper(bytes[search]) { search += 1 }
                guard search < end else { break }
                let upper = search
                appendWord(wordStart, upper)
                var lower = upper
                while lower < end && !isLower(bytes[lower]) { lower += 1 }
                guard lower < end else {
                    wordStart = upper
                    break
                }
                if lower == upper + 1 {
                    wordStart = upper
                } else {
                    appendWord(upper, lower - 1)
                    wordStart = lower - 1
                }
                search = lower + 1
            }
            appendWord(wordStart, end)
            return written
        }
    }

    /// Foundation's own formulation, with its character sets, for keys outside ASCII.
    private static func foundationSnakeCase(_ stringKey: String) -> String {
        guard !stringKey.isEmpty else { return stringKey }
        var words: [Range<String.Index>] = []
        var wordStart = stringKey.startIndex
        var searchRange = stringKey.index(after: wordStart)..<stringKey.endIndex
        while let upperCaseRange = stringKey.rangeOfCharacter(from: .uppercaseLetters, options: [], range: searchRange) {
            words.append(wordStart..<upperCaseRange.lowerBound)
            searchRange = upperCaseRange.lowerBound..<searchRange.upperBound
            guard let lowerCaseRange = stringKey.rangeOfCharacter(from: .lowercaseLetters, options: [], range: searchRange)
            else {
                wordStart = searchRange.lowerBound
                break
            }
            let nextCharacterAfterCapital = stringKey.index(after: upperCaseRange.lowerBound)
            if lowerCaseRange.lowerBound == nextCharacterAfterCapital {
                wordStart = upperCaseRange.lowerBound
            } else {
                let beforeLowerIndex = stringKey.index(before: lowerCaseRange.lowerBound)
                words.append(upperCaseRange.lowerBound..<beforeLowerIndex)
                wordStart = beforeLowerIndex
            }
            searchRange = lowerCaseRange.upperBound..<searchRange.upperBound
        }
        words.append(wordStart..<searchRange.upperBound)
        return words.map { stringKey[$0].lowercased() }.joined(separator: "_")
    }
}

// MARK: - Shared by the encoder and the decoder

/// The outcome of the ASCII fast path of a key conversion.
enum _JSONValueKeyConversion {
    case unchanged
    case converted(String)
    /// The key has characters the fast path does not handle: use Foundation's own algorithm.
    case needsFoundation
}

/// A coding path as a linked list, so that descending into a value costs no array copy; the
/// array is built only when someone asks (an error, or a type that reads `codingPath`).
indirect enum _JSONValueCodingPath {
    case root
    case node(_JSONValueCodingPath, any CodingKey)

    func appending(_ key: (any CodingKey)?) -> _JSONValueCodingPath {
        guard let key else { return self }
        return .node(self, key)
    }

    var keys: [any CodingKey] {
        var reversed: [any CodingKey] = []
        var node = self
        while case .node(let parent, let key) = node {
            reversed.append(key)
            node = parent
        }
        return reversed.reversed()
    }

    func keys(appending key: (any CodingKey)?) -> [any CodingKey] {
        guard let key else { return keys }
        return keys + [key]
    }
}

/// A key the coders make up: `super`, or a key of a `[String: V]` dictionary.
struct _JSONValueStringKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    static let `super` = _JSONValueStringKey(stringValue: "super")
}

/// The position in an array, spelled `Index 3` like Foundation's (the text is made only when
/// asked for, so arrays cost no string per element).
struct _JSONValueIndexKey: CodingKey {
    let index: Int
    var stringValue: String { "Index \(index)" }
    var intValue: Int? { index }

    init(index: Int) { self.index = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.index = intValue }
}

// MARK: - Encoder internals

final class _JSONValueEncodingOptions {
    let convertKeys: Bool
    let dateStrategy: JSONValueEncoder.DateEncodingStrategy
    let userInfo: [CodingUserInfoKey: Any]
    let nilAsNull: Bool

    init(
        convertKeys: Bool, dateStrategy: JSONValueEncoder.DateEncodingStrategy, userInfo: [CodingUserInfoKey: any Sendable],
        nilAsNull: Bool = false
    ) {
        self.convertKeys = convertKeys
        self.dateStrategy = dateStrategy
        self.userInfo = userInfo
        self.nilAsNull = nilAsNull
    }

    @inline(__always) func wireKey(_ key: some CodingKey) -> String {
        convertKeys ? JSONValueEncoder.snakeCase(key.stringValue) : key.stringValue
    }
}

/// An object under construction. Nested containers and super-encoders may still be written to
/// after they are handed out, so they are kept by reference and resolved at the end.
final class _JSONValueObjectBox {
    var members: [String: JSONValue]
    var deferred: [String: _JSONValueDeferred]?

    init() {
        // Growing a dictionary one member at a time rehashes it four times on the way to a
        // dozen members; reserving room once makes encoding a typical result twice as fast.
        members = [:]
        members.reserveCapacity(16)
    }

    @inline(__always) func set(_ value: JSONValue, for key: String) {
        members[key] = value
        if deferred != nil { deferred![key] = nil }
    }

    func defer_(_ node: _JSONValueDeferred, for key: String) {
        if deferred == nil { deferred = [:] }
        deferred![key] = node
    }

    var value: JSONValue {
        guard let deferred else { return .object(members) }
        var result = members
        for (key, node) in deferred { result[key] = node.value }
        return .object(result)
    }
}

/// An array under construction; see `_JSONValueObjectBox`.
final class _JSONValueArrayBox {
    var elements: [JSONValue] = []
    var deferred: [(Int, _JSONValueDeferred)]?

    func defer_(_ node: _JSONValueDeferred) {
        if deferred == nil { deferred = [] }
        deferred!.append((elements.count, node))
        elements.append(.null)
    }

    var value: JSONValue {
        guard let deferred else { return .array(elements) }
        var result = elements
        for (index, node) in deferred { result[index] = node.value }
        return .array(result)
    }
}

enum _JSONValueDeferred {
    case object(_JSONValueObjectBox)
    case array(_JSONValueArrayBox)
    case encoder(_JSONValueEncoder)

    var value: JSONValue {
        switch self {
        case .object(let box): return box.value
        case .array(let box): return box.value
        case .encoder(let encoder): return encoder.takeValue() ?? .object([:])
        }
    }
}

/// Marks `[String: V]`, whose keys Foundation exempts from key conversion.
protocol _JSONValueStringKeyedDictionary {
    func _encodeMembers(with encoder: _JSONValueEncoder, path: _JSONValueCodingPath) throws -> JSONValue
}

extension Dictionary: _JSONValueStringKeyedDictionary where Key == String, Value: Encodable {
    func _encodeMembers(with encoder: _JSONValueEncoder, path: _JSONValueCodingPath) throws -> JSONValue {
        var members: [String: JSONValue] = [:]
        members.reserveCapacity(count)
        for (key, value) in self {
            members[key] = try encoder.box(value, parentPath: path, key: _JSONValueStringKey(stringValue: key))
        }
        return .object(members)
    }
}

final class _JSONValueEncoder: Encoder, SingleValueEncodingContainer {
    let options: _JSONValueEncodingOptions
    let parentPath: _JSONValueCodingPath
    let key: (any CodingKey)?
    private var storage: Storage = .empty
    private var cachedPath: _JSONValueCodingPath?

    enum Storage {
        case empty
        case value(JSONValue)
        case object(_JSONValueObjectBox)
        case array(_JSONValueArrayBox)
    }

    init(options: _JSONValueEncodingOptions, parentPath: _JSONValueCodingPath, key: (any CodingKey)?) {
        self.options = options
        self.parentPath = parentPath
        self.key = key
    }

    /// This encoder's own path, built on first use.
    var path: _JSONValueCodingPath {
        if let cachedPath { return cachedPath }
        let path = parentPath.appending(key)
        cachedPath = path
        return path
    }

    var codingPath: [any CodingKey] { path.keys }
    var userInfo: [CodingUserInfoKey: Any] { options.userInfo }

    /// What was encoded, or nil when nothing was.
    func takeValue() -> JSONValue? {
        switch storage {
        case .empty: return nil
        case .value(let value): return value
        case .object(let box): return box.value
        case .array(let box): return box.value
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: _JSONValueObjectBox
        switch storage {
        case .object(let existing): box = existing
        case .empty:
            box = _JSONValueObjectBox()
            storage = .object(box)
        default:
            preconditionFailure("Attempt to push new keyed encoding container when already previously encoded at this path.")
        }
        return KeyedEncodingContainer(_JSONValueKeyedEncodingContainer<Key>(encoder: self, box: box, nestedPath: nil))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: _JSONValueArrayBox
        switch storage {
        case .array(let existing): box = existing
        case .empty:
            box = _JSONValueArrayBox()
            storage = .array(box)
        default:
            preconditionFailure("Attempt to push new unkeyed encoding container when already previously encoded at this path.")
        }
        return _JSONValueUnkeyedEncodingContainer(encoder: self, box: box, nestedPath: nil)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: Single value container

    @inline(__always) private func store(_ value: JSONValue) {
        guard case .empty = storage else {
            preconditionFailure("Attempt to encode value through single value container when previously value already encoded.")
        }
        storage = .value(value)
    }

    func encodeNil() throws { store(.null) }
    func encode(_ value: Bool) throws { store(.bool(value)) }
    func encode(_ value: String) throws { store(.string(value)) }
    func encode(_ value: Double) throws { store(try Self.number(value, path: parentPath, key: key)) }
    func encode(_ value: Float) throws { store(try Self.number(value, path: parentPath, key: key)) }
    func encode(_ value: Int) throws { store(.int(Int64(value))) }
    func encode(_ value: Int8) throws { store(.int(Int64(value))) }
    func encode(_ value: Int16) throws { store(.int(Int64(value))) }
    func encode(_ value: Int32) throws { store(.int(Int64(value))) }
    func encode(_ value: Int64) throws { store(.int(value)) }
    func encode(_ value: Int128) throws { store(Self.number(value)) }
    func encode(_ value: UInt) throws { store(Self.number(value)) }
    func encode(_ value: UInt8) throws { store(.int(Int64(value))) }
    func encode(_ value: UInt16) throws { store(.int(Int64(value))) }
    func encode(_ value: UInt32) throws { store(.int(Int64(value))) }
    func encode(_ value: UInt64) throws { store(Self.number(value)) }
    func encode(_ value: UInt128) throws { store(Self.number(value)) }

    func encode<T: Encodable>(_ value: T) throws {
        guard case .empty = storage else {
            preconditionFailure("Attempt to encode value through single value container when previously value already encoded.")
        }
        if let special = try boxSpecial(value, parentPath: parentPath, key: key) {
            storage = .value(special)
        } else {
            // The value encodes itself into this same encoder, as Foundation does.
            try value.encode(to: self)
        }
    }

    // MARK: Boxing

    /// The JSON of `value` at `parentPath` + `key`.
    @inline(__always)
    func box<T: Encodable>(_ value: T, parentPath: _JSONValueCodingPath, key: some CodingKey) throws -> JSONValue {
        if let special = try boxSpecial(value, parentPath: parentPath, key: key) { return special }
        let encoder = _JSONValueEncoder(options: options, parentPath: parentPath, key: key)
        try value.encode(to: encoder)
        return encoder.takeValue() ?? .object([:])
    }

    /// Values with a representation of their own (and common leaves, without a sub-encoder), at
    /// `parentPath` + `key`; nil for everything else.
    func boxSpecial<T: Encodable>(
        _ value: T, parentPath: _JSONValueCodingPath, key: (any CodingKey)?
    ) throws -> JSONValue? {
        if T.self == String.self { return .string(value as! String) }
        if T.self == Int.self { return .int(Int64(value as! Int)) }
        if T.self == Int64.self { return .int(value as! Int64) }
        if T.self == Bool.self { return .bool(value as! Bool) }
        if T.self == Double.self { return try Self.number(value as! Double, path: parentPath, key: key) }
        if T.self == JSONValue.self { return (value as! JSONValue) }
        if T.self == Date.self { return try boxDate(value as! Date, parentPath: parentPath, key: key) }
        if T.self == Data.self { return .string((value as! Data).base64EncodedString()) }
        if T.self == URL.self { return .string((value as! URL).absoluteString) }
        if T.self == Decimal.self { return Self.number(text: (value as! Decimal).description) }
        if options.convertKeys, let dictionary = value as? any _JSONValueStringKeyedDictionary {
            return try dictionary._encodeMembers(with: self, path: parentPath.appending(key))
        }
        return nil
    }

    private func boxDate(_ date: Date, parentPath: _JSONValueCodingPath, key: (any CodingKey)?) throws -> JSONValue {
        switch options.dateStrategy {
        case .iso8601:
            return .string(date.formatted(.iso8601))
        case .secondsSince1970:
            return try Self.number(date.timeIntervalSince1970, path: parentPath, key: key)
        case .millisecondsSince1970:
            return try Self.number(1000.0 * date.timeIntervalSince1970, path: parentPath, key: key)
        case .deferredToDate:
            let encoder = _JSONValueEncoder(options: options, parentPath: parentPath, key: key)
            try date.encode(to: encoder)
            return encoder.takeValue() ?? .object([:])
        }
    }

    // MARK: Numbers

    /// 2^53: up to here Swift (and so Foundation) prints a whole double without an exponent.
    static let wholeDoubleLimit: Double = 9_007_199_254_740_992

    static func number(_ value: Double, path: _JSONValueCodingPath, key: (any CodingKey)?) throws -> JSONValue {
        guard value.isFinite else { throw invalidFloat(value, path: path, key: key) }
        if value.rounded(.towardZero) == value && value.magnitude <= wholeDoubleLimit {
            return .int(Int64(value))
        }
        return .double(value)
    }

    static func number(_ value: Float, path: _JSONValueCodingPath, key: (any CodingKey)?) throws -> JSONValue {
        guard value.isFinite else { throw invalidFloat(value, path: path, key: key) }
        if value.rounded(.towardZero) == value && value.magnitude <= 16_777_216 {
            return .int(Int64(value))
        }
        // Foundation writes the float's own shortest digits (`0.1`, not `0.10000000149011612`).
        return .double(Double(value.description) ?? Double(value))
    }

    static func number<T: BinaryInteger>(_ value: T) -> JSONValue {
        if let exact = Int64(exactly: value) { return .int(exact) }
        return .double(Double(value))
    }

    /// A number Foundation writes from its description (`Decimal`).
    static func number(text: String) -> JSONValue {
        if let exact = Int64(text) { return .int(exact) }
        return .double(Double(text) ?? .nan)
    }

    static func invalidFloat<T: FloatingPoint>(_ value: T, path: _JSONValueCodingPath, key: (any CodingKey)?) -> EncodingError {
        let description: String
        if value == T.infinity {
            description = "\(T.self).inf"
        } else if value == -T.infinity {
            description = "-\(T.self).inf"
        } else {
            description = "\(T.self).nan"
        }
        return .invalidValue(
            value,
            EncodingError.Context(
                codingPath: path.keys(appending: key), debugDescription: "Unable to encode \(description) directly in JSON."))
    }
}

// MARK: - Containers

struct _JSONValueKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: _JSONValueEncoder
    let box: _JSONValueObjectBox
    /// Set for nested containers, whose path is not their encoder's.
    let nestedPath: _JSONValueCodingPath?

    var path: _JSONValueCodingPath { nestedPath ?? encoder.path }
    var codingPath: [any CodingKey] { path.keys }

    @inline(__always) private func set(_ value: JSONValue, _ key: Key) {
        box.set(value, for: encoder.options.wireKey(key))
    }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        set(try _JSONValueEncoder.number(value, path: path, key: key), key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        set(try _JSONValueEncoder.number(value, path: path, key: key), key)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(.int(value), key) }
    mutating func encode(_ value: Int128, forKey key: Key) throws { set(_JSONValueEncoder.number(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(_JSONValueEncoder.number(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(_JSONValueEncoder.number(value), key) }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { set(_JSONValueEncoder.number(value), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        set(try encoder.box(value, parentPath: path, key: key), key)
    }

    // Synthesised Codable calls encodeIfPresent for optionals; with `nilOptionals = .null` a nil
    // becomes an explicit null instead of a missing key.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else if encoder.options.nilAsNull { set(.null, key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = _JSONValueObjectBox()
        box.defer_(.object(nested), for: encoder.options.wireKey(key))
        return KeyedEncodingContainer(
            _JSONValueKeyedEncodingContainer<NestedKey>(encoder: encoder, box: nested, nestedPath: path.appending(key)))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = _JSONValueArrayBox()
        box.defer_(.array(nested), for: encoder.options.wireKey(key))
        return _JSONValueUnkeyedEncodingContainer(encoder: encoder, box: nested, nestedPath: path.appending(key))
    }

    mutating func superEncoder() -> any Encoder {
        let sub = _JSONValueEncoder(options: encoder.options, parentPath: path, key: _JSONValueStringKey.super)
        box.defer_(.encoder(sub), for: _JSONValueStringKey.super.stringValue)
        return sub
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let sub = _JSONValueEncoder(options: encoder.options, parentPath: path, key: key)
        box.defer_(.encoder(sub), for: encoder.options.wireKey(key))
        return sub
    }
}

struct _JSONValueUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let encoder: _JSONValueEncoder
    let box: _JSONValueArrayBox
    let nestedPath: _JSONValueCodingPath?

    var path: _JSONValueCodingPath { nestedPath ?? encoder.path }
    var codingPath: [any CodingKey] { path.keys }
    var count: Int { box.elements.count }

    private var nextKey: _JSONValueIndexKey { _JSONValueIndexKey(index: box.elements.count) }

    mutating func encodeNil() throws { box.elements.append(.null) }
    mutating func encode(_ value: Bool) throws { box.elements.append(.bool(value)) }
    mutating func encode(_ value: String) throws { box.elements.append(.string(value)) }
    mutating func encode(_ value: Double) throws {
        box.elements.append(try _JSONValueEncoder.number(value, path: path, key: nextKey))
    }
    mutating func encode(_ value: Float) throws {
        box.elements.append(try _JSONValueEncoder.number(value, path: path, key: nextKey))
    }
    mutating func encode(_ value: Int) throws { box.elements.append(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { box.elements.append(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { box.elements.append(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { box.elements.append(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { box.elements.append(.int(value)) }
    mutating func encode(_ value: Int128) throws { box.elements.append(_JSONValueEncoder.number(value)) }
    mutating func encode(_ value: UInt) throws { box.elements.append(_JSONValueEncoder.number(value)) }
    mutating func encode(_ value: UInt8) throws { box.elements.append(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { box.elements.append(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { box.elements.append(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { box.elements.append(_JSONValueEncoder.number(value)) }
    mutating func encode(_ value: UInt128) throws { box.elements.append(_JSONValueEncoder.number(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        box.elements.append(try encoder.box(value, parentPath: path, key: nextKey))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = _JSONValueObjectBox()
        let nestedPath = path.appending(nextKey)
        box.defer_(.object(nested))
        return KeyedEncodingContainer(
            _JSONValueKeyedEncodingContainer<NestedKey>(encoder: encoder, box: nested, nestedPath: nestedPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = _JSONValueArrayBox()
        let nestedPath = path.appending(nextKey)
        box.defer_(.array(nested))
        return _JSONValueUnkeyedEncodingContainer(encoder: encoder, box: nested, nestedPath: nestedPath)
    }

    mutating func superEncoder() -> any Encoder {
        let sub = _JSONValueEncoder(options: encoder.options, parentPath: path, key: nextKey)
        box.defer_(.encoder(sub))
        return sub
    }
}
