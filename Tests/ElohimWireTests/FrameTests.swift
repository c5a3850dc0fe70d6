import ElohimWire
import Foundation
import Testing

@Suite struct FrameTests {
    @Test func encodesBigEndianLengthPrefix() {
        #expect(Frame.encode("{}") == [0, 0, 0, 2, UInt8(ascii: "{"), UInt8(ascii: "}")])
        #expect(Frame.encode([UInt8](repeating: 7, count: 0x0102_03)).prefix(4) == [0, 1, 2, 3])
    }

    @Test func decodesFramesSplitAcrossReadsAndGluedTogether() throws {
        var decoder = FrameDecoder()
        let stream = Frame.encode("first") + Frame.encode("second")
        var frames: [String] = []
        for byte in stream {
            decoder.append([byte])
            while let frame = try decoder.next() { frames.append(String(decoding: frame, as: UTF8.self)) }
        }
        #expect(frames == ["first", "second"])
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func refusesAnOversizedHeaderBeforeBufferingThePayload() {
        var decoder = FrameDecoder(maximumPayload: 16)
        decoder.append([0, 0, 0, 17])
        #expect(throws: WireError.frameTooLarge(length: 17, maximum: 16)) { try decoder.next() }
    }

    @Test func waitsForTheRestOfATruncatedFrame() throws {
        var decoder = FrameDecoder()
        decoder.append([0, 0, 0, 10, 1, 2, 3])
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 7)
    }

    @Test(arguments: GoldenVector.all())
    func roundTripsGoldenVectors(_ vector: GoldenVector) throws {
        for (frame, json) in [(vector.requestFrame, vector.requestJSON), (vector.responseFrame, vector.responseJSON)] {
            var decoder = FrameDecoder()
            decoder.append(frame)
            #expect(try decoder.next() == json)
            #expect(Frame.encode(json) == frame)
        }
    }

    @Test func socketPathPrefersExplicitThenEnvironmentThenUserThenSystem() {
        let environment: [String: String] = ["XDG_RUNTIME_DIR": "/run/user/1000"]
        #expect(SocketPath.candidates(explicit: "/x.sock", environment: { environment[$0] }) == ["/x.sock"])
        #expect(
            SocketPath.candidates(environment: { environment[$0] })
                == ["/run/user/1000/elohim/elohimd.sock", "/run/elohim/elohimd.sock"])
        let overridden = environment.merging(["ELOHIM_SOCKET": "/tmp/e.sock"]) { $1 }
        #expect(SocketPath.candidates(environment: { overridden[$0] }) == ["/tmp/e.sock"])
    }

    @Test func connectingToNothingSaysNotRunning() {
        #expect(throws: WireError.notRunning(path: "/nonexistent/elohimd.sock", errno: ENOENT)) {
            try WireConnection.connect(path: "/nonexistent/elohimd.sock")
        }
    }
}

/// A request/response pair from `Protocol/vectors`: frame bytes and the JSON they carry.
struct GoldenVector: CustomTestStringConvertible, Sendable {
    let name: String
    let requestFrame: [UInt8]
    let requestJSON: [UInt8]
    let responseFrame: [UInt8]
    let responseJSON: [UInt8]

    var testDescription: String { name }

    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Protocol/vectors")

    static func all() -> [GoldenVector] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".request.frame") }.sorted().map { file in
            let name = String(file.dropLast(".request.frame".count))
            func bytes(_ suffix: String) -> [UInt8] {
                Array((try? Data(contentsOf: directory.appendingPathComponent(name + suffix))) ?? Data())
            }
            return GoldenVector(
                name: name, requestFrame: bytes(".request.frame"), requestJSON: bytes(".request.json"),
                responseFrame: bytes(".response.frame"), responseJSON: bytes(".response.json"))
        }
    }
}
