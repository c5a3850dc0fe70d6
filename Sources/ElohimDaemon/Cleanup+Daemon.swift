import ElohimCore
import ElohimProtocol
import Foundation
import Logging

extension CleanupSchedule {
    /// The daemon's cleanup: its tasks from the configuration, events on the `cleanup` topic,
    /// scheduled runs audited as the daemon (manual ones are audited by their handler).
    static func make(
        configuration: DaemonConfiguration, database: AppDatabase, library: LibraryStore, modelCache: ModelCache, events: EventBus,
        audit: AuditWriter, logger: Logger
    ) throws -> CleanupSchedule {
        var files = TempFiles.Configuration()
        files.directory = configuration.tempDirectory
        files.prefix = configuration.tempPrefix
        var reaper = TempFileReaper.Configuration(files)
        reaper.maxAge = Double(configuration.tempMaxAgeDays) * 86_400
        let time = CleanupTimetable.parseTime(configuration.cleanupTime) ?? (2, 0)
        var schedule = CleanupSchedule.Configuration()
        schedule.timetable = CleanupTimetable(hour: time.hour, minute: time.minute, timeZone: .current)
        var archive = ChatArchiveTask.Configuration()
        archive.afterDays = configuration.chatArchiveAfterDays
        let tasks: [any CleanupTask] = [
            TempFileReaper(configuration: reaper), ChatArchiveTask(store: ChatStore(database: database.writer), configuration: archive),
            OrphanEmbeddingsTask(store: library), ModelCacheTask(cache: modelCache),
        ]
        let cleanup = try CleanupSchedule(
            tasks: tasks, store: CleanupStore(database: database.writer), configuration: schedule, logger: logger
        ) { event in
            switch event {
            case .started(let trigger, let dryRun):
                events.publish(.cleanup, type: "cleanup.started", data: ["trigger": .string(trigger.rawValue), "dry_run": .bool(dryRun)])
            case .finished(let result):
                events.publish(.cleanup, type: "cleanup.finished", data: (try? RPCCoding.json(result)) ?? [:])
                if result.trigger != CleanupTrigger.manual.rawValue { audit.record(result.auditEvent(actor: .daemon)) }
            }
        }
        events.setSnapshot(for: .cleanup) {
            (try? cleanup.status(history: 0)).flatMap { try? RPCCoding.json($0) } ?? .null
        }
        return cleanup
    }
}

extension CleanupRunResult {
    /// The audit record of this run: what it removed, in figures.
    func auditEvent(actor: AuditActor) -> AuditEvent {
        AuditEvent(
            "cleanup.run", action: dryRun ? "dry_run" : "run", actor: actor, resourceType: "cleanup", resourceID: id.map { "\($0)" },
            details: [
                "trigger": .string(trigger), "dry_run": .bool(dryRun), "status": .string(status),
                "files_scanned": .int(Int64(filesScanned)), "files_deleted": .int(Int64(filesDeleted)), "bytes_freed": .int(bytesFreed),
                "sessions_archived": .int(Int64(sessionsArchived)),
                "messages_archived": .int(Int64(messagesArchived)), "orphans_removed": .int(Int64(orphansRemoved)),
                "duration_ms": .double(durationMs),
            ])
    }
}
