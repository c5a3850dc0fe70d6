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
    let engine: EngineServices
    let library: LibraryStore
    let models: ModelServices
    let cleanup: CleanupSchedule

    static func open(
        dataDir: String, configuration: DaemonConfiguration, logger: Logger, environment: [String: String] = [:]
    ) throws -> Stores {
        try DataDirectory.prepare(dataDir)
        // embeddings.db first: every connection of the main pool attaches it (see LibraryStore).
        let embeddingsPath = dataDir + "/embeddings.db"
        do {
            try LibraryStore.prepareEmbeddings(path: embeddingsPath)
        } catch {
            throw StorageError.corrupt(embeddingsPath, "\(error)")
        }
        let database = try AppDatabase.open(path: dataDir + "/elohim.db", prepare: LibraryStore.attachEmbeddings(path: embeddingsPath))
        let library = LibraryStore(database: database.writer, cipher: try VaultCipher.loadOrCreate(path: dataDir + "/vault.key"))
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
            guard events.hasSubscribers(.audit) else { return }
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
        var engineConfiguration = QueryEngine.Configuration()
        if let workers = configuration.engineWorkers { engineConfiguration.machine.workers = workers }
        engineConfiguration.machine.queueLimit = configuration.engineQueueLimit
        engineConfiguration.timeoutMilliseconds = configuration.engineTimeoutMilliseconds
        engineConfiguration.maxRows = configuration.engineMaxRows
        let engine = EngineServices(
            engine: QueryEngine(configuration: engineConfiguration), datasets: try DatasetStore(root: dataDir + "/datasets"))
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
        let modelCache = ModelCache(database: database.writer)
        let ollama = configuration.ollamaURL.isEmpty ? nil : OllamaRuntime(client: OllamaClient(baseURL: configuration.ollamaURL))
        let runtimes = RuntimeRouter(default: runtime, schemes: ollama.map { ["ollama": $0] } ?? [:])
        let modelInventory = ModelInventory(configuration: inventory, cache: modelCache, remote: ollama)
        let memory = SystemMemoryReader(root: configuration.memoryRoot)
        let fit = FitCheck(availableFraction: configuration.fitAvailableFraction)
        var slotsConfiguration = HotSlots.Configuration()
        slotsConfiguration.count = configuration.hotSlotCount
        slotsConfiguration.totalFraction = configuration.slotsTotalFraction
        let slots = HotSlots(
            configuration: slotsConfiguration, database: database.writer, runtime: runtimes, inventory: modelInventory,
            estimator: MemoryEstimator(), fit: fit, memory: memory, residentBytes: { LlamaServerRuntime.residentBytes(pid: $0) },
            onChange: { snapshot in
                events.publish(.slots, type: "slots.changed", data: (try? RPCCoding.json(SlotsListResult(snapshot))) ?? [:])
            })
        slotsBox.slots = slots
        events.setSnapshot(for: .slots) { (try? RPCCoding.json(SlotsListResult(await slots.snapshot()))) ?? [:] }
        let models = ModelServices(
            inventory: modelInventory, estimator: MemoryEstimator(), memory: memory, fit: fit, runtime: runtime, slots: slots,
            ollama: ollama?.client, ollamaRuntime: ollama, runtimes: runtimes)
        let cleanup = try CleanupSchedule.make(
            configuration: configuration, database: database, library: library, modelCache: modelCache, events: events,
            audit: audit, logger: logger)
        return Stores(database: database, events: events, security: security, engine: engine, library: library, models: models, cleanup: cleanup)
    }
}

/// Lets the runtime's change callback reach the slots created after it (set once at start).
final class SlotsBox: @unchecked Sendable {
    var slots: HotSlots?
}
