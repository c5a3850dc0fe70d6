import ElohimCore
import ElohimProtocol
import Logging
import Synchronization

/// What a handler knows about the request it serves.
public struct RequestContext: Sendable {
    /// The caller, as the kernel reported it when the connection was accepted.
    public let peer: PeerIdentity
    /// Identifies the connection in logs.
    public let connectionID: UInt64
    public let logger: Logger
    /// Lets a handler turn the connection into an event stream (see `events.subscribe`).
    let connection: ConnectionHooks

    public init(peer: PeerIdentity, connectionID: UInt64, logger: Logger) {
        self.init(peer: peer, connectionID: connectionID, logger: logger, connection: ConnectionHooks())
    }

    init(peer: PeerIdentity, connectionID: UInt64, logger: Logger, connection: ConnectionHooks) {
        self.peer = peer
        self.connectionID = connectionID
        self.logger = logger
        self.connection = connection
    }
}

extension RequestContext {
    /// Sends an id-less notification to the caller while the request is still running
    /// (the streamed pieces of a chat reply); the response follows later.
    public func notify(method: String, params: JSONValue) async {
        await connection.notify(RPCResponse.notification(method: method, params: params))
    }

    /// The caller as the audit log records it.
    public var auditActor: AuditActor {
        let client = connection.clientInfo
        return AuditActor(uid: peer.uid, pid: peer.pid, clientName: client.name, clientVersion: client.version)
    }
}

/// Work a handler leaves for its connection to start once the response has been written,
/// so that a subscription's snapshot always precedes its first event.
final class ConnectionHooks: Sendable {
    private let pending = Mutex<[EventBus.Subscription]>([])
    private let client = Mutex<(name: String?, version: String?)>((nil, nil))
    private let notifier = Mutex<(@Sendable ([UInt8]) async -> Void)?>(nil)

    /// Where `notify` writes: the connection's outbound stream, set once it is open.
    func setNotifier(_ write: @escaping @Sendable ([UInt8]) async -> Void) {
        notifier.withLock { $0 = write }
    }

    /// Writes a notification frame now, ahead of the pending response.
    func notify(_ frame: [UInt8]) async {
        let write = notifier.withLock { $0 }
        await write?(frame)
    }

    /// Remembers what the client said it is in `daemon.hello`, for the audit log.
    func setClient(name: String?, version: String?) {
        client.withLock { $0 = (name, version) }
    }

    var clientInfo: (name: String?, version: String?) { client.withLock { $0 } }

    func startAfterResponse(_ subscription: EventBus.Subscription) {
        pending.withLock { $0.append(subscription) }
    }

    func takePending() -> [EventBus.Subscription] {
        pending.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
    }
}
