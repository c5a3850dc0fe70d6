import ElohimProtocol
import Testing

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#"{"a":[1,-2.5,true,false,null,"x\n\u00e9\ud83d\ude00"],"b":{}}"#)
        #expect(value == ["a": [1, -2.5, true, false, nil, "x\né😀"], "b": [:]])
    }

    @Test func keepsLargeIntegersExact() throws {
        #expect(try JSONParser.parse("9007199254740993") == .int(9_007_199_254_740_993))
        #expect(try JSONParser.parse("1e3") == .double(1000))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"\\x\"", "\"\u{01}\"", "[1] 2", "\"\\ud800\"",
        "1e999",
    ])
    func rejectsMalformedDocuments(_ text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test func rejectsInvalidUTF8InsideStrings() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func refusesDeepNestingInsteadOfOverflowingTheStack() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
    }

    @Test func writerOutputParsesBackToTheSameValue() throws {
        let value: JSONValue = ["z": "quote\" backslash\\ tab\t ctl\u{02}", "a": [1.5, -3, nil], "n": ["deep": true]]
        #expect(try JSONParser.parse(JSONWriter.bytes(value)) == value)
        #expect(JSONWriter.string(["b": 1, "a": 2]) == #"{"a":2,"b":1}"#)
    }
}

@Suite struct RPCRequestTests {
    @Test func tellsNotificationsFromNullIDs() throws {
        let notification = try RPCRequest.validate(["jsonrpc": "2.0", "method": "m"]).get()
        #expect(notification.isNotification)
        let nullID = try RPCRequest.validate(["jsonrpc": "2.0", "method": "m", "id": nil]).get()
        #expect(nullID.id == .null)
    }

    @Test func rejectsInvalidRequestsKeepingTheIDWhenReadable() {
        let cases: [(JSONValue, RPCID)] = [
            (["jsonrpc": "1.0", "method": "m", "id": 4], .int(4)),
            (["jsonrpc": "2.0", "method": 1, "id": "x"], .string("x")),
            (["jsonrpc": "2.0", "method": "m", "params": "p", "id": 1], .int(1)),
            (["jsonrpc": "2.0", "method": "m", "id": [1]], .null),
            (42, .null),
        ]
        for (value, id) in cases {
            guard case .failure(let rejection) = RPCRequest.validate(value) else {
                Issue.record("accepted \(value)")
                continue
            }
            #expect(rejection.id == id)
            #expect(rejection.error.code == RPCError.invalidRequestCode)
        }
    }

    @Test func fieldErrorsNameTheWireSpellingOfTheField() {
        do {
            _ = try RPCCoding.decode(HelloParams.self, from: ["client_name": 5])
            Issue.record("decoded a number as a string")
        } catch {
            #expect(error.field == "client_name")
            #expect(error.detail.contains("client_name"))
        }
        do {
            _ = try RPCCoding.decode(SubscribeParams.self, from: [:])
            Issue.record("decoded without the required field")
        } catch {
            #expect(error.field == "topics")
        }
    }

    @Test func applicationErrorCodesAreDistinctAndInTheReservedRange() {
        let codes = ApplicationErrorReason.allCases.map(\.code)
        #expect(Set(codes).count == codes.count)
        #expect(codes.allSatisfy { (-32099)...(-32000) ~= $0 })
    }
}
