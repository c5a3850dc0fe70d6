/// Who may call a method. The daemon's dispatcher enforces it before any handler runs.
public enum Access: Sendable, Hashable, CustomStringConvertible {
    /// Anyone who can reach the socket, even a uid with no account (`daemon.hello`, `daemon.ping`).
    case open
    /// Any caller with an account, whatever its role (`auth.effective_permissions`).
    case account
    /// Callers holding this permission key (`chat.use`, `admin.view_audit`, …).
    case permission(String)

    public var description: String {
        switch self {
        case .open: return "open"
        case .account: return "account"
        case .permission(let key): return key
        }
    }
}

/// One parameter of a method, as declared for positional mapping, unknown-field checks and
/// the OpenRPC document.
public struct ParamField: Sendable {
    public var name: String
    public var schema: JSONValue
    public var required: Bool
    public var summary: String

    public init(_ name: String, _ schema: JSONValue, required: Bool = false, summary: String) {
        self.name = name
        self.schema = schema
        self.required = required
        self.summary = summary
    }
}

/// Params a method accepts. `fields` lists them in positional order, in wire spelling.
public protocol RPCParams: Codable, Sendable {
    static var fields: [ParamField] { get }
}

/// A method that takes no params.
public struct NoParams: RPCParams {
    public static let fields: [ParamField] = []
    public init() {}
}

/// Everything the daemon and its clients need to agree on about one method.
public struct MethodSpec<Params: RPCParams, Result: Codable & Sendable>: Sendable {
    /// `area.verb` in snake_case.
    public let name: String
    public let summary: String
    public let access: Access
    /// JSON Schema of the result, for the OpenRPC document.
    public let resultSchema: JSONValue

    public init(_ name: String, summary: String, access: Access, result resultSchema: JSONValue) {
        self.name = name
        self.summary = summary
        self.access = access
        self.resultSchema = resultSchema
    }

    /// The request for this method with `params`, ready to send.
    public func request(id: RPCID?, params: Params) throws -> RPCRequest {
        let encoded = try RPCCoding.json(params)
        let isEmpty = encoded.objectValue?.isEmpty ?? false
        return RPCRequest(id: id, method: name, params: isEmpty ? nil : encoded)
    }
}

extension MethodSpec where Params == NoParams {
    /// The request for a method without params.
    public func request(id: RPCID?) -> RPCRequest {
        RPCRequest(id: id, method: name, params: nil)
    }
}
