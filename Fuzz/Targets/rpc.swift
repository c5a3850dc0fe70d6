// Fuzz target: the bytes a client can send. The frame decoder sees them as a stream (split at
// a point the input chooses); every whole frame, and the input itself, goes through the strict
// JSON parser and JSON-RPC request validation; whatever parses must write back and re-parse
// to the same value, and whatever the quick request reading accepts must parse to the same members.
import ElohimProtocol
import ElohimWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRPC(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var decoder = FrameDecoder(maximumPayload: 64 * 1024)
    let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    decoder.append(bytes[..<split])
    var payloads: [[UInt8]] = [bytes]
    var failed = false
    while !failed, let payload = try? decoder.next() {
        payloads.append(payload)
    }
    decoder.append(bytes[split...])
    do {
        while let payload = try decoder.next() { payloads.append(payload) }
    } catch {
        failed = true  // an oversized header: a clean error is all that is asked
    }
    for payload in payloads {
        // The daemon reads a plain request without a dictionary; it must read what `parse` reads.
        if let members = JSONParser.requestMembers(payload) {
            guard case .object(let full)? = try? JSONParser.parse(payload),
                Set(full.keys).isSubset(of: ["jsonrpc", "id", "method", "params"]),
                members == JSONParser.RequestMembers(of: full)
            else { fatalError("JSONParser.requestMembers read what parse does not: \(String(decoding: payload, as: UTF8.self))") }
        }
        guard let value = try? JSONParser.parse(payload) else { continue }
        switch value {
        case .array(let elements): for element in elements { _ = RPCRequest.validate(element) }
        default: _ = RPCRequest.validate(value)
        }
        let written = JSONWriter.bytes(value)
        guard let again = try? JSONParser.parse(written), again.isSameDocument(as: value) else {
            fatalError("JSON round trip changed the value: \(JSONWriter.string(value))")
        }
    }
    return 0
}

