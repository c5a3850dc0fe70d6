/// Builds response frames. A result arrives pre-encoded so it is serialised exactly once.
public enum RPCResponse {
    /// `{"jsonrpc":"2.0","id":…,"result":…}` with `result` already serialised.
    public static func success(id: RPCID, encodedResult: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(encodedResult.count + 40)
        beginSuccess(id: id, into: &output)
        output.append(contentsOf: encodedResult)
        endSuccess(into: &output)
        return output
    }

    /// Everything of a success response before its result: `{"jsonrpc":"2.0","id":…,"result":`.
    /// The caller appends the result, then `endSuccess`.
    public static func beginSuccess(id: RPCID, into output: inout [UInt8]) {
        output.append(contentsOf: #"{"jsonrpc":"2.0","id":"#.utf8)
        JSONWriter.write(id.json, into: &output)
        output.append(contentsOf: #","result":"#.utf8)
    }

    /// Closes a response `beginSuccess` began.
    public static func endSuccess(into output: inout [UInt8]) {
        output.append(UInt8(ascii: "}"))
    }

    /// `{"jsonrpc":"2.0","id":…,"error":{…}}`.
    public static func failure(id: RPCID, error: RPCError) -> [UInt8] {
        JSONWriter.bytes(["jsonrpc": "2.0", "id": id.json, "error": error.json])
    }

    /// A server-to-client notification (no id): how events and stream chunks travel.
    public static func notification(method: String, params: JSONValue) -> [UInt8] {
        JSONWriter.bytes(["jsonrpc": "2.0", "method": .string(method), "params": params])
    }

    /// Wraps already-serialised responses of a batch in one array.
    public static func batch(_ responses: [[UInt8]]) -> [UInt8] {
        var output: [UInt8] = [UInt8(ascii: "[")]
        for (offset, response) in responses.enumerated() {
            if offset > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: response)
        }
        output.append(UInt8(ascii: "]"))
        return output
    }
}
