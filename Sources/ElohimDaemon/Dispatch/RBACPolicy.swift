import ElohimCore
import ElohimProtocol

/// The dispatcher's access check: the caller's uid → account → role baseline + grants −
/// revokes (+ founder elevation) → allowed or not, before any handler runs. Denials are
/// audited, so probing shows up in the log.
struct RBACPolicy: AccessPolicy {
    let accounts: AccountDirectory
    let founder: FounderGate
    let audit: AuditWriter

    func authorize(_ access: Access, method: String, context: RequestContext) throws {
        let peer = context.peer
        switch access {
        case .open:
            return
        case .account:
            guard accounts.account(peer.uid) != nil else { throw noAccount(peer, method: method) }
        case .permission(let key):
            guard let account = accounts.account(peer.uid) else { throw noAccount(peer, method: method) }
            let decision = account.decide(key, founderElevated: founder.elevatedUntil(peer.uid) != nil)
            guard decision.granted else {
                audit.record(
                    AuditEvent(
                        "auth.denied", action: "deny", actor: context.auditActor,
                        resourceType: "method", resourceID: method,
                        details: ["permission": .string(key), "role": .string(account.role.rawValue), "source": .string(decision.source.rawValue)]))
                throw forbidden(key: key, method: method, account: account, source: decision.source)
            }
        }
    }

    private func noAccount(_ peer: PeerIdentity, method: String) -> RPCError {
        .application(
            .noAccount,
            "uid \(peer.uid) has no account on this daemon, so it may only call daemon.hello and daemon.ping; "
                + "an admin can add one with `elohim users add --uid \(peer.uid) --role member`",
            detail: ["uid": .int(Int64(peer.uid)), "method": .string(method)])
    }

    private func forbidden(key: String, method: String, account: Account, source: DecisionSource) -> RPCError {
        let why: String
        switch source {
        case .revoke: why = "it was revoked from your account"
        case _ where key == PermissionCatalog.founderAll:
            why = "founder rights must be unlocked first with `elohim founder verify`"
        default: why = "your role \(account.role.rawValue) does not include it"
        }
        let fix = key == PermissionCatalog.founderAll ? "" : "; an admin can grant it with `elohim users grant --uid \(account.uid) \(key)`"
        return .application(
            .forbidden, "\(method) needs the permission \(key): \(why)\(fix)",
            detail: ["permission": .string(key), "method": .string(method), "role": .string(account.role.rawValue)])
    }
}
