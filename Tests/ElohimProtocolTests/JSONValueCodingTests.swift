import ElohimProtocol
import Foundation
import Testing

// The reference for everything here is Foundation with the settings RPCCoding used before
// JSONValueEncoder/JSONValueDecoder: JSONEncoder with .convertToSnakeCase, .iso8601, .sortedKeys
// and .withoutEscapingSlashes (`RPCCoding.makeEncoder()`), and JSONDecoder with
// .convertFromSnakeCase and .iso8601 reading JSONWriter's serialisation (`RPCCoding.makeDecoder()`).
//
// Bytes are compared wherever they can be equal. Where they cannot, only the parsed values are
// compared, and the test says why: U+0008/U+000C (Foundation writes `\b`/`\f`, JSONWriter
// `\u0008`/`\u000c`), -0.0 (Foundation `-0`, JSONWriter `0`), whole Floats above 2^24
// (Foundation `3.3554432e+07`) and integers above Int64.max (Foundation's digits; a JSONValue
// holds them as a double).

// MARK: - Helpers

private enum Foundation_ {
    static func bytes(_ value: some Encodable) throws -> [UInt8] {
        Array(try RPCCoding.makeEncoder().encode(value))
    }

    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try RPCCoding.makeDecoder().decode(type, from: Data(JSONWriter.bytes(value)))
    }
}

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Same bytes as Foundation, and the same value as parsing Foundation's bytes.
private func expectSameJSON(_ value: some Encodable, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let ours = try JSONValueEncoder().encode(value)
    let reference = try Foundation_.bytes(value)
    #expect(text(JSONWriter.bytes(ours)) == text(reference), sourceLocation: sourceLocation)
    #expect(ours == (try JSONParser.parse(reference)), sourceLocation: sourceLocation)
    // RPCCoding differs from Foundation only in writing nil optionals as null.
    #expect(try withNullsRemoved(RPCCoding.json(value)) == withNullsRemoved(ours), sourceLocation: sourceLocation)
}

/// `value` with every null object member removed (what Foundation does with nil optionals).
private func withNullsRemoved(_ value: JSONValue) -> JSONValue {
    switch value {
    case .object(let members): return .object(members.filter { $0.value != .null }.mapValues(withNullsRemoved))
    case .array(let elements): return .array(elements.map(withNullsRemoved))
    default: return value
    }
}

/// The same value as parsing Foundation's bytes, for the cases where the bytes cannot match.
private func expectSameParsedJSON(_ value: some Encodable, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let ours = try JSONValueEncoder().encode(value)
    #expect(ours == (try JSONParser.parse(try Foundation_.bytes(value))), sourceLocation: sourceLocation)
}

/// Encodes, then decodes with both decoders, and checks both give back what was encoded.
private func expectRoundTrip<T: Codable & Equatable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let json = try JSONValueEncoder().encode(value)
    #expect(try JSONValueDecoder().decode(T.self, from: json) == value, sourceLocation: sourceLocation)
    #expect(try Foundation_.decode(T.self, from: json) == value, sourceLocation: sourceLocation)
    #expect(try RPCCoding.decode(T.self, from: json) == value, sourceLocation: sourceLocation)
}

/// For types that are not Equatable: decoding and encoding again gives the same JSON.
private func expectRoundTripThroughJSON<T: Codable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let json = try JSONValueEncoder().encode(value)
    let ours = try JSONValueDecoder().decode(T.self, from: json)
    let theirs = try Foundation_.decode(T.self, from: json)
    #expect(try JSONValueEncoder().encode(ours) == json, sourceLocation: sourceLocation)
    #expect(try JSONValueEncoder().encode(theirs) == json, sourceLocation: sourceLocation)
}

/// A `DecodingError` reduced to what can be compared: case, type (or key), coding path, message.
private struct ErrorShape: Equatable, CustomStringConvertible {
    var kind: String
    var subject: String
    var path: [String]
    var message: String

    init?(_ error: any Error) {
        guard let error = error as? DecodingError else { return nil }
        let context: DecodingError.Context
        switch error {
        case .keyNotFound(let key, let keyContext):
            (kind, subject, context) = ("keyNotFound", key.stringValue, keyContext)
        case .typeMismatch(let type, let typeContext):
            (kind, subject, context) = ("typeMismatch", "\(type)", typeContext)
        case .valueNotFound(let type, let valueContext):
            (kind, subject, context) = ("valueNotFound", "\(type)", valueContext)
        case .dataCorrupted(let dataContext):
            (kind, subject, context) = ("dataCorrupted", "", dataContext)
        @unknown default:
            return nil
        }
        path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        message = context.debugDescription
    }

    var description: String { "\(kind)(\(subject)) at \(path): \(message)" }
}

private func ourError<T: Decodable>(_ type: T.Type, _ json: JSONValue) -> ErrorShape? {
    do {
        _ = try JSONValueDecoder().decode(type, from: json)
        return nil
    } catch {
        return ErrorShape(error)
    }
}

private func foundationError<T: Decodable>(_ type: T.Type, _ json: JSONValue) -> ErrorShape? {
    do {
        _ = try Foundation_.decode(type, from: json)
        return nil
    } catch {
        return ErrorShape(error)
    }
}

/// Both decoders fail, with the same case, type, path and message.
private func expectSameDecodingError<T: Decodable>(
    _ type: T.Type, _ json: JSONValue, sourceLocation: SourceLocation = #_sourceLocation
) {
    let ours = ourError(type, json)
    #expect(ours != nil, "decoded \(JSONWriter.string(json))", sourceLocation: sourceLocation)
    #expect(ours == foundationError(type, json), sourceLocation: sourceLocation)
}

// MARK: - Fixtures

private struct Integers: Codable, Equatable {
    var int: Int
    var int8: Int8
    var int16: Int16
    var int32: Int32
    var int64: Int64
    var uint: UInt
    var uint8: UInt8
    var uint16: UInt16
    var uint32: UInt32
    var uint64: UInt64

    static let maxima = Integers(
        int: .max, int8: .max, int16: .max, int32: .max, int64: .max, uint: UInt(Int64.max), uint8: .max, uint16: .max,
        uint32: .max, uint64: UInt64(Int64.max))
    static let minima = Integers(
        int: .min, int8: .min, int16: .min, int32: .min, int64: .min, uint: 0, uint8: 0, uint16: 0, uint32: 0, uint64: 0)
}

private struct WideIntegers: Codable, Equatable {
    var signed: Int128
    var unsigned: UInt128
}

private struct Numbers: Codable, Equatable {
    var double: Double
    var float: Float
    var optionalDouble: Double?
}

private struct Inner: Codable, Equatable {
    var innerValue: Int
    var tags: [String]
}

private enum Color: String, Codable, CodingKeyRepresentable {
    case deepRed
    case lightBlue = "light-blue"
}

private enum Level: Int, Codable {
    case low = 1
    case high = 10
}

private struct Optionals: Codable, Equatable {
    var present: String?
    var absent: String?
    var absentNumber: Int?
    var absentInner: Inner?
    var presentInner: Inner?
    var sparse: [String?]
}

/// Every kind of member at once.
private struct Kitchen: Codable, Equatable {
    var sessionId: String
    var inner: Inner
    var items: [Inner]
    var matrix: [[Int]]
    var grid: [[Inner]]
    var byName: [String: Inner]
    var nestedMap: [String: [String: Int]]
    var byNumber: [Int: String]
    var byColor: [Color: Int]
    var color: Color
    var level: Level
    var createdAt: Date
    var blob: Data
    var link: URL
    var price: Decimal
    var extra: JSONValue
    var maybeExtra: JSONValue?
    var flags: Set<String>

    static let sample = Kitchen(
        sessionId: "s-1",
        inner: Inner(innerValue: 1, tags: ["a", "b"]),
        items: [Inner(innerValue: 2, tags: []), Inner(innerValue: 3, tags: ["c"])],
        matrix: [[1, 2], [], [3]],
        grid: [[Inner(innerValue: 4, tags: ["d"])], []],
        byName: ["firstOne": Inner(innerValue: 5, tags: []), "second_one": Inner(innerValue: 6, tags: ["e"])],
        nestedMap: ["outerKey": ["innerKey": 1, "other_key": 2]],
        byNumber: [1: "one", 20: "twenty"],
        byColor: [.deepRed: 1, .lightBlue: 2],
        color: .lightBlue,
        level: .high,
        createdAt: Date(timeIntervalSince1970: 1_700_000_000),
        blob: Data([0, 1, 2, 0xFE, 0xFF]),
        link: URL(string: "https://example.com/a/b?c=d&e=f")!,
        price: Decimal(string: "12.50")!,
        extra: ["camelKey": [1, 2.5, "x", nil, true], "snake_key": ["deepKey": [:]], "n": -7],
        maybeExtra: nil,
        flags: ["only"])
}

/// Coding keys with acronyms, digits and underscores, spelled as Swift code spells them.
private struct Spellings: Codable, Equatable {
    var userID: Int
    var userIDs: [Int]
    var p50Ms: Double
    var p99LatencyMs: Int
    var isHTTP2Enabled: Bool
    var sha256Hash: String
    var ipv4Address: String
    var URLPath: String
    var dataURLs: [String]
    var x2Y: Int
    var already_snake: Int
    var _private: Int
    var trailing_: Int
}

/// Only keys that survive Foundation's snake_case round trip.
private struct RoundTrippingSpellings: Codable, Equatable {
    var userId: Int
    var p50Ms: Double
    var p99LatencyMs: Int
    var sha256Hash: String
    var ipv4Address: String
    var x2Y: Int
}

/// Encodes members under whatever names it is given: for testing key conversion one key at a time.
private struct DynamicKeys: Codable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    var names: [String]

    init(_ names: [String]) { self.names = names }

    init(from decoder: any Decoder) throws {
        names = try decoder.container(keyedBy: Key.self).allKeys.map(\.stringValue).sorted()
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (offset, name) in names.enumerated() { try container.encode(offset, forKey: Key(stringValue: name)) }
    }
}

/// Uses every kind of container by hand: nested keyed and unkeyed, super-encoders, written after
/// they are handed out, and a second request for the same keyed container.
private struct HandWritten: Codable, Equatable {
    var a: Int
    var b: String
    var deep: Int
    var list: [Int]
    var superValue: Int
    var flagOn: Bool

    enum Keys: String, CodingKey {
        case nilKey, nestedObj, nestedArr, laterKey, deepKey, superKey, flagOn, emptySuper, emptyNested, secondContainer
    }

    init(a: Int, b: String, deep: Int, list: [Int], superValue: Int, flagOn: Bool) {
        (self.a, self.b, self.deep, self.list, self.superValue, self.flagOn) = (a, b, deep, list, superValue, flagOn)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeNil(forKey: .nilKey)
        var object = container.nestedContainer(keyedBy: Keys.self, forKey: .nestedObj)
        var array = container.nestedUnkeyedContainer(forKey: .nestedArr)
        try object.encode(a, forKey: .laterKey)
        try array.encode(b)
        var innerArray = array.nestedUnkeyedContainer()
        var innerObject = array.nestedContainer(keyedBy: Keys.self)
        try array.encode("after")
        for value in list { try innerArray.encode(value) }
        try innerObject.encode(deep, forKey: .deepKey)
        var superContainer = container.superEncoder().singleValueContainer()
        try superContainer.encode(superValue)
        var keyedSuper = container.superEncoder(forKey: .superKey).container(keyedBy: Keys.self)
        try keyedSuper.encode(flagOn, forKey: .flagOn)
        var arraySuper = array.superEncoder().unkeyedContainer()
        try arraySuper.encode(9)
        _ = container.superEncoder(forKey: .emptySuper)
        _ = container.nestedContainer(keyedBy: Keys.self, forKey: .emptyNested)
        var again = encoder.container(keyedBy: Keys.self)
        try again.encode(5, forKey: .secondContainer)
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        guard try container.decodeNil(forKey: .nilKey) else { throw DecodingError.dataCorruptedError(forKey: .nilKey, in: container, debugDescription: "not nil") }
        a = try container.nestedContainer(keyedBy: Keys.self, forKey: .nestedObj).decode(Int.self, forKey: .laterKey)
        var array = try container.nestedUnkeyedContainer(forKey: .nestedArr)
        b = try array.decode(String.self)
        var innerArray = try array.nestedUnkeyedContainer()
        var list: [Int] = []
        while !innerArray.isAtEnd { list.append(try innerArray.decode(Int.self)) }
        self.list = list
        deep = try array.nestedContainer(keyedBy: Keys.self).decode(Int.self, forKey: .deepKey)
        _ = try array.decode(String.self)
        var arraySuper = try array.superDecoder().unkeyedContainer()
        _ = try arraySuper.decode(Int.self)
        #expect(array.isAtEnd)
        #expect(try array.decodeIfPresent(Int.self) == nil)
        superValue = try container.superDecoder().singleValueContainer().decode(Int.self)
        flagOn = try container.superDecoder(forKey: .superKey).container(keyedBy: Keys.self).decode(Bool.self, forKey: .flagOn)
    }
}

/// The classic use of superEncoder: a subclass encoding its superclass's members under `super`.
private class Animal: Codable {
    var legCount: Int
    init(legCount: Int) { self.legCount = legCount }
}

private final class Dog: Animal {
    var goodBoy: Bool
    enum CodingKeys: CodingKey { case goodBoy }

    init(goodBoy: Bool) {
        self.goodBoy = goodBoy
        super.init(legCount: 4)
    }

    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        goodBoy = try container.decode(Bool.self, forKey: .goodBoy)
        try super.init(from: container.superDecoder())
    }

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(goodBoy, forKey: .goodBoy)
        try super.encode(to: container.superEncoder())
    }
}

private struct EncodesNothing: Codable {
    init() {}
    init(from decoder: any Decoder) throws {}
    func encode(to encoder: any Encoder) throws {}
}

private struct HoldsNothing: Codable {
    var nothing = EncodesNothing()
    var list = [EncodesNothing()]
}

private struct Empty: Codable, Equatable {}

private struct Dated: Codable, Equatable {
    var createdAt: Date
    var expiresAt: Date?
}

/// Where most decoding errors are provoked.
private struct Target: Codable, Equatable {
    var sessionId: String
    var topics: [String]
    var count: Int
    var ratio: Double?
    var flag: Bool?
    var inner: Inner?
    var items: [Inner]?
    var map: [String: Int]?
    var small: UInt8?
    var single: Float?
    var when: Date?
    var color: Color?

    static let valid: JSONValue = ["session_id": "s", "topics": ["a"], "count": 1]

    /// `valid` with `members` added or replaced.
    static func with(_ members: [String: JSONValue]) -> JSONValue {
        .object(valid.objectValue!.merging(members) { _, new in new })
    }
}

private struct NeedsBool: Codable { var enabled: Bool }

private struct Pair: Decodable {
    var number: Int
    var name: String

    init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        number = try container.decode(Int.self)
        name = try container.decode(String.self)
    }
}

private struct OneKey: Codable, Equatable { var userId: Int }

// MARK: - Encoding

@Suite struct JSONValueEncoderTests {
    @Test func daemonResultsEncodeLikeFoundation() throws {
        let identity = PeerIdentity(uid: 1000, gid: 1000, pid: 4242, userName: "ana")
        let status = DaemonStatus(
            daemonVersion: "0.4.0", protocolVersion: "1.0", pid: 4242, mode: "user", startedAt: "2025-01-02T03:04:05Z",
            uptimeSeconds: 12345.678, socketPath: "/run/user/1000/elohim/elohimd.sock", socketActivated: true,
            dataDir: "/home/ana/.local/share/elohim", configPath: "/home/ana/.config/elohim/config.toml",
            databasePath: "/home/ana/.local/share/elohim/elohim.db", databaseSizeBytes: 1_234_567, connections: 3,
            requestsServed: 987_654)
        try expectSameJSON(status)
        var bare = status
        bare.configPath = nil
        bare.uptimeSeconds = 3
        try expectSameJSON(bare)
        try expectSameJSON(HelloResult(protocolVersion: "1.0", daemonVersion: "0.4.0", capabilities: ["events", "audit"], identity: identity))
        try expectSameJSON(HelloResult(protocolVersion: "1.0", daemonVersion: "0.4.0", capabilities: [], identity: PeerIdentity(uid: 0, gid: 0, pid: 1)))
        try expectSameJSON(HelloParams())
        try expectSameJSON(HelloParams(protocolVersion: nil, clientName: "elohim", clientVersion: "0.4.0"))
        try expectSameJSON(PingResult())
        try expectSameJSON(NoParams())
    }

    @Test func eventAndAuditTypesEncodeLikeFoundation() throws {
        let snapshot: [String: JSONValue] = [
            "daemon": ["state": "running", "startedAt": "2025-01-02T03:04:05Z", "pid": 42, "load": 0.25],
            "audit": ["lastSeq": 17, "recent": [["event_type": "user.added"], nil, [1, [2, [3]]]]],
        ]
        try expectSameJSON(SubscribeResult(topics: ["daemon", "audit"], snapshot: snapshot, seq: 17))
        try expectSameJSON(SubscribeParams(topics: [.daemon, .audit]))
        try expectSameJSON(
            EventMessage(
                topic: "daemon", type: "daemon.reloaded", seq: 18, time: "2025-01-02T03:04:06Z",
                data: ["configPath": "/etc/elohim/config.toml", "changed": ["log_level"], "ok": true]))
        let entry = AuditEntry(
            id: 7, timestamp: "2025-01-02T03:04:05.123Z", userId: "1000", eventType: "permission.granted",
            resourceType: "account", resourceId: "1001", action: "grant", details: ["permission": "admin.view_audit"],
            peerUid: 1000, peerPid: 4242, clientName: "elohim", clientVersion: nil, hash: "ab12")
        try expectSameJSON(AuditLogResult(events: [entry, entry], nextCursor: 6))
        try expectSameJSON(AuditLogResult(events: [], nextCursor: nil))
        try expectSameJSON(AuditLogParams(userId: "1000", limit: 10))
        try expectSameJSON(AuditVerifyResult(ok: false, rowsChecked: 12, firstBrokenId: 9, problem: "hash mismatch"))
    }

    @Test func accountTypesEncodeLikeFoundation() throws {
        let founder = FounderState(isFounder: true, elevated: true, expiresAt: "2025-01-02T03:09:05Z", remainingSeconds: 300)
        try expectSameJSON(
            EffectivePermissionsResult(
                uid: 1000, userName: "ana", role: "super_admin", roleBaseline: ["chat.use"],
                teamContext: ["kind": "personal", "teamId": "t1"],
                permissions: [PermissionEntry(key: "chat.use", summary: "Chat.", category: "chat", granted: true, source: "role_baseline")],
                founder: founder, docs: "https://example.com/docs/permissions"))
        try expectSameJSON(SetupStatusResult(completed: true, completedAt: "2025-01-02T03:04:05Z", completedBy: 1000, founderUid: 1000, defaultModel: nil))
        let account = AccountInfo(uid: 1001, userName: nil, role: "member", grants: [], revokes: ["chat.use"], createdAt: "2025-01-02T03:04:05Z", createdBy: 1000, isFounder: false)
        try expectSameJSON(UsersListResult(accounts: [account, account]))
        try expectSameJSON(SetupCompleteParams(founderPassword: "correct horse", defaultModel: "llama3"))
        try expectSameJSON(UserPermissionParams(uid: 1001, permission: "admin.view_audit"))
    }

    @Test func integersOfEveryWidth() throws {
        try expectSameJSON(Integers.maxima)
        try expectSameJSON(Integers.minima)
        try expectSameJSON(WideIntegers(signed: -12, unsigned: 12))
        try expectSameJSON([Int8.min, 0, Int8.max])
        // Past Int64.max Foundation writes every digit, a JSONValue can only hold a double.
        try expectSameParsedJSON([UInt64.max, UInt64(Int64.max) + 1])
        try expectSameParsedJSON(WideIntegers(signed: .min, unsigned: .max))
        #expect(try JSONValueEncoder().encode(UInt64.max) == .double(Double(UInt64.max)))
    }

    @Test func doublesAndFloats() throws {
        let twoTo53 = 9_007_199_254_740_992.0
        try expectSameJSON([
            0, 0.5, -1.25, 3, 0.1, 1.5e-7, 1e-5, 1e-4, 123_456_789.123, 1e15 - 1, 1e15, 2e15, twoTo53, -twoTo53,
            twoTo53 + 2, 1e16, 1e300, -2.5e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
        ])
        try expectSameJSON([Float(0.1), 1.5, -3.25, 1e-5, 16_777_216, -16_777_216, .greatestFiniteMagnitude, 8_388_608.5])
        try expectSameJSON(Numbers(double: 2.5, float: 0.1, optionalDouble: 4))
        // Whole doubles up to 2^53 become integers, as parsing Foundation's output gave.
        #expect(try JSONValueEncoder().encode(3.0) == .int(3))
        #expect(try JSONValueEncoder().encode(0.5) == .double(0.5))
        // Foundation writes "-0" and "3.3554432e+07"; JSONWriter "0" and "33554432".
        try expectSameParsedJSON([-0.0])
        try expectSameParsedJSON([Float(-0.0), 33_554_432, 1e10])
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteNumbersFailLikeFoundation(_ number: Double) throws {
        func failure(_ encode: () throws -> Void) -> [String]? {
            do {
                try encode()
                return nil
            } catch EncodingError.invalidValue(_, let context) {
                return context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            } catch {
                return ["unexpected \(error)"]
            }
        }
        let values: [Numbers] = [
            Numbers(double: 1, float: 2, optionalDouble: nil), Numbers(double: 1, float: 2, optionalDouble: number),
        ]
        let ours = failure { _ = try JSONValueEncoder().encode(values) }
        #expect(ours == ["1", "optionalDouble"])
        #expect(ours == failure { _ = try Foundation_.bytes(values) })
        #expect(failure { _ = try JSONValueEncoder().encode(number) } == [])
        #expect(failure { _ = try JSONValueEncoder().encode([Float(number)]) } == ["0"])
        #expect(failure { _ = try Foundation_.bytes([Float(number)]) } == ["0"])
    }

    @Test func optionalsAreLeftOutAndExplicitNilsKept() throws {
        let value = Optionals(
            present: "here", absent: nil, absentNumber: nil, absentInner: nil,
            presentInner: Inner(innerValue: 1, tags: []), sparse: [nil, "a", nil])
        try expectSameJSON(value)
        #expect(try JSONValueEncoder().encode(value).objectValue?.keys.sorted() == ["present", "present_inner", "sparse"])
        try expectSameJSON(Optional<Int>.none)
        try expectSameJSON([Optional<Int>.none, 1])
    }

    @Test func nestedStructuresCollectionsEnumsAndSpecialTypes() throws {
        try expectSameJSON(Kitchen.sample)
        try expectSameJSON([Kitchen.sample, Kitchen.sample])
        try expectSameJSON(["topLevelKey": Kitchen.sample])
        // Keys of [String: V] are never converted; keys of other dictionaries are coding keys.
        let json = try JSONValueEncoder().encode(Kitchen.sample)
        #expect(json["by_name"]?.objectValue?.keys.sorted() == ["firstOne", "second_one"])
        #expect(json["nested_map"]?["outerKey"]?["innerKey"] == 1)
        #expect(json["by_color"]?.objectValue?.keys.sorted() == ["deep_red", "light-blue"])
        #expect(json["extra"]?["camelKey"] == [1, 2.5, "x", nil, true])
    }

    @Test func datesAreISO8601WithWholeSeconds() throws {
        for seconds in [0, 1.5, 1_700_000_000.999, -86_400.25, 4_102_444_800] {
            try expectSameJSON(Dated(createdAt: Date(timeIntervalSince1970: seconds), expiresAt: nil))
        }
        #expect(try JSONValueEncoder().encode(Date(timeIntervalSince1970: 1.5)) == "1970-01-01T00:00:01Z")
    }

    @Test func keysWithAcronymsAndDigitsConvertLikeFoundation() throws {
        let value = Spellings(
            userID: 1, userIDs: [2], p50Ms: 1.5, p99LatencyMs: 3, isHTTP2Enabled: true, sha256Hash: "h",
            ipv4Address: "10.0.0.1", URLPath: "/", dataURLs: [], x2Y: 4, already_snake: 5, _private: 6, trailing_: 7)
        try expectSameJSON(value)
        #expect(
            try JSONValueEncoder().encode(value).objectValue?.keys.sorted() == [
                "_private", "already_snake", "data_ur_ls", "ipv4_address", "is_http2_enabled", "p50_ms",
                "p99_latency_ms", "sha256_hash", "trailing_", "u_rl_path", "user_i_ds", "user_id", "x2_y",
            ])
    }

    /// Every key on its own, against Foundation: ASCII takes the fast path, the rest Foundation's.
    @Test(arguments: [
        "", "x", "X", "ID", "iD", "userID", "userIDs", "userId", "p50Ms", "p50MS", "URLPath", "myURL", "dataURLs",
        "isHTTP2Enabled", "getHTTPResponseCode", "sha256Hash", "a1B2", "x2Y", "ABC", "aBC", "aBc", "q1",
        "_private", "__x__", "helloWorld_", "_helloWorld", "a__b", "a_B", "my_URL", "a-B", "a b", "aB c", "a.bC",
        "éCole", "aÉcole", "aΣb", "ǅa", "aǅb", "straßeX", "a\u{0301}B", "aİb", "naïveCount", "日本Key",
    ])
    func snakeCaseMatchesFoundation(_ key: String) throws {
        let reference = try JSONParser.parse(try Foundation_.bytes(DynamicKeys([key])))
        #expect(reference.objectValue?.keys.first == JSONValueEncoder.snakeCase(key))
        try expectSameJSON(DynamicKeys([key]))
    }

    @Test func stringsAreEscapedLikeFoundation() throws {
        try expectSameJSON([
            "plain", "a/b//c", "é, 日本, 😀", "quote \" backslash \\", "new\nline\ttab\rreturn", "\u{01}\u{1F}", "\u{7F}",
            "\u{2028}\u{2029}", "",
        ])
        // Foundation writes "\b" and "\f", JSONWriter "\u0008" and "\u000c".
        try expectSameParsedJSON(["\u{08}\u{0C}"])
    }

    @Test func handWrittenContainersAndSuperEncoders() throws {
        let value = HandWritten(a: 1, b: "x", deep: 3, list: [7, 8], superValue: 7, flagOn: true)
        try expectSameJSON(value)
        try expectSameJSON(Dog(goodBoy: true))
        #expect(try JSONValueEncoder().encode(Dog(goodBoy: true)) == ["good_boy": true, "super": ["leg_count": 4]])
    }

    @Test func valuesThatEncodeNothing() throws {
        try expectSameJSON(HoldsNothing())
        try expectSameJSON(Empty())
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(EncodesNothing()) }
        #expect(throws: EncodingError.self) { try Foundation_.bytes(EncodesNothing()) }
    }

    @Test func topLevelValues() throws {
        try expectSameJSON("text")
        try expectSameJSON(42)
        try expectSameJSON(true)
        try expectSameJSON([1, 2, 3])
        try expectSameJSON([[String: Int]]())
    }

    @Test func jsonValuesAreKeptAsTheyAre() throws {
        // Foundation rebuilt a JSONValue from text, so .double(3) came back as .int(3); the bytes agree.
        let message = EventMessage(topic: "t", type: "t.x", seq: 1, time: "now", data: ["ratio": .double(3), "deep": [.double(0.5)]])
        try expectSameParsedJSON(EventMessage(topic: "t", type: "t.x", seq: 1, time: "now", data: ["ratio": 3, "deep": [0.5]]))
        let json = try JSONValueEncoder().encode(message)
        #expect(json["data"]?["ratio"] == .double(3))
        #expect(text(JSONWriter.bytes(json)) == text(try Foundation_.bytes(message)))
    }

    @Test func defaultKeysAndOtherDateStrategies() throws {
        var encoder = JSONValueEncoder()
        encoder.keyEncodingStrategy = .useDefaultKeys
        encoder.dateEncodingStrategy = .secondsSince1970
        let json = try encoder.encode(Dated(createdAt: Date(timeIntervalSince1970: 1.5), expiresAt: nil))
        #expect(json == ["createdAt": 1.5])
        encoder.dateEncodingStrategy = .millisecondsSince1970
        #expect(try encoder.encode(Date(timeIntervalSince1970: 2)) == 2000)
        encoder.dateEncodingStrategy = .deferredToDate
        #expect(try encoder.encode(Date(timeIntervalSinceReferenceDate: 0.5)) == 0.5)
    }
}

// MARK: - Decoding

@Suite struct JSONValueDecoderTests {
    @Test func roundTripsEverything() throws {
        try expectRoundTrip(Integers.maxima)
        try expectRoundTrip(Integers.minima)
        try expectRoundTrip(WideIntegers(signed: -5, unsigned: 5))
        try expectRoundTrip(Numbers(double: 0.1, float: 0.1, optionalDouble: nil))
        try expectRoundTrip(Numbers(double: 1e300, float: 1e-30, optionalDouble: 3))
        try expectRoundTrip(Optionals(present: "p", absent: nil, absentNumber: nil, absentInner: nil, presentInner: nil, sparse: [nil, "x"]))
        try expectRoundTrip(Kitchen.sample)
        try expectRoundTrip(RoundTrippingSpellings(userId: 1, p50Ms: 2.5, p99LatencyMs: 3, sha256Hash: "h", ipv4Address: "ip", x2Y: 4))
        try expectRoundTrip(Dated(createdAt: Date(timeIntervalSince1970: 1_700_000_000), expiresAt: Date(timeIntervalSince1970: 0)))
        try expectRoundTrip(HandWritten(a: 1, b: "x", deep: 3, list: [7, 8], superValue: 7, flagOn: true))
        try expectRoundTrip(Empty())
        try expectRoundTrip(["a": [1, 2], "b_c": []])
        try expectRoundTrip(Color.deepRed)
        let dog = try JSONValueDecoder().decode(Dog.self, from: try JSONValueEncoder().encode(Dog(goodBoy: false)))
        #expect(dog.goodBoy == false && dog.legCount == 4)
    }

    @Test func roundTripsTheProtocolTypes() throws {
        try expectRoundTripThroughJSON(
            DaemonStatus(
                daemonVersion: "0.4.0", protocolVersion: "1.0", pid: 1, mode: "system", startedAt: "2025-01-02T03:04:05Z",
                uptimeSeconds: 0.5, socketPath: "/run/elohim/elohimd.sock", socketActivated: false, dataDir: "/var/lib/elohim",
                configPath: nil, databasePath: "/var/lib/elohim/elohim.db", databaseSizeBytes: 4096, connections: 0,
                requestsServed: 1))
        try expectRoundTripThroughJSON(
            HelloResult(protocolVersion: "1.0", daemonVersion: "0.4.0", capabilities: ["events"], identity: PeerIdentity(uid: 1, gid: 2, pid: 3)))
        try expectRoundTripThroughJSON(SubscribeResult(topics: ["daemon"], snapshot: ["daemon": ["startedAt": "x", "n": [1, 2.5]]], seq: 3))
        try expectRoundTrip(EventMessage(topic: "audit", type: "audit.event", seq: 4, time: "now", data: ["eventType": "x", "n": nil]))
        try expectRoundTripThroughJSON(HelloParams(protocolVersion: "1.0", clientName: "c", clientVersion: nil))
        try expectRoundTripThroughJSON(AuditLogParams(userId: "1", eventType: "e", before: 9, limit: 50))
        try expectRoundTrip(FounderState(isFounder: false, elevated: false, expiresAt: nil, remainingSeconds: nil))
    }

    @Test func numbersAreReadLikeFoundation() throws {
        let cases: [JSONValue] = [.double(3), .double(1e3), .double(-0.0), .int(-128), .double(9_007_199_254_740_992), .double(1_152_921_504_606_846_976)]
        for json in cases {
            #expect(try JSONValueDecoder().decode(Int64.self, from: json) == Foundation_.decode(Int64.self, from: json))
        }
        // 2^60 as a double: Foundation re-read JSONWriter's "1.152921504606847e+18" as a decimal.
        #expect(try JSONValueDecoder().decode(Int64.self, from: .double(1_152_921_504_606_846_976)) == 1_152_921_504_606_847_000)
        #expect(try JSONValueDecoder().decode(Int8.self, from: -128) == -128)
        #expect(try JSONValueDecoder().decode(UInt64.self, from: .double(1e19)) == Foundation_.decode(UInt64.self, from: .double(1e19)))
        #expect(try JSONValueDecoder().decode(Double.self, from: 5) == 5)
        #expect(try JSONValueDecoder().decode(Double.self, from: .int(.max)) == Foundation_.decode(Double.self, from: .int(.max)))
        #expect(try JSONValueDecoder().decode(Float.self, from: 0.1) == Foundation_.decode(Float.self, from: 0.1))
        #expect(try JSONValueDecoder().decode(Float.self, from: 16_777_217) == Foundation_.decode(Float.self, from: 16_777_217))
        #expect(try JSONValueDecoder().decode(Decimal.self, from: 12.5) == Decimal(string: "12.5"))
    }

    /// Errors that Foundation and JSONValueDecoder report identically: case, type, path, message.
    @Test func decodingErrorsMatchFoundation() {
        expectSameDecodingError(Target.self, ["topics": [], "count": 1])
        expectSameDecodingError(Target.self, Target.with(["session_id": 5]))
        expectSameDecodingError(Target.self, Target.with(["session_id": nil]))
        expectSameDecodingError(Target.self, Target.with(["topics": ["a", 2]]))
        expectSameDecodingError(Target.self, Target.with(["topics": ["a", nil]]))
        expectSameDecodingError(Target.self, Target.with(["topics": "a"]))
        expectSameDecodingError(Target.self, Target.with(["topics": nil]))
        expectSameDecodingError(Target.self, Target.with(["topics": [:]]))
        expectSameDecodingError(Target.self, Target.with(["count": "3"]))
        expectSameDecodingError(Target.self, Target.with(["count": true]))
        expectSameDecodingError(Target.self, Target.with(["count": nil]))
        expectSameDecodingError(Target.self, Target.with(["count": [1]]))
        expectSameDecodingError(Target.self, Target.with(["ratio": "x"]))
        expectSameDecodingError(Target.self, Target.with(["flag": 1]))
        expectSameDecodingError(Target.self, Target.with(["inner": [:]]))
        expectSameDecodingError(Target.self, Target.with(["inner": []]))
        expectSameDecodingError(Target.self, Target.with(["inner": ["inner_value": 1, "tags": [true]]]))
        expectSameDecodingError(Target.self, Target.with(["items": [["inner_value": 1, "tags": []], ["inner_value": "x", "tags": []]]]))
        expectSameDecodingError(Target.self, Target.with(["items": [["inner_value": 1, "tags": []], [:]]]))
        expectSameDecodingError(Target.self, Target.with(["items": [nil]]))
        expectSameDecodingError(Target.self, Target.with(["items": [[]]]))
        expectSameDecodingError(Target.self, Target.with(["map": ["a": "x"]]))
        expectSameDecodingError(Target.self, Target.with(["map": ["b_key": "y", "a_key": "x", "c": nil]]))
        expectSameDecodingError(Target.self, Target.with(["map": ["a": nil]]))
        expectSameDecodingError(Target.self, Target.with(["map": [1]]))
        expectSameDecodingError(Target.self, Target.with(["when": 5]))
        expectSameDecodingError(Target.self, Target.with(["color": "purple"]))
        expectSameDecodingError(Target.self, Target.with(["single": "x"]))
        expectSameDecodingError(Target.self, [])
        expectSameDecodingError(Target.self, nil)
        expectSameDecodingError(Target.self, 5)
        expectSameDecodingError(Target.self, "x")
        expectSameDecodingError(NeedsBool.self, ["enabled": nil])
        expectSameDecodingError(NeedsBool.self, ["enabled": "yes"])
        expectSameDecodingError(Bool.self, nil)
        expectSameDecodingError(String.self, 1)
        expectSameDecodingError(String.self, [1])
        expectSameDecodingError(Int.self, nil)
        expectSameDecodingError([String].self, ["a", 1])
        expectSameDecodingError([Int].self, [1, nil])
        expectSameDecodingError([[String]].self, [nil])
        expectSameDecodingError([[String: Int]].self, [nil])
        expectSameDecodingError([String: Int].self, nil)
        expectSameDecodingError([String: [Int]].self, ["a": nil])
        expectSameDecodingError(Date.self, nil)
        expectSameDecodingError(Data.self, "!!")
        expectSameDecodingError(Data.self, 5)
        expectSameDecodingError(URL.self, "")
        expectSameDecodingError(Decimal.self, "1")
        expectSameDecodingError(Pair.self, [1])
        expectSameDecodingError(Pair.self, ["a": 1])
        expectSameDecodingError(HandWritten.self, [:])
        expectSameDecodingError(HandWritten.self, ["nil_key": nil, "nested_obj": 5])
        expectSameDecodingError(HandWritten.self, ["nil_key": nil, "nested_obj": ["later_key": 1], "nested_arr": []])
        // A key spelled with an acronym never matches: "user_id" becomes "userId", not "userID".
        let spellings = Spellings(
            userID: 1, userIDs: [], p50Ms: 1, p99LatencyMs: 1, isHTTP2Enabled: true, sha256Hash: "", ipv4Address: "",
            URLPath: "", dataURLs: [], x2Y: 1, already_snake: 1, _private: 1, trailing_: 1)
        expectSameDecodingError(Spellings.self, try! JSONValueEncoder().encode(spellings))
    }

    /// Where Foundation 6.3 loses the path, JSONValueDecoder keeps it (same case, same type).
    @Test func numbersThatDoNotFitNameTheirField() {
        let cases: [(JSONValue, [String], String)] = [
            (Target.with(["count": 3.5]), ["count"], "Parsed JSON number <3.5> does not fit in Int."),
            (Target.with(["count": 1e20]), ["count"], "Parsed JSON number <1e+20> does not fit in Int."),
            (Target.with(["small": 300]), ["small"], "Parsed JSON number <300> does not fit in UInt8."),
            (Target.with(["small": -1]), ["small"], "Parsed JSON number <-1> does not fit in UInt8."),
            (Target.with(["single": 1e300]), ["single"], "Parsed JSON number <1e+300> does not fit in Float."),
            (Target.with(["items": [["inner_value": 0.5, "tags": []]]]), ["items", "[0]", "innerValue"], "Parsed JSON number <0.5> does not fit in Int."),
        ]
        for (json, path, message) in cases {
            let ours = ourError(Target.self, json)
            #expect(ours?.kind == "dataCorrupted")
            #expect(ours?.path == path)
            #expect(ours?.message == message)
            // Foundation: dataCorrupted at the root, "The given data was not valid JSON."
            #expect(foundationError(Target.self, json)?.kind == "dataCorrupted")
        }
        let date = ourError(Target.self, Target.with(["when": "2024-01-01"]))
        #expect(date?.path == ["when"])
        #expect(date?.message == "Expected date string to be ISO8601-formatted.")
        #expect(foundationError(Target.self, Target.with(["when": "2024-01-01"]))?.message == date?.message)
    }

    @Test func integersAcceptWholeDoublesAndDoublesAcceptIntegers() throws {
        let decoded = try JSONValueDecoder().decode(Target.self, from: Target.with(["count": 3.0, "ratio": 2, "small": .double(255)]))
        #expect(decoded.count == 3 && decoded.ratio == 2 && decoded.small == 255)
        #expect(decoded == (try Foundation_.decode(Target.self, from: Target.with(["count": 3.0, "ratio": 2, "small": .double(255)]))))
    }

    /// JSON names as Foundation's .convertFromSnakeCase sees them, one at a time.
    @Test(arguments: [
        "user_id", "a_2fa", "x_id_s", "_a_b_", "__", "a__b", "URL_path", "a_URL", "a_iOS", "one", "fooBar_baz", "a_b_",
        "a_b1c", "a_1st", "p50_ms", "is_http2_enabled", "x2_y", "_", "", "a", "A_B", "snake_Case_MIX",
        "a_éco", "a_ßx", "a_ǆx", "a_x-y", "a_x y", "a_x.y", "a_xY", "a_don't", "日本_語", "a_b\u{0301}c",
    ])
    func camelCaseMatchesFoundation(_ name: String) throws {
        let json: JSONValue = .object([name: 1])
        let ours = try JSONValueDecoder().decode(DynamicKeys.self, from: json).names
        #expect(ours == (try Foundation_.decode(DynamicKeys.self, from: json).names))
        #expect(ours == [JSONValueDecoder.camelCase(name)])
    }

    @Test func namesThatMeetAfterConversionKeepTheFirstInSortedOrder() throws {
        let json: JSONValue = ["user_id": 1, "userId": 2]
        #expect(try JSONValueDecoder().decode(OneKey.self, from: json) == Foundation_.decode(OneKey.self, from: json))
        #expect(try JSONValueDecoder().decode(OneKey.self, from: json).userId == 2)
    }

    @Test func jsonValuesArriveAsTheyAre() throws {
        let json: JSONValue = ["topic": "t", "type": "t.x", "seq": 1, "time": "now", "data": ["ratio": .double(3), "list": [nil, 1]]]
        #expect(try JSONValueDecoder().decode(EventMessage.self, from: json).data == ["ratio": .double(3), "list": [nil, 1]])
        // Foundation read the text "3", and so gave .int(3).
        #expect(try Foundation_.decode(EventMessage.self, from: json).data == ["ratio": 3, "list": [nil, 1]])
        #expect(try JSONValueDecoder().decode(JSONValue.self, from: json) == json)
    }

    @Test func fieldErrorsNameTheWireSpelling() {
        func failure<T: Decodable>(_ type: T.Type, _ json: JSONValue) -> RPCCoding.FieldError? {
            do {
                _ = try RPCCoding.decode(type, from: json)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure(Target.self, ["topics": [], "count": 1])?.detail == "missing required field 'session_id'")
        #expect(failure(Target.self, Target.with(["topics": ["a", 2]]))?.detail == "field 'topics.1' must be a string")
        #expect(failure(Target.self, Target.with(["topics": ["a", nil]]))?.detail == "field 'topics.1' must be a string, not null")
        #expect(failure(Target.self, Target.with(["inner": []]))?.detail == "field 'inner' must be an object")
        #expect(failure(Target.self, Target.with(["topics": 1]))?.detail == "field 'topics' must be an array")
        let nested = failure(Target.self, Target.with(["items": [["inner_value": "x", "tags": []]]]))
        #expect(nested?.field == "items.0.inner_value")
        #expect(nested?.detail == "field 'items.0.inner_value' must be an integer")
        let tooBig = failure(Target.self, Target.with(["small": 300]))
        #expect(tooBig?.field == "small")
        #expect(tooBig?.detail == "field 'small' is invalid: Parsed JSON number <300> does not fit in UInt8.")
        #expect(failure(Target.self, nil)?.detail == "field 'params' must be an object, not null")
        #expect(failure(Spellings.self, ["user_id": 1])?.detail == "missing required field 'user_id'")
        #expect(failure(SubscribeParams.self, ["topics": ["daemon", 7]])?.field == "topics.1")
    }

    @Test func otherStrategies() throws {
        var decoder = JSONValueDecoder()
        decoder.keyDecodingStrategy = .useDefaultKeys
        decoder.dateDecodingStrategy = .secondsSince1970
        #expect(try decoder.decode(Dated.self, from: ["createdAt": 1.5]) == Dated(createdAt: Date(timeIntervalSince1970: 1.5)))
        #expect(throws: DecodingError.self) { try decoder.decode(Dated.self, from: ["created_at": 1.5]) }
        decoder.dateDecodingStrategy = .millisecondsSince1970
        #expect(try decoder.decode(Date.self, from: 1500) == Date(timeIntervalSince1970: 1.5))
        decoder.dateDecodingStrategy = .deferredToDate
        #expect(try decoder.decode(Date.self, from: 0.5) == Date(timeIntervalSinceReferenceDate: 0.5))
    }
}

@Suite struct RPCCodingNullTests {
    @Test func resultsSpellOutNilOptionalsAsNull() throws {
        let state = FounderState(isFounder: false, elevated: false, expiresAt: nil, remainingSeconds: nil)
        let json = try RPCCoding.json(state)
        #expect(json["expires_at"] == .null)
        #expect(json["remaining_seconds"] == .null)
        #expect(try RPCCoding.decode(FounderState.self, from: json) == state)
    }
}
