/// `engine.*`: SQL over the caller's datasets on a bounded queue of workers.
public enum EngineMethods {
    static let resultSchema = Schema.object([
        "job": Schema.integer, "state": Schema.oneOf(["queued", "running", "succeeded", "failed", "cancelled", "timed_out"]),
        "dataset": Schema.nullable(Schema.string), "worker": Schema.nullable(Schema.integer),
        "submitted_at": Schema.string, "started_at": Schema.nullable(Schema.string),
        "finished_at": Schema.nullable(Schema.string), "wait_ms": Schema.number, "run_ms": Schema.nullable(Schema.number),
        "columns": Schema.array(Schema.string), "rows": Schema.array(Schema.array(Schema.any)),
        "row_count": Schema.integer, "truncated": Schema.boolean, "offset": Schema.integer,
        "next_offset": Schema.nullable(Schema.integer), "error": Schema.nullable(["type": "object"]),
    ])

    public static let submit = MethodSpec<EngineSubmitParams, EngineSubmitResult>(
        "engine.submit",
        summary: "Queue a read-only SQL query; answers at once with the job id, or `busy` (with the queue depth) when the queue is full.",
        access: .permission("engine.query"),
        result: Schema.object(["job": Schema.integer, "state": Schema.string, "queue_depth": Schema.integer]))

    public static let result = MethodSpec<EngineResultParams, EngineJobResult>(
        "engine.result",
        summary: "A job's state and, once it succeeded, its rows a page at a time (`offset`, `limit`).",
        access: .permission("engine.query"), result: resultSchema)

    public static let run = MethodSpec<EngineRunParams, EngineJobResult>(
        "engine.run",
        summary: "Submit and wait: the first page of rows, or the error that ended the job (failed, cancelled, timeout, read_only).",
        access: .permission("engine.query"), result: resultSchema)

    public static let cancel = MethodSpec<EngineCancelParams, EngineJobResult>(
        "engine.cancel",
        summary: "Stop a queued or running job (yours; anyone's with admin.manage_users). The worker stays in service.",
        access: .permission("engine.query"), result: resultSchema)

    public static let status = MethodSpec<NoParams, EngineStatus>(
        "engine.status",
        summary: "The engine light (idle, processing, error), queue depth, pending / in flight / average wait, throughput and run-time percentiles.",
        access: .permission("daemon.status"),
        result: Schema.object([
            "status": Schema.oneOf(["idle", "processing", "error"]), "queue_depth": Schema.integer,
            "last_activity": Schema.nullable(Schema.string),
            "queue": Schema.object(["pending": Schema.integer, "in_flight": Schema.integer, "avg_wait_ms": Schema.number]),
            "workers": Schema.integer, "throughput_per_min": Schema.number, "p50_ms": Schema.nullable(Schema.number),
            "p95_ms": Schema.nullable(Schema.number), "error": Schema.nullable(["type": "object"]),
        ]))
}

public struct EngineSubmitParams: RPCParams {
    public var sql: String
    public var dataset: String?
    public var timeoutMs: Int?
    public var maxRows: Int?

    public init(sql: String, dataset: String? = nil, timeoutMs: Int? = nil, maxRows: Int? = nil) {
        self.sql = sql
        self.dataset = dataset
        self.timeoutMs = timeoutMs
        self.maxRows = maxRows
    }

    public static let fields = [
        ParamField("sql", Schema.string, required: true, summary: "One read-only SQL statement (SELECT, WITH, EXPLAIN, read-only PRAGMA)."),
        ParamField("dataset", Schema.string, summary: "The dataset to query (its tables are the main schema); none: each of your datasets is a schema of its name (sales.sales), up to 10."),
        ParamField("timeout_ms", Schema.integer, summary: "Stop the query after this many milliseconds of running (default and ceiling: the engine's)."),
        ParamField("max_rows", Schema.integer, summary: "Keep at most this many rows (default and ceiling: the engine's); more → truncated."),
    ]
}

public struct EngineSubmitResult: Codable, Sendable, Equatable {
    public var job: Int64
    public var state: String
    /// Jobs in the engine after this one was queued (pending + in flight).
    public var queueDepth: Int
    public init(job: Int64, state: String, queueDepth: Int) {
        self.job = job
        self.state = state
        self.queueDepth = queueDepth
    }
}

public struct EngineResultParams: RPCParams {
    public var job: Int64
    public var offset: Int?
    public var limit: Int?
    public init(job: Int64, offset: Int? = nil, limit: Int? = nil) {
        self.job = job
        self.offset = offset
        self.limit = limit
    }
    public static let fields = [
        ParamField("job", Schema.integer, required: true, summary: "The job id engine.submit returned."),
        ParamField("offset", Schema.integer, summary: "First row of the page (default 0)."),
        ParamField("limit", Schema.integer, summary: "Rows per page, 1 to 10000 (default 1000)."),
    ]
}

public struct EngineRunParams: RPCParams {
    public var sql: String
    public var dataset: String?
    public var timeoutMs: Int?
    public var maxRows: Int?
    public var limit: Int?

    public init(sql: String, dataset: String? = nil, timeoutMs: Int? = nil, maxRows: Int? = nil, limit: Int? = nil) {
        self.sql = sql
        self.dataset = dataset
        self.timeoutMs = timeoutMs
        self.maxRows = maxRows
        self.limit = limit
    }

    public static let fields = EngineSubmitParams.fields + [
        ParamField("limit", Schema.integer, summary: "Rows in the first page, 1 to 10000 (default 1000); fetch more with engine.result.")
    ]
}

public struct EngineCancelParams: RPCParams {
    public var job: Int64
    public init(job: Int64) { self.job = job }
    public static let fields = [ParamField("job", Schema.integer, required: true, summary: "The job to stop.")]
}

/// Why a job ended without rows.
public struct EngineJobError: Codable, Sendable, Equatable {
    /// `query`, `read_only`, `engine`, `cancelled` or `timeout`.
    public var kind: String
    public var message: String
    public init(kind: String, message: String) {
        self.kind = kind
        self.message = message
    }
}

/// A job and a page of its rows.
public struct EngineJobResult: Codable, Sendable, Equatable {
    public var job: Int64
    public var state: String
    public var dataset: String?
    public var worker: Int?
    public var submittedAt: String
    public var startedAt: String?
    public var finishedAt: String?
    public var waitMs: Double
    public var runMs: Double?
    public var columns: [String]
    public var rows: [[JSONValue]]
    /// Rows the job kept in all (pages together).
    public var rowCount: Int
    public var truncated: Bool
    public var offset: Int
    public var nextOffset: Int?
    public var error: EngineJobError?

    public init(
        job: Int64, state: String, dataset: String?, worker: Int?, submittedAt: String, startedAt: String?,
        finishedAt: String?, waitMs: Double, runMs: Double?, columns: [String], rows: [[JSONValue]], rowCount: Int,
        truncated: Bool, offset: Int, nextOffset: Int?, error: EngineJobError?
    ) {
        self.job = job
        self.state = state
        self.dataset = dataset
        self.worker = worker
        self.submittedAt = submittedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.waitMs = waitMs
        self.runMs = runMs
        self.columns = columns
        self.rows = rows
        self.rowCount = rowCount
        self.truncated = truncated
        self.offset = offset
        self.nextOffset = nextOffset
        self.error = error
    }
}

/// `engine.status`, and the data of every `engine.status` event on topic `engine`.
public struct EngineStatus: Codable, Sendable, Equatable {
    public struct Queue: Codable, Sendable, Equatable {
        public var pending: Int
        public var inFlight: Int
        /// Mean queue wait of the jobs that started in the last 60 seconds (0 when none did).
        public var avgWaitMs: Double
        public init(pending: Int, inFlight: Int, avgWaitMs: Double) {
            self.pending = pending
            self.inFlight = inFlight
            self.avgWaitMs = avgWaitMs
        }
    }

    public struct Failure: Codable, Sendable, Equatable {
        public var message: String
        public var at: String
        public init(message: String, at: String) {
            self.message = message
            self.at = at
        }
    }

    /// `idle`, `processing` or `error` (see docs/engine.md for when each applies).
    public var status: String
    /// Jobs in the engine: pending + in flight.
    public var queueDepth: Int
    /// When a job was last submitted, started or finished (RFC 3339 UTC); nil before the first.
    public var lastActivity: String?
    public var queue: Queue
    public var workers: Int
    /// Jobs finished in the last 60 seconds.
    public var throughputPerMin: Double
    /// Run time percentiles of the jobs finished in the last 60 seconds; nil when none did.
    public var p50Ms: Double?
    public var p95Ms: Double?
    /// The engine failure behind `status: error`; nil otherwise.
    public var error: Failure?

    public init(
        status: String, queueDepth: Int, lastActivity: String?, queue: Queue, workers: Int, throughputPerMin: Double,
        p50Ms: Double?, p95Ms: Double?, error: Failure?
    ) {
        self.status = status
        self.queueDepth = queueDepth
        self.lastActivity = lastActivity
        self.queue = queue
        self.workers = workers
        self.throughputPerMin = throughputPerMin
        self.p50Ms = p50Ms
        self.p95Ms = p95Ms
        self.error = error
    }
}
