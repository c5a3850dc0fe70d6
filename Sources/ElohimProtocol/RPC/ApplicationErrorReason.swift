/// The application errors of this protocol: one code in -32000…-32099 per reason.
///
/// The table is part of the wire contract (`Protocol/PROTOCOL.md`): codes are never reused.
public enum ApplicationErrorReason: String, Sendable, CaseIterable {
    case forbidden
    case notFound = "not_found"
    case busy
    case memoryLimit = "memory_limit"
    case noAccount = "no_account"
    case unsupportedProtocol = "unsupported_protocol"
    case shuttingDown = "shutting_down"
    case storageFull = "storage_full"
    case conflict
    case unavailable
    case frameTooLarge = "frame_too_large"
    case failed
    case throttled
    /// A query job was cancelled before it finished.
    case cancelled
    /// A query job ran past its timeout and was stopped.
    case timeout
    /// A statement that would write was refused: the query engine only reads.
    case readOnly = "read_only"
    /// The input could not be used (a CSV row, a dataset name); the message names where.
    case badData = "bad_data"
    case tooLarge = "too_large"
    case invalidModel = "invalid_model"
    case checksumMismatch = "checksum_mismatch"
    case contextTooSmall = "context_too_small"

    /// The JSON-RPC error code of this reason.
    public var code: Int {
        switch self {
        case .forbidden: return -32001
        case .notFound: return -32002
        case .busy: return -32003
        case .memoryLimit: return -32004
        case .noAccount: return -32005
        case .unsupportedProtocol: return -32006
        case .shuttingDown: return -32007
        case .storageFull: return -32008
        case .conflict: return -32009
        case .unavailable: return -32010
        case .frameTooLarge: return -32011
        case .failed: return -32012
        case .throttled: return -32013
        case .cancelled: return -32020
        case .timeout: return -32021
        case .readOnly: return -32022
        case .badData: return -32023
        case .tooLarge: return -32025
        case .invalidModel: return -32014
        case .checksumMismatch: return -32015
        case .contextTooSmall: return -32035
        }
    }
}

extension RPCError {
    /// An application error: `data` gets `reason` added to whatever detail is given.
    public static func application(
        _ reason: ApplicationErrorReason,
        _ message: String,
        detail: [String: JSONValue] = [:]
    ) -> RPCError {
        var data = detail
        data["reason"] = .string(reason.rawValue)
        return RPCError(code: reason.code, message: message, data: .object(data))
    }
}
