import ElohimCore
import ElohimProtocol
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
    let cleanup: CleanupSchedule

    static func open(dataDir: String, configuration: DaemonConfiguration, logger: Logger) throws -> Stores {
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
        let cleanup = try CleanupSchedule.make(
            configuration: configuration, database: database, library: library, events: events, audit: audit, logger: logger)
        return Stores(database: database, events: events, security: security, engine: engine, library: library, cleanup: cleanup)
    }
}
