public import ElohimProtocol
public import Foundation

/// Moves chat sessions idle longer than `afterDays` (and their messages) into the archive
/// tables, `batchSize` sessions per transaction, through `ChatStore.archiveBatch`. A batch whose
/// row counts do not add up is rolled back and reported in `errors`; the scan goes on after it.
public struct ChatArchiveTask: CleanupTask {
    public struct Configuration: Sendable {
        /// Sessions with no activity for this many days are archived; 0 = never. Default 90.
        public var afterDays: Int = 90
        /// Sessions moved per transaction. Default 500: short enough that chat writes wait
        /// milliseconds, long enough that 100k sessions take a few hundred commits.
        public var batchSize: Int = 500

        public init() {}
    }

    public let store: ChatStore
    public let configuration: Configuration
    private let now: @Sendable () -> Date

    public var name: String { "chat_archive" }
    public var unit: String { "sessions" }

    public init(store: ChatStore, configuration: Configuration = Configuration(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.configuration = configuration
        self.now = now
    }

    public func run(dryRun: Bool) async throws -> CleanupTaskStats {
        var stats = CleanupTaskStats(name: name, unit: unit, alsoRemoved: ["messages": 0])
        guard configuration.afterDays > 0 else { return stats }
        let cutoff = Timestamp.format(now().addingTimeInterval(-Double(configuration.afterDays) * 86_400))
        let candidates = try store.archiveCandidates(idleBefore: cutoff)
        stats.scanned = candidates.sessions
        if dryRun {
            stats.removed = candidates.sessions
            stats.alsoRemoved = ["messages": candidates.messages]
            return stats
        }
        var messages = 0
        var after: ChatStore.ArchiveKey?
        var more = candidates.sessions > 0
        while more {
            do {
                let batch = try store.archiveBatch(
                    idleBefore: cutoff, after: after, limit: configuration.batchSize, archivedAt: Timestamp.now())
                stats.removed += batch.sessions
                messages += batch.messages
                after = batch.lastKey
                more = batch.selected == configuration.batchSize
            } catch let failure as ChatStore.ArchiveBatchError {
                stats.errors.append(failure.description)
                after = failure.lastKey
                more = failure.selected == configuration.batchSize
            }
            if more && Task.isCancelled {
                stats.errors.append("stopped by shutdown after \(stats.removed) sessions; the rest go next run")
                break
            }
            // Between batches chat requests get the writer.
            await Task.yield()
        }
        stats.alsoRemoved = ["messages": messages]
        return stats
    }
}
