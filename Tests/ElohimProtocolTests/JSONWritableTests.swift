import ElohimProtocol
import Testing

/// Each `JSONWritable` result writes exactly what its `Encodable` conformance encodes to:
/// `RPCCoding.encode` takes the written path for these types, `RPCCoding.json` the Codable one.
@Suite struct JSONWritableTests {
    static func codable(_ value: some Encodable) throws -> [UInt8] {
        JSONWriter.bytes(try RPCCoding.json(value))
    }

    static let statuses: [DaemonStatus] = [
        DaemonStatus(
            daemonVersion: "0.1.0", protocolVersion: "1.0", pid: 4242, mode: "user", startedAt: "2026-12-01T08:00:00Z",
            uptimeSeconds: 12.345, socketPath: "/run/user/1000/elohim/elohimd.sock", socketActivated: false,
            dataDir: "/home/ada/.local/share/elohim", configPath: nil, databasePath: "/home/ada/.local/share/elohim/elohim.db",
            databaseSizeBytes: 4_194_304, connections: 3, requestsServed: 9_000_000_001),
        // Whole seconds, a configuration file, and paths that need escaping or are not ASCII.
        DaemonStatus(
            daemonVersion: "0.1.0", protocolVersion: "1.0", pid: 1, mode: "system", startedAt: "2026-12-01T08:00:00Z",
            uptimeSeconds: 86_400, socketPath: "/run/elohim/\"quoted\"\\sock", socketActivated: true,
            dataDir: "/var/lib/élohim/données\n", configPath: "/etc/elohim/elohimd.json", databasePath: "/var/lib/elohim/\u{1}.db",
            databaseSizeBytes: 0, connections: 0, requestsServed: 0),
        // Large and tiny doubles take JSONWriter's number forms.
        DaemonStatus(
            daemonVersion: "", protocolVersion: "", pid: Int32.max, mode: "", startedAt: "",
            uptimeSeconds: 1e16 + 2, socketPath: "", socketActivated: false, dataDir: "", configPath: "",
            databasePath: "", databaseSizeBytes: Int64.max, connections: Int.max, requestsServed: Int64.min),
        DaemonStatus(
            daemonVersion: "v", protocolVersion: "p", pid: -1, mode: "m", startedAt: "s",
            uptimeSeconds: 0.001, socketPath: "x", socketActivated: true, dataDir: "d", configPath: nil,
            databasePath: "b", databaseSizeBytes: -5, connections: -1, requestsServed: 1),
    ]

    @Test(arguments: statuses)
    func daemonStatusWritesWhatCodableEncodes(_ status: DaemonStatus) throws {
        let written = RPCCoding.encode(status)
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: try Self.codable(status), as: UTF8.self))
        #expect(try JSONParser.parse(written) == RPCCoding.json(status))
    }

    /// A double member written by `JSONObjectWriter` against `JSONWriter`'s spelling (Swift's
    /// shortest round-trip form), which it shortcuts for whole numbers of thousandths.
    @Test func fractionalDoublesAreSpelledAsJSONWriterSpellsThem() {
        func written(_ value: Double) -> String {
            var output: [UInt8] = []
            var object = JSONObjectWriter(into: &output)
            object.member("v", value, into: &output)
            object.end(into: &output)
            return String(decoding: output, as: UTF8.self)
        }
        func expected(_ value: Double) -> String {
            String(decoding: JSONWriter.bytes(["v": .double(value)]), as: UTF8.self)
        }
        var generator = SystemRandomNumberGenerator()
        var thousandths = Array(Int64(-2000)...20_000)
        thousandths += (0..<20_000).map { _ in Int64.random(in: 1..<1_000_000_000_000, using: &generator) }
        thousandths += [999_999_999_999, 1_000_000_000_001, 9_007_199_254_740_991]
        var values = thousandths.map { Double($0) / 1000 }.filter { $0.rounded() != $0 }
        // Not thousandths, or too large for the shortcut: these take JSONWriter's own path.
        values += [0.1 + 0.2, 1.0 / 3, 1e-7, 0.0001, 0.00015, 123_456_789.1234, 2.5e9 + 0.5, 1e12 + 0.25, -1e-3, .pi, 1e15 + 0.5]
        for value in values {
            #expect(written(value) == expected(value), "\(value)")
        }
    }

    @Test func pingWritesWhatCodableEncodes() throws {
        #expect(RPCCoding.encode(PingResult()) == (try Self.codable(PingResult())))
        #expect(String(decoding: RPCCoding.encode(PingResult()), as: UTF8.self) == #"{"pong":true}"#)
    }
}
