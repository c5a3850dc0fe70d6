public import ElohimProtocol
public import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// The wall clock the schedule reads and sleeps on; tests inject a manual one.
public protocol CleanupClock: Sendable {
    func now() -> Date
    func sleep(for duration: Duration) async throws
}

/// The real clock.
public struct SystemCleanupClock: CleanupClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// The nightly cleanup: runs its `CleanupTask`s daily at the configured local time (02:00),
/// catches up a missed run soon after start or resume, never runs two at once, stores every
/// completed run in `cleanup_runs`, and serves `admin.cleanup_run` / `admin.cleanup_status`.
///
/// The loop never sleeps longer than `maxNap` on the clock: each wake-up re-reads the wall
/// time, so a suspend, a resume or a clock change is noticed within that time.
public final class CleanupSchedule: Service, Sendable {
    public struct Configuration: Sendable {
        public var timetable = CleanupTimetable()
        /// The longest random wait before a catch-up run, in seconds. Default 120.
        public var catchUpDelay: Double = 120
        /// The longest single sleep, so wall-clock jumps are noticed. Default 60 s.
        public var maxNap: Duration = .seconds(60)
        public init() {}
    }

    /// What observers (events, audit) hear.
    public enum Event: Sendable {
        case started(CleanupTrigger, dryRun: Bool)
        case finished(CleanupRunResult)
    }

    public let configuration: Configuration
    private let tasks: [any CleanupTask]
    private let store: CleanupStore
    private let clock: any CleanupClock
    private let random: @Sendable () -> Double
    private let logger: Logger
    private let observer: @Sendable (Event) -> Void
    private let machine: Mutex<CleanupScheduleStateMachine>

    public init(
        tasks: [any CleanupTask], store: CleanupStore, configuration: Configuration = .init(),
        clock: any CleanupClock = SystemCleanupClock(), random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger, observer: @escaping @Sendable (Event) -> Void = { _ in }
    ) throws {
        self.tasks = tasks
        self.store = store
        self.configuration = configuration
        self.clock = clock
        self.random = random
        self.logger = logger
        self.observer = observer
        let last = try store.lastRun().flatMap { Timestamp.parse($0.startedAt) }
        machine = Mutex(
            CleanupScheduleStateMachine(
                timetable: configuration.timetable, lastRun: last, startedAt: clock.now(), catchUpDelay: configuration.catchUpDelay))
    }

    /// The task names, in run order.
    public var taskNames: [String] { tasks.map(\.name) }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await self.loop()
            }
        } catch is CancellationError {
            // Graceful shutdown cancels the sleep (or the run between tasks): a normal stop.
        }
        logger.debug("cleanup schedule stopped")
    }

    private func loop() async throws {
        while !Task.isCancelled {
            let now = clock.now()
            let action = machine.withLock { $0.next(now: now, random: random()) }
            switch action {
            case .sleep(let until):
                let seconds = max(0.001, until.timeIntervalSince(now))
                try await clock.sleep(for: min(configuration.maxNap, .milliseconds(Int64((seconds * 1000).rounded(.up)))))
            case .run(let trigger):
                do {
                    _ = try await runNow(trigger: trigger, dryRun: false)
                } catch is CleanupBusyError {
                    // A manual run is in progress; it may well do the job. Look again shortly.
                    try await clock.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// Runs every task now. Task failures are recorded in the run's stats, not thrown.
    /// - Throws: `CleanupBusyError` when a run is in progress.
    public func runNow(trigger: CleanupTrigger = .manual, dryRun: Bool) async throws -> CleanupRunResult {
        guard machine.withLock({ $0.begin() }) else { throw CleanupBusyError() }
        let startedAt = clock.now()
        let started = ContinuousClock.now
        logger.info("cleanup started", metadata: ["trigger": "\(trigger.rawValue)", "dry_run": "\(dryRun)"])
        observer(.started(trigger, dryRun: dryRun))
        var stats: [CleanupTaskStats] = []
        for task in tasks {
            do {
                stats.append(try await task.run(dryRun: dryRun))
            } catch {
                logger.error("cleanup task failed", metadata: ["task": "\(task.name)", "error": "\(error)"])
                stats.append(CleanupTaskStats(name: task.name, unit: task.unit, errors: ["\(error)"]))
            }
        }
        let milliseconds = (ContinuousClock.now - started).inSeconds * 1000
        var result = CleanupRunResult(
            id: nil, trigger: trigger.rawValue, dryRun: dryRun, startedAt: Timestamp.format(startedAt),
            finishedAt: Timestamp.format(clock.now()), durationMs: (milliseconds * 1000).rounded() / 1000, tasks: stats)
        if !dryRun {
            do {
                result = try store.record(result)
            } catch {
                logger.error("cleanup run could not be stored", metadata: ["error": "\(error)"])
            }
        }
        // A failed store still counts: retrying in a loop would not make the database work.
        machine.withLock { $0.finish(startedAt: startedAt, completed: !dryRun) }
        logger.info(
            "cleanup finished",
            metadata: [
                "trigger": "\(trigger.rawValue)", "dry_run": "\(dryRun)", "files_deleted": "\(result.filesDeleted)",
                "bytes_freed": "\(result.bytesFreed)", "status": "\(result.status)", "duration_ms": "\(result.durationMs)",
            ])
        observer(.finished(result))
        return result
    }

    /// The schedule, the last run, the next one and `history` recent runs.
    public func status(history: Int = 10) throws -> CleanupStatusResult {
        let now = clock.now()
        let (running, next) = machine.withLock { ($0.running, $0.preview(now: now)) }
        let runs = try store.recent(limit: max(1, history))
        return CleanupStatusResult(
            time: configuration.timetable.timeText, timeZone: configuration.timetable.timeZone.identifier, running: running,
            lastRun: runs.first, nextRun: Timestamp.format(next.at), catchUp: next.catchUp, history: Array(runs.prefix(history)))
    }
}

/// A cleanup run is already in progress.
public struct CleanupBusyError: DomainError {
    public init() {}
    public var reason: ApplicationErrorReason { .busy }
    public var message: String { "a cleanup run is already in progress; wait for it to finish (elohim cleanup status)" }
}
