import ElohimCore
import ElohimProtocol
import Foundation

extension MethodTable {
    /// `engine.submit`, `engine.result`, `engine.run`, `engine.cancel`, `engine.status`.
    mutating func registerEngineMethods(_ services: EngineServices, security: SecurityServices) {
        let engine = services.engine
        let datasets = services.datasets
        /// Admins see and stop everyone's jobs.
        let adminKey = "admin.manage_users"

        @Sendable func request(_ uid: UInt32, _ params: EngineSubmitParams) throws -> QueryRequest {
            guard !params.sql.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw RPCError.invalidParams("sql is empty; give one SQL statement, e.g. SELECT 1", field: "sql")
            }
            if let timeout = params.timeoutMs, timeout < 1 {
                throw RPCError.invalidParams("timeout_ms must be at least 1", field: "timeout_ms")
            }
            if let rows = params.maxRows, rows < 1 { throw RPCError.invalidParams("max_rows must be at least 1", field: "max_rows") }
            let path = try params.dataset.map { try datasets.path(uid: uid, name: $0) }
            var request = QueryRequest(
                sql: params.sql, dataset: params.dataset, databasePath: path,
                timeoutMilliseconds: params.timeoutMs ?? engine.configuration.timeoutMilliseconds,
                maxRows: params.maxRows ?? engine.configuration.maxRows, owner: uid)
            if params.dataset == nil {
                // Every dataset as a schema of its name (sales.sales), as far as SQLite's limit of 10 goes.
                request.attachments = try datasets.files(uid: uid).prefix(10).map { ($0.name, $0.path) }
            }
            return request
        }

        @Sendable func pageLimit(_ limit: Int?) throws -> Int {
            let limit = limit ?? 1000
            guard (1...10_000).contains(limit) else { throw RPCError.invalidParams("limit must be 1 to 10000", field: "limit") }
            return limit
        }

        register(EngineMethods.submit) { context, params in
            let submitted = try engine.submit(try request(context.peer.uid, params))
            return EngineSubmitResult(job: submitted.job.id, state: submitted.job.state.rawValue, queueDepth: submitted.depth)
        }

        register(EngineMethods.result) { context, params in
            let uid = context.peer.uid
            let offset = params.offset ?? 0
            guard offset >= 0 else { throw RPCError.invalidParams("offset must be 0 or more", field: "offset") }
            let job = try engine.job(params.job, for: uid, isAdmin: security.holds(uid, adminKey))
            return job.page(offset: offset, limit: try pageLimit(params.limit))
        }

        register(EngineMethods.run) { context, params in
            let uid = context.peer.uid
            let limit = try pageLimit(params.limit)
            let submitted = try engine.submit(
                try request(uid, EngineSubmitParams(sql: params.sql, dataset: params.dataset, timeoutMs: params.timeoutMs, maxRows: params.maxRows)))
            await engine.wait(for: submitted.job.id)
            let job = try engine.job(submitted.job.id, for: uid, isAdmin: true)
            if let error = job.failureError { throw error }
            return job.page(offset: 0, limit: limit)
        }

        register(EngineMethods.cancel) { context, params in
            let uid = context.peer.uid
            let isAdmin = security.holds(uid, adminKey)
            let job: JobRecord
            do {
                job = try engine.cancel(params.job, by: uid, isAdmin: isAdmin)
            } catch let error as EngineError where error.reason == .forbidden {
                throw security.deny(context, permission: adminKey, method: EngineMethods.cancel.name, message: error.message)
            }
            if job.request.owner != uid {
                security.audit.record(
                    AuditEvent(
                        "engine.job_cancelled", action: "cancel", actor: context.auditActor, resourceType: "engine_job",
                        resourceID: String(job.id), details: ["owner": .int(Int64(job.request.owner))]))
            }
            // A running job stops at its worker's next check: answer with how it ended.
            await engine.wait(for: job.id)
            return try engine.job(job.id, for: uid, isAdmin: true).page(offset: 0, limit: 0)
        }

        register(EngineMethods.status) { _, _ in engine.status() }
    }
}

extension JobRecord {
    /// Rows in one page stop short of this many (approximate) bytes, at least one row: pages
    /// stay far below the 4 MiB frame limit clients read with, however wide the rows.
    static let pageBytes = 1 << 20

    /// The job and rows `offset..<offset+limit` on the wire (fewer if they would be too large).
    func page(offset: Int, limit: Int) -> EngineJobResult {
        let now = Moment.now()
        let rows = result?.rows ?? []
        let start = min(offset, rows.count)
        var end = start
        var bytes = 0
        while end < min(rows.count, start + limit) {
            bytes += rows[end].reduce(8) { $0 + Self.approximateBytes($1) }
            if bytes > Self.pageBytes && end > start { break }
            end += 1
        }
        return EngineJobResult(
            job: id, state: state.rawValue, dataset: request.dataset, worker: worker, submittedAt: Timestamp.format(submittedAt.wall),
            startedAt: startedAt.map { Timestamp.format($0.wall) }, finishedAt: finishedAt.map { Timestamp.format($0.wall) },
            waitMs: EngineStateMachine.rounded(waitMilliseconds(now: now)),
            runMs: runMilliseconds(now: now).map(EngineStateMachine.rounded),
            columns: result?.columns ?? [], rows: Array(rows[start..<end]), rowCount: rows.count, truncated: result?.truncated ?? false,
            offset: start, nextOffset: end < rows.count ? end : nil, error: wireError)
    }

    static func approximateBytes(_ value: JSONValue) -> Int {
        switch value {
        case .string(let text): return text.utf8.count * 6 / 5 + 3
        case .object(let members): return members.values.reduce(16) { $0 + approximateBytes($1) }
        case .array(let items): return items.reduce(4) { $0 + approximateBytes($1) }
        default: return 24
        }
    }

    var wireError: EngineJobError? {
        switch state {
        case .failed: return failure.map { EngineJobError(kind: $0.kind.rawValue, message: $0.message) }
        case .cancelled: return EngineJobError(kind: "cancelled", message: cancelMessage)
        case .timedOut: return EngineJobError(kind: "timeout", message: timeoutMessage)
        default: return nil
        }
    }

    private var cancelMessage: String {
        guard let by = cancelledBy else { return "job \(id) was stopped: the daemon is shutting down; run it again once it is back" }
        if by != request.owner { return "job \(id) was cancelled by uid \(by)" }
        return "job \(id) was cancelled"
    }

    private var timeoutMessage: String {
        "job \(id) ran longer than its timeout of \(request.timeoutMilliseconds) ms and was stopped; narrow the query or raise timeout_ms"
    }

    /// The error `engine.run` answers with when the job did not succeed.
    var failureError: RPCError? {
        let detail: [String: JSONValue] = ["job": .int(id), "state": .string(state.rawValue), "worker": worker.map { .int(Int64($0)) } ?? .null]
        switch state {
        case .failed:
            guard let failure else { return nil }
            var withKind = detail
            withKind["kind"] = .string(failure.kind.rawValue)
            return .application(failure.kind == .readOnly ? .readOnly : .failed, failure.message, detail: withKind)
        case .cancelled: return .application(.cancelled, cancelMessage, detail: detail)
        case .timedOut: return .application(.timeout, timeoutMessage, detail: detail)
        default: return nil
        }
    }
}
