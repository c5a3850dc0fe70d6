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
    /// Sends an id-less notification to the caller while the request is still running (the
    /// streamed pieces of a chat reply); the response follows later. Returns once the frame is
    /// on the socket, so a client that reads slowly slows the stream instead of filling memory.
    public func notify(method: String, params: JSONValue) async {
        await connection.notify(RPCResponse.notification(method: method, params: params))
    }

    /// The caller as the audit log records it.
    public var auditActor: AuditActor {
        let client = connection.clientInfo
        return AuditActor(uid: peer.uid, pid: peer.pid, clientName: client.name, clientVersion: client.version)
    }
}

/// What a handler may ask of its connection beyond an answer: remember the client's name, and
/// turn the connection into an event stream whose events start after the subscribe answer.
final class ConnectionHooks: Sendable {
    private let sinks = Mutex<[(subscription: EventBus.Subscription, sink: ConnectionEventSink)]>([])
    private let client = Mutex<(name: String?, version: String?)>((nil, nil))
    private let socket: Connection?

    /// `socket` is where events go; `nil` for contexts without a connection (tests).
    init(socket: Connection? = nil) {
        self.socket = socket
    }

    /// Remembers what the client said it is in `daemon.hello`, for the audit log.
    func setClient(name: String?, version: String?) {
        client.withLock { $0 = (name, version) }
    }

    var clientInfo: (name: String?, version: String?) { client.withLock { $0 } }

    /// Subscribes this connection to `topics`. Events published from now on are held until
    /// the connection has written the answer (`takeSubscriptions`), so the snapshot always
    /// precedes the first event.
    func subscribe(_ bus: EventBus, topics: Set<String>, uid: UInt32) -> EventBus.Subscription {
        let sink = ConnectionEventSink(connection: socket)
        let subscription = bus.subscribe(topics: topics, uid: uid, sink: sink)
        sinks.withLock { $0.append((subscription, sink)) }
        return subscription
    }

    /// Writes a notification frame now, ahead of the pending response.
    func notify(_ frame: [UInt8]) async {
        await socket?.notify(frame)
    }

    /// The subscriptions made by the request just answered, to activate.
    func takeSubscriptions() -> [(subscription: EventBus.Subscription, sink: ConnectionEventSink)] {
        sinks.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
    }
}
