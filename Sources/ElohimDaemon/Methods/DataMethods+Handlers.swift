import ElohimCore
import ElohimProtocol
import Foundation
import Synchronization

extension MethodTable {
    /// `data.import`, `data.list`, `data.describe`, `data.drop`.
    mutating func registerDataMethods(_ services: EngineServices, events: EventBus, audit: AuditWriter) {
        let datasets = services.datasets

        register(DataMethods.importFile) { context, params in
            // Longer than PATH_MAX cannot name a file; a progress id is echoed in every progress event.
            guard params.path.utf8.count < 4096 else {
                throw RPCError.invalidParams("path must be shorter than 4096 bytes (PATH_MAX), got \(params.path.utf8.count)", field: "path")
            }
            if let id = params.progressId, id.utf8.count > 200 {
                throw RPCError.invalidParams("progress_id must be at most 200 bytes, got \(id.utf8.count)", field: "progress_id")
            }
            var delimiter: UInt8?
            if let text = params.delimiter {
                let bytes = Array((text == "\\t" ? "\t" : text).utf8)
                guard bytes.count == 1, bytes[0] != UInt8(ascii: "\""), bytes[0] != UInt8(ascii: "\n") else {
                    throw RPCError.invalidParams("delimiter must be one ASCII character other than a quote or newline, e.g. ';' or '\\t'", field: "delimiter")
                }
                delimiter = bytes[0]
            }
            let separator = delimiter
            let peer = context.peer
            let progressID = params.progressId
            // At most ~5 progress events a second, whatever the file size.
            let lastSent = Mutex<ContinuousClock.Instant?>(nil)
            let progress: @Sendable (DatasetStore.Progress) -> Void = { step in
                let now = ContinuousClock.now
                let due = lastSent.withLock { last -> Bool in
                    let finalStep = step.bytesDone >= step.bytesTotal
                    guard finalStep || last.map({ now - $0 >= .milliseconds(200) }) ?? true else { return false }
                    last = now
                    return true
                }
                guard due else { return }
                let data = DataImportProgress(
                    progressId: progressID, uid: peer.uid, phase: step.phase, bytesDone: step.bytesDone, bytesTotal: step.bytesTotal,
                    rows: step.rows)
                events.publish(.data, type: "data.import_progress", data: (try? RPCCoding.json(data)) ?? [:])
            }
            // Imports read and write whole files: off the cooperative pool.
            let info = try await blocking {
                try datasets.importFile(
                    path: params.path, name: params.name, replace: params.replace ?? false, delimiter: separator, uid: peer.uid,
                    gid: peer.gid, progress: progress)
            }
            audit.record(
                AuditEvent(
                    "dataset.imported", action: "import", actor: context.auditActor, resourceType: "dataset", resourceID: info.name,
                    details: ["kind": .string(info.kind), "source": .string(info.source), "rows": .int(info.rows)]))
            // Only the uid: other users following the topic learn that a list changed, not what is in it.
            events.publish(.data, type: "data.imported", data: ["uid": .int(Int64(peer.uid))])
            return info
        }

        register(DataMethods.list) { context, _ in
            DataListResult(datasets: try datasets.list(uid: context.peer.uid))
        }

        register(DataMethods.describe) { context, params in
            try await blocking { try datasets.describe(uid: context.peer.uid, name: params.name) }
        }

        register(DataMethods.drop) { context, params in
            let info = try datasets.drop(uid: context.peer.uid, name: params.name)
            audit.record(
                AuditEvent("dataset.dropped", action: "drop", actor: context.auditActor, resourceType: "dataset", resourceID: info.name))
            events.publish(.data, type: "data.dropped", data: ["uid": .int(Int64(context.peer.uid))])
            return info
        }
    }
}

/// Runs blocking work on its own thread and waits for it without holding a cooperative one.
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
