import GRDB

/// A table that holds both local rows (`team_id IS NULL`) and, from Phase 3, team rows.
enum LocalTable: String, Sendable {
    case documents
    case workflows
    case vaultItems = "vault_items"
}

/// The local-context rule, in one place: every read and write of local library data is
/// built here, so `team_id IS NULL` (and the caller's `user_id`) is written once and no call
/// site can forget it. A row with a `team_id` is invisible to every method built on this:
/// it is never returned, updated or deleted.
///
/// The rule is spelled exactly as the partial indexes' `WHERE` clause, so SQLite can prove
/// each query implies it and use `idx_*_local`.
public struct LocalScope: Sendable, Equatable {
    /// The account whose local data this is (its uid).
    public let userID: UInt32

    public init(userID: UInt32) { self.userID = userID }

    /// The rule. Nothing else in the library mentions `team_id` in a query.
    private static let rule = "team_id IS NULL"

    /// `alias.user_id = ? AND alias.team_id IS NULL`; binds `userID`.
    private func condition(_ alias: String) -> String {
        "\(alias).user_id = ? AND \(alias).\(Self.rule)"
    }

    /// A `SELECT` of local rows of `table` (named `alias`), optionally joined, filtered further
    /// by `filter`, then `tail` (ORDER BY / LIMIT). Arguments: the scope's, then `arguments`.
    func select(
        _ columns: String, from table: LocalTable, as alias: String, joining join: String = "", where filter: String? = nil,
        tail: String = "", arguments: StatementArguments = []
    ) -> (sql: String, arguments: StatementArguments) {
        var sql = "SELECT \(columns) FROM \(table.rawValue) AS \(alias) \(join) WHERE \(condition(alias))"
        if let filter { sql += " AND (\(filter))" }
        sql += " " + tail
        return (sql, [userID] + arguments)
    }

    /// Inserts a local row (the caller's `user_id`, `team_id` NULL); returns its id.
    func insert(_ db: Database, into table: LocalTable, _ values: [String: (any DatabaseValueConvertible)?]) throws -> Int64 {
        let columns = values.keys.sorted()
        let placeholders = Array(repeating: "?", count: columns.count + 1).joined(separator: ", ")
        try db.execute(
            sql: "INSERT INTO \(table.rawValue) (user_id, \(columns.joined(separator: ", "))) VALUES (\(placeholders))",
            arguments: StatementArguments([userID] + columns.map { values[$0]! }))
        return db.lastInsertedRowID
    }

    /// Updates local rows of `table` matching `filter`; returns how many changed.
    func update(
        _ db: Database, _ table: LocalTable, set assignments: String, where filter: String, arguments: StatementArguments
    ) throws -> Int {
        // Arguments are positional: the SET clause's come first in `arguments`, then the filter's.
        try db.execute(
            sql: "UPDATE \(table.rawValue) SET \(assignments) WHERE \(filter) AND user_id = ? AND \(Self.rule)",
            arguments: arguments + [userID])
        return db.changesCount
    }

    /// Deletes local rows of `table` matching `filter`; returns how many went.
    func delete(_ db: Database, from table: LocalTable, where filter: String, arguments: StatementArguments) throws -> Int {
        try db.execute(
            sql: "DELETE FROM \(table.rawValue) WHERE \(filter) AND user_id = ? AND \(Self.rule)",
            arguments: arguments + [userID])
        return db.changesCount
    }

    /// Whether a local row of `table` matches `filter` (used before writing rows that hang off it).
    func exists(_ db: Database, in table: LocalTable, where filter: String, arguments: StatementArguments) throws -> Bool {
        let query = select("1", from: table, as: "t", where: filter, tail: "LIMIT 1", arguments: arguments)
        return try Bool.fetchOne(db, sql: query.sql, arguments: query.arguments) ?? false
    }
}
