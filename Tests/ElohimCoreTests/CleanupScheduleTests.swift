@testable import ElohimCore
import ElohimProtocol
import Foundation
import Logging
import Synchronization
import Testing

/// The service around the state machine: runs its tasks, stores runs, refuses overlap, and
/// runs on its own when the injected clock reaches the daily time.
@Suite struct CleanupScheduleTests {
    /// A task that counts its runs and can be held open until released.
    final class CountingTask: CleanupTask, @unchecked Sendable {
        let name = "counting"
        let unit = "entries"
        private let runCount = Mutex(0)
        var runs: Int { runCount.withLock { $0 } }
        let gate = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let entered: AsyncStream<Void>
        let enteredContinuation: AsyncStream<Void>.Continuation
        let holds: Bool

        init(holds: Bool = false) {
            self.holds = holds
            (entered, enteredContinuation) = AsyncStream.makeStream()
        }

        func run(dryRun: Bool) async throws -> CleanupTaskStats {
            let number = runCount.withLock { count in
                count += 1
                return count
            }
            if holds && number == 1 {  // only the first run waits for the test
                await withCheckedContinuation { continuation in
                    gate.withLock { $0 = continuation }
                    enteredContinuation.yield()
                }
            }
            return CleanupTaskStats(name: name, unit: unit, scanned: 3, removed: dryRun ? 0 : 2)
        }
    }

    struct FailingTask: CleanupTask {
        let name = "failing"
        let unit = "files"
        func run(dryRun: Bool) async throws -> CleanupTaskStats { throw TempReapError(directory: "/nowhere", errno: ENOENT) }
    }

    /// A wall clock the test moves; `sleep` returns once the test has moved it.
    final class ManualClock: CleanupClock, @unchecked Sendable {
        let time: Mutex<Date>
        let sleepers = Mutex<[CheckedContinuation<Void, Never>]>([])
        init(_ start: Date) { time = Mutex(start) }
        func now() -> Date { time.withLock { $0 } }
        func sleep(for duration: Duration) async throws {
            await withCheckedContinuation { continuation in sleepers.withLock { $0.append(continuation) } }
            try Task.checkCancellation()
        }
        var sleeping: Int { sleepers.withLock { $0.count } }
        /// Sets the time and wakes every sleeper.
        func set(_ date: Date) {
            time.withLock { $0 = date }
            for sleeper in sleepers.withLock({ list in defer { list = [] }; return list }) { sleeper.resume() }
        }
    }

    static func database() throws -> (AppDatabase, String) {
        let directory = NSTemporaryDirectory() + "elohim-cleanup-\(UUID().uuidString.prefix(8))"
        try DataDirectory.prepare(directory)
        return (try AppDatabase.open(path: directory + "/elohim.db"), directory)
    }

    /// What the schedule's observer heard.
    final class EventLog: Sendable {
        private let entries = Mutex<[String]>([])
        func append(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    static func schedule(
        _ tasks: [any CleanupTask], database: AppDatabase, clock: any CleanupClock, events: EventLog = EventLog()
    ) throws -> CleanupSchedule {
        var configuration = CleanupSchedule.Configuration()
        configuration.timetable = CleanupTimetable(hour: 2, minute: 0, timeZone: TimeZone(identifier: "America/New_York")!)
        return try CleanupSchedule(
            tasks: tasks, store: CleanupStore(database: database.writer), configuration: configuration, clock: clock,
            random: { 0 }, logger: Logger(label: "test")
        ) { event in
            switch event {
            case .started(let trigger, let dryRun): events.append("started \(trigger.rawValue) \(dryRun)")
            case .finished(let result): events.append("finished \(result.trigger) \(result.status)")
            }
        }
    }

    @Test func aRunIsStoredWithItsStatsAndADryRunIsNot() async throws {
        let (database, directory) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let events = EventLog()
        let schedule = try Self.schedule(
            [CountingTask(), FailingTask()], database: database, clock: ManualClock(Timestamp.parse("2026-06-15T12:00:00Z")!),
            events: events)
        let dry = try await schedule.runNow(dryRun: true)
        #expect(dry.id == nil && dry.dryRun && dry.orphansRemoved == 0)
        #expect(try schedule.status().lastRun == nil)
        let run = try await schedule.runNow(dryRun: false)
        #expect(run.id == 1 && run.status == "partial" && run.orphansRemoved == 2)
        #expect(run.tasks.map { $0.name } == ["counting", "failing"] && run.tasks[1].errors.count == 1)
        let status = try schedule.status()
        #expect(status.lastRun == run && status.history == [run] && !status.running)
        #expect(status.nextRun == "2026-06-16T06:00:00.000Z" && status.time == "02:00" && status.timeZone == "America/New_York")
        #expect(events.all == ["started manual true", "finished manual partial", "started manual false", "finished manual partial"])
        // A restarted daemon reads the last run back from the database.
        let again = try Self.schedule([], database: database, clock: ManualClock(Timestamp.parse("2026-06-15T12:00:00Z")!))
        #expect(try again.status().lastRun?.id == 1)
    }

    @Test func aSecondRunWhileOneIsRunningIsRefused() async throws {
        let (database, directory) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let task = CountingTask(holds: true)
        let schedule = try Self.schedule([task], database: database, clock: ManualClock(Timestamp.parse("2026-06-15T12:00:00Z")!))
        let first = Task { try await schedule.runNow(dryRun: false) }
        var entered = task.entered.makeAsyncIterator()
        _ = await entered.next()
        #expect(try schedule.status().running)
        await #expect(throws: CleanupBusyError.self) { try await schedule.runNow(dryRun: true) }
        let gate = task.gate.withLock { gate in defer { gate = nil }; return gate }
        gate?.resume()
        #expect(try await first.value.id == 1)
        #expect(task.runs == 1)
        #expect(try await schedule.runNow(dryRun: true).dryRun, "free again once the first run is over")
    }

    @Test func theServiceRunsWhenTheClockReachesTheDailyTime() async throws {
        let (database, directory) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let task = CountingTask()
        let clock = ManualClock(Timestamp.parse("2026-06-15T05:59:00Z")!)
        let schedule = try Self.schedule([task], database: database, clock: clock)
        let service = Task { try await schedule.run() }
        defer { service.cancel() }
        while clock.sleeping == 0 { await Task.yield() }
        #expect(task.runs == 0, "no history: nothing is owed at start")
        clock.set(Timestamp.parse("2026-06-15T06:00:00Z")!)
        while task.runs == 0 || clock.sleeping == 0 { await Task.yield() }
        let status = try schedule.status()
        #expect(status.lastRun?.trigger == "schedule" && status.nextRun == "2026-06-16T06:00:00.000Z")
        clock.set(Timestamp.parse("2026-06-15T06:30:00Z")!)
        while clock.sleeping == 0 { await Task.yield() }
        #expect(task.runs == 1, "once a day")
    }
}

/// The orphaned-embeddings task on a real library (elohim.db + embeddings.db), run through
/// the schedule as the nightly job runs it.
@Suite struct OrphanEmbeddingsTaskTests {
    @Test func aDryRunCountsOrphansAndARunDeletesOnlyThem() async throws {
        let fixture = try LibraryFixture()
        let local = fixture.store.local(1000)
        let kept = try local.createDocument(title: "kept", content: "a")
        let gone = try local.createDocument(title: "gone", content: "b")
        for chunk in 0..<3 { try fixture.store.storeEmbedding(documentID: gone.id, chunk: chunk, model: "m", vector: [1, 2]) }
        try fixture.store.storeEmbedding(documentID: kept.id, chunk: 0, model: "m", vector: [3, 4])
        try local.deleteDocument(gone.id)
        let schedule = try CleanupSchedule(
            tasks: [OrphanEmbeddingsTask(store: fixture.store)], store: CleanupStore(database: fixture.database.writer),
            logger: Logger(label: "test"))
        let dry = try await schedule.runNow(dryRun: true)
        #expect(dry.orphansRemoved == 3 && dry.tasks.first?.name == "orphan_embeddings")
        #expect(try fixture.store.countOrphanEmbeddings() == 3, "a dry run deletes nothing")
        let run = try await schedule.runNow(dryRun: false)
        #expect(run.orphansRemoved == 3 && run.status == "ok")
        #expect(try fixture.store.countOrphanEmbeddings() == 0)
        #expect(try local.document(kept.id).embeddings == 1, "the live document keeps its vectors")
        #expect(try await schedule.runNow(dryRun: false).orphansRemoved == 0)
    }
}

/// The model-cache task on a real database and real GGUF files.
@Suite struct ModelCacheTaskTests {
    @Test func staleEntriesGoLiveOnesStay() async throws {
        let directory = try AppDatabaseTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try AppDatabase.open(path: directory + "/elohim.db")
        let cache = ModelCache(database: database.writer)
        let models = directory + "/models"
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
        for name in ["kept", "gone"] {
            #expect(FileManager.default.createFile(atPath: models + "/\(name).gguf", contents: Data(ModelCacheTests.tinyModel())))
        }
        let inventory = ModelInventory(configuration: .init(directories: [models]), cache: cache)
        let listed = inventory.list().count
        let cached = try cache.count()
        #expect(listed == 2 && cached == 2)
        try FileManager.default.removeItem(atPath: models + "/gone.gguf")
        let schedule = try CleanupSchedule(
            tasks: [ModelCacheTask(cache: cache)], store: CleanupStore(database: database.writer), logger: Logger(label: "test"))
        let dry = try await schedule.runNow(dryRun: true)
        #expect(dry.orphansRemoved == 1 && dry.tasks.first?.scanned == 2)
        #expect(try cache.count() == 2, "a dry run deletes nothing")
        let run = try await schedule.runNow(dryRun: false)
        let left = try cache.count()
        #expect(run.orphansRemoved == 1 && left == 1)
        #expect(inventory.list().map(\.name) == ["kept"])
    }
}
