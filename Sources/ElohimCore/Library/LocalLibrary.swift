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

    /// One page of local rows of `table`, newest first, keyset by id, in one statement:
    /// `limit + 1` rows are fetched to learn whether there is a next page.
    func page<Item>(
        _ table: LocalTable, as alias: String, columns: String, limit: Int?, before: Int64?,
        filter: (sql: String, arguments: StatementArguments)? = nil, decode: (Row) -> Item, id: (Item) -> Int64
    ) throws -> (items: [Item], next: Int64?) {
        let size = try Self.pageSize(limit)
        var filters: [String] = []
        var arguments: StatementArguments = []
        if let before {
            filters.append("\(alias).id < ?")
            arguments += [before]
        }
        if let filter {
            filters.append(filter.sql)
            arguments += filter.arguments
        }
        let query = scope.select(
            columns, from: table, as: alias, where: filters.isEmpty ? nil : filters.joined(separator: " AND "),
            tail: "ORDER BY \(alias).id DESC LIMIT ?", arguments: arguments + [size + 1])
        // Decoded straight from the statement: `fetchAll` would copy every row first, and a copied
        // row looks each column name up by lowercasing every name it holds (most of a page's CPU).
        let rows = try database.read { db in
            var items: [Item] = []
            let cursor = try Row.fetchCursor(db, sql: query.sql, arguments: query.arguments)
            while let row = try cursor.next() { items.append(decode(row)) }
            return items
        }
        guard rows.count > size else { return (rows, nil) }
        let items = Array(rows.prefix(size))
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
