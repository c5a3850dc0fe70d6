import ElohimProtocol
import Foundation
import GRDB

/// One user's local library: documents, vault items and workflows whose `team_id` is NULL.
///
/// Every query is built by `LocalScope`, so none of these methods can see, change or remove
/// a team row, whatever id or name it is given. Each method is one transaction.
public struct LocalLibrary: Sendable {
    let database: DatabasePool
    let cipher: VaultCipher
    /// The caller and the local-context rule.
    public let scope: LocalScope
    public let configuration: LibraryStore.Configuration

    /// Page sizes the list methods accept.
    public static let pageLimits = 1...200
    /// The page size when none is given.
    public static let defaultPageSize = 50

    /// Checks a requested page size.
    static func pageSize(_ limit: Int?) throws(LibraryInputError) -> Int {
        let size = limit ?? defaultPageSize
        guard pageLimits.contains(size) else {
            throw LibraryInputError("limit", "must be \(pageLimits.lowerBound) to \(pageLimits.upperBound), got \(size)")
        }
        return size
    }

    /// Splits `limit + 1` fetched rows into a page and the cursor of the next one.
    static func page<Item>(_ rows: [Item], limit: Int, id: (Item) -> Int64) -> (items: [Item], next: Int64?) {
        guard rows.count > limit else { return (rows, nil) }
        let items = Array(rows.prefix(limit))
        return (items, items.last.map(id))
    }

    /// A single-line name or title: trimmed, 1 to `maxLength` characters, no control characters.
    static func label(_ text: String, field: String, maxLength: Int) throws(LibraryInputError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw LibraryInputError(field, "must not be empty") }
        guard trimmed.count <= maxLength else {
            throw LibraryInputError(field, "must be at most \(maxLength) characters, got \(trimmed.count)")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw LibraryInputError(field, "must be one line without control characters")
        }
        return trimmed
    }
}
