/// `admin.audit_*`: reading and verifying the audit log.
public enum AuditMethods {
    public static let log = MethodSpec<AuditLogParams, AuditLogResult>(
        "admin.audit_log",
        summary: "Audit events, newest first, filtered; keyset-paginated with `before` = the previous page's `next_cursor`.",
        access: .permission("admin.view_audit"),
        result: Schema.object([
            "events": Schema.array(["type": "object"]), "next_cursor": Schema.nullable(Schema.integer),
        ]))

    public static let export = MethodSpec<AuditExportParams, AuditExportResult>(
        "admin.audit_export",
        summary: "Founder only: every audit row oldest first, with prev_hash, in pages (`after` = the previous page's `next_after`), for verification elsewhere.",
        access: .permission("admin.view_audit"),
        result: Schema.object([
            "rows": Schema.array(["type": "object"]), "next_after": Schema.nullable(Schema.integer),
            "anchor_hash": Schema.string,
        ]))

    public static let verify = MethodSpec<NoParams, AuditVerifyResult>(
        "admin.audit_verify", summary: "Walk the hash chain; report the first row that does not match.",
        access: .permission("admin.view_audit"),
        result: Schema.object([
            "ok": Schema.boolean, "rows_checked": Schema.integer, "first_broken_id": Schema.nullable(Schema.integer),
            "problem": Schema.nullable(Schema.string),
        ]))
}

public struct AuditLogParams: RPCParams {
    public var userId: String?
    public var eventType: String?
    public var resourceType: String?
    public var resourceId: String?
    public var since: String?
    public var until: String?
    public var before: Int64?
    public var limit: Int?

    public init(
        userId: String? = nil, eventType: String? = nil, resourceType: String? = nil, resourceId: String? = nil,
        since: String? = nil, until: String? = nil, before: Int64? = nil, limit: Int? = nil
    ) {
        self.userId = userId
        self.eventType = eventType
        self.resourceType = resourceType
        self.resourceId = resourceId
        self.since = since
        self.until = until
        self.before = before
        self.limit = limit
    }

    public static let fields = [
        ParamField("user_id", Schema.string, summary: "Only this account's events (its uid)."),
        ParamField("event_type", Schema.string, summary: "Only this event type, e.g. permission.granted."),
        ParamField("resource_type", Schema.string, summary: "Only this resource type."),
        ParamField("resource_id", Schema.string, summary: "Only this resource."),
        ParamField("since", Schema.string, summary: "ISO 8601; events at or after."),
        ParamField("until", Schema.string, summary: "ISO 8601; events before."),
        ParamField("before", Schema.integer, summary: "Cursor: events with a smaller id (the previous page's next_cursor)."),
        ParamField("limit", Schema.integer, summary: "Page size, 1 to 1000 (default 50)."),
    ]
}

/// One audit event on the wire.
public struct AuditEntry: Codable, Sendable, Equatable {
    public var id: Int64
    public var timestamp: String
    public var userId: String?
    public var eventType: String
    public var resourceType: String?
    public var resourceId: String?
    public var action: String
    public var details: JSONValue
    public var peerUid: UInt32?
    public var peerPid: Int32?
    public var clientName: String?
    public var clientVersion: String?
    public var hash: String

    public init(
        id: Int64, timestamp: String, userId: String?, eventType: String, resourceType: String?, resourceId: String?,
        action: String, details: JSONValue, peerUid: UInt32?, peerPid: Int32?, clientName: String?,
        clientVersion: String?, hash: String
    ) {
        self.id = id
        self.timestamp = timestamp
        self.userId = userId
        self.eventType = eventType
        self.resourceType = resourceType
        self.resourceId = resourceId
        self.action = action
        self.details = details
        self.peerUid = peerUid
        self.peerPid = peerPid
        self.clientName = clientName
        self.clientVersion = clientVersion
        self.hash = hash
    }
}

public struct AuditLogResult: Codable, Sendable {
    public var events: [AuditEntry]
    public var nextCursor: Int64?
    public init(events: [AuditEntry], nextCursor: Int64?) {
        self.events = events
        self.nextCursor = nextCursor
    }
}

public struct AuditVerifyResult: Codable, Sendable, Equatable {
    public var ok: Bool
    public var rowsChecked: Int
    public var firstBrokenId: Int64?
    public var problem: String?
    public init(ok: Bool, rowsChecked: Int, firstBrokenId: Int64?, problem: String?) {
        self.ok = ok
        self.rowsChecked = rowsChecked
        self.firstBrokenId = firstBrokenId
        self.problem = problem
    }
}

public struct AuditExportParams: RPCParams {
    public var after: Int64?
    public var limit: Int?
    public init(after: Int64? = nil, limit: Int? = nil) {
        self.after = after
        self.limit = limit
    }
    public static let fields = [
        ParamField("after", Schema.integer, summary: "Rows with a larger id (the previous page's next_after)."),
        ParamField("limit", Schema.integer, summary: "Page size, 1 to 1000 (default 1000)."),
    ]
}

/// One exported row: the entry plus the link that makes the chain checkable offline.
public struct AuditExportRow: Codable, Sendable, Equatable {
    public var entry: AuditEntry
    public var prevHash: String
    public init(entry: AuditEntry, prevHash: String) {
        self.entry = entry
        self.prevHash = prevHash
    }
}

public struct AuditExportResult: Codable, Sendable {
    public var rows: [AuditExportRow]
    public var nextAfter: Int64?
    /// The hash the oldest row in `audit.db` chains from (64 zeros, or the archive's last hash).
    public var anchorHash: String
    public init(rows: [AuditExportRow], nextAfter: Int64?, anchorHash: String) {
        self.rows = rows
        self.nextAfter = nextAfter
        self.anchorHash = anchorHash
    }
}
