import ElohimProtocol
import ElohimWire
import Foundation
import Testing

@Suite(.serialized) struct RPCEndToEndTests {
    static let vectors = DaemonProcess.root.appendingPathComponent("Protocol/vectors")

    @Test func goldenVectorsGetTheirExactResponseBytes() throws {
        let daemon = try DaemonProcess()
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.vectors.path)
            .filter { $0.hasSuffix(".request.frame") }.sorted()
        #expect(!names.isEmpty)
        for name in names {
            let request = try Data(contentsOf: Self.vectors.appendingPathComponent(name))
            let expected = try Data(contentsOf: Self.vectors.appendingPathComponent(name.replacingOccurrences(of: "request", with: "response")))
            let connection = try daemon.connect()
            try connection.writeAll(Array(request))
            let payload = try connection.receive(timeoutMilliseconds: 5000)
            #expect(Frame.encode(payload) == Array(expected), "vector \(name)")
        }
        #expect(daemon.stop() == 0)
    }

    @Test func helloReportsTheCallersKernelIdentity() throws {
        let daemon = try DaemonProcess()
        let connection = try daemon.connect()
        let request = try DaemonMethods.hello.request(id: .int(1), params: HelloParams(clientName: "e2e"))
        let response = try JSONParser.parse(try connection.call(JSONWriter.bytes(request.json), timeoutMilliseconds: 5000))
        let result = try RPCCoding.decode(HelloResult.self, from: try #require(response["result"]))
        #expect(result.identity.uid == getuid())
        #expect(result.identity.pid == getpid())
        #expect(result.protocolVersion == ProtocolVersion.current)
        #expect(daemon.stop() == 0)
    }

    @Test func statusDescribesTheRunningDaemon() throws {
        let daemon = try DaemonProcess()
        let connection = try daemon.connect()
        let request = DaemonMethods.status.request(id: .int(1))
        let response = try JSONParser.parse(try connection.call(JSONWriter.bytes(request.json), timeoutMilliseconds: 5000))
        let status = try RPCCoding.decode(DaemonStatus.self, from: try #require(response["result"]))
        #expect(status.pid == daemon.process.processIdentifier)
        #expect(status.socketPath == daemon.socketPath)
        #expect(status.databaseSizeBytes > 0)
        // The start-up probe's connection may not be reaped yet; ours is certainly counted.
        #expect((1...2).contains(status.connections))
        #expect(!status.socketActivated)
        #expect(daemon.stop() == 0)
    }

    @Test func servedOpenRPCDocumentMatchesTheCommittedOne() throws {
        let daemon = try DaemonProcess(arguments: [])
        let connection = try daemon.connect()
        let response = try JSONParser.parse(
            try connection.call(JSONWriter.bytes(DiscoverMethods.discover.request(id: .int(1)).json), timeoutMilliseconds: 5000))
        let committed = try JSONParser.parse(
            Array(try Data(contentsOf: DaemonProcess.root.appendingPathComponent("Protocol/elohim.openrpc.json"))))
        let matches = response["result"] == committed
        #expect(matches, "rpc.discover differs from Protocol/elohim.openrpc.json")
        #expect(daemon.stop() == 0)
    }

    @Test func twoHundredConcurrentConnectionsAreAllServed() async throws {
        let daemon = try DaemonProcess()
        let path = daemon.socketPath
        let answered = try await withThrowingTaskGroup(of: Int.self) { group in
            for client in 0..<200 {
                group.addTask {
                    let connection = try WireConnection.connect(path: path)
                    var count = 0
                    for call in 0..<3 {
                        let request = #"{"jsonrpc":"2.0","id":\#(client * 10 + call),"method":"daemon.ping"}"#
                        let response = try JSONParser.parse(try connection.call(Array(request.utf8), timeoutMilliseconds: 20_000))
                        if response["result"]?["pong"] == true && response["id"] == .int(Int64(client * 10 + call)) { count += 1 }
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(answered == 600)
        #expect(daemon.stop() == 0)
    }
}
