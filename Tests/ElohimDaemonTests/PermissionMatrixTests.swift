@testable import ElohimCore
@testable import ElohimDaemon
import ElohimProtocol
import Foundation
import Logging
import Testing

/// Walks the whole method table × every role (and a uid with no account), checking the
/// dispatcher's policy against the permission catalog. A new method must declare a known
/// permission, or be on the short list of open methods, or this fails.
@Suite struct PermissionMatrixTests {
    static let openMethods: Set<String> = ["daemon.hello", "daemon.ping", "rpc.discover"]

    @Test func everyMethodDeclaresAKnownPermissionOrIsDeliberatelyOpen() throws {
        let (methods, _) = try Daemon.describedMethods()
        #expect(methods.entries.count >= 19)
        for entry in methods.entries.values {
            switch entry.access {
            case .open:
                #expect(Self.openMethods.contains(entry.name), "\(entry.name) is open to uids without an account")
            case .account:
                break
            case .permission(let key):
                #expect(PermissionCatalog.contains(key), "\(entry.name) declares unknown permission \(key)")
            }
        }
    }

    @Test func policyMatchesTheCatalogForEveryRoleAndMethod() async throws {
        let (methods, security) = try Daemon.describedMethods()
        let policy = RBACPolicy(accounts: security.accounts, founder: security.founder, audit: security.audit)
        var uid: UInt32 = 20_000
        for role in Role.allCases {
            uid += 1
            _ = try security.accounts.add(uid: uid, role: role, by: 0)
            let peer = PeerIdentity(uid: uid, gid: uid, pid: 1)
            for entry in methods.entries.values {
                let expected: Bool
                switch entry.access {
                case .open, .account: expected = true
                case .permission(let key): expected = role.baseline.contains(key)
                }
                let allowed = await Self.allowed(policy, entry, peer)
                #expect(allowed == expected, "\(role.rawValue) calling \(entry.name)")
            }
        }
        let stranger = PeerIdentity(uid: 65_000, gid: 65_000, pid: 1)
        for entry in methods.entries.values {
            let allowed = await Self.allowed(policy, entry, stranger)
            #expect(allowed == Self.openMethods.contains(entry.name), "no account calling \(entry.name)")
        }
    }

    @Test func denialsNameTheMissingPermissionAndTheFix() async throws {
        let (_, security) = try Daemon.describedMethods()
        let policy = RBACPolicy(accounts: security.accounts, founder: security.founder, audit: security.audit)
        _ = try security.accounts.add(uid: 30_001, role: .guest, by: 0)
        do {
            try policy.authorize(.permission("admin.view_audit"), method: "admin.audit_log", context: Self.context(30_001))
            Issue.record("a guest read the audit log")
        } catch let error as RPCError {
            #expect(error.reason == "forbidden")
            #expect(error.data?["permission"] == "admin.view_audit")
            #expect(error.message.contains("elohim users grant --uid 30001 admin.view_audit"))
        }
        do {
            try policy.authorize(.account, method: "auth.effective_permissions", context: Self.context(30_002))
            Issue.record("no account was let in")
        } catch let error as RPCError {
            #expect(error.reason == "no_account")
            #expect(error.message.contains("elohim users add --uid 30002"))
        }
    }

    static func context(_ uid: UInt32) -> RequestContext {
        RequestContext(peer: PeerIdentity(uid: uid, gid: uid, pid: 1), connectionID: 1, logger: Logger(label: "test"))
    }

    static func allowed(_ policy: RBACPolicy, _ entry: MethodEntry, _ peer: PeerIdentity) async -> Bool {
        do {
            try policy.authorize(entry.access, method: entry.name, context: Self.context(peer.uid))
            return true
        } catch {
            return false
        }
    }
}
