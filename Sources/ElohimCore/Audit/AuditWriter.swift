import ElohimProtocol
import Foundation
import Logging
public import ServiceLifecycle
import Synchronization

/// Records audit events without slowing requests: `record` enqueues and returns at once; this
/// service commits the queue in batches (one transaction per batch of up to `batchSize`, at
/// most `batchInterval` after the first event waiting).
///
/// Guarantees, documented in `docs/audit.md`:
/// * `recordAndWait` returns only after its event is committed (founder verification and
///   permission changes use it).
/// * Graceful shutdown commits everything queued before the service returns.
/// * SIGKILL loses at most the events recorded in the last `batchInterval` (default 50 ms)
///   plus the batch being written.
/// * Requests cannot outrun the writer: a connection pauses before its next request while
///   more than two batches are uncommitted (`waitForRoom`), so the SIGKILL bound above holds
///   under any load. Recording itself never blocks; a full queue (events from elsewhere) never loses
///   silently: the count dropped is itself recorded as an `audit.dropped` event.
public final class AuditWriter: Service, Sendable {
    public struct Configuration: Sendable {
        public var batchInterval: Duration = .milliseconds(50)
        public var batchSize = 500
        public var queueLimit = 100_000
        public init() {}
    }

    private struct Pending {
        var event: AuditEvent
        var timestamp: String
        var committed: CheckedContinuation<AuditRecord, any Error>?
    }

    private struct State {
        var queue: [Pending] = []
        var dropped = 0
        var urgent = false
        var enabled = true
    }

    public let store: AuditStore
    private let configuration: Configuration
    private let logger: Logger
    private let onCommit: @Sendable ([AuditRecord]) -> Void
    private let state = AdaptiveMutex(State())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let tail: Mutex<(id: Int64, hash: String)>
    /// Batches are committed here, not on the cooperative pool: a batch is milliseconds of
    /// hashing and SQLite, and the pool's few threads run the requests' async work.
    private let committer = DispatchQueue(label: "elohimd.audit-writer")
    /// Events recorded and not yet committed (queued or in the batch being written), for
    /// `waitForRoom`'s check after every request: reading it must not take `state`'s lock,
    /// which every connection's thread would then contend for.
    private let uncommitted = Atomic<Int>(0)
    /// Broadcast whenever the writer commits a batch (or stops), for `waitForRoom`.
    private let drained = NSCondition()

    /// - Parameter onCommit: called after each committed batch (the daemon publishes events).
    public init(
        store: AuditStore, configuration: Configuration = .init(), logger: Logger,
        onCommit: @escaping @Sendable ([AuditRecord]) -> Void = { _ in }
    ) throws {
        self.store = store
        self.configuration = configuration
        self.logger = logger
        self.onCommit = onCommit
        (wakeups, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        tail = Mutex(try store.tail())
    }

    /// Turns recording off (benchmarks compare with and without) or back on.
    public func setEnabled(_ enabled: Bool) {
        state.withLock { $0.enabled = enabled }
        announceDrained()
    }

    /// Queues `event` and returns at once.
    public func record(_ event: AuditEvent) {
        enqueue(Pending(event: event, timestamp: Timestamp.now(), committed: nil))
    }

    /// Queues `event` and returns once it is committed to `audit.db`.
    @discardableResult
    public func recordAndWait(_ event: AuditEvent) async throws -> AuditRecord {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(Pending(event: event, timestamp: Timestamp.now(), committed: continuation), urgent: true)
        }
    }

    private func enqueue(_ pending: Pending, urgent: Bool = false) {
        let (accepted, wakeWriter) = state.withLock { state -> (Bool, Bool) in
            guard state.enabled else { return (false, false) }
            // Events someone waits for are never dropped: the caller is holding a request open.
            guard state.queue.count < configuration.queueLimit || pending.committed != nil else {
                state.dropped += 1
                return (false, false)
            }
            state.queue.append(pending)
            uncommitted.add(1, ordering: .relaxed)
            let wasUrgent = state.urgent
            state.urgent = state.urgent || urgent || state.queue.count >= configuration.batchSize
            // Wake the writer only when it may be idle (first event) or must hurry: a wake-up
            // per event would cost every audited request a hop.
            return (true, state.queue.count == 1 || (state.urgent && !wasUrgent))
        }
        if wakeWriter {
            wake.yield()
        } else if !accepted, let continuation = pending.committed {
            continuation.resume(throwing: CancellationError())
        }
    }

    /// Events queued and not yet committed.
    public var backlog: Int { state.withLock { $0.queue.count } }

    /// Blocks while more than two batches are recorded and not yet committed, for at most
    /// `limit`. Connections call it between requests, on threads of their own (never on Swift's
    /// pool). They wake when a batch is committed, not when it is taken: while the writer works
    /// they stay out of its way, which on a busy machine is what lets it keep up at all.
    public func waitForRoom(limit: Duration = .seconds(1)) {
        let full = { self.uncommitted.load(ordering: .relaxed) > 2 * self.configuration.batchSize && self.state.withLock { $0.enabled } }
        guard full() else { return }
        let deadline = Date().addingTimeInterval(limit.inSeconds)
        drained.lock()
        defer { drained.unlock() }
        while full() {
            if !drained.wait(until: deadline) { return }
        }
    }

    private func announceDrained() {
        drained.lock()
        drained.broadcast()
        drained.unlock()
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in wakeups {
                let urgent = state.withLock { $0.urgent }
                if !urgent {
                    // Let a burst gather into one transaction.
                    try? await Task.sleep(for: configuration.batchInterval)
                }
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    committer.async {
                        self.flush()
                        done.resume()
                    }
                }
            }
        } onGracefulShutdown: { [wake] in
            wake.finish()
        }
        flush()
        logger.debug("audit writer stopped; queue flushed")
    }

    /// Commits everything queued now, in batches. Safe to call from any thread.
    public func flush() {
        while true {
            var batch: [Pending] = state.withLock { state in
                var batch: [Pending] = []
                if state.queue.count <= configuration.batchSize {
                    // The usual case: take the whole queue without copying it.
                    swap(&batch, &state.queue)
                } else {
                    batch = Array(state.queue.prefix(configuration.batchSize))
                    state.queue.removeFirst(configuration.batchSize)
                }
                state.urgent = !state.queue.isEmpty && state.urgent
                if state.dropped > 0 && batch.count < configuration.batchSize {
                    let dropped = state.dropped
                    state.dropped = 0
                    uncommitted.add(1, ordering: .relaxed)
                    return batch + [
                        Pending(
                            event: AuditEvent(
                                "audit.dropped", action: "drop", actor: .daemon,
                                details: ["count": .int(Int64(dropped)), "reason": "the audit queue was full"]),
                            timestamp: Timestamp.now(), committed: nil)
                    ]
                }
                return batch
            }
            guard !batch.isEmpty else { return }
            defer { announceDrained() }
            do {
                let records = try tail.withLock { tail in
                    let records = try store.append(batch.map { ($0.event, $0.timestamp) }, after: tail)
                    if let last = records.last { tail = (last.id, last.hash) }
                    return records
                }
                uncommitted.subtract(batch.count, ordering: .relaxed)
                for (pending, record) in zip(batch, records) { pending.committed?.resume(returning: record) }
                onCommit(records)
            } catch {
                logger.error("audit batch failed to commit; retrying shortly", metadata: ["error": "\(error)", "events": "\(batch.count)"])
                let waiting = batch.filter { $0.committed != nil }
                uncommitted.subtract(waiting.count, ordering: .relaxed)
                for pending in waiting { pending.committed?.resume(throwing: error) }
                batch.removeAll { $0.committed != nil }
                state.withLock { $0.queue.insert(contentsOf: batch, at: 0) }
                return
            }
        }
    }
}
