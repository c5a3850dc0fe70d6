public import ElohimProtocol

/// Why a dataset could not be imported, found or dropped.
public struct DatasetError: DomainError, CustomStringConvertible {
    private enum Code: Sendable { case badName, notFound, exists, unreadable, missing, badData, importing, storage }
    private let code: Code
    public let message: String
    public let detail: [String: JSONValue]

    static func badName(_ name: String) -> DatasetError {
        DatasetError(
            code: .badName,
            message: "'\(name)' is not a usable dataset name: use 1 to 64 letters, digits and underscores, starting with a letter or underscore",
            detail: ["name": .string(name)])
    }
    static func notFound(_ name: String) -> DatasetError {
        DatasetError(code: .notFound, message: "no dataset named '\(name)'; `elohim data list` shows yours", detail: ["dataset": .string(name)])
    }
    static func exists(_ name: String) -> DatasetError {
        DatasetError(
            code: .exists, message: "a dataset named '\(name)' exists already; pass replace (--replace) or pick another name",
            detail: ["dataset": .string(name)])
    }
    static func importing(_ name: String) -> DatasetError {
        DatasetError(
            code: .importing, message: "dataset '\(name)' is being imported right now; wait for that import to finish",
            detail: ["dataset": .string(name)])
    }
    static func unreadable(_ path: String, _ why: String, missing: Bool = false) -> DatasetError {
        DatasetError(code: missing ? .missing : .unreadable, message: "cannot read \(path): \(why)", detail: ["path": .string(path)])
    }
    /// A row (or the file) that cannot be imported; `line` is 1-based, counting physical lines.
    static func badData(_ path: String, line: Int?, _ why: String) -> DatasetError {
        var detail: [String: JSONValue] = ["path": .string(path)]
        if let line { detail["line"] = .int(Int64(line)) }
        let at = line.map { "line \($0): " } ?? ""
        return DatasetError(
            code: .badData, message: "\(path) \(at)\(why); nothing was imported — fix the file and import it again", detail: detail)
    }
    static func storage(_ what: String) -> DatasetError {
        DatasetError(code: .storage, message: what, detail: [:])
    }

    public var reason: ApplicationErrorReason {
        switch code {
        case .badName: return .badData
        case .notFound: return .notFound
        case .exists, .importing: return .conflict
        case .unreadable: return .forbidden
        case .missing: return .notFound
        case .badData: return .badData
        case .storage: return .failed
        }
    }

    public var description: String { message }
}
