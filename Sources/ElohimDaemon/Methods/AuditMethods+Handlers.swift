import ElohimCore
import ElohimProtocol

extension MethodTable {
    /// `admin.audit_log` and `admin.audit_verify`.
    mutating func registerAuditMethods(_ security: SecurityServices) {
        let audit = security.audit
        register(AuditMethods.export) { context, params in
            try security.requireFounder(context, for: "exporting the audit log", method: AuditMethods.export.name)
            let limit = params.limit ?? 1000
            guard (1...1000).contains(limit) else { throw RPCError.invalidParams("limit must be 1 to 1000", field: "limit") }
            audit.flush()
            let page = try audit.store.exportPage(after: params.after, limit: limit)
            if params.after == nil {
                audit.record(AuditEvent("audit.exported", action: "export", actor: context.auditActor, resourceType: "audit"))
            }
            return AuditExportResult(
                rows: page.records.map { AuditExportRow(entry: $0.entry, prevHash: $0.prevHash) }, nextAfter: page.nextAfter,
                anchorHash: page.anchor)
        }

        register(AuditMethods.log) { _, params in
            var query = AuditStore.Query()
            query.userID = params.userId
            query.eventType = params.eventType
            query.resourceType = params.resourceType
            query.resourceID = params.resourceId
            for (field, value) in [("since", params.since), ("until", params.until)] {
                if let value, Timestamp.parse(value) == nil {
                    throw RPCError.invalidParams("\(field) must be an ISO 8601 time like 2026-11-30T20:00:00Z", field: field)
                }
            }
            query.since = params.since
            query.until = params.until
            query.before = params.before
            if let limit = params.limit {
                guard (1...1000).contains(limit) else { throw RPCError.invalidParams("limit must be 1 to 1000", field: "limit") }
                query.limit = limit
            }
            // A page read right after a write must include it: commit what is queued first.
            audit.flush()
            let page = try audit.store.page(query)
            return AuditLogResult(events: page.records.map(\.entry), nextCursor: page.nextCursor)
        }

        register(AuditMethods.verify) { _, _ in
            audit.flush()
            let result = try audit.store.verify()
            return AuditVerifyResult(ok: result.ok, rowsChecked: result.rowsChecked, firstBrokenId: result.firstBrokenId, problem: result.problem)
        }
    }
}

extension AuditRecord {
    var entry: AuditEntry {
        AuditEntry(
            id: id, timestamp: timestamp, userId: userId, eventType: eventType, resourceType: resourceType,
            resourceId: resourceId, action: action, details: details, peerUid: peerUid, peerPid: peerPid,
            clientName: clientName, clientVersion: clientVersion, hash: hash)
    }
}
