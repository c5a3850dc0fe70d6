/// `admin.cleanup_*`: the nightly cleanup job, run on demand or inspected.
public enum CleanupMethods {
    public static let run = MethodSpec<CleanupRunParams, CleanupRunResult>(
        "admin.cleanup_run",
        summary: "Run the cleanup job now (or, with dry_run, report what it would remove); fails with busy while a run is in progress.",
        access: .permission("admin.cleanup"),
        result: CleanupRunResult.schema)

    public static let status = MethodSpec<CleanupStatusParams, CleanupStatusResult>(
        "admin.cleanup_status",
        summary: "The cleanup schedule: the last completed run, the next one, whether one is running, and recent runs.",
        access: .permission("admin.cleanup"),
        result: Schema.object([
            "time": Schema.string, "time_zone": Schema.string, "running": Schema.boolean,
            "last_run": Schema.nullable(CleanupRunResult.schema), "next_run": Schema.nullable(Schema.string),
            "catch_up": Schema.boolean, "history": Schema.array(CleanupRunResult.schema),
        ]))
}

public struct CleanupRunParams: RPCParams {
    public var dryRun: Bool?
    public init(dryRun: Bool? = nil) { self.dryRun = dryRun }
    public static let fields = [
        ParamField("dry_run", Schema.boolean, summary: "Report what would be removed without removing anything (default false).")
    ]
}

public struct CleanupStatusParams: RPCParams {
    public var history: Int?
    public init(history: Int? = nil) { self.history = history }
    public static let fields = [
        ParamField("history", Schema.integer, summary: "How many recent runs to list, newest first, 0 to 100 (default 10).")
    ]
}

/// What one cleanup task did (or, in a dry run, would do).
public struct CleanupTaskStats: Codable, Sendable, Equatable {
    /// The task: `temp_files`, `chat_sessions`, `orphan_embeddings`, `model_cache`…
    public var name: String
    /// What it counts: `files`, `sessions`, `embeddings`, `entries`.
    public var unit: String
    /// Candidates looked at.
    public var scanned: Int
    /// Removed (or archived); in a dry run, would be.
    public var removed: Int
    public var bytesFreed: Int64
    /// Candidates kept, by reason (`recent`, `locked`, `open`, `other_owner`, `other_mount`…).
    public var kept: [String: Int]
    /// Rows that went (or would go) with the removed ones, by kind: `{"messages": n}` for
    /// `chat_archive`; null for tasks that move nothing else.
    public var alsoRemoved: [String: Int]?
    /// Problems met; the task carried on past each.
    public var errors: [String]

    public init(
        name: String, unit: String, scanned: Int = 0, removed: Int = 0, bytesFreed: Int64 = 0, kept: [String: Int] = [:],
        errors: [String] = [], alsoRemoved: [String: Int]? = nil
    ) {
        self.name = name
        self.unit = unit
        self.scanned = scanned
        self.removed = removed
        self.bytesFreed = bytesFreed
        self.kept = kept
        self.errors = errors
        self.alsoRemoved = alsoRemoved
    }

    /// Counts one kept candidate under `reason`.
    public mutating func keep(_ reason: String) { kept[reason, default: 0] += 1 }

    static let schema = Schema.object([
        "name": Schema.string, "unit": Schema.string, "scanned": Schema.integer, "removed": Schema.integer,
        "bytes_freed": Schema.integer, "kept": ["type": "object", "additionalProperties": Schema.integer],
        "errors": Schema.array(Schema.string),
        "also_removed": Schema.nullable(["type": "object", "additionalProperties": Schema.integer]),
    ])
}

/// One cleanup run, as returned, stored and published.
public struct CleanupRunResult: Codable, Sendable, Equatable {
    /// The stored run's id; nil for dry runs, which are not stored.
    public var id: Int64?
    /// `schedule`, `catch_up` or `manual`.
    public var trigger: String
    public var dryRun: Bool
    public var startedAt: String
    public var finishedAt: String
    public var durationMs: Double
    /// `ok`, or `partial` when a task reported errors or failed.
    public var status: String
    public var filesScanned: Int
    public var filesDeleted: Int
    public var bytesFreed: Int64
    public var sessionsArchived: Int
    /// The messages that moved with the archived sessions.
    public var messagesArchived: Int
    public var orphansRemoved: Int
    public var tasks: [CleanupTaskStats]

    public init(
        id: Int64?, trigger: String, dryRun: Bool, startedAt: String, finishedAt: String, durationMs: Double,
        tasks: [CleanupTaskStats]
    ) {
        self.id = id
        self.trigger = trigger
        self.dryRun = dryRun
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.durationMs = durationMs
        self.tasks = tasks
        status = tasks.allSatisfy(\.errors.isEmpty) ? "ok" : "partial"
        filesScanned = tasks.filter { $0.unit == "files" }.reduce(0) { $0 + $1.scanned }
        filesDeleted = tasks.filter { $0.unit == "files" }.reduce(0) { $0 + $1.removed }
        bytesFreed = tasks.reduce(0) { $0 + $1.bytesFreed }
        sessionsArchived = tasks.filter { $0.unit == "sessions" }.reduce(0) { $0 + $1.removed }
        messagesArchived = tasks.filter { $0.unit == "sessions" }.reduce(0) { $0 + ($1.alsoRemoved?["messages"] ?? 0) }
        orphansRemoved = tasks.filter { $0.unit != "files" && $0.unit != "sessions" }.reduce(0) { $0 + $1.removed }
    }

    static let schema = Schema.object([
        "id": Schema.nullable(Schema.integer), "trigger": Schema.oneOf(["schedule", "catch_up", "manual"]),
        "dry_run": Schema.boolean, "started_at": Schema.string, "finished_at": Schema.string, "duration_ms": Schema.number,
        "status": Schema.oneOf(["ok", "partial"]), "files_scanned": Schema.integer, "files_deleted": Schema.integer,
        "bytes_freed": Schema.integer, "sessions_archived": Schema.integer, "orphans_removed": Schema.integer,
        "messages_archived": Schema.integer, "tasks": Schema.array(CleanupTaskStats.schema),
    ])
}

public struct CleanupStatusResult: Codable, Sendable {
    /// The daily time, `HH:MM` local.
    public var time: String
    /// The zone the time is read in (IANA name).
    public var timeZone: String
    public var running: Bool
    /// The last completed (not dry) run.
    public var lastRun: CleanupRunResult?
    /// When the next run starts (RFC 3339 UTC).
    public var nextRun: String?
    /// True when the next run is a catch-up of one missed while the daemon was not running.
    public var catchUp: Bool
    public var history: [CleanupRunResult]

    public init(
        time: String, timeZone: String, running: Bool, lastRun: CleanupRunResult?, nextRun: String?, catchUp: Bool,
        history: [CleanupRunResult]
    ) {
        self.time = time
        self.timeZone = timeZone
        self.running = running
        self.lastRun = lastRun
        self.nextRun = nextRun
        self.catchUp = catchUp
        self.history = history
    }
}
