@testable import ElohimCore
import ElohimProtocol
import Foundation
import Testing

/// The queue's rules, on the pure state machine with an injected clock.
@Suite struct EngineStateMachineTests {
    static let origin = Date(timeIntervalSince1970: 1_800_000_000)

    static func at(_ seconds: Double) -> Moment { Moment(uptime: seconds, wall: origin.addingTimeInterval(seconds)) }

    static func request(_ sql: String = "SELECT 1", owner: UInt32 = 1000) -> QueryRequest {
        QueryRequest(sql: sql, dataset: nil, databasePath: nil, timeoutMilliseconds: 1000, maxRows: 10, owner: owner)
    }

    static func machine(workers: Int = 1, queueLimit: Int = 2) -> EngineStateMachine {
        var configuration = EngineStateMachine.Configuration()
        configuration.workers = workers
        configuration.queueLimit = queueLimit
        return EngineStateMachine(configuration: configuration)
    }

    static func queued(_ decision: EngineStateMachine.SubmitDecision) -> JobRecord? {
        if case .queued(let job, _) = decision { return job }
        return nil
    }

    /// Submits and expects it queued.
    static func submit(_ machine: inout EngineStateMachine, at seconds: Double) throws -> JobRecord {
        let decision = machine.submit(Self.request(), at: Self.at(seconds))
        return try #require(Self.queued(decision))
    }

    static let rows = QueryResultSet(columns: ["x"], rows: [[1]], truncated: false, approximateBytes: 8)

    @Test func aFullQueueIsBusyWithItsDepthAndQueuesNothing() throws {
        var machine = Self.machine(queueLimit: 2)
        let first = try Self.submit(&machine, at: 0)
        _ = machine.start(worker: 1, at: Self.at(0))
        guard case .queued(_, let depth) = machine.submit(Self.request(), at: Self.at(0)) else { Issue.record("not queued"); return }
        #expect(depth == 2)
        _ = machine.submit(Self.request(), at: Self.at(0))
        guard case .busy(let busyDepth, let limit) = machine.submit(Self.request(), at: Self.at(0)) else {
            Issue.record("a third waiting job must be refused")
            return
        }
        #expect((busyDepth, limit) == (3, 2))
        #expect(machine.pending.count == 2)
        // A finished job makes room.
        machine.finish(first.id, outcome: .succeeded(Self.rows), at: Self.at(1))
        _ = machine.start(worker: 1, at: Self.at(1))
        _ = try Self.submit(&machine, at: 1)
    }

    @Test func jobsStartOldestFirstAndAWorkerRunsOneAtATime() throws {
        var machine = Self.machine(workers: 2, queueLimit: 10)
        let ids = (0..<3).compactMap { _ in Self.queued(machine.submit(Self.request(), at: Self.at(0)))?.id }
        #expect(machine.start(worker: 1, at: Self.at(1))?.id == ids[0])
        #expect(machine.start(worker: 1, at: Self.at(1)) == nil, "worker 1 is busy")
        #expect(machine.start(worker: 2, at: Self.at(2))?.id == ids[1])
        machine.finish(ids[0], outcome: .succeeded(Self.rows), at: Self.at(3))
        let thirdRecord = machine.start(worker: 1, at: Self.at(3))
        let third = try #require(thirdRecord)
        #expect((third.id, third.worker) == (ids[2], 1))
        #expect(third.waitMilliseconds(now: Self.at(9)) == 3000)
    }

    @Test func cancellingAQueuedJobDropsItAndARunningOneAsksItsWorker() throws {
        var machine = Self.machine(queueLimit: 5)
        let running = try Self.submit(&machine, at: 0)
        let waiting = try Self.submit(&machine, at: 0)
        _ = machine.start(worker: 1, at: Self.at(0))
        guard case .dequeued(let dropped) = machine.cancel(waiting.id, by: 1000, at: Self.at(1)) else { Issue.record("not dequeued"); return }
        #expect(dropped.state == .cancelled && machine.pending.isEmpty)
        guard case .stopRunning(_, let worker) = machine.cancel(running.id, by: 0, at: Self.at(1)) else { Issue.record("not running"); return }
        #expect(worker == 1)
        #expect(machine.jobs[running.id]?.state == .running, "it ends when its worker reports")
        let endedRecord = machine.finish(running.id, outcome: .cancelled, at: Self.at(2))
        let ended = try #require(endedRecord)
        #expect((ended.state, ended.cancelledBy) == (.cancelled, 0))
        guard case .alreadyFinished = machine.cancel(running.id, by: 0, at: Self.at(3)) else { Issue.record("must be finished"); return }
        #expect(machine.cancel(999, by: 0, at: Self.at(3)) == nil)
    }

    @Test func theLightGoesIdleProcessingIdle() throws {
        var machine = Self.machine()
        #expect(machine.status(at: Self.at(0)).status == "idle")
        #expect(machine.status(at: Self.at(0)).lastActivity == nil)
        let job = try Self.submit(&machine, at: 1)
        #expect(machine.status(at: Self.at(1)).status == "processing")
        _ = machine.start(worker: 1, at: Self.at(2))
        let during = machine.status(at: Self.at(2))
        #expect((during.status, during.queueDepth, during.queue.pending, during.queue.inFlight) == ("processing", 1, 0, 1))
        machine.finish(job.id, outcome: .succeeded(Self.rows), at: Self.at(3))
        let after = machine.status(at: Self.at(3))
        #expect((after.status, after.queueDepth) == ("idle", 0))
        #expect(after.lastActivity == Timestamp.format(Self.origin.addingTimeInterval(3)))
    }

    @Test func anEngineFailureIsAnErrorForAWhileOrUntilASuccess() throws {
        var machine = Self.machine(queueLimit: 10)
        func run(_ outcome: JobOutcome, at seconds: Double) throws {
            let job = try Self.submit(&machine, at: seconds)
            _ = machine.start(worker: 1, at: Self.at(seconds))
            machine.finish(job.id, outcome: outcome, at: Self.at(seconds))
        }
        try run(.failed(JobFailure(kind: .query, message: "no such table: x")), at: 1)
        try run(.failed(JobFailure(kind: .readOnly, message: "refused")), at: 1)
        try run(.cancelled, at: 1)
        try run(.timedOut, at: 1)
        #expect(machine.status(at: Self.at(1)).status == "idle", "a user's mistake, a cancel or a timeout is not an engine failure")

        try run(.failed(JobFailure(kind: .engine, message: "disk I/O error")), at: 10)
        let failing = machine.status(at: Self.at(11))
        #expect(failing.status == "error")
        #expect(failing.error == EngineStatus.Failure(message: "disk I/O error", at: Timestamp.format(Self.origin.addingTimeInterval(10))))
        #expect(machine.statusExpiry(at: Self.at(11)) == 40)
        #expect(machine.status(at: Self.at(39.9)).status == "error")
        #expect(machine.status(at: Self.at(40)).status == "idle", "it lapses after the error window")
        #expect(machine.status(at: Self.at(40)).error == nil)

        try run(.failed(JobFailure(kind: .engine, message: "disk I/O error")), at: 50)
        #expect(machine.status(at: Self.at(51)).status == "error")
        try run(.succeeded(Self.rows), at: 52)
        #expect(machine.status(at: Self.at(52)).status == "idle", "a success clears it")
        #expect(machine.statusExpiry(at: Self.at(52)) == nil)
    }

    @Test func averageWaitThroughputAndPercentilesCoverTheLastMinute() throws {
        var machine = Self.machine(queueLimit: 100)
        // Four jobs: waits 0, 1, 2, 3 s; runs 1, 1, 1, 4 s (ms figures ×1000).
        var ids: [JobID] = []
        for _ in 0..<4 { ids.append(try Self.submit(&machine, at: 100).id) }
        var now = 100.0
        for (index, run) in [1.0, 1.0, 1.0, 4.0].enumerated() {
            let jobRecord = machine.start(worker: 1, at: Self.at(now))
        let job = try #require(jobRecord)
            #expect(job.id == ids[index])
            now += run
            machine.finish(job.id, outcome: .succeeded(Self.rows), at: Self.at(now))
        }
        let status = machine.status(at: Self.at(now))
        #expect(status.queue.avgWaitMs == 1500)
        #expect(status.throughputPerMin == 4)
        #expect(status.p50Ms == 1000)
        #expect(status.p95Ms == 4000)
        let later = machine.status(at: Self.at(now + 61))
        #expect((later.queue.avgWaitMs, later.throughputPerMin, later.p50Ms, later.p95Ms) == (0, 0, nil, nil))
    }

    @Test func finishedJobsAreKeptWithinTheRetentionLimit() throws {
        var configuration = EngineStateMachine.Configuration()
        configuration.workers = 1
        configuration.retainedJobs = 3
        var machine = EngineStateMachine(configuration: configuration)
        var ids: [JobID] = []
        for second in 0..<5 {
            let job = try Self.submit(&machine, at: Double(second))
            _ = machine.start(worker: 1, at: Self.at(Double(second)))
            machine.finish(job.id, outcome: .succeeded(Self.rows), at: Self.at(Double(second)))
            ids.append(job.id)
        }
        #expect(machine.jobs.keys.sorted() == Array(ids.suffix(3)))
    }
}

/// The engine with its real worker threads and real SQLite: cancel and timeout stop a query
/// that would never end by itself, and the same worker then runs the next job.
@Suite struct QueryEngineTests {
    static let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"

    static func engine(workers: Int = 1) -> QueryEngine {
        var configuration = QueryEngine.Configuration()
        configuration.machine.workers = workers
        configuration.machine.queueLimit = 4
        return QueryEngine(configuration: configuration)
    }

    static func request(_ sql: String, timeout: Int = 60_000, path: String? = nil) -> QueryRequest {
        QueryRequest(sql: sql, dataset: path == nil ? nil : "d", databasePath: path, timeoutMilliseconds: timeout, maxRows: 100, owner: 1000)
    }

    /// Waits (on the engine's change notifications, not a timer) until `condition` holds.
    static func until(_ engine: QueryEngine, _ condition: @escaping () -> Bool) async {
        let (changes, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        engine.onChange { continuation.yield() }
        continuation.yield()
        for await _ in changes where condition() { return }
    }

    @Test func aCancelledQueryStopsAndTheSameWorkerRunsTheNextJob() async throws {
        let engine = Self.engine()
        engine.start()
        defer { engine.shutdown() }
        let slow = try engine.submit(Self.request(Self.endless)).job
        await Self.until(engine) { (try? engine.job(slow.id, for: 1000, isAdmin: false).state) == .running }
        _ = try engine.cancel(slow.id, by: 1000, isAdmin: false)
        await engine.wait(for: slow.id)
        let cancelled = try engine.job(slow.id, for: 1000, isAdmin: false)
        #expect((cancelled.state, cancelled.worker) == (.cancelled, 1))

        let next = try engine.submit(Self.request("SELECT 6 * 7")).job
        await engine.wait(for: next.id)
        let done = try engine.job(next.id, for: 1000, isAdmin: false)
        #expect((done.state, done.worker, done.result?.rows) == (.succeeded, 1, [[42]]))
        #expect(engine.status().status == "idle")
    }

    @Test func aTimeoutStopsARunawayQueryTheSameWay() async throws {
        let engine = Self.engine()
        engine.start()
        defer { engine.shutdown() }
        let slow = try engine.submit(Self.request(Self.endless, timeout: 50)).job
        await engine.wait(for: slow.id)
        #expect(try engine.job(slow.id, for: 1000, isAdmin: false).state == .timedOut)
        let next = try engine.submit(Self.request("SELECT 'ok'")).job
        await engine.wait(for: next.id)
        let done = try engine.job(next.id, for: 1000, isAdmin: false)
        #expect((done.worker, done.result?.rows) == (1, [["ok"]]))
    }

    @Test func onlyTheOwnerOrAnAdminMayStopAJob() async throws {
        let engine = Self.engine()
        engine.start()
        defer { engine.shutdown() }
        let slow = try engine.submit(Self.request(Self.endless)).job
        #expect(throws: EngineError.self) { try engine.cancel(slow.id, by: 2000, isAdmin: false) }
        #expect(throws: EngineError.self) { try engine.job(slow.id, for: 2000, isAdmin: false) }
        _ = try engine.cancel(slow.id, by: 0, isAdmin: true)
        await engine.wait(for: slow.id)
        #expect(try engine.job(slow.id, for: 1000, isAdmin: false).cancelledBy == 0)
    }

    @Test func writesAreRefusedEvenOnAWritableFile() async throws {
        let directory = NSTemporaryDirectory() + "elohim-engine-\(UUID().uuidString.prefix(8))"
        try DataDirectory.prepare(directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/d.sqlite"
        let setup = try SQLiteConnection(path: path, flags: 0x6)  // READWRITE | CREATE
        try setup.execute("CREATE TABLE t (x); INSERT INTO t VALUES (1)")
        let engine = Self.engine()
        engine.start()
        defer { engine.shutdown() }
        for sql in ["INSERT INTO t VALUES (2)", "DELETE FROM t", "DROP TABLE t", "PRAGMA query_only = 0", "ATTACH ':memory:' AS m"] {
            let job = try engine.submit(Self.request(sql, path: path)).job
            await engine.wait(for: job.id)
            let ended = try engine.job(job.id, for: 1000, isAdmin: false)
            #expect(ended.state == .failed && ended.failure?.kind == .readOnly, "\(sql): \(String(describing: ended.failure))")
        }
        let count = try engine.submit(Self.request("SELECT count(*) FROM t", path: path)).job
        await engine.wait(for: count.id)
        #expect(try engine.job(count.id, for: 1000, isAdmin: false).result?.rows == [[1]])
    }

    @Test func theRowCapTruncates() async throws {
        let engine = Self.engine()
        engine.start()
        defer { engine.shutdown() }
        var request = Self.request("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c")
        request.maxRows = 5
        let job = try engine.submit(request).job
        await engine.wait(for: job.id)
        let done = try engine.job(job.id, for: 1000, isAdmin: false)
        #expect(done.result?.rows == [[1], [2], [3], [4], [5]] && done.result?.truncated == true)
    }
}

@Suite struct CSVReaderTests {
    static func records(_ text: String) throws -> [CSVReader.Record] {
        var descriptors: [Int32] = [0, 0]
        #expect(pipe(&descriptors) == 0)
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { _ = write(descriptors[1], $0.baseAddress, $0.count) }
        close(descriptors[1])
        defer { close(descriptors[0]) }
        var reader = CSVReader(descriptor: descriptors[0])
        var all: [CSVReader.Record] = []
        while let record = try reader.next() { all.append(record) }
        return all
    }

    @Test func quotedFieldsLineBreaksAndLineNumbers() throws {
        let all = try Self.records("\u{FEFF}a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\n\"two\nlines\",\"\"\nlast,")
        #expect(all.map(\.fields) == [["a", "b"], ["x, y", "say \"hi\""], ["two\nlines", ""], ["last", ""]])
        #expect(all.map(\.line) == [1, 2, 4, 6])
        #expect(all[2].quoted == [true, true] && all[3].quoted == [false, false])
    }

    @Test(arguments: [
        ("a\n\"open\n\nx\n", 2, "never closed"),
        ("a\nx\"y\n", 2, "quote inside"),
        ("a\n\"q\"z\n", 2, "after the closing quote"),
    ])
    func problemsNameTheirLine(text: String, line: Int, words: String) throws {
        do {
            _ = try Self.records(text)
            Issue.record("expected a problem")
        } catch let problem as CSVReader.Problem {
            #expect(problem.line == line)
            #expect(problem.message.contains(words), "\(problem.message)")
        }
    }

    @Test func typeInference() {
        func kind(_ values: [(String, Bool)]) -> ColumnTypeInference.Kind {
            var inference = ColumnTypeInference()
            for (text, quoted) in values { inference.observe(text, quoted: quoted) }
            return inference.kind
        }
        #expect(kind([("1", false), ("-20", false), ("", false)]) == .integer)
        #expect(kind([("1", false), ("2.5", false), ("1e3", false)]) == .real)
        #expect(kind([("02134", false), ("10001", false)]) == .text, "leading zeros stay text")
        #expect(kind([("1", false), ("", true)]) == .text, "a quoted empty field is a string")
        #expect(kind([("", false)]) == .text)
        #expect(kind([("inf", false)]) == .text && kind([("nan", false)]) == .text)
        #expect(CSVImport.columnNames(["id", " ", "Id", "name "]) == ["id", "column_2", "Id_2", "name"])
    }
}
