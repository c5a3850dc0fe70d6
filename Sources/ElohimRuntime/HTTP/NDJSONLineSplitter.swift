/// Splits a newline-delimited JSON body (`application/x-ndjson`, Ollama's streams), fed in
/// arbitrary chunks, into lines: a chunk may end mid-line, mid-UTF-8 sequence or between `\r`
/// and `\n`. Blank lines are skipped. A line longer than `maximumLineBytes` is an error rather
/// than an unbounded buffer.
public struct NDJSONLineSplitter: Sendable {
    /// A line grew past the limit without a newline.
    public struct LineTooLong: Error, Sendable, CustomStringConvertible {
        public let limit: Int
        public var description: String { "a line of the response exceeds \(limit) bytes" }
    }

    public let maximumLineBytes: Int
    private var line: [UInt8] = []

    public init(maximumLineBytes: Int = 16 << 20) {
        self.maximumLineBytes = maximumLineBytes
    }

    /// Consumes `bytes` and returns the lines they completed (without their line ends).
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(LineTooLong) -> [String] {
        var lines: [String] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if let finished = take() { lines.append(finished) }
            } else {
                guard line.count < maximumLineBytes else { throw LineTooLong(limit: maximumLineBytes) }
                line.append(byte)
            }
        }
        return lines
    }

    /// The last line when the body ended without a newline, if any.
    public mutating func finish() -> String? { take() }

    private mutating func take() -> String? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        let text = String(decoding: line, as: UTF8.self)
        return text.allSatisfy(\.isWhitespace) ? nil : text
    }
}

extension HTTPResponseBody {
    /// The body read as newline-delimited JSON text lines.
    public var lines: NDJSONLines { NDJSONLines(body: self, splitter: NDJSONLineSplitter()) }
}

/// The lines of a newline-delimited body, in order; the last is delivered even without a newline.
public typealias NDJSONLines = SplitBody<NDJSONLineSplitter>

extension NDJSONLineSplitter: BodySplitter {}
