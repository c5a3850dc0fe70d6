import ElohimProtocol
import ElohimWire

/// A typed, blocking client over `WireConnection`: what every CLI command talks through.
public final class DaemonClient {
    public let connection: WireConnection
    private var nextID: Int64 = 1

    /// Connects to the first candidate socket that answers.
    /// - Throws: `WireError` (e.g. `.notRunning`) when none does.
    public init(candidates: [String]) throws(WireError) {
        connection = try WireConnection.connect(candidates: candidates)
    }

    /// Calls a method declared in ElohimProtocol and decodes its result.
    public func call<Params, Result>(_ spec: MethodSpec<Params, Result>, _ params: Params) throws -> Result {
        let result = try callRaw(spec.name, params: try spec.request(id: nil, params: params).params)
        return try RPCCoding.decode(Result.self, from: result)
    }

    /// Calls a method that takes no params.
    public func call<Result>(_ spec: MethodSpec<NoParams, Result>) throws -> Result {
        try RPCCoding.decode(Result.self, from: try callRaw(spec.name, params: nil))
    }

    /// Calls any method by name and returns the raw result. Notifications that arrive before
    /// the response (a chat reply's pieces, events) go to `onNotification` as (method, params).
    /// - Throws: `RPCError` when the daemon answers with an error, `WireError` on transport failure.
    public func callRaw(
        _ method: String, params: JSONValue?, onNotification: ((String, JSONValue) -> Void)? = nil
    ) throws -> JSONValue {
        let id = nextID
        nextID += 1
        let request = RPCRequest(id: .int(id), method: method, params: params)
        try connection.send(JSONWriter.bytes(request.json))
        // Notifications (events, stream chunks) may arrive before the response: skip them here.
        while true {
            let payload = try connection.receive()
            let response: JSONValue
            do {
                response = try JSONParser.parse(payload)
            } catch {
                throw ClientError.malformedResponse("\(error)")
            }
            guard response["id"] != nil else {
                if let onNotification, let name = response["method"]?.stringValue {
                    onNotification(name, response["params"] ?? .null)
                }
                continue
            }
            guard response["id"] == .int(id) else {
                throw ClientError.malformedResponse("answer for id \(response["id"].map(JSONWriter.string) ?? "?"), expected \(id)")
            }
            if let error = response["error"] {
                throw RPCError(json: error) ?? ClientError.malformedResponse("error without code/message")
            }
            guard let result = response["result"] else { throw ClientError.malformedResponse("neither result nor error") }
            return result
        }
    }
}

/// The daemon said something this client cannot read.
public enum ClientError: Error, CustomStringConvertible {
    case malformedResponse(String)

    public var description: String {
        switch self {
        case .malformedResponse(let detail): return "unexpected response from elohimd: \(detail)"
        }
    }
}
