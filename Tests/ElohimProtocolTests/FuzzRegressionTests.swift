import ElohimProtocol
import ElohimWire
import Foundation
import Testing

/// Every input the `rpc` fuzz target keeps (Fuzz/corpus/rpc) and every input it once failed on
/// (Fuzz/regressions/rpc), through the same checks, without the sanitizer build: a fixed bug
/// stays fixed in the ordinary test run.
@Suite struct FuzzRegressionTests {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func inputs() -> [String] {
        ["corpus/rpc", "regressions/rpc"].flatMap { directory in
            ((try? FileManager.default.contentsOfDirectory(atPath: fuzz.appendingPathComponent(directory).path)) ?? [])
                .map { directory + "/" + $0 }
        }.sorted()
    }

    @Test func theCorpusIsThere() {
        #expect(Self.inputs().contains { $0.hasPrefix("regressions/") })
        #expect(Self.inputs().count > 10)
    }

    @Test(arguments: inputs())
    func parsesValidatesAndRoundTrips(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: Self.fuzz.appendingPathComponent(name)))
        var decoder = FrameDecoder(maximumPayload: 64 * 1024)
        decoder.append(bytes)
        var payloads = [bytes]
        while let payload = try? decoder.next() { payloads.append(payload) }
        for payload in payloads {
            RPCRequestTests.expectQuickReadingAgrees(String(decoding: payload, as: UTF8.self))
            guard let value = try? JSONParser.parse(payload) else { continue }
            _ = RPCRequest.validate(value)
            let again = try JSONParser.parse(JSONWriter.bytes(value))
            #expect(again.isSameDocument(as: value), "\(name): \(JSONWriter.string(value)) → \(JSONWriter.string(again))")
        }
    }

    /// The first finding: `-3e1` parses as a double and is written back as `-30`, an integer.
    /// Same number, so the round trip holds by value.
    @Test func anIntegralDoubleRoundTripsAsTheSameNumber() throws {
        let value = try JSONParser.parse("-3e1")
        let again = try JSONParser.parse(JSONWriter.bytes(value))
        #expect(again.doubleValue == -30 && value.doubleValue == -30)
        #expect(again.intValue == value.intValue)
    }
}
