public import ElohimProtocol
import Foundation
public import GRDB

/// The `cleanup_runs` table: every completed run with its stats, newest last.
public struct CleanupStore: Sendable {
    private let database: DatabasePool

    public init(database: DatabasePool) {
        self.database = database
    }

    /// Stores a completed run; returns it with its id.
    public func record(_ run: CleanupRunResult) throws -> CleanupRunResult {
        let stats = JSONWriter.string(try RPCCoding.json(run.tasks))
        var stored = run
        stored.id = try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO cleanup_runs (trigger, started_at, finished_at, duration_ms, status, stats)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [run.trigger, run.startedAt, run.finishedAt, run.durationMs, run.status, stats])
            return db.lastInsertedRowID
        }
        return stored
    }

    /// The newest runs first.
    public func recent(limit: Int) throws -> [CleanupRunResult] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM cleanup_runs ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.run)
        }
    }

    /// The last completed run, if any.
    public func lastRun() throws -> CleanupRunResult? {
        try recent(limit: 1).first
    }

    static func run(_ row: Row) throws -> CleanupRunResult {
        let text: String = row["stats"]
        let tasks = try RPCCoding.decode([CleanupTaskStats].self, from: try JSONParser.parse(text))
        return CleanupRunResult(
            id: row["id"], trigger: row["trigger"], dryRun: false, startedAt: row["started_at"], finishedAt: row["finished_at"],
            durationMs: row["duration_ms"], tasks: tasks)
    }
}
