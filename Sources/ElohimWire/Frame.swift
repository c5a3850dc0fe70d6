/// The wire's framing: a 4-byte unsigned big-endian length, then that many bytes of UTF-8 JSON.
///
/// This type is Foundation-free so the status helper can link it and still start in a few
/// milliseconds. The daemon and the CLI frame with it too; all follow `Protocol/PROTOCOL.md`.
public enum Frame {
    /// Bytes in the length prefix.
    public static let headerLength = 4

    /// The default largest payload either side accepts: 4 MiB.
    public static let defaultMaximumPayload = 4 * 1024 * 1024

    /// Returns `payload` with its length prefix.
    public static func encode(_ payload: some Collection<UInt8>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerLength + payload.count)
        withUnsafeBytes(of: header(payloadCount: payload.count)) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: payload)
        return bytes
    }

    /// The 4-byte length prefix of a payload of `count` bytes.
    public static func header(payloadCount count: Int) -> (UInt8, UInt8, UInt8, UInt8) {
        let length = UInt32(truncatingIfNeeded: count)
        return (
            UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
            UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)
        )
    }

    /// Returns `text` (UTF-8) with its length prefix.
    public static func encode(_ text: String) -> [UInt8] {
        encode(Array(text.utf8))
    }

    /// Reads the payload length announced by a 4-byte header.
    public static func payloadLength(header: some Collection<UInt8>) -> Int {
        precondition(header.count >= headerLength)
        var length: UInt32 = 0
        for byte in header.prefix(headerLength) {
            length = length << 8 | UInt32(byte)
        }
        return Int(length)
    }
}

/// Splits a byte stream into frame payloads, refusing any frame larger than the limit
/// before buffering it.
public struct FrameDecoder: Sendable {
    /// The largest payload accepted.
    public let maximumPayload: Int
    private var buffer: [UInt8] = []
    private var start = 0

    /// - Parameter maximumPayload: frames announcing more than this many bytes are an error.
    public init(maximumPayload: Int = Frame.defaultMaximumPayload) {
        self.maximumPayload = maximumPayload
    }

    /// Bytes received but not yet returned as a frame.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Adds bytes read from the stream.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        dropConsumed()
        buffer.append(contentsOf: bytes)
    }

    /// Adds bytes read from the stream, straight from the read buffer: a non-generic entry point,
    /// so a caller in another module does not append through the unspecialised generic path one
    /// byte at a time.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        dropConsumed()
        buffer.append(contentsOf: bytes)
    }

    /// Once every buffered frame has been returned, the buffer starts over (keeping its memory).
    private mutating func dropConsumed() {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
    }

    /// Returns the next complete payload, or `nil` when more bytes are needed.
    /// - Throws: `WireError.frameTooLarge` when a header announces more than `maximumPayload`.
    public mutating func next() throws(WireError) -> [UInt8]? {
        guard bufferedByteCount >= Frame.headerLength else { return nil }
        let length = Frame.payloadLength(header: buffer[start..<(start + Frame.headerLength)])
        guard length <= maximumPayload else {
            throw .frameTooLarge(length: length, maximum: maximumPayload)
        }
        guard bufferedByteCount >= Frame.headerLength + length else { return nil }
        let payloadStart = start + Frame.headerLength
        let payload = Array(buffer[payloadStart..<(payloadStart + length)])
        start = payloadStart + length
        if start > 64 * 1024 && start * 2 > buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        return payload
    }
}
