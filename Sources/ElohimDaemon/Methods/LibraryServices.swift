import ElohimCore
import ElohimProtocol
import Synchronization

/// Documents, vault and workflows: what the `docs.*`, `vault.*` and `workflows.*` handlers work with.
struct LibraryServices: Sendable {
    let store: LibraryStore
    let runner: WorkflowRunner
    let settings: LiveSettings
    /// Workflow runs in progress, by run id: the `library` topic's snapshot.
    let running = RunningWorkflows()

    /// The caller's local library, with the limits in force now (SIGHUP may change them).
    func local(_ context: RequestContext) -> LocalLibrary {
        store.local(
            context.peer.uid,
            configuration: LibraryStore.Configuration(maxDocumentBytes: settings.current.libraryMaxDocumentBytes))
    }

    /// Runs `body`, turning a refused field into -32602 naming it.
    func checked<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as LibraryInputError {
            throw RPCError.invalidParams(error.description, field: error.field)
        }
    }
}

/// The workflow runs in progress (their `workflow.started` data), for late subscribers.
final class RunningWorkflows: Sendable {
    private let runs = Mutex<[String: JSONValue]>([:])

    /// Tracks a progress event: a start adds the run, a finish removes it.
    func note(_ type: String, _ data: JSONValue) {
        guard let id = data["run_id"]?.stringValue else { return }
        runs.withLock { runs in
            if type == "workflow.started" { runs[id] = data }
            if type == "workflow.finished" { runs[id] = nil }
        }
    }

    /// `{"runs": [...]}`, oldest run id first.
    var snapshot: JSONValue {
        runs.withLock { runs in ["runs": .array(runs.keys.sorted().map { runs[$0]! })] }
    }
}
