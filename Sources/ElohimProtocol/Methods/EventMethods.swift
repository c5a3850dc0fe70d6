/// The event stream: `events.subscribe` answers with a snapshot, then the daemon sends
/// `event` notifications (no id) on the same connection for every change.
public enum EventMethods {
    public static let subscribe = MethodSpec<SubscribeParams, SubscribeResult>(
        "events.subscribe",
        summary: "Subscribe this connection to topics: a snapshot now, then an `event` notification per change.",
        access: .permission("events.subscribe"),
        result: Schema.object([
            "topics": Schema.array(Schema.string),
            "snapshot": ["type": "object", "additionalProperties": true], "seq": Schema.integer,
        ])
    )

    /// The method name of event notifications.
    public static let notificationMethod = "event"
}

/// The topics that exist. Areas add theirs here as they land.
public enum EventTopic: String, Sendable, CaseIterable, Codable {
    /// Daemon lifecycle: started, reloading, reloaded, stopping.
    case daemon
    /// Every committed audit event (`audit.event`), for `elohim audit --follow`; needs `admin.view_audit`.
    case audit
    /// The query engine's state (`engine.status`, data = the `engine.status` result), debounced.
    case engine
    /// Datasets: `data.import_progress`, `data.imported`, `data.dropped`; needs `engine.query`.
    case data
    /// Library changes (`document.created` …, ids only) and workflow runs (`workflow.started`,
    /// `workflow.step`, `workflow.finished`); needs `docs.read`.
    case library
    /// Model inventory and downloads (`models.*`).
    case models
    /// Hot slots (`slots.changed`, data = the `slots.list` result).
    case slots
    /// A session's token meter after each message (`chat.tokens`); needs `chat.use`.
    case chat
    /// Cleanup runs: `cleanup.started`, `cleanup.finished` (data = the run's stats); needs `admin.cleanup`.
    case cleanup
}

/// Params of `events.subscribe`.
public struct SubscribeParams: RPCParams {
    public var topics: [String]

    public init(topics: [EventTopic]) { self.topics = topics.map(\.rawValue) }

    public static let fields = [
        ParamField(
            "topics", Schema.array(Schema.oneOf(EventTopic.allCases.map(\.rawValue))), required: true,
            summary: "The topics to follow."
        )
    ]
}

/// Result of `events.subscribe`.
public struct SubscribeResult: Codable, Sendable {
    public var topics: [String]
    /// Each topic's current state, keyed by topic.
    public var snapshot: [String: JSONValue]
    /// The `seq` of the last event the snapshot includes: later events have larger ones.
    public var seq: Int64

    public init(topics: [String], snapshot: [String: JSONValue], seq: Int64) {
        self.topics = topics
        self.snapshot = snapshot
        self.seq = seq
    }
}

/// One `event` notification's params.
public struct EventMessage: Codable, Sendable, Equatable {
    public var topic: String
    /// What happened, `topic.what` (`daemon.reloaded`).
    public var type: String
    /// Increases by one per event across all topics: a gap means events were dropped.
    public var seq: Int64
    public var time: String
    public var data: JSONValue

    public init(topic: String, type: String, seq: Int64, time: String, data: JSONValue) {
        self.topic = topic
        self.type = type
        self.seq = seq
        self.time = time
        self.data = data
    }
}
