import Foundation
import NIOCore
import NIOEmbedded
import NIOExtras
import Testing

/// The daemon's byte pipeline, exactly as `RPCServer` builds it, on an `EmbeddedChannel`.
@Suite struct PipelineTests {
    static func makeChannel(maxFrameBytes: Int = 4 * 1024 * 1024) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(
            ByteToMessageHandler(LengthFieldBasedFrameDecoder(lengthFieldLength: .four), maximumBufferSize: maxFrameBytes + 4),
            LengthFieldPrepender(lengthFieldLength: .four)
        )
        return channel
    }

    static let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocol/vectors")

    static func vectorNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: vectors.path)) ?? [])
            .filter { $0.hasSuffix(".frame") }.sorted()
    }

    @Test(arguments: vectorNames())
    func decodesAndReencodesEachGoldenFrame(_ file: String) throws {
        let frame = try Data(contentsOf: Self.vectors.appendingPathComponent(file))
        let json = try Data(contentsOf: Self.vectors.appendingPathComponent(file.replacingOccurrences(of: ".frame", with: ".json")))
        let channel = try Self.makeChannel()
        // Deliver the frame in two pieces, split inside the header, as a socket may.
        try channel.writeInbound(ByteBuffer(bytes: frame.prefix(2)))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        try channel.writeInbound(ByteBuffer(bytes: frame.dropFirst(2)))
        let decoded = try #require(try channel.readInbound(as: ByteBuffer.self))
        #expect(Array(decoded.readableBytesView) == Array(json))
        try channel.writeOutbound(ByteBuffer(bytes: json))
        let encoded = try #require(try channel.readOutbound(as: ByteBuffer.self))
        var wire = encoded
        if let body = try channel.readOutbound(as: ByteBuffer.self) { wire.writeImmutableBuffer(body) }
        #expect(Array(wire.readableBytesView) == Array(frame))
        _ = try channel.finish()
    }

    @Test func aFrameOverTheLimitFailsThePipeline() throws {
        let channel = try Self.makeChannel(maxFrameBytes: 1024)
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(2048))
        buffer.writeBytes([UInt8](repeating: 0x20, count: 1100))
        #expect(throws: ByteToMessageDecoderError.PayloadTooLargeError.self) { try channel.writeInbound(buffer) }
    }
}
