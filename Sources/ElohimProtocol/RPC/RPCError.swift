/// A JSON-RPC error object as it travels: `code`, `message`, optional `data`.
///
/// Application errors always carry `data.reason`, a stable snake_case word scripts can match
/// on (`forbidden`, `not_found`, …), and whatever structured detail helps the caller act.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// The machine-readable reason, when the daemon gave one.
    public var reason: String? { data?["reason"]?.stringValue }

    public var description: String { message }

    /// The error as a JSON object.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["code": .int(Int64(code)), "message": .string(message)]
        if let data { members["data"] = data }
        return .object(members)
    }

    /// Reads an error object; `nil` when `value` is not one.
    public init?(json value: JSONValue) {
        guard let code = value["code"]?.intValue, let message = value["message"]?.stringValue else { return nil }
        self.init(code: Int(code), message: message, data: value["data"])
    }
}

extension RPCError {
    // The standard codes of JSON-RPC 2.0 §5.1.
    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603

    /// -32700: the frame was not valid JSON (or not valid UTF-8).
    public static func parseError(_ detail: String) -> RPCError {
        RPCError(code: parseErrorCode, message: "Parse error: \(detail)", data: ["reason": "parse_error"])
    }

    /// -32600: valid JSON that is not a valid request.
    public static func invalidRequest(_ detail: String) -> RPCError {
        RPCError(code: invalidRequestCode, message: "Invalid Request: \(detail)", data: ["reason": "invalid_request"])
    }

    /// -32601: no method of that name.
    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(
            code: methodNotFoundCode,
            message: "Method not found: \(method) (rpc.discover lists every method)",
            data: ["reason": "method_not_found", "method": .string(method)]
        )
    }

    /// -32602: the params do not match the method's declaration; `field` names the culprit.
    public static func invalidParams(_ detail: String, field: String? = nil) -> RPCError {
        var data: [String: JSONValue] = ["reason": "invalid_params"]
        if let field { data["field"] = .string(field) }
        return RPCError(code: invalidParamsCode, message: "Invalid params: \(detail)", data: .object(data))
    }

    /// -32603: something failed inside the daemon; details are in its log, never on the wire.
    public static func internalError(reference: String) -> RPCError {
        RPCError(
            code: internalErrorCode,
            message: "Internal error (see the daemon's log, reference \(reference))",
            data: ["reason": "internal", "reference": .string(reference)]
        )
    }
}
