public import ElohimProtocol
public import Foundation

/// Identifies a query job: increasing from 1 for the life of the daemon.
public typealias JobID = Int64

/// A point in time twice over: monotonic seconds for durations, wall time for people.
/// Injected everywhere the engine reads the clock, so its logic is tested without sleeping.
public struct Moment: Sendable, Equatable {
    /// Seconds on a monotonic clock (any origin).
    public var uptime: Double
    public var wall: Date

    public init(uptime: Double, wall: Date) {
        self.uptime = uptime
        self.wall = wall
    }

    private static let origin = ContinuousClock.now

    /// Now, on the process's monotonic clock and the system clock.
    public static func now() -> Moment {
        Moment(uptime: (ContinuousClock.now - origin).inSeconds, wall: Date())
    }
}

/// What a caller asks the engine to run.
public struct QueryRequest: Sendable {
    public var sql: String
    /// The dataset the query reads (its `main` database), or nil for none.
    public var dataset: String?
    /// The dataset's file, resolved when the job is submitted.
    public var databasePath: String?
    /// Without a dataset: the caller's datasets, attached read-only as schemas of their names.
    public var attachments: [(name: String, path: String)] = []
    /// How long the query may run once a worker starts it.
    public var timeoutMilliseconds: Int
    /// At most this many rows are kept; the result says `truncated` when there were more.
    public var maxRows: Int
    /// The uid that submitted it.
    public var owner: UInt32

    public init(sql: String, dataset: String?, databasePath: String?, timeoutMilliseconds: Int, maxRows: Int, owner: UInt32) {
        self.sql = sql
        self.dataset = dataset
        self.databasePath = databasePath
        self.timeoutMilliseconds = timeoutMilliseconds
        self.maxRows = maxRows
        self.owner = owner
    }
}

/// A job's lifecycle: queued → running → one of the four final states.
public enum JobState: String, Sendable, Codable {
    case queued, running, succeeded, failed, cancelled
    case timedOut = "timed_out"

    public var isFinal: Bool { self != .queued && self != .running }
}

/// The rows a query produced, capped.
public struct QueryResultSet: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[JSONValue]]
    /// True when the query had more rows than the cap (`max_rows`, or the engine's byte limit).
    public var truncated: Bool
    /// Approximate bytes the rows take, for the engine's retention budget.
    public var approximateBytes: Int

    public init(columns: [String], rows: [[JSONValue]], truncated: Bool, approximateBytes: Int) {
        self.columns = columns
        self.rows = rows
        self.truncated = truncated
        self.approximateBytes = approximateBytes
    }
}

/// Why a job did not succeed.
public struct JobFailure: Sendable, Equatable {
    /// `query`: the SQL is wrong (syntax, unknown table…); `read_only`: it tried to write;
    /// `engine`: the engine could not run it (a damaged or missing dataset file, I/O, memory).
    public enum Kind: String, Sendable, Equatable {
        case query
        case readOnly = "read_only"
        case engine
    }

    public var kind: Kind
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }
}

/// How a job ended, as its worker reports it.
public enum JobOutcome: Sendable, Equatable {
    case succeeded(QueryResultSet)
    case failed(JobFailure)
    case cancelled
    case timedOut
}

/// Everything the engine knows about one job.
public struct JobRecord: Sendable {
    public let id: JobID
    public let request: QueryRequest
    public internal(set) var state: JobState = .queued
    /// The worker (1-based) that ran it.
    public internal(set) var worker: Int?
    public let submittedAt: Moment
    public internal(set) var startedAt: Moment?
    public internal(set) var finishedAt: Moment?
    public internal(set) var result: QueryResultSet?
    public internal(set) var failure: JobFailure?
    /// Who asked for it to stop, when someone did (nil when the engine stopped it at shutdown).
    public internal(set) var cancelledBy: UInt32?

    init(id: JobID, request: QueryRequest, submittedAt: Moment) {
        self.id = id
        self.request = request
        self.submittedAt = submittedAt
    }

    /// Milliseconds from submission to start (so far, when still queued at `now`).
    public func waitMilliseconds(now: Moment) -> Double {
        ((startedAt ?? (state == .queued ? now : finishedAt ?? now)).uptime - submittedAt.uptime) * 1000
    }

    /// Milliseconds from start to end (so far, when running at `now`); nil before it starts.
    public func runMilliseconds(now: Moment) -> Double? {
        guard let startedAt else { return nil }
        return ((finishedAt ?? now).uptime - startedAt.uptime) * 1000
    }
}
