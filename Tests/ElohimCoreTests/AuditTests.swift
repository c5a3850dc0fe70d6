@testable import ElohimCore
import ElohimProtocol
import Foundation
import GRDB
import Logging
import Synchronization
import Testing

@Suite struct AuditTests {
    static func store() throws -> (AuditStore, String) {
        let directory = NSTemporaryDirectory() + "elohim-audit-\(UUID().uuidString.prefix(8))"
        try DataDirectory.prepare(directory)
        return (try AuditStore(path: directory + "/audit.db"), directory)
    }

    static func event(_ number: Int, uid: UInt32 = 1000, type: String = "test.event") -> AuditEvent {
        AuditEvent(type, action: "do", actor: AuditActor(uid: uid, pid: 42, clientName: "test"), resourceType: "thing",
                   resourceID: "\(number)", details: ["n": .int(Int64(number))])
    }

    /// Runs the writer's service loop for the duration of `body`, as the daemon's service group does.
    static func running<T>(_ writer: AuditWriter, _ body: () async throws -> T) async throws -> T {
        let service = Task { try await writer.run() }
        defer { service.cancel() }
        return try await body()
    }

    @Test func recordAndWaitCommitsBeforeReturningAndChainsRows() async throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try AuditWriter(store: store, logger: Logger(label: "test"))
        try await Self.running(writer) {
        let first = try await writer.recordAndWait(Self.event(1))
        let second = try await writer.recordAndWait(Self.event(2))
        #expect(first.prevHash == AuditStore.genesis)
        #expect(second.prevHash == first.hash)
        #expect(try store.page(.init()).records.map(\.id) == [2, 1])
        #expect(try store.verify() == .init(ok: true, rowsChecked: 2, firstBrokenId: nil, problem: nil))
        }
    }

    @Test func anEditedRowIsNamedByVerify() throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try AuditWriter(store: store, logger: Logger(label: "test"))
        for number in 1...5 { writer.record(Self.event(number)) }
        writer.flush()
        try store.pool.write { db in
            try db.execute(sql: #"UPDATE audit_log SET details = '{"n":99}' WHERE id = 3"#)
        }
        let result = try store.verify()
        #expect(!result.ok)
        #expect(result.firstBrokenId == 3)
    }

    @Test func aDeletedRowIsNamedByVerify() throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try AuditWriter(store: store, logger: Logger(label: "test"))
        for number in 1...4 { writer.record(Self.event(number)) }
        writer.flush()
        try store.pool.write { db in try db.execute(sql: "DELETE FROM audit_log WHERE id = 2") }
        #expect(try store.verify().firstBrokenId == 3)
    }

    @Test func keysetPagesStayStableWhileRowsArrive() throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try AuditWriter(store: store, logger: Logger(label: "test"))
        for number in 1...25 { writer.record(Self.event(number, uid: number % 2 == 0 ? 1000 : 1001)) }
        writer.flush()
        var query = AuditStore.Query()
        query.limit = 10
        let first = try store.page(query)
        #expect(first.records.map(\.id) == Array((16...25).reversed()))
        for number in 26...30 { writer.record(Self.event(number)) }
        writer.flush()
        query.before = first.nextCursor
        let second = try store.page(query)
        #expect(second.records.map(\.id) == Array((6...15).reversed()))
        query.before = second.nextCursor
        let third = try store.page(query)
        #expect(third.records.map(\.id) == Array((1...5).reversed()))
        #expect(third.nextCursor == nil)

        var filtered = AuditStore.Query()
        filtered.userID = "1001"
        filtered.limit = 1000
        #expect(try store.page(filtered).records.allSatisfy { $0.userId == "1001" })
        #expect(try store.page(filtered).records.count == 13)
    }

    @Test func aFullQueueCountsWhatItDroppedAndRecordsIt() throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = AuditWriter.Configuration()
        configuration.queueLimit = 10
        let writer = try AuditWriter(store: store, configuration: configuration, logger: Logger(label: "test"))
        for number in 1...15 { writer.record(Self.event(number)) }
        writer.flush()
        let rows = try store.page(.init()).records
        #expect(rows.count == 11)
        let dropped = try #require(rows.first { $0.eventType == "audit.dropped" })
        #expect(dropped.details["count"] == 5)
        #expect(try store.verify().ok)
    }

    @Test func writerResumesTheChainAfterReopening() async throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try AuditWriter(store: store, logger: Logger(label: "test"))
        _ = try await Self.running(writer) { try await writer.recordAndWait(Self.event(1)) }
        let reopened = try AuditStore(path: store.path)
        let secondWriter = try AuditWriter(store: reopened, logger: Logger(label: "test"))
        let second = try await Self.running(secondWriter) { try await secondWriter.recordAndWait(Self.event(2)) }
        #expect(second.id == 2)
        #expect(try reopened.verify().ok)
    }
}

@Suite struct AuditRetentionTests {
    @Test func archivingKeepsBothChainsVerifiable() throws {
        let (store, directory) = try AuditTests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try AuditWriter(store: store, logger: Logger(label: "test"))
        for number in 1...6 { writer.record(AuditTests.event(number)) }
        writer.flush()
        Thread.sleep(forTimeInterval: 0.01)
        for number in 7...10 { writer.record(AuditTests.event(number)) }
        writer.flush()
        // Rows cannot be back-dated without breaking their hashes, so cut between two batches.
        let cutoff = try #require(try store.page(.init()).records.first { $0.id == 7 }).timestamp
        let moved = try store.archive(olderThan: cutoff, into: directory + "/audit-archive.db")
        #expect(moved == 6)
        let remaining = try store.verify()
        #expect(remaining.ok)
        #expect(remaining.rowsChecked == 10 - moved)
        let archive = try AuditStore(path: directory + "/audit-archive.db")
        #expect(try archive.verify() == .init(ok: true, rowsChecked: moved, firstBrokenId: nil, problem: nil))
        // New rows keep chaining after the cut.
        writer.record(AuditTests.event(11))
        writer.flush()
        #expect(try store.verify().ok)
    }
    /// The chain's format is fixed (docs/audit.md; exports are checked by other tools): the
    /// canonical bytes must stay those of the sorted-key object, and the hashes those that
    /// Python's `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` gives.
    @Test func canonicalFormMatchesTheSortedKeyObjectAndIndependentHashes() throws {
        func object(_ record: AuditRecord, _ detailsText: String) -> JSONValue {
            func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
            return .object([
                "id": .int(record.id), "timestamp": .string(record.timestamp), "user_id": text(record.userId),
                "event_type": .string(record.eventType), "resource_type": text(record.resourceType),
                "resource_id": text(record.resourceId), "action": .string(record.action), "details": .string(detailsText),
                "peer_uid": record.peerUid.map { .int(Int64($0)) } ?? .null,
                "peer_pid": record.peerPid.map { .int(Int64($0)) } ?? .null,
                "client_name": text(record.clientName), "client_version": text(record.clientVersion),
                "prev_hash": .string(record.prevHash),
            ])
        }
        let details: JSONValue = ["name": "ünï \"q\"\\", "n": 3]
        let full = AuditRecord(
            id: 7, timestamp: "2026-12-01T02:03:04.567Z", userId: "1000", eventType: "vault.item_read", resourceType: "vault",
            resourceId: "k\"ey\n1", action: "read", details: details, peerUid: 1000, peerPid: 4242, clientName: "elohim",
            clientVersion: "0.1", prevHash: AuditStore.genesis, hash: "")
        let bare = AuditRecord(
            id: 1, timestamp: "2026-12-01T02:03:04.567Z", userId: nil, eventType: "daemon.started", resourceType: nil,
            resourceId: nil, action: "start", details: [:], peerUid: nil, peerPid: nil, clientName: nil, clientVersion: nil,
            prevHash: AuditStore.genesis, hash: "")
        for (record, expected) in [
            (full, "bbbad6469a6b356faa761ef6102b8946d7dcbd835498874bbd72a592bf70c0ab"),
            (bare, "8697c085430879af1bc1c8f97ef523c8dbe9718b8de091749d34d95b0e4cab52"),
        ] {
            let detailsText = JSONWriter.string(record.details)
            let canonical = record.canonical(detailsText: detailsText)
            #expect(canonical == JSONWriter.bytes(object(record, detailsText)))
            #expect(AuditStore.digest(canonical) == expected)
        }
    }
}

@Suite struct AuditPacingTests {
    /// Connections pause between requests while more than two batches are uncommitted, and go
    /// on once the writer has committed; below that they never wait.
    @Test func waitForRoomHoldsACallerUntilTheWriterCommits() throws {
        let (store, directory) = try AuditTests.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = AuditWriter.Configuration()
        configuration.batchSize = 2
        let writer = try AuditWriter(store: store, configuration: configuration, logger: Logger(label: "test"))
        for number in 1...4 { writer.record(AuditTests.event(number)) }
        writer.waitForRoom(limit: .seconds(30))  // 4 uncommitted: not over two batches, returns at once

        writer.record(AuditTests.event(5))
        let returned = Box(Atomic<Bool>(false))
        let done = DispatchSemaphore(value: 0)
        Thread {
            writer.waitForRoom(limit: .seconds(30))
            returned.value.store(true, ordering: .sequentiallyConsistent)
            done.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.3)
        let returnedEarly = returned.value.load(ordering: .sequentiallyConsistent)
        #expect(!returnedEarly, "waitForRoom returned with 5 events uncommitted")
        writer.flush()
        #expect(done.wait(timeout: .now() + 10) == .success, "waitForRoom still waiting after the writer committed")
        #expect(writer.backlog == 0)
        #expect(try store.verify().rowsChecked == 5)
    }
}

/// Lets a closure on another thread share a non-copyable atomic.
private final class Box<Value: ~Copyable>: Sendable where Value: Sendable {
    let value: Value
    init(_ value: consuming Value) { self.value = value }
}
