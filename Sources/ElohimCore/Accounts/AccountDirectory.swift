import ElohimProtocol
import Foundation
public import GRDB
import Synchronization

/// The accounts, read from memory and written through to the database.
///
/// Every request's permission check reads this, so reads never touch SQLite; every change is
/// one transaction, then the cache is replaced.
public final class AccountDirectory: Sendable {
    private let database: DatabasePool
    private let cache: ReadMostly<[UInt32: Account]>

    /// Loads every account, creating the built-in ones: root and `ownerUID` (the daemon's own
    /// uid) are `super_admin`, so the machine's owner can always administer the daemon.
    public init(database: DatabasePool, ownerUID: UInt32) throws {
        self.database = database
        let now = Timestamp.now()
        let accounts = try database.write { db -> [UInt32: Account] in
            for uid in Set([0, ownerUID]) {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO accounts (uid, role, created_at, created_by) VALUES (?, 'super_admin', ?, NULL)",
                    arguments: [uid, now])
            }
            return try Self.loadAll(db)
        }
        cache = ReadMostly(accounts)
    }

    /// The account of `uid`, if it has one.
    public func account(_ uid: UInt32) -> Account? {
        cache.read { $0[uid] }
    }

    /// Every account, by uid.
    public func all() -> [Account] {
        cache.read { Array($0.values) }.sorted { $0.uid < $1.uid }
    }

    /// Creates an account.
    public func add(uid: UInt32, role: Role, by creator: UInt32) throws -> Account {
        try change { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM accounts WHERE uid = ?", arguments: [uid]) == true {
                throw AccountsError.exists(uid)
            }
            try db.execute(
                sql: "INSERT INTO accounts (uid, role, created_at, created_by) VALUES (?, ?, ?, ?)",
                arguments: [uid, role.rawValue, Timestamp.now(), creator])
        }
        return account(uid)!
    }

    /// Changes the role of `uid`; returns the account before and after.
    public func setRole(uid: UInt32, role: Role) throws -> (before: Account, after: Account) {
        guard let before = account(uid) else { throw AccountsError.noAccount(uid) }
        try change { db in
            try db.execute(sql: "UPDATE accounts SET role = ? WHERE uid = ?", arguments: [role.rawValue, uid])
        }
        return (before, account(uid)!)
    }

    /// Grants (`effect: .grant`) or revokes a permission, or clears an override (`nil`).
    public func setOverride(uid: UInt32, permission: String, effect: DecisionSource?) throws -> Account {
        guard account(uid) != nil else { throw AccountsError.noAccount(uid) }
        guard PermissionCatalog.contains(permission) else { throw AccountsError.unknownPermission(permission) }
        guard permission != PermissionCatalog.founderAll else {
            throw AccountsError(.forbidden, "founder rights cannot be granted; they are unlocked by the founder password")
        }
        try change { db in
            switch effect {
            case .grant?, .revoke?:
                try db.execute(
                    sql: "INSERT OR REPLACE INTO account_permissions (uid, permission, effect) VALUES (?, ?, ?)",
                    arguments: [uid, permission, effect!.rawValue])
            default:
                try db.execute(sql: "DELETE FROM account_permissions WHERE uid = ? AND permission = ?", arguments: [uid, permission])
            }
        }
        return account(uid)!
    }

    /// Removes an account and its overrides.
    public func remove(uid: UInt32) throws -> Account {
        guard let existing = account(uid) else { throw AccountsError.noAccount(uid) }
        try change { db in try db.execute(sql: "DELETE FROM accounts WHERE uid = ?", arguments: [uid]) }
        return existing
    }

    private func change(_ body: @escaping @Sendable (Database) throws -> Void) throws {
        let accounts = try database.write { db -> [UInt32: Account] in
            try body(db)
            return try Self.loadAll(db)
        }
        cache.write { $0 = accounts }
    }

    private static func loadAll(_ db: Database) throws -> [UInt32: Account] {
        var accounts: [UInt32: Account] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT uid, role, created_at, created_by FROM accounts") {
            let uid: UInt32 = row["uid"]
            let role = Role(rawValue: row["role"]) ?? .guest
            accounts[uid] = Account(uid: uid, role: role, createdAt: row["created_at"], createdBy: row["created_by"])
        }
        for row in try Row.fetchAll(db, sql: "SELECT uid, permission, effect FROM account_permissions") {
            let uid: UInt32 = row["uid"]
            let permission: String = row["permission"]
            if row["effect"] == "grant" {
                accounts[uid]?.grants.insert(permission)
            } else {
                accounts[uid]?.revokes.insert(permission)
            }
        }
        return accounts
    }
}
