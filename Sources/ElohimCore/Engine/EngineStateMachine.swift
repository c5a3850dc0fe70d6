public import ElohimProtocol
import Foundation

/// The engine's queue and bookkeeping as a pure value: every change takes the time as a
/// `Moment` and returns what happened, so the rules (capacity, order, cancellation, the status
/// light, the statistics window) are tested without threads or sleeps.
public struct EngineStateMachine: Sendable {
    /// The knobs, with the defaults the daemon runs on.
    public struct Configuration: Sendable {
        /// Worker threads. Default: the machine's cores.
        public var workers: Int = ProcessInfo.processInfo.activeProcessorCount
        /// Jobs that may wait for a worker; one more is refused with `busy`. Default 64.
        public var queueLimit: Int = 64
        /// The window `avg_wait_ms`, throughput and the percentiles cover. Default 60 s.
        public var statsWindowSeconds: Double = 60
        /// How long an engine failure keeps the light on `error` (unless a job succeeds). Default 30 s.
        public var errorWindowSeconds: Double = 30
        /// Finished jobs kept for `engine.result`, oldest dropped first. Default 256.
        public var retainedJobs: Int = 256
        /// Result bytes kept across finished jobs, oldest dropped first. Default 64 MiB.
        public var retainedBytes: Int = 64 << 20

        public init() {}
    }

    public enum SubmitDecision: Sendable {
        /// Queued; `depth` = pending + in flight now.
        case queued(JobRecord, depth: Int)
        /// The queue is full: nothing was queued.
        case busy(depth: Int, limit: Int)
    }

    public enum CancelDecision: Sendable {
        /// It was still waiting: it is cancelled now.
        case dequeued(JobRecord)
        /// It is running on `worker`: that worker must stop it (it reports `cancelled`).
        case stopRunning(JobRecord, worker: Int)
        /// It had already ended.
        case alreadyFinished(JobRecord)
    }

    public let configuration: Configuration
    public private(set) var jobs: [JobID: JobRecord] = [:]
    /// Waiting jobs, oldest first.
    public private(set) var pending: [JobID] = []
    /// worker → the job it runs.
    public private(set) var running: [Int: JobID] = [:]
    private var finishedOrder: [JobID] = []
    private var retainedBytes = 0
    private var nextID: JobID = 1
    /// (uptime when started, wait ms) of recent starts.
    private var starts: [(at: Double, waitMs: Double)] = []
    /// (uptime when finished, run ms) of recent ends.
    private var finishes: [(at: Double, runMs: Double)] = []
    private var lastActivity: Date?
    private var engineFailure: (message: String, at: Moment)?

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    public var depth: Int { pending.count + running.count }

    // MARK: Transitions

    public mutating func submit(_ request: QueryRequest, at now: Moment) -> SubmitDecision {
        guard pending.count < configuration.queueLimit else {
            return .busy(depth: depth, limit: configuration.queueLimit)
        }
        let job = JobRecord(id: nextID, request: request, submittedAt: now)
        nextID += 1
        jobs[job.id] = job
        pending.append(job.id)
        lastActivity = now.wall
        return .queued(job, depth: depth)
    }

    /// The oldest waiting job, now running on `worker`; nil when none waits.
    public mutating func start(worker: Int, at now: Moment) -> JobRecord? {
        guard running[worker] == nil, !pending.isEmpty else { return nil }
        let id = pending.removeFirst()
        guard var job = jobs[id] else { return nil }
        job.state = .running
        job.worker = worker
        job.startedAt = now
        jobs[id] = job
        running[worker] = id
        starts.append((now.uptime, job.waitMilliseconds(now: now)))
        lastActivity = now.wall
        trim(now)
        return job
    }

    /// Records how a running job ended and frees its worker.
    @discardableResult
    public mutating func finish(_ id: JobID, outcome: JobOutcome, at now: Moment) -> JobRecord? {
        guard var job = jobs[id], job.state == .running, let worker = job.worker else { return nil }
        running[worker] = nil
        job.finishedAt = now
        switch outcome {
        case .succeeded(let result):
            job.state = .succeeded
            job.result = result
            engineFailure = nil
        case .failed(let failure):
            job.state = .failed
            job.failure = failure
            if failure.kind == .engine { engineFailure = (failure.message, now) }
        case .cancelled:
            job.state = .cancelled
        case .timedOut:
            job.state = .timedOut
        }
        jobs[id] = job
        finishes.append((now.uptime, job.runMilliseconds(now: now) ?? 0))
        lastActivity = now.wall
        retire(job)
        trim(now)
        return job
    }

    /// `uid` nil: the engine itself is stopping.
    public mutating func cancel(_ id: JobID, by uid: UInt32?, at now: Moment) -> CancelDecision? {
        guard var job = jobs[id] else { return nil }
        switch job.state {
        case .queued:
            pending.removeAll { $0 == id }
            job.state = .cancelled
            job.cancelledBy = uid
            job.finishedAt = now
            jobs[id] = job
            lastActivity = now.wall
            retire(job)
            return .dequeued(job)
        case .running:
            job.cancelledBy = uid
            jobs[id] = job
            return .stopRunning(job, worker: job.worker ?? 0)
        default:
            return .alreadyFinished(job)
        }
    }

    /// Cancels everything still waiting (at shutdown); returns what was dropped.
    public mutating func cancelAllPending(at now: Moment) -> [JobRecord] {
        let ids = pending
        return ids.compactMap { id in
            if case .dequeued(let job) = cancel(id, by: nil, at: now) { return job }
            return nil
        }
    }

    // MARK: The status light

    /// `engine.status` at `now`.
    ///
    /// - `error`: a job failed for an engine reason (`JobFailure.Kind.engine`) in the last
    ///   `errorWindowSeconds` and no job has succeeded since;
    /// - otherwise `processing` while any job is pending or in flight;
    /// - otherwise `idle`.
    public func status(at now: Moment) -> EngineStatus {
        let windowStart = now.uptime - configuration.statsWindowSeconds
        let recentStarts = starts.filter { $0.at >= windowStart }
        let recentRuns = finishes.filter { $0.at >= windowStart }.map(\.runMs).sorted()
        let failure = activeFailure(at: now)
        let light = failure != nil ? "error" : (depth > 0 ? "processing" : "idle")
        return EngineStatus(
            status: light, queueDepth: depth, lastActivity: lastActivity.map(Timestamp.format),
            queue: EngineStatus.Queue(
                pending: pending.count, inFlight: running.count,
                avgWaitMs: recentStarts.isEmpty ? 0 : Self.rounded(recentStarts.map(\.waitMs).reduce(0, +) / Double(recentStarts.count))),
            workers: configuration.workers,
            throughputPerMin: Self.rounded(Double(recentRuns.count) * 60 / configuration.statsWindowSeconds),
            p50Ms: Self.percentile(recentRuns, 0.50), p95Ms: Self.percentile(recentRuns, 0.95),
            error: failure.map { EngineStatus.Failure(message: $0.message, at: Timestamp.format($0.at.wall)) })
    }

    /// When the status will change by itself (an error lapsing), as an uptime; nil if never.
    public func statusExpiry(at now: Moment) -> Double? {
        guard let failure = activeFailure(at: now) else { return nil }
        return failure.at.uptime + configuration.errorWindowSeconds
    }

    private func activeFailure(at now: Moment) -> (message: String, at: Moment)? {
        guard let engineFailure, now.uptime - engineFailure.at.uptime < configuration.errorWindowSeconds else { return nil }
        return engineFailure
    }

    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        // Nearest rank.
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return rounded(sorted[max(0, min(sorted.count - 1, rank - 1))])
    }

    public static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    // MARK: Retention

    private mutating func retire(_ job: JobRecord) {
        finishedOrder.append(job.id)
        retainedBytes += job.result?.approximateBytes ?? 0
        while finishedOrder.count > configuration.retainedJobs
            || (retainedBytes > configuration.retainedBytes && finishedOrder.count > 1)
        {
            let oldest = finishedOrder.removeFirst()
            retainedBytes -= jobs.removeValue(forKey: oldest)?.result?.approximateBytes ?? 0
        }
    }

    private mutating func trim(_ now: Moment) {
        let windowStart = now.uptime - configuration.statsWindowSeconds
        if let first = starts.firstIndex(where: { $0.at >= windowStart }) { starts.removeFirst(first) } else { starts.removeAll() }
        if let first = finishes.firstIndex(where: { $0.at >= windowStart }) { finishes.removeFirst(first) } else { finishes.removeAll() }
    }
}
