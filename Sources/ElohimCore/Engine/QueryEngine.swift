public import ElohimProtocol
import Foundation

/// The query engine: a bounded queue and a fixed set of worker threads running read-only SQL.
///
/// Workers are plain threads, not tasks: a query is blocking C code that may run for seconds,
/// which must not hold a thread of Swift's cooperative pool. The queue's rules live in
/// `EngineStateMachine`; this class adds the threads, the waiting callers and the stop handles.
public final class QueryEngine: @unchecked Sendable {
    public struct Configuration: Sendable {
        public var machine = EngineStateMachine.Configuration()
        /// The longest a query may run, and the default when a caller gives none. Default 30 s.
        public var timeoutMilliseconds = 30_000
        /// The most rows a job keeps, and the default when a caller gives none. Default 10,000.
        public var maxRows = 10_000

        public init() {}
    }

    public let configuration: Configuration
    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var machine: EngineStateMachine
    private var controls: [JobID: JobControl] = [:]
    private var waiters: [JobID: [CheckedContinuation<Void, Never>]] = [:]
    private var threads: [Thread] = []
    private var stopping = false
    private var observers: [@Sendable () -> Void] = []
    private let clock: @Sendable () -> Moment

    public init(configuration: Configuration, clock: @escaping @Sendable () -> Moment = Moment.now) {
        self.configuration = configuration
        self.machine = EngineStateMachine(configuration: configuration.machine)
        self.clock = clock
    }

    /// Calls `observer` (from any thread) after every change of state; it must not block.
    public func onChange(_ observer: @escaping @Sendable () -> Void) {
        locked { observers.append(observer) }
    }

    /// Starts the worker threads (once).
    public func start() {
        locked {
            guard threads.isEmpty, !stopping else { return }
            for worker in 1...max(1, configuration.machine.workers) {
                let thread = Thread { [self] in self.work(as: worker) }
                thread.name = "engine-worker-\(worker)"
                thread.stackSize = 8 << 20
                threads.append(thread)
                thread.start()
            }
        }
    }

    /// Cancels what waits, stops what runs and lets the workers end. Idempotent.
    public func shutdown() {
        let now = clock()
        let dropped: [JobRecord] = locked {
            stopping = true
            for control in controls.values { control.cancel() }
            let dropped = machine.cancelAllPending(at: now)
            condition.broadcast()
            return dropped
        }
        for job in dropped { resumeWaiters(job.id) }
        notify()
    }

    // MARK: Requests

    /// Queues a query. - Throws: `EngineError.busy` when the queue is full.
    public func submit(_ request: QueryRequest) throws(EngineError) -> (job: JobRecord, depth: Int) {
        var request = request
        guard request.timeoutMilliseconds > 0 else { throw .invalid("timeout_ms must be at least 1", field: "timeout_ms") }
        guard request.maxRows > 0 else { throw .invalid("max_rows must be at least 1", field: "max_rows") }
        request.timeoutMilliseconds = min(request.timeoutMilliseconds, configuration.timeoutMilliseconds)
        request.maxRows = min(request.maxRows, configuration.maxRows)
        let now = clock()
        let decision: EngineStateMachine.SubmitDecision = try locked { () throws(EngineError) in
            guard !stopping else { throw EngineError.stopped }
            let decision = machine.submit(request, at: now)
            if case .queued = decision { condition.signal() }
            return decision
        }
        switch decision {
        case .busy(let depth, let limit):
            throw .busy(depth: depth, limit: limit)
        case .queued(let job, let depth):
            notify()
            return (job, depth)
        }
    }

    /// A job, if the caller may see it (its owner, or an admin).
    public func job(_ id: JobID, for uid: UInt32, isAdmin: Bool) throws(EngineError) -> JobRecord {
        let job = locked { machine.jobs[id] }
        guard let job else { throw .notFound(id) }
        guard job.request.owner == uid || isAdmin else { throw .notFound(id) }
        return job
    }

    /// Stops a job: a waiting one is dropped, a running one interrupted by its worker.
    public func cancel(_ id: JobID, by uid: UInt32, isAdmin: Bool) throws(EngineError) -> JobRecord {
        let now = clock()
        let decision: EngineStateMachine.CancelDecision? = try locked { () throws(EngineError) in
            guard let job = machine.jobs[id] else { return nil }
            guard job.request.owner == uid || isAdmin else { throw EngineError.notYours(id) }
            let decision = machine.cancel(id, by: uid, at: now)
            if case .stopRunning = decision { controls[id]?.cancel() }
            return decision
        }
        switch decision {
        case nil: throw .notFound(id)
        case .dequeued(let job)?:
            resumeWaiters(id)
            notify()
            return job
        case .stopRunning(let job, _)?, .alreadyFinished(let job)?:
            return job
        }
    }

    /// Returns once the job has ended (or is unknown).
    public func wait(for id: JobID) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ended = locked { () -> Bool in
                guard let job = machine.jobs[id], !job.state.isFinal else { return true }
                waiters[id, default: []].append(continuation)
                return false
            }
            if ended { continuation.resume() }
        }
    }

    /// The status light and queue figures now.
    public func status() -> EngineStatus {
        let now = clock()
        return locked { machine.status(at: now) }
    }

    /// Seconds from now until the status changes by itself (an error lapsing); nil if never.
    public func secondsUntilStatusExpiry() -> Double? {
        let now = clock()
        return locked { machine.statusExpiry(at: now).map { max(0, $0 - now.uptime) } }
    }

    // MARK: Workers

    private func work(as worker: Int) {
        while true {
            condition.lock()
            var job: JobRecord?
            while !stopping {
                job = machine.start(worker: worker, at: clock())
                if job != nil { break }
                condition.wait()
            }
            guard let job else {
                condition.unlock()
                return
            }
            let control = JobControl(timeoutMilliseconds: job.request.timeoutMilliseconds)
            // Under the same lock as the start: a cancel or shutdown from now on finds the control.
            controls[job.id] = control
            condition.unlock()
            notify()

            let outcome = QueryRunner.run(job.request, control: control)

            let now = clock()
            locked {
                controls[job.id] = nil
                machine.finish(job.id, outcome: outcome, at: now)
            }
            resumeWaiters(job.id)
            notify()
        }
    }

    private func resumeWaiters(_ id: JobID) {
        let waiting = locked { waiters.removeValue(forKey: id) ?? [] }
        for continuation in waiting { continuation.resume() }
    }

    private func notify() {
        let observers = locked { self.observers }
        for observer in observers { observer() }
    }

    private func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }
}
