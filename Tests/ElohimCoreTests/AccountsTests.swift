@testable import ElohimCore
import Foundation
import GRDB
import Synchronization
import Testing

@Suite struct AccountsTests {
    static func database() throws -> (AppDatabase, String) {
        let directory = NSTemporaryDirectory() + "elohim-accounts-\(UUID().uuidString.prefix(8))"
        try DataDirectory.prepare(directory)
        return (try AppDatabase.open(path: directory + "/elohim.db"), directory)
    }

    @Test func revokeBeatsRoleAndGrantAddsToIt() {
        var account = Account(uid: 1001, role: .member, createdAt: "", createdBy: 0)
        #expect(account.decide("chat.use", founderElevated: false) == (true, .roleBaseline))
        #expect(account.decide("admin.view_audit", founderElevated: false) == (false, .notGranted))
        account.grants.insert("admin.view_audit")
        account.revokes.insert("chat.use")
        #expect(account.decide("admin.view_audit", founderElevated: false) == (true, .grant))
        #expect(account.decide("chat.use", founderElevated: false) == (false, .revoke))
    }

    @Test func founderRightsComeOnlyFromElevation() {
        let admin = Account(uid: 0, role: .superAdmin, createdAt: "", createdBy: nil)
        #expect(admin.decide(PermissionCatalog.founderAll, founderElevated: false).granted == false)
        #expect(admin.decide(PermissionCatalog.founderAll, founderElevated: true) == (true, .founderElevation))
        #expect(Role.allCases.allSatisfy { !$0.baseline.contains(PermissionCatalog.founderAll) })
    }

    @Test func rolesOnlyNameKnownPermissionsAndNarrowDownwards() {
        for role in Role.allCases { #expect(role.baseline.allSatisfy(PermissionCatalog.contains)) }
        #expect(Role.guest.baseline.isSubset(of: Role.member.baseline))
        #expect(Role.member.baseline.isSubset(of: Role.admin.baseline))
        #expect(Role.admin.baseline.isSubset(of: Role.superAdmin.baseline))
    }

    @Test func directoryPersistsAccountsAndOverrides() throws {
        let (database, directory) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let accounts = try AccountDirectory(database: database.writer, ownerUID: 4242)
        #expect(accounts.account(4242)?.role == .superAdmin)
        #expect(accounts.account(0)?.role == .superAdmin)
        _ = try accounts.add(uid: 1001, role: .guest, by: 4242)
        _ = try accounts.setOverride(uid: 1001, permission: "engine.query", effect: .grant)
        _ = try accounts.setOverride(uid: 1001, permission: "chat.use", effect: .revoke)
        #expect(throws: AccountsError.self) { try accounts.add(uid: 1001, role: .member, by: 4242) }
        #expect(throws: AccountsError.self) { try accounts.setOverride(uid: 1001, permission: "no.such", effect: .grant) }
        #expect(throws: AccountsError.self) { try accounts.setOverride(uid: 1001, permission: PermissionCatalog.founderAll, effect: .grant) }

        let reopened = try AccountDirectory(database: database.writer, ownerUID: 4242)
        let account = try #require(reopened.account(1001))
        #expect(account.role == .guest)
        #expect(account.grants == ["engine.query"])
        #expect(account.revokes == ["chat.use"])
    }

    @Test func passwordsHashWithYescryptAndVerifyOnlyTheRightOne() throws {
        let hash = try FounderPassword.hash("correct horse battery")
        #expect(hash.hasPrefix("$y$"))
        #expect(FounderPassword.verify("correct horse battery", hash: hash))
        #expect(!FounderPassword.verify("correct horse batterz", hash: hash))
        #expect(try FounderPassword.hash("correct horse battery") != hash, "each hash has its own salt")
        #expect(FounderPassword.problem(with: "short") != nil)
    }

    @Test func founderThrottleGrowsAndSurvivesARestart() throws {
        let (database, directory) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = TestClock()
        let setup = SetupState(database: database.writer)
        _ = try setup.complete(by: 1000, passwordHash: try FounderPassword.hash("right password"), defaultModel: nil)
        var gate = FounderGate(database: database.writer, now: { clock.now })

        #expect(try gate.verify(uid: 1000, password: "wrong") == .wrongPassword(failures: 1, retryAfter: .seconds(1)))
        #expect(try gate.verify(uid: 1000, password: "right password") == .throttled(retryAfter: .seconds(1)))
        clock.advance(1)
        #expect(try gate.verify(uid: 1000, password: "wrong") == .wrongPassword(failures: 2, retryAfter: .seconds(2)))
        clock.advance(2)
        #expect(try gate.verify(uid: 1000, password: "wrong") == .wrongPassword(failures: 3, retryAfter: .seconds(4)))

        // A new gate (a restarted daemon) reads the same counters.
        gate = FounderGate(database: database.writer, now: { clock.now })
        clock.advance(3)
        guard case .throttled = try gate.verify(uid: 1000, password: "right password") else {
            Issue.record("a restart reset the throttle")
            return
        }
        clock.advance(1)
        #expect(try gate.verify(uid: 1000, password: "right password") == .elevated(until: clock.now.addingTimeInterval(300)))
        #expect(gate.elevatedUntil(1000) != nil)
        clock.advance(301)
        #expect(gate.elevatedUntil(1000) == nil, "elevation expires")
        #expect(throws: AccountsError.self) { try gate.verify(uid: 1001, password: "right password") }
    }

    @Test func setupRunsOnce() throws {
        let (database, directory) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let setup = SetupState(database: database.writer)
        #expect(try setup.status().completed == false)
        let status = try setup.complete(by: 1000, passwordHash: "$y$x", defaultModel: "tiny")
        #expect(status.founderUid == 1000)
        #expect(status.defaultModel == "tiny")
        #expect(throws: AccountsError.self) { try setup.complete(by: 0, passwordHash: "$y$y", defaultModel: nil) }
        #expect(try FounderGate(database: database.writer).founderUID() == 1000)
    }
}

/// A wall clock the test moves by hand.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
