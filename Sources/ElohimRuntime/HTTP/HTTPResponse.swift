import NIOCore

/// A response whose head has arrived; the body streams in as it is read.
///
/// The connection stays open until the body ends or the response (and every iterator of its
/// body) is dropped, so a caller that only needs the status may simply let it go.
public struct HTTPResponse: Sendable {
    public let status: Int
    public let reason: String
    public let headers: [HTTPHeader]
    /// The body, chunk by chunk, with back-pressure: a slow reader slows the sender instead of
    /// filling memory, so multi-gigabyte downloads and endless event streams are both fine.
    public let body: HTTPResponseBody

    /// Reads the whole body, refusing one larger than `limit` bytes.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body {
            guard bytes.count + chunk.count <= limit else { throw HTTPClientError.bodyTooLarge(limit: limit) }
            bytes += chunk
        }
        return bytes
    }

    /// Reads the whole body as UTF-8 text, refusing one larger than `limit` bytes.
    public func text(upTo limit: Int) async throws -> String {
        String(decoding: try await collect(upTo: limit), as: UTF8.self)
    }
}

/// The body of an `HTTPResponse`: byte chunks in arrival order. Iterate it once.
public struct HTTPResponseBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    typealias Producer = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, BodyDelegate
    >

    let producer: Producer

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Producer.AsyncIterator

        public mutating func next() async throws -> [UInt8]? {
            guard let buffer = try await base.next() else { return nil }
            return Array(buffer.readableBytesView)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: producer.makeAsyncIterator())
    }
}
