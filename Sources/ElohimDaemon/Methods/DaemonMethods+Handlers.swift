import ElohimCore
import ElohimProtocol
import Foundation

/// The facts `daemon.*` methods report, fixed at start-up.
struct DaemonFacts: Sendable {
    static let version = "0.1.0"
    let startedAt: Date
    let startedAtText: String
    let pid: Int32
    let mode: DaemonConfiguration.Mode
    let socketPath: String
    let socketActivated: Bool
    let dataDir: String
    let databasePath: String
    let databaseSize: @Sendable () -> Int64
    /// Advertised in `daemon.hello`; areas add theirs as they land.
    let capabilities: [String]
}

extension MethodTable {
    /// `daemon.hello`, `daemon.ping`, `daemon.status`.
    mutating func registerDaemonMethods(
        facts: DaemonFacts, settings: LiveSettings,
        connections: @escaping @Sendable () -> Int, served: @escaping @Sendable () -> Int64
    ) {
        register(DaemonMethods.hello) { context, params in
            if let requested = params.protocolVersion {
                guard let major = ProtocolVersion.major(of: requested) else {
                    throw RPCError.invalidParams("protocol_version must look like \"1.0\", got \"\(requested)\"", field: "protocol_version")
                }
                guard major == ProtocolVersion.major else {
                    throw RPCError.application(
                        .unsupportedProtocol,
                        "this daemon speaks protocol \(ProtocolVersion.current); the client asked for \(requested) — upgrade the older side",
                        detail: ["supported": .string(ProtocolVersion.current), "requested": .string(requested)]
                    )
                }
            }
            // Recorded with every audit event of this connection: a bounded label, not a payload.
            for (field, value) in [("client_name", params.clientName), ("client_version", params.clientVersion)] {
                if let value, value.utf8.count > DaemonMethods.maxClientLabelBytes {
                    throw RPCError.invalidParams(
                        "\(field) must be at most \(DaemonMethods.maxClientLabelBytes) bytes, got \(value.utf8.count)", field: field)
                }
            }
            context.connection.setClient(name: params.clientName, version: params.clientVersion)
            var identity = context.peer
            identity.userName = PeerIdentity.userName(of: identity.uid)
            return HelloResult(
                protocolVersion: ProtocolVersion.current, daemonVersion: DaemonFacts.version,
                capabilities: facts.capabilities, identity: identity
            )
        }

        register(DaemonMethods.ping) { _, _ in PingResult() }

        register(DaemonMethods.status) { _, _ in
            DaemonStatus(
                daemonVersion: DaemonFacts.version, protocolVersion: ProtocolVersion.current, pid: facts.pid,
                mode: facts.mode.rawValue, startedAt: facts.startedAtText,
                uptimeSeconds: (Date().timeIntervalSince(facts.startedAt) * 1000).rounded() / 1000,
                socketPath: facts.socketPath, socketActivated: facts.socketActivated, dataDir: facts.dataDir,
                configPath: settings.read(\.configPath), databasePath: facts.databasePath,
                databaseSizeBytes: facts.databaseSize(), connections: connections(), requestsServed: served()
            )
        }
    }

    /// `events.subscribe`.
    mutating func registerEventMethods(bus: EventBus, topicAllowed: @escaping @Sendable (EventTopic, PeerIdentity) -> Bool = { _, _ in true }) {
        register(EventMethods.subscribe) { context, params in
            guard !params.topics.isEmpty else {
                throw RPCError.invalidParams("topics must name at least one topic", field: "topics")
            }
            let known = Set(EventTopic.allCases.map(\.rawValue))
            for (index, topic) in params.topics.enumerated() where !known.contains(topic) {
                throw RPCError.invalidParams(
                    "unknown topic '\(topic)'; topics are \(known.sorted().joined(separator: ", "))", field: "topics.\(index)")
            }
            for (index, topic) in params.topics.enumerated() {
                if let known = EventTopic(rawValue: topic), !topicAllowed(known, context.peer) {
                    throw RPCError.application(
                        .forbidden, "the \(topic) topic needs the permission \(known.permission)",
                        detail: ["permission": .string(known.permission), "field": .string("topics.\(index)")])
                }
            }
            let topics = Set(params.topics)
            let subscription = context.connection.subscribe(bus, topics: topics, uid: context.peer.uid)
            var snapshot: [String: JSONValue] = [:]
            for topic in topics.sorted() { snapshot[topic] = await bus.snapshot(of: topic) }
            return SubscribeResult(topics: topics.sorted(), snapshot: snapshot, seq: subscription.seq)
        }
    }

    /// `rpc.discover`, which describes the table as it is when the daemon starts.
    mutating func registerDiscover() {
        // The document describes rpc.discover too, so build it from a table that has it.
        var described = self
        described.register(DiscoverMethods.discover) { _, _ in [:] }
        let document = OpenRPCDocument.make(from: described)
        register(DiscoverMethods.discover) { _, _ in document }
    }
}
