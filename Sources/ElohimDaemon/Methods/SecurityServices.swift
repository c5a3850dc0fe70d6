import ElohimCore
import ElohimProtocol
import Foundation

/// Accounts, founder rights, setup and the audit log: what the auth, users, setup and audit
/// handlers work with.
struct SecurityServices: Sendable {
    let accounts: AccountDirectory
    let founder: FounderGate
    let setup: SetupState
    let audit: AuditWriter
    /// The daemon's own uid: with root, the only callers who may complete setup.
    let ownerUID: UInt32

    /// Where the permission model is documented, for `elohim perms`.
    static let permissionDocs = "docs/permissions.md"

    func isFounder(_ uid: UInt32) -> Bool {
        (try? founder.founderUID()) == uid
    }

    func founderState(_ uid: UInt32) -> FounderState {
        let until = founder.elevatedUntil(uid)
        return FounderState(
            isFounder: isFounder(uid), elevated: until != nil, expiresAt: until.map(Timestamp.format),
            remainingSeconds: until.map { Int($0.timeIntervalSinceNow.rounded(.up)) })
    }

    func info(_ account: Account) -> AccountInfo {
        AccountInfo(
            uid: account.uid, userName: PeerIdentity.userName(of: account.uid), role: account.role.rawValue,
            grants: account.grants.sorted(), revokes: account.revokes.sorted(), createdAt: account.createdAt,
            createdBy: account.createdBy, isFounder: isFounder(account.uid))
    }

    /// Throws (and audits the refusal) unless the caller holds founder rights now.
    func requireFounder(_ context: RequestContext, for what: String, method: String) throws {
        guard founder.elevatedUntil(context.peer.uid) != nil else {
            throw deny(
                context, permission: PermissionCatalog.founderAll, method: method,
                message: "\(what) needs founder rights; unlock them with `elohim founder verify` (they last 5 minutes)")
        }
    }

    /// Records a refusal inside a handler as `auth.denied`, like the dispatcher's own, and
    /// returns the error to throw.
    func deny(_ context: RequestContext, permission: String, method: String, message: String) -> RPCError {
        audit.record(
            AuditEvent(
                "auth.denied", action: "deny", actor: context.auditActor, resourceType: "method", resourceID: method,
                details: [
                    "permission": .string(permission),
                    "role": accounts.account(context.peer.uid).map { .string($0.role.rawValue) } ?? .null,
                ]))
        return .application(.forbidden, message, detail: ["permission": .string(permission), "method": .string(method)])
    }

    /// Whether `uid` holds `permission` now.
    func holds(_ uid: UInt32, _ permission: String) -> Bool {
        guard let account = accounts.account(uid) else { return false }
        return account.decide(permission, founderElevated: founder.elevatedUntil(uid) != nil).granted
    }

    static func role(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text) else {
            throw RPCError.invalidParams(
                "role '\(text)' is not one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))", field: "role")
        }
        return role
    }
}
