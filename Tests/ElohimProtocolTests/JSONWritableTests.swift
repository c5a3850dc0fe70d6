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

    @Test func pingWritesWhatCodableEncodes() throws {
        #expect(RPCCoding.encode(PingResult()) == (try Self.codable(PingResult())))
        #expect(String(decoding: RPCCoding.encode(PingResult()), as: UTF8.self) == #"{"pong":true}"#)
    }
}
