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
    ///
    /// Written field by field in sorted-key order, byte for byte what `JSONWriter` makes of the
    /// same members as an object (a test holds the two equal): building a dictionary and sorting
    /// its keys cost more per event than the hash itself.
    func canonical(detailsText: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256 + detailsText.utf8.count)
        func key(_ literal: StaticString) {
            output.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
        }
        func string(_ value: String?) {
            if let value { JSONWriter.write(string: value, into: &output) } else { output.append(contentsOf: "null".utf8) }
        }
        func integer(_ value: Int64?) {
            if let value { output.append(contentsOf: String(value).utf8) } else { output.append(contentsOf: "null".utf8) }
        }
        key(#"{"action":"#)
        string(action)
        key(#","client_name":"#)
        string(clientName)
        key(#","client_version":"#)
        string(clientVersion)
        key(#","details":"#)
        string(detailsText)
        key(#","event_type":"#)
        string(eventType)
        key(#","id":"#)
        integer(id)
        key(#","peer_pid":"#)
        integer(peerPid.map(Int64.init))
        key(#","peer_uid":"#)
        integer(peerUid.map(Int64.init))
        key(#","prev_hash":"#)
        string(prevHash)
        key(#","resource_id":"#)
        string(resourceId)
        key(#","resource_type":"#)
        string(resourceType)
        key(#","timestamp":"#)
        string(timestamp)
        key(#","user_id":"#)
        string(userId)
        output.append(UInt8(ascii: "}"))
        return output
    }
}
