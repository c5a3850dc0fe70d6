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
            func authorize(_ access: Access, method: String, context: RequestContext) throws {
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
    /// A handler written without `await` answers on the calling thread; one that may suspend,
    /// and a batch, are left to a task. Both paths answer alike.
    @Test func synchronousHandlersAnswerWithoutATask() async throws {
        let dispatcher = Self.makeDispatcher()
        func triage(_ text: String) -> Dispatcher.Triage { dispatcher.triage(frame: Array(text.utf8), context: Self.context) }
        guard case .answered(let pong?) = triage(#"{"jsonrpc":"2.0","id":1,"method":"daemon.ping"}"#) else {
            Issue.record("daemon.ping was not answered immediately")
            return
        }
        #expect(try JSONParser.parse(pong)["result"]?["pong"] == true)
        guard case .answered(nil) = triage(#"{"jsonrpc":"2.0","method":"daemon.ping"}"#) else {
            Issue.record("a notification of a synchronous method was not settled immediately")
            return
        }
        guard case .answered(let parseError?) = triage("{") else {
            Issue.record("a parse error was not answered immediately")
            return
        }
        #expect(try JSONParser.parse(parseError)["error"]?["code"] == .int(-32700))
        guard case .answered(let invalid?) = triage(#"{"jsonrpc":"1.0","id":5,"method":"daemon.ping"}"#) else {
            Issue.record("an invalid request was not answered immediately")
            return
        }
        #expect(try JSONParser.parse(invalid)["error"]?["code"] == .int(-32600))
        #expect(try JSONParser.parse(invalid)["id"] == 5)
        guard case .needsTaskForRequest(let request) = triage(#"{"jsonrpc":"2.0","id":2,"method":"events.subscribe","params":{"topics":["daemon"]}}"#) else {
            Issue.record("events.subscribe (which awaits a snapshot) was answered without a task")
            return
        }
        #expect(request.method == "events.subscribe" && request.id == .int(2))
        guard case .needsTask = triage(#"[{"jsonrpc":"2.0","id":3,"method":"daemon.ping"}]"#) else {
            Issue.record("a batch was answered without a task")
            return
        }
        #expect(dispatcher.requestsServed == 3)
    }

    @Test func synchronousAndAsynchronousHandlersFailAlike() async throws {
        struct Secret: Error {}
        var methods = MethodTable()
        let spec = { (name: String) in MethodSpec<NoParams, PingResult>(name, summary: "", access: .open, result: Schema.any) }
        methods.register(spec("sync.refuse")) { _, _ in throw RPCError.invalidParams("no such thing", field: "thing") }
        methods.register(spec("async.refuse")) { _, _ in
            await Task.yield()
            throw RPCError.invalidParams("no such thing", field: "thing")
        }
        methods.register(spec("sync.boom")) { _, _ in throw Secret() }
        methods.register(spec("async.boom")) { _, _ in
            await Task.yield()
            throw Secret()
        }
        #expect(methods["sync.refuse"]?.invokeNow != nil && methods["async.refuse"]?.invokeNow == nil)
        let dispatcher = Dispatcher(methods: methods, policy: AllowAllPolicy(), logger: Logger(label: "test"))
        for kind in ["refuse", "boom"] {
            let sync = try await send(#"{"jsonrpc":"2.0","id":1,"method":"sync.\#(kind)"}"#, to: dispatcher)
            let async = try await send(#"{"jsonrpc":"2.0","id":1,"method":"async.\#(kind)"}"#, to: dispatcher)
            #expect(sync?["error"]?["code"] == async?["error"]?["code"])
            #expect(sync?["error"]?["data"]?["field"] == async?["error"]?["data"]?["field"])
        }
        #expect(try await send(#"{"jsonrpc":"2.0","id":1,"method":"sync.boom"}"#, to: dispatcher)?["error"]?["code"] == .int(-32603))
        #expect(try await send(#"{"jsonrpc":"2.0","id":1,"method":"sync.refuse"}"#, to: dispatcher)?["error"]?["code"] == .int(-32602))
    }
}
