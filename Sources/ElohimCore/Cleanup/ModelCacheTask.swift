public import ElohimProtocol

/// Deletes model-cache entries (parsed GGUF facts) whose file is gone or has changed size or
/// mtime, through `ModelCache`. A changed file is simply parsed again on its next listing.
public struct ModelCacheTask: CleanupTask {
    public let cache: ModelCache

    public var name: String { "model_cache" }
    public var unit: String { "entries" }

    public init(cache: ModelCache) {
        self.cache = cache
    }

    public func run(dryRun: Bool) async throws -> CleanupTaskStats {
        let scanned = try cache.count()
        let removed = dryRun ? try cache.stalePaths().count : try cache.pruneStale()
        return CleanupTaskStats(name: name, unit: unit, scanned: scanned, removed: removed)
    }
}
