/// One JSON-RPC 2.0 request or notification, validated.
public struct RPCRequest: Sendable {
    /// `nil` for a notification (no `id` member): it is never answered.
    public var id: RPCID?
    public var method: String
    /// `.array` (positional) or `.object` (named), or `nil` when absent.
    public var params: JSONValue?

    public init(id: RPCID?, method: String, params: JSONValue? = nil) {
        self.id = id
        self.method = method
        self.params = params
    }

    /// True when the sender expects no answer.
    public var isNotification: Bool { id == nil }

    /// Validates one element of a frame (a lone request or one member of a batch).
    ///
    /// On failure the error comes with the id to answer with: the request's own when it could be
    /// read, otherwise null, as JSON-RPC 2.0 §5 requires.
    public static func validate(_ value: JSONValue) -> Result<RPCRequest, Rejection> {
        guard case .object(let members) = value else {
            return .failure(Rejection(id: .null, error: .invalidRequest("expected a request object, got \(value.typeName)")))
        }
        let known = JSONParser.RequestMembers(of: members)
        return validate(known) {
            // jsonrpc and method are present when this is asked; anything beyond the four names is refused.
            let count = 2 + (known.id == nil ? 0 : 1) + (known.params == nil ? 0 : 1)
            guard members.count > count else { return nil }
            return members.keys.sorted().first { !Self.memberNames.contains($0) }
        }
    }

    /// Validates a request object read by `JSONParser.requestMembers`, which has no other members.
    public static func validate(_ members: JSONParser.RequestMembers) -> Result<RPCRequest, Rejection> {
        validate(members) { nil }
    }

    /// The checks, in the order their errors take precedence; `unknownMember` names a member
    /// beyond the four, if there is one.
    private static func validate(
        _ members: JSONParser.RequestMembers, unknownMember: () -> String?
    ) -> Result<RPCRequest, Rejection> {
        var id: RPCID?
        if let rawID = members.id {
            guard let parsed = RPCID(rawID) else {
                return .failure(Rejection(id: .null, error: .invalidRequest("id must be a string, a number or null")))
            }
            id = parsed
        }
        let answerID = id ?? .null
        guard members.jsonrpc == .string("2.0") else {
            return .failure(Rejection(id: answerID, error: .invalidRequest("\"jsonrpc\" must be exactly \"2.0\"")))
        }
        guard let method = members.method?.stringValue else {
            return .failure(Rejection(id: answerID, error: .invalidRequest("\"method\" must be a string")))
        }
        let params = members.params
        switch params {
        case nil, .array?, .object?: break
        default:
            return .failure(Rejection(id: answerID, error: .invalidRequest("\"params\" must be an array or an object")))
        }
        if let key = unknownMember() {
            return .failure(Rejection(id: answerID, error: .invalidRequest("unknown member \"\(key)\"")))
        }
        return .success(RPCRequest(id: id, method: method, params: params))
    }

    private static let memberNames: Set<String> = ["jsonrpc", "id", "method", "params"]

    /// A request that could not be accepted, and the id its error response carries.
    public struct Rejection: Error, Sendable {
        public var id: RPCID
        public var error: RPCError
    }

    /// The request as JSON, for clients.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method)]
        if let id { members["id"] = id.json }
        if let params { members["params"] = params }
        return .object(members)
    }
}
