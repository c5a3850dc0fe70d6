import ElohimCore
import ElohimProtocol
import Foundation
import Synchronization

/// Where a subscription's events go: a connection, which writes them in order or drops them.
public protocol EventSink: AnyObject, Sendable {
    /// Called under the bus's lock, in `seq` order; must not block or publish.
    func deliver(_ frame: [UInt8])
}

/// Fans events out to subscribed connections.
///
/// Publishing is synchronous and cheap (one serialisation, then a non-blocking hand-off per
/// subscriber), so any area can publish from anywhere without awaiting. Delivery happens in
/// `publish`, under the lock: an event published while a request runs reaches the connection
/// before that request's answer, and events reach every subscriber in `seq` order. Sinks
/// bound their own backlog: a connection that stops reading loses events, never the daemon's
/// memory, and sees the gap in `seq`.
public final class EventBus: Sendable {
    /// Events a sink may hold before the oldest are dropped.
    public static let bufferLimit = 1024

    /// A live subscription.
    public struct Subscription: Sendable {
        public let id: UInt64
        public let topics: Set<String>
        /// The last `seq` published before the subscription started; later events have larger ones.
        public let seq: Int64
    }

    /// Produces a topic's current state for a subscriber's snapshot.
    public typealias SnapshotProvider = @Sendable () async -> JSONValue

    private struct Subscriber {
        let topics: Set<String>
        /// The subscribing connection's uid, for events meant for one user only.
        let uid: UInt32?
        let sink: any EventSink
    }

    private struct State {
        var nextID: UInt64 = 1
        var seq: Int64 = 0
        var subscribers: [UInt64: Subscriber] = [:]
        var snapshots: [String: SnapshotProvider] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Publishes an event on `topic`; `type` says what happened (`daemon.reloaded`). With
    /// `audience`, only that uid's subscriptions receive it (a user's own chat sessions).
    public func publish(_ topic: EventTopic, type: String, data: JSONValue, audience: UInt32? = nil) {
        state.withLock { state in
            state.seq += 1
            let receivers = state.subscribers.values.filter {
                $0.topics.contains(topic.rawValue) && (audience == nil || $0.uid == audience)
            }
            guard !receivers.isEmpty else { return }
            let message: JSONValue = [
                "topic": .string(topic.rawValue), "type": .string(type), "seq": .int(state.seq),
                "time": .string(Timestamp.now()), "data": data,
            ]
            let frame = RPCResponse.notification(method: EventMethods.notificationMethod, params: message)
            for receiver in receivers { receiver.sink.deliver(frame) }
        }
    }

    /// Whether any subscription would receive an event on `topic` now: lets a publisher skip
    /// building an event nobody reads (the audit writer publishes every committed row).
    public func hasSubscribers(_ topic: EventTopic) -> Bool {
        state.withLock { state in state.subscribers.values.contains { $0.topics.contains(topic.rawValue) } }
    }

    /// Starts a subscription delivering to `sink`. End it with `unsubscribe` (the connection
    /// does, when it closes).
    public func subscribe(topics: Set<String>, uid: UInt32? = nil, sink: any EventSink) -> Subscription {
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = Subscriber(topics: topics, uid: uid, sink: sink)
            return Subscription(id: id, topics: topics, seq: state.seq)
        }
    }

    /// Ends a subscription: its sink gets nothing more.
    public func unsubscribe(_ id: UInt64) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: id) }
    }

    /// Number of live subscriptions.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Registers how to describe `topic`'s current state; the area owning the topic does this at start.
    public func setSnapshot(for topic: EventTopic, _ provider: @escaping SnapshotProvider) {
        state.withLock { $0.snapshots[topic.rawValue] = provider }
    }

    /// The current state of `topic` (`{}` when its area registered none).
    public func snapshot(of topic: String) async -> JSONValue {
        let provider = state.withLock { $0.snapshots[topic] }
        guard let provider else { return [:] }
        return await provider()
    }
}
