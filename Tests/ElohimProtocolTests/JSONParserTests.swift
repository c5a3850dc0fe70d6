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

    /// Up to 18 digits take a shortcut that skips making a String; both sides of it agree.
    @Test func integersOnBothSidesOfTheShortcut() throws {
        #expect(try JSONParser.parse("0") == .int(0))
        #expect(try JSONParser.parse("-0") == .int(0))
        #expect(try JSONParser.parse("999999999999999999") == .int(999_999_999_999_999_999))
        #expect(try JSONParser.parse("-99999999999999999") == .int(-99_999_999_999_999_999))
        #expect(try JSONParser.parse("9223372036854775807") == .int(.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(.min))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try JSONParser.parse("[12,-3]") == [12, -3])
    }

    @Test func nonASCIIStringsAreStillValidated() throws {
        #expect(try JSONParser.parse(#""h\#u{e9}llo""#) == "h\u{e9}llo")
        // A lone continuation byte, and a truncated two-byte sequence, after ASCII.
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0x61, 0x80, 0x22]) }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0x61, 0xC3, 0x22]) }
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

@Suite struct JSONWriterEscapingTests {
    /// Strings are copied in runs between escapes: every escape, at the start, the end, back to
    /// back and between plain runs, must come out exactly as the one-byte-at-a-time rules say.
    @Test func everyEscapeInEveryPosition() {
        func reference(_ text: String) -> [UInt8] {
            var output: [UInt8] = [0x22]
            for byte in text.utf8 {
                switch byte {
                case 0x22: output += Array(#"\""#.utf8)
                case 0x5C: output += Array(#"\\"#.utf8)
                case 0x0A: output += Array(#"\n"#.utf8)
                case 0x0D: output += Array(#"\r"#.utf8)
                case 0x09: output += Array(#"\t"#.utf8)
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    output += Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                default: output.append(byte)
                }
            }
            return output + [0x22]
        }
        let controls = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        let samples = [
            "", "plain", "ünïcödé 😀", #""quoted""#, #"back\slash"#, "\n\nlead", "trail\t", controls,
            "a" + controls + "b\"c\\d", #"{"n":1,"note":"a typical small details object"}"#,
            String(repeating: "x", count: 100) + "\u{1F}" + String(repeating: "y", count: 3),
        ]
        for text in samples {
            #expect(JSONWriter.bytes(.string(text)) == reference(text), "\(text.debugDescription)")
        }
    }
}

@Suite struct RPCRequestTests {
    /// `JSONParser.requestMembers` must agree with `parse` whenever it reads a frame at all.
    static func expectQuickReadingAgrees(_ text: String) {
        let bytes = Array(text.utf8)
        guard let members = JSONParser.requestMembers(bytes) else { return }
        guard case .object(let full)? = try? JSONParser.parse(bytes) else {
            Issue.record("read quickly, but is not an object to parse: \(text)")
            return
        }
        #expect(Set(full.keys).isSubset(of: ["jsonrpc", "id", "method", "params"]), "\(text)")
        #expect(members == JSONParser.RequestMembers(of: full))
        switch (RPCRequest.validate(members), RPCRequest.validate(.object(full))) {
        case (.success(let quick), .success(let slow)):
            #expect(quick.id == slow.id && quick.method == slow.method && quick.params == slow.params, "\(text)")
        case (.failure(let quick), .failure(let slow)):
            #expect(quick.id == slow.id && quick.error == slow.error, "\(text)")
        default:
            Issue.record("validated differently: \(text)")
        }
    }

    @Test func quickReadingAgreesWithTheFullParse() {
        let frames = [
            #"{"jsonrpc":"2.0","id":1,"method":"daemon.status"}"#,
            #" { "method" : "m" , "jsonrpc" : "2.0" } "#,
            #"{"jsonrpc":"2.0","id":"abc","method":"chat.send","params":{"session_id":"x","content":"h\u00e9\"llo","nested":[1,{"a":null}]}}"#,
            #"{"jsonrpc":"2.0","id":null,"method":"m","params":[1,2.5,-3e1,true]}"#,
            "{}",
            #"{"jsonrpc":"1.0","id":4,"method":"m"}"#,
            #"{"jsonrpc":"2.0","id":[1],"method":"m"}"#,
            #"{"jsonrpc":"2.0","id":1.5,"method":"m"}"#,
            #"{"jsonrpc":"2.0","id":7,"method":5}"#,
            #"{"jsonrpc":"2.0","id":7,"method":"m","params":"p"}"#,
            #"{"params":{},"id":2e3,"method":"é","jsonrpc":"2.0"}"#,
        ]
        for frame in frames {
            #expect(JSONParser.requestMembers(Array(frame.utf8)) != nil, "\(frame)")
            Self.expectQuickReadingAgrees(frame)
        }
    }

    @Test func unusualFramesAreLeftToTheFullParse() {
        let frames = [
            #"{"jsonrpc":"2.0","id":1,"id":2,"method":"m"}"#,  // repeated: parse keeps the last
            #"{"jsonrpc":"2.0","\u0069d":1,"method":"m"}"#,  // a name spelled with an escape
            #"{"jsonrpc":"2.0","id":1,"method":"m","extra":0}"#,
            #"{"jsonrpc":"2.0","id":1,"methods":"m"}"#,
            #"[{"jsonrpc":"2.0","id":1,"method":"m"}]"#,
            #"{"jsonrpc":"2.0","id":1,"method":"m"} x"#,
            #"{"jsonrpc":"2.0","id":1,"method":"m""#,
            #"{"jsonrpc":"2.0","id":1,"method":"m",}"#,
            #"{"jsonrpc":"2.0","id":1e999,"method":"m"}"#,
            #"{"jsonrpc":"2.0","id":01,"method":"m"}"#,
            "", "null", "\"text\"", "{", "{,}",
            #"{"jsonrpc":"2.0","method":"m","params":"# + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}",
        ]
        for frame in frames {
            #expect(JSONParser.requestMembers(Array(frame.utf8)) == nil, "\(frame)")
        }
        #expect(JSONParser.requestMembers([0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]) == nil)  // {"id":"<invalid UTF-8>"}
    }

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
