public import ElohimProtocol

/// Why an accounts operation was refused, in words the caller can act on.
public struct AccountsError: DomainError, CustomStringConvertible {
    public let reason: ApplicationErrorReason
    public let message: String
    public let detail: [String: JSONValue]

    init(_ reason: ApplicationErrorReason, _ message: String, detail: [String: JSONValue] = [:]) {
        self.reason = reason
        self.message = message
        self.detail = detail
    }

    public var description: String { message }

    /// Another uid (the one a `users.*` call names) has no account: `not_found`. The caller's own
    /// missing account is `no_account`, refused by the dispatcher before any handler runs.
    static func noAccount(_ uid: UInt32) -> AccountsError {
        AccountsError(
            .notFound,
            "uid \(uid) has no account on this daemon; an admin can add one with `elohim users add --uid \(uid) --role member`",
            detail: ["uid": .int(Int64(uid))])
    }

    static func unknownPermission(_ key: String) -> AccountsError {
        AccountsError(
            .notFound, "no permission named '\(key)'; `elohim perms` lists them",
            detail: ["permission": .string(key)])
    }

    static func exists(_ uid: UInt32) -> AccountsError {
        AccountsError(.conflict, "uid \(uid) already has an account; change its role with `elohim users set-role`", detail: ["uid": .int(Int64(uid))])
    }

    static func founderRequired(_ what: String) -> AccountsError {
        AccountsError(
            .forbidden, "\(what) needs founder rights; unlock them with `elohim founder verify` (they last 5 minutes)",
            detail: ["permission": .string(PermissionCatalog.founderAll)])
    }
}
