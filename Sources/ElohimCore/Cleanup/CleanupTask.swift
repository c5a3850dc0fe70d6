public import ElohimProtocol

/// One job of the nightly cleanup. Areas add theirs (temp files, chat session archiving,
/// orphaned embeddings, stale model-cache entries) to the list `CleanupSchedule` runs in order.
///
/// A task never throws for one bad candidate: it records the problem in `errors` and carries
/// on. Throwing means the whole task could not run (its table or directory is unusable).
public protocol CleanupTask: Sendable {
    /// Stable, snake_case: it names the task in stats, events and the database.
    var name: String { get }
    /// What `scanned` and `removed` count: `files`, `sessions`, `embeddings`, `entries`.
    var unit: String { get }
    /// Removes what is stale, or with `dryRun` only counts what it would remove.
    func run(dryRun: Bool) async throws -> CleanupTaskStats
}
