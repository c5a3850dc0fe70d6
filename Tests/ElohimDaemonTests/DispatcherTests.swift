@testable import ElohimDaemon
import ElohimProtocol
import Foundation
import Logging
import Testing

@Suite struct DispatcherTests {
    static func makeDispatcher(policy: any AccessPolicy = AllowAllPolicy()) -> Dispatcher {
        var methods = MethodTable()
        methods.registerTestMethods()
        methods.registerEventMethods(bus: EventBus())
        methods.register(DaemonMethods.ping) { _, _ in PingResult() }
        methods.register(DaemonMethods.hello) { context, _ in
            HelloResult(protocolVersion: "1.0", daemonVersion: "test", capabilities: [], identity: context.peer)
        }
        return Dispatcher(methods: methods, policy: policy, logger: Logger(label: "test"))
    }

    static let context = RequestContext(peer: PeerIdentity(uid: 1000, gid: 1000, pid: 42), connectionID: 1, logger: Logger(label: "test"))

    func send(_ text: String, to dispatcher: Dispatcher = makeDispatcher()) async throws -> JSONValue? {
        guard let response = await dispatcher.handle(frame: Array(text.utf8), context: Self.context) else { return nil }
        return try JSONParser.parse(response)
    }

    @Test func aNotificationIsNeverAnswered() async throws {
        #expect(try await send(#"{"jsonrpc":"2.0","method":"daemon.ping"}"#) == nil)
        #expect(try await send(#"[{"jsonrpc":"2.0","method":"update"},{"jsonrpc":"2.0","method":"sum","params":[1]}]"#) == nil)
    }

    @Test func aBatchOfInvalidElementsGetsOneErrorEach() async throws {
        let response = try #require(try await send("[1,2,3]"))
        let errors = try #require(response.arrayValue)
        #expect(errors.count == 3)
        #expect(errors.allSatisfy { $0["error"]?["code"] == .int(-32600) && $0["id"] == .null })
    }

    @Test func positionalParamsMapToDeclaredFieldsInOrder() async throws {
        let response = try await send(#"{"jsonrpc":"2.0","id":1,"method":"daemon.hello","params":["1.0","cli"]}"#)
        #expect(response?["result"]?["identity"]?["uid"] == 1000)
        let tooMany = try await send(#"{"jsonrpc":"2.0","id":1,"method":"daemon.hello","params":["1.0","a","b","c"]}"#)
        #expect(tooMany?["error"]?["code"] == .int(-32602))
    }

    @Test func wrongTypeNamesTheField() async throws {
        let response = try await send(#"{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{"topics":"daemon"}}"#)
        #expect(response?["error"]?["code"] == .int(-32602))
        #expect(response?["error"]?["data"]?["field"] == "topics")
    }

    @Test func policyRunsBeforeTheHandler() async throws {
        struct DenyAll: AccessPolicy {
            func authorize(_ access: Access, method: String, context: RequestContext) async throws {
                throw RPCError.application(.forbidden, "no", detail: ["permission": .string(access.description)])
            }
        }
        let response = try await send(#"{"jsonrpc":"2.0","id":9,"method":"test.sleep","params":{"ms":60000}}"#, to: Self.makeDispatcher(policy: DenyAll()))
        #expect(response?["error"]?["data"]?["reason"] == "forbidden")
        #expect(response?["id"] == 9)
    }

    @Test func unexpectedErrorsBecomeInternalErrorsWithoutDetails() async throws {
        struct Secret: Error {}
        var methods = MethodTable()
        methods.registerRaw(name: "boom", summary: "", access: .open) { _, _ in throw Secret() }
        let dispatcher = Dispatcher(methods: methods, policy: AllowAllPolicy(), logger: Logger(label: "test"))
        let response = try await send(#"{"jsonrpc":"2.0","id":1,"method":"boom"}"#, to: dispatcher)
        #expect(response?["error"]?["code"] == .int(-32603))
        #expect(response?["error"]?["message"]?.stringValue?.contains("Secret") == false)
    }
}
