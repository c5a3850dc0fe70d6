// Fuzz target: the bytes a client can send. The frame decoder sees them as a stream (split at
// a point the input chooses); every whole frame, and the input itself, goes through the strict
// JSON parser and JSON-RPC request validation; whatever parses must write back and re-parse
// to the same value.
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

