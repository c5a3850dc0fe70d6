/// A JSON-RPC request id: a string, a number or null. Absent means "notification".
public enum RPCID: Sendable, Hashable, CustomStringConvertible {
    case int(Int64)
    case string(String)
    case null

    /// The id from a parsed `id` member; `nil` when the member is not a valid id.
    public init?(_ value: JSONValue) {
        switch value {
        case .int(let number): self = .int(number)
        case .string(let text): self = .string(text)
        case .null: self = .null
        // JSON-RPC says ids SHOULD NOT have fractions; a whole double is still an integer.
        case .double(let number) where number.rounded() == number && abs(number) < 9.0e18:
            self = .int(Int64(number))
        default: return nil
        }
    }

    /// The id as JSON.
    public var json: JSONValue {
        switch self {
        case .int(let number): return .int(number)
        case .string(let text): return .string(text)
        case .null: return .null
        }
    }

    public var description: String { JSONWriter.string(json) }
}
