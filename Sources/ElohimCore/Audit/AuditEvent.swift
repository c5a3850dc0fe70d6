public import ElohimProtocol

/// Who did something, as the audit log records it.
public struct AuditActor: Sendable, Equatable {
    /// The account's uid (the seed's `user_id`), or nil for the daemon itself.
    public var uid: UInt32?
    /// The peer process, from `SO_PEERCRED`.
    public var pid: Int32?
    /// What the client said it was in `daemon.hello` (in place of a user agent).
    public var clientName: String?
    public var clientVersion: String?

    public init(uid: UInt32?, pid: Int32? = nil, clientName: String? = nil, clientVersion: String? = nil) {
        self.uid = uid
        self.pid = pid
        self.clientName = clientName
        self.clientVersion = clientVersion
    }

    /// The daemon acting on its own (scheduled jobs, start-up, reloads).
    public static let daemon = AuditActor(uid: nil)
}

/// One thing worth remembering for a security review.
public struct AuditEvent: Sendable, Equatable {
    /// `area.what`: `setup.completed`, `account.created`, `permission.granted`, `founder.verify`…
    public var eventType: String
    /// The verb: `create`, `grant`, `verify`, `assign`…
    public var action: String
    public var resourceType: String?
    public var resourceID: String?
    /// Anything useful, as JSON.
    public var details: JSONValue
    public var actor: AuditActor

    public init(
        _ eventType: String, action: String, actor: AuditActor, resourceType: String? = nil, resourceID: String? = nil,
        details: JSONValue = [:]
    ) {
        self.eventType = eventType
        self.action = action
        self.actor = actor
        self.resourceType = resourceType
        self.resourceID = resourceID
        self.details = details
    }
}

/// A stored audit row.
public struct AuditRecord: Sendable, Equatable, Codable {
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
    public var prevHash: String
    public var hash: String

    /// The canonical text hashed into the chain: every field but `hash`, as sorted-key JSON,
    /// with `details` exactly as stored, so that any byte changed in the row breaks the hash.
    func canonical(detailsText: String) -> [UInt8] {
        var members: [String: JSONValue] = [
            "id": .int(id), "timestamp": .string(timestamp), "event_type": .string(eventType), "action": .string(action),
            "details": .string(detailsText), "prev_hash": .string(prevHash),
        ]
        members["user_id"] = userId.map { .string($0) } ?? .null
        members["resource_type"] = resourceType.map { .string($0) } ?? .null
        members["resource_id"] = resourceId.map { .string($0) } ?? .null
        members["peer_uid"] = peerUid.map { .int(Int64($0)) } ?? .null
        members["peer_pid"] = peerPid.map { .int(Int64($0)) } ?? .null
        members["client_name"] = clientName.map { .string($0) } ?? .null
        members["client_version"] = clientVersion.map { .string($0) } ?? .null
        return JSONWriter.bytes(.object(members))
    }
}
