/// One server-sent event: its `data:` lines joined with newlines.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field, when the server named one.
    public var event: String?
    public var data: String

    public init(event: String? = nil, data: String) {
        self.event = event
        self.data = data
    }
}

/// Splits a `text/event-stream` body, fed in arbitrary chunks, into events.
///
/// Lines end with `\n` or `\r\n` (a chunk may end mid-line or between `\r` and `\n`); a blank
/// line ends an event; `:` comments and unknown fields are ignored, as the spec says.
public struct SSELineSplitter: Sendable {
    private var line: [UInt8] = []
    private var data: [String] = []
    private var event: String?

    public init() {}

    /// Consumes `bytes` and returns the events they completed.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                if let event = takeLine() { events.append(event) }
            } else {
                line.append(byte)
            }
        }
        return events
    }

    /// The event left open when the stream ended without a final blank line, if any.
    public mutating func finish() -> SSEEvent? {
        if !line.isEmpty { _ = takeLine() }
        return dispatch()
    }

    private mutating func takeLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let field = String(decoding: line[..<colon], as: UTF8.self)
        var value = colon < line.endIndex ? line[(colon + 1)...] : []
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        switch field {
        case "data": data.append(String(decoding: value, as: UTF8.self))
        case "event": event = String(decoding: value, as: UTF8.self)
        default: break
        }
        return nil
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            data.removeAll()
            event = nil
        }
        guard !data.isEmpty else { return nil }
        return SSEEvent(event: event, data: data.joined(separator: "\n"))
    }
}

extension HTTPResponseBody {
    /// The body read as a server-sent event stream.
    public var events: SSEEvents { SSEEvents(body: self, splitter: SSELineSplitter()) }
}

/// Server-sent events from a response body, in order; the last event is delivered even when
/// the stream ends without a blank line.
public typealias SSEEvents = SplitBody<SSELineSplitter>

extension SSELineSplitter: BodySplitter {}

/// Turns body chunks into items (events, lines); what a `SplitBody` runs.
public protocol BodySplitter: Sendable {
    associatedtype Item: Sendable
    /// Consumes a chunk and returns the items it completed.
    mutating func feed(_ bytes: some Sequence<UInt8>) throws -> [Item]
    /// The item left open when the body ended, if any.
    mutating func finish() -> Item?
}

/// A response body read through a splitter, item by item, in order.
public struct SplitBody<Splitter: BodySplitter>: AsyncSequence, Sendable {
    public typealias Element = Splitter.Item
    let body: HTTPResponseBody
    let splitter: Splitter

    public struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: HTTPResponseBody.AsyncIterator
        var splitter: Splitter
        var ready: [Splitter.Item] = []
        var ended = false

        public mutating func next() async throws -> Splitter.Item? {
            while ready.isEmpty {
                if ended { return nil }
                if let chunk = try await chunks.next() {
                    ready = try splitter.feed(chunk)
                } else {
                    ended = true
                    if let last = splitter.finish() { ready = [last] }
                }
            }
            return ready.removeFirst()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(chunks: body.makeAsyncIterator(), splitter: splitter)
    }
}
