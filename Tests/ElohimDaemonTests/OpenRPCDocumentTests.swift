@testable import ElohimDaemon
import ElohimProtocol
import Foundation
import Testing

@Suite struct OpenRPCDocumentTests {
    static let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocol/elohim.openrpc.json")

    @Test func theCommittedDocumentIsWhatTheDaemonServes() throws {
        let text = try String(contentsOf: Self.committed, encoding: .utf8)
        #expect(
            text == JSONWriter.pretty(try Daemon.servedDocument()),
            "Protocol/elohim.openrpc.json is stale: regenerate it with `elohimd --print-openrpc > Protocol/elohim.openrpc.json`")
    }

    @Test func everyMethodDeclaresAPermissionAndSnakeCaseName() throws {
        let document = try Daemon.servedDocument()
        let methods = try #require(document["methods"]?.arrayValue)
        #expect(methods.count >= 5)
        for method in methods {
            let name = try #require(method["name"]?.stringValue)
            #expect(name.allSatisfy { $0.isLowercase || $0 == "." || $0 == "_" }, "\(name) is not area.verb snake_case")
            #expect(method["x-permission"]?.stringValue?.isEmpty == false)
        }
    }
}
