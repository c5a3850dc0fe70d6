import Foundation
import ElohimProtocol
public import GRDB

/// The hot slots: models kept loaded in their runtime, persisted and restored at start, held
/// together to the 75%-of-total-memory rule and each to the fit rule.
public actor HotSlots {
    public struct Configuration: Sendable {
        public var count: Int = 4
        /// Slots together may take this share of total memory.
        public var totalFraction: Double = 0.75
        public init() {}
    }

    /// One slot as shown to clients.
    public struct Slot: Sendable, Equatable {
        public var slot: Int
        public var model: String?
        public var path: String?
        public var state: String
        public var estimateBytes: UInt64?
        public var rssBytes: UInt64?
        public var pid: Int32?
        public var context: Int?
        public var error: String?
        public var restarts: Int
    }

    public struct Snapshot: Sendable {
        public var slots: [Slot]
        public var usedBytes: UInt64
        public var totalBytes: UInt64
        public var limitBytes: UInt64
        public var percent: Double
    }

    struct Assignment: Sendable {
        var model: String
        var path: String
        var context: Int
        var estimateBytes: UInt64
    }

    private let configuration: Configuration
    private let database: DatabasePool
    private let runtime: any ModelRuntime
    private let inventory: ModelInventory
    private let estimator: MemoryEstimator
    private let fit: FitCheck
    private let memory: SystemMemoryReader
    private let residentBytes: @Sendable (Int32) -> UInt64?
    private let onChange: @Sendable (Snapshot) -> Void
    private var assignments: [Int: Assignment] = [:]
    private var failures: [Int: String] = [:]

    public init(
        configuration: Configuration, database: DatabasePool, runtime: any ModelRuntime, inventory: ModelInventory,
        estimator: MemoryEstimator, fit: FitCheck, memory: SystemMemoryReader,
        residentBytes: @escaping @Sendable (Int32) -> UInt64?, onChange: @escaping @Sendable (Snapshot) -> Void
    ) {
        self.configuration = configuration
        self.database = database
        self.runtime = runtime
        self.inventory = inventory
        self.estimator = estimator
        self.fit = fit
        self.memory = memory
        self.residentBytes = residentBytes
        self.onChange = onChange
    }

    /// Reads the persisted assignments and loads each (failures show as `failed` slots).
    public func restore() async {
        let rows = (try? database.read { db in
            try Row.fetchAll(db, sql: "SELECT slot, model, path, context, estimate_bytes FROM hot_slots ORDER BY slot")
        }) ?? []
        for row in rows {
            let slot: Int = row["slot"]
            assignments[slot] = Assignment(
                model: row["model"], path: row["path"], context: row["context"], estimateBytes: UInt64(row["estimate_bytes"] as Int64))
        }
        await publish()
        for (slot, assignment) in assignments.sorted(by: { $0.key < $1.key }) {
            await load(slot: slot, assignment)
        }
    }

    /// The slots now, with measured RSS.
    public func snapshot() async -> Snapshot {
        let loaded = Dictionary(await runtime.loaded().map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let total = (try? memory.read().totalBytes) ?? 0
        var slots: [Slot] = []
        for number in 1...configuration.count {
            guard let assignment = assignments[number] else {
                slots.append(Slot(slot: number, state: "empty", restarts: 0))
                continue
            }
            let runtimeState = loaded[assignment.path]
            var state = runtimeState.map { $0.state == .restarting ? "loading" : $0.state.rawValue } ?? "loading"
            if failures[number] != nil { state = "failed" }
            slots.append(
                Slot(
                    slot: number, model: assignment.model, path: assignment.path, state: state, estimateBytes: assignment.estimateBytes,
                    rssBytes: runtimeState?.residentBytes ?? runtimeState?.pid.flatMap(residentBytes), pid: runtimeState?.pid, context: assignment.context,
                    error: failures[number] ?? runtimeState?.error, restarts: runtimeState?.restarts ?? 0))
        }
        let used = assignments.values.reduce(UInt64(0)) { $0 + $1.estimateBytes }
        let limit = UInt64(Double(total) * configuration.totalFraction)
        return Snapshot(
            slots: slots, usedBytes: used, totalBytes: total, limitBytes: limit,
            percent: total == 0 ? 0 : (Double(used) / Double(total) * 1000).rounded() / 10)
    }

    /// Assigns `model` to `slot` and loads it; refuses beyond the slots' share of total memory
    /// and, unless `force`, a model that fails the fit rule.
    public func assign(slot: Int, model name: String, context: Int?, force: Bool, by uid: UInt32?) async throws -> Snapshot {
        guard (1...configuration.count).contains(slot) else {
            throw ModelError(.notFound, "there is no slot \(slot); slots are 1 to \(configuration.count)", detail: ["slot": .int(Int64(slot))])
        }
        let info = try await inventory.lookup(name)
        let estimate = estimator.estimate(info, context: context)
        let system = try memory.read()
        let others = assignments.filter { $0.key != slot }.values.reduce(UInt64(0)) { $0 + $1.estimateBytes }
        let proposed = others + estimate.totalBytes
        let limit = UInt64(Double(system.totalBytes) * configuration.totalFraction)
        if proposed > limit {
            let biggest = assignments.filter { $0.key != slot }.max { $0.value.estimateBytes < $1.value.estimateBytes }
            let hint = biggest.map { "eject slot \($0.key) (\($0.value.model), \(GB.text($0.value.estimateBytes))) or pick a smaller model or context" }
                ?? "pick a smaller model, quantization or context"
            throw ModelError(
                .memoryLimit,
                "Hot slots would use \(GB.text(proposed)) / \(GB.text(system.totalBytes)) RAM. Limit: \(GB.text(limit)) — \(hint)",
                detail: [
                    "proposed_bytes": .int(Int64(clamping: proposed)), "total_bytes": .int(Int64(clamping: system.totalBytes)),
                    "limit_bytes": .int(Int64(clamping: limit)), "proposed_gb": .double(GB.wire(proposed)),
                    "total_gb": .double(GB.wire(system.totalBytes)), "limit_gb": .double(GB.wire(limit)),
                ])
        }
        let report = fit.check(info, estimate: estimate, memory: system)
        if !report.fits && !force {
            throw ModelError(
                .memoryLimit, (report.warning ?? "") + " Pass force to load it anyway.",
                detail: [
                    "fits": false, "estimated_gb": .double(GB.wire(estimate.totalBytes)),
                    "available_gb": .double(GB.wire(system.availableBytes)), "recommendation": .string(report.recommendation),
                ])
        }
        if let previous = assignments[slot] {
            assignments[slot] = nil
            if !assignments.values.contains(where: { $0.path == previous.path }) { await runtime.unload(path: previous.path) }
        }
        let assignment = Assignment(
            model: ModelInventory.name(of: info.path), path: info.path, context: estimate.context, estimateBytes: estimate.totalBytes)
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO hot_slots (slot, model, path, context, estimate_bytes, assigned_at, assigned_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(slot) DO UPDATE SET model = excluded.model, path = excluded.path, context = excluded.context,
                        estimate_bytes = excluded.estimate_bytes, assigned_at = excluded.assigned_at, assigned_by = excluded.assigned_by
                    """,
                arguments: [slot, assignment.model, assignment.path, assignment.context, Int64(clamping: assignment.estimateBytes), Timestamp.now(), uid])
        }
        assignments[slot] = assignment
        failures[slot] = nil
        await publish()
        await load(slot: slot, assignment)
        return await snapshot()
    }

    /// Empties `slot` and unloads its model (unless another slot holds the same file).
    public func eject(slot: Int) async throws -> (Snapshot, String?) {
        guard (1...configuration.count).contains(slot) else {
            throw ModelError(.notFound, "there is no slot \(slot); slots are 1 to \(configuration.count)", detail: ["slot": .int(Int64(slot))])
        }
        guard let assignment = assignments[slot] else {
            throw ModelError(.conflict, "slot \(slot) is already empty", detail: ["slot": .int(Int64(slot))])
        }
        try await database.write { db in try db.execute(sql: "DELETE FROM hot_slots WHERE slot = ?", arguments: [slot]) }
        assignments[slot] = nil
        failures[slot] = nil
        if !assignments.values.contains(where: { $0.path == assignment.path }) { await runtime.unload(path: assignment.path) }
        await publish()
        return (await snapshot(), assignment.model)
    }

    /// Re-publishes after a runtime change (restart, death).
    public func runtimeChanged() async { await publish() }

    private func load(slot: Int, _ assignment: Assignment) async {
        do {
            let info = try await inventory.lookup(assignment.path)
            _ = try await runtime.load(info, context: assignment.context, pin: true)
            failures[slot] = nil
        } catch let error as any DomainError {
            failures[slot] = error.message
        } catch {
            failures[slot] = "\(error)"
        }
        await publish()
    }

    private func publish() async {
        onChange(await snapshot())
    }
}
