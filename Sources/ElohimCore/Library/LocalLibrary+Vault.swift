public import ElohimProtocol
import Foundation
import GRDB

extension LocalLibrary {
    /// The largest vault value, in UTF-8 bytes.
    public static let maxVaultValueBytes = 64 * 1024
    static let maxVaultNameLength = 200
    static let vaultColumns = "v.id, v.name, v.size_bytes, v.created_at, v.updated_at"

    static func vaultSummary(_ row: Row) -> VaultItemSummary {
        VaultItemSummary(
            id: row["id"], name: row["name"], sizeBytes: row["size_bytes"], createdAt: row["created_at"],
            updatedAt: row["updated_at"], context: .local)
    }

    /// Stores `value` under `name`, sealed with AES-GCM; replaces a local item of that name.
    public func putVaultItem(name: String, value: String) throws -> VaultItemSummary {
        let name = try Self.label(name, field: "name", maxLength: Self.maxVaultNameLength)
        let bytes = value.utf8.count
        guard bytes <= Self.maxVaultValueBytes else {
            throw LibraryError.tooLarge("value", bytes: bytes, limit: Self.maxVaultValueBytes, hint: "store large files as documents")
        }
        let sealed = try cipher.seal(value, owner: scope.userID, name: name)
        return try database.write { db in
            let now = Timestamp.now()
            let replaced = try scope.update(
                db, .vaultItems, set: "sealed = ?, size_bytes = ?, updated_at = ?", where: "name = ?",
                arguments: [sealed, bytes, now, name])
            if replaced == 0 {
                _ = try scope.insert(
                    db, into: .vaultItems,
                    ["name": name, "sealed": sealed, "size_bytes": bytes, "created_at": now, "updated_at": now])
            }
            let query = scope.select(Self.vaultColumns, from: .vaultItems, as: "v", where: "v.name = ?", arguments: [name])
            return Self.vaultSummary(try Row.fetchOne(db, sql: query.sql, arguments: query.arguments)!)
        }
    }

    /// A vault item, decrypted.
    public func vaultItem(named name: String) throws -> VaultItem {
        let name = name.trimmingCharacters(in: .whitespaces)  // as `putVaultItem` stored it
        let query = scope.select(Self.vaultColumns + ", v.sealed", from: .vaultItems, as: "v", where: "v.name = ?", arguments: [name])
        guard let row = try database.read({ db in try Row.fetchOne(db, sql: query.sql, arguments: query.arguments) }) else {
            throw Self.vaultNotFound(name)
        }
        let summary = Self.vaultSummary(row)
        return VaultItem(summary: summary, value: try cipher.unseal(row["sealed"], owner: scope.userID, name: summary.name))
    }

    /// A page of vault items (names and sizes, never values), newest first, in one statement.
    public func listVaultItems(limit: Int? = nil, before: Int64? = nil) throws -> VaultListResult {
        let result = try page(
            .vaultItems, as: "v", columns: Self.vaultColumns, limit: limit, before: before, decode: Self.vaultSummary, id: \.id)
        return VaultListResult(items: result.items, nextCursor: result.next)
    }

    /// Deletes a vault item; returns its id.
    public func deleteVaultItem(named name: String) throws -> Int64 {
        let name = name.trimmingCharacters(in: .whitespaces)
        return try database.write { db in
            let query = scope.select("v.id", from: .vaultItems, as: "v", where: "v.name = ?", arguments: [name])
            guard let id = try Int64.fetchOne(db, sql: query.sql, arguments: query.arguments),
                try scope.delete(db, from: .vaultItems, where: "id = ?", arguments: [id]) == 1
            else { throw Self.vaultNotFound(name) }
            return id
        }
    }

    static func vaultNotFound(_ name: String) -> LibraryError {
        .notFound("vault item", .string(name), list: "elohim vault list")
    }
}
