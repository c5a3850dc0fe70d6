import ElohimCore
import ElohimProtocol
import ElohimRuntime
import Foundation
import Logging

/// Everything the daemon keeps on disk, opened and migrated in dependency order before the
/// socket accepts its first connection.
struct Stores: Sendable {
    let database: AppDatabase
    let events: EventBus
    let security: SecurityServices
    let models: ModelServices

    static func open(
        dataDir: String, configuration: DaemonConfiguration, logger: Logger, environment: [String: String] = [:]
    ) throws -> Stores {
        try DataDirectory.prepare(dataDir)
        let database = try AppDatabase.open(path: dataDir + "/elohim.db")
        let events = EventBus()
        let auditStore: AuditStore
        do {
            auditStore = try AuditStore(path: dataDir + "/audit.db")
        } catch {
            throw StorageError.corrupt(dataDir + "/audit.db", "\(error)")
        }
        let cutoff = Timestamp.format(Date().addingTimeInterval(-Double(configuration.auditRetentionDays) * 86_400))
        let archived = try auditStore.archive(olderThan: cutoff, into: dataDir + "/audit-archive.db")
        if archived > 0 {
            logger.info("moved old audit events to the archive", metadata: ["rows": "\(archived)", "older_than": "\(cutoff)"])
        }
        let audit = try AuditWriter(store: auditStore, logger: logger) { records in
            for record in records {
                events.publish(.audit, type: "audit.event", data: (try? RPCCoding.json(record.entry)) ?? [:])
            }
        }
        var founderConfiguration = FounderGate.Configuration()
        founderConfiguration.elevationDuration = .milliseconds(Int64(configuration.founderElevationSeconds * 1000))
        founderConfiguration.throttleBase = .milliseconds(configuration.founderThrottleBaseMilliseconds)
        let security = SecurityServices(
            accounts: try AccountDirectory(database: database.writer, ownerUID: geteuid()),
            founder: FounderGate(database: database.writer, configuration: founderConfiguration),
            setup: SetupState(database: database.writer),
            audit: audit,
            ownerUID: geteuid())
        var modelDirs = configuration.modelDirs ?? [dataDir + "/models"]
        if configuration.modelDirs == nil { try DataDirectory.prepare(modelDirs[0]) }
        modelDirs = modelDirs.map { $0.hasSuffix("/") && $0.count > 1 ? String($0.dropLast()) : $0 }
        var inventory = ModelInventory.Configuration(directories: modelDirs)
        inventory.maxDepth = 4
        let runtimeLogs = dataDir + "/runtime"
        try DataDirectory.prepare(runtimeLogs)
        var runtimeConfiguration = LlamaServerRuntime.Configuration(logDirectory: runtimeLogs)
        runtimeConfiguration.command = configuration.llamaServerCommand
        let slotsBox = SlotsBox()
        let runtime = LlamaServerRuntime(configuration: runtimeConfiguration) { model in
            events.publish(.models, type: "models.runtime", data: LoadedModelInfo(model).json)
            Task { await slotsBox.slots?.runtimeChanged() }
        }
        let modelInventory = ModelInventory(configuration: inventory, cache: ModelCache(database: database.writer))
        let memory = SystemMemoryReader(root: configuration.memoryRoot)
        let fit = FitCheck(availableFraction: configuration.fitAvailableFraction)
        var slotsConfiguration = HotSlots.Configuration()
        slotsConfiguration.count = configuration.hotSlotCount
        slotsConfiguration.totalFraction = configuration.slotsTotalFraction
        let slots = HotSlots(
            configuration: slotsConfiguration, database: database.writer, runtime: runtime, inventory: modelInventory,
            estimator: MemoryEstimator(), fit: fit, memory: memory, residentBytes: { LlamaServerRuntime.residentBytes(pid: $0) },
            onChange: { snapshot in
                events.publish(.slots, type: "slots.changed", data: (try? RPCCoding.json(SlotsListResult(snapshot))) ?? [:])
            })
        slotsBox.slots = slots
        events.setSnapshot(for: .slots) { (try? RPCCoding.json(SlotsListResult(await slots.snapshot()))) ?? [:] }
        let models = ModelServices(
            inventory: modelInventory, estimator: MemoryEstimator(), memory: memory, fit: fit, runtime: runtime, slots: slots,
            ollama: configuration.ollamaURL.isEmpty ? nil : OllamaClient(baseURL: configuration.ollamaURL))
        return Stores(database: database, events: events, security: security, models: models)
    }
}

/// Lets the runtime's change callback reach the slots created after it (set once at start).
final class SlotsBox: @unchecked Sendable {
    var slots: HotSlots?
}
