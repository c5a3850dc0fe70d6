public import ElohimProtocol

/// Deletes document embeddings whose document is gone (`embeddings.db` cannot hold a foreign
/// key to `elohim.db`, and a document delete leaves its vectors on purpose: one cheap
/// statement). One statement, one transaction, through `LibraryStore`.
public struct OrphanEmbeddingsTask: CleanupTask {
    public let store: LibraryStore

    public var name: String { "orphan_embeddings" }
    public var unit: String { "embeddings" }

    public init(store: LibraryStore) {
        self.store = store
    }

    public func run(dryRun: Bool) async throws -> CleanupTaskStats {
        let orphans = try store.countOrphanEmbeddings()
        let removed = dryRun ? orphans : try store.deleteOrphanEmbeddings()
        return CleanupTaskStats(name: name, unit: unit, scanned: orphans, removed: removed)
    }
}
