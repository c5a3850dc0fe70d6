/// A result that writes its own JSON instead of going through `Encodable`.
///
/// Only for the few results polled so often that Codable's tree is most of their cost: a
/// dictionary per object, every key converted to snake_case and every object's keys sorted on
/// every call (`daemon.status`, which status bars poll: a third of the daemon's CPU per call
/// went there). `writeJSON` must write exactly what `RPCCoding.encode` writes for the value
/// through `Encodable`; `JSONWritableTests` checks each conforming type against it.
public protocol JSONWritable: Encodable {
    func writeJSON(into output: inout [UInt8])
}

/// Writes one JSON object member by member, with the same spelling as `JSONWriter`.
///
/// Members must be written in the order `JSONWriter` sorts keys (byte order): a caller lists
/// them alphabetically, and debug builds check it.
public struct JSONObjectWriter: ~Copyable {
    private var isFirst = true
    #if DEBUG
    private var previousKey = ""
    #endif

    /// Opens the object (`{`).
    public init(into output: inout [UInt8]) {
        output.append(UInt8(ascii: "{"))
    }

    /// Closes the object (`}`).
    public consuming func end(into output: inout [UInt8]) {
        output.append(UInt8(ascii: "}"))
    }

    public mutating func member(_ key: StaticString, _ value: String, into output: inout [UInt8]) {
        writeKey(key, into: &output)
        JSONWriter.write(string: value, into: &output)
    }

    /// `null` when `value` is nil, as `RPCCoding` writes a nil optional.
    public mutating func member(_ key: StaticString, _ value: String?, into output: inout [UInt8]) {
        writeKey(key, into: &output)
        if let value {
            JSONWriter.write(string: value, into: &output)
        } else {
            output.append(contentsOf: "null".utf8)
        }
    }

    public mutating func member(_ key: StaticString, _ value: Bool, into output: inout [UInt8]) {
        writeKey(key, into: &output)
        output.append(contentsOf: (value ? "true" : "false").utf8)
    }

    public mutating func member(_ key: StaticString, _ value: Int64, into output: inout [UInt8]) {
        writeKey(key, into: &output)
        Self.writeDecimal(value, into: &output)
    }

    public mutating func member(_ key: StaticString, _ value: Int, into output: inout [UInt8]) {
        member(key, Int64(value), into: &output)
    }

    public mutating func member(_ key: StaticString, _ value: Int32, into output: inout [UInt8]) {
        member(key, Int64(value), into: &output)
    }

    /// As `JSONValueEncoder` encodes a double: whole values up to 2^53 as integers.
    public mutating func member(_ key: StaticString, _ value: Double, into output: inout [UInt8]) {
        writeKey(key, into: &output)
        if value.rounded() == value && abs(value) <= 9_007_199_254_740_992 {
            Self.writeDecimal(Int64(value), into: &output)
        } else if let thousandths = Self.exactThousandths(value) {
            Self.writeThousandths(thousandths, into: &output)
        } else {
            JSONWriter.write(.double(value), into: &output)
        }
    }

    /// `value` × 1000 when `value` is the double nearest to a whole number of thousandths
    /// (an uptime rounded to the millisecond), below a billion, so that Swift's shortest
    /// round-trip spelling of `value` is exactly that decimal: a double's neighbours there are
    /// far closer than 0.001 apart, so no shorter decimal rounds to it. Formatting a Double is
    /// the costliest part of writing a `daemon.status`; this skips it.
    private static func exactThousandths(_ value: Double) -> Int64? {
        guard abs(value) < 1e9 else { return nil }
        let scaled = (value * 1000).rounded()
        return scaled / 1000 == value ? Int64(scaled) : nil
    }

    /// `thousandths / 1000` in decimal, with no trailing zeros: 12345 → `12.345`, 1500 → `1.5`,
    /// 7 → `0.007`. Only for values that are not whole (`exactThousandths`).
    private static func writeThousandths(_ thousandths: Int64, into output: inout [UInt8]) {
        if thousandths < 0 { output.append(UInt8(ascii: "-")) }
        let magnitude = thousandths.magnitude
        writeDecimal(Int64(magnitude / 1000), into: &output)
        output.append(UInt8(ascii: "."))
        var fraction = magnitude % 1000
        var divisor: UInt64 = 100
        while fraction > 0 {
            output.append(UInt8(ascii: "0") + UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }

    /// `value` in decimal, as `String(value)` spells it, without making the String.
    private static func writeDecimal(_ value: Int64, into output: inout [UInt8]) {
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // 20 digits hold UInt64.max; filled from the end.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    private mutating func writeKey(_ key: StaticString, into output: inout [UInt8]) {
        #if DEBUG
        let text = key.description
        assert(isFirst || previousKey < text, "JSONObjectWriter: \(text) written after \(previousKey); list members in key order")
        previousKey = text
        #endif
        if !isFirst { output.append(UInt8(ascii: ",")) }
        isFirst = false
        // Keys are snake_case ASCII: nothing to escape.
        output.append(UInt8(ascii: "\""))
        output.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        output.append(UInt8(ascii: "\""))
        output.append(UInt8(ascii: ":"))
    }
}
