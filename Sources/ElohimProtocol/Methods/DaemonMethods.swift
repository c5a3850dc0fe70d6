/// The `daemon.*` methods: handshake, liveness, status.
public enum DaemonMethods {
    /// Longest `client_name` / `client_version` `daemon.hello` accepts, in UTF-8 bytes.
    public static let maxClientLabelBytes = 200

    public static let hello = MethodSpec<HelloParams, HelloResult>(
        "daemon.hello",
        summary: "Negotiate the protocol version and learn who the daemon thinks you are.",
        access: .open,
        result: Schema.object([
            "protocol_version": Schema.string, "daemon_version": Schema.string,
            "capabilities": Schema.array(Schema.string), "identity": PeerIdentity.schema,
        ])
    )

    public static let ping = MethodSpec<NoParams, PingResult>(
        "daemon.ping",
        summary: "Check that the daemon answers.",
        access: .open,
        result: Schema.object(["pong": Schema.boolean])
    )

    public static let status = MethodSpec<NoParams, DaemonStatus>(
        "daemon.status",
        summary: "Uptime, pid, socket, data dir, configuration and database size.",
        access: .permission("daemon.status"),
        result: DaemonStatus.schema
    )
}

/// Params of `daemon.hello`.
public struct HelloParams: RPCParams {
    /// The protocol version the client speaks (`"1.0"`); a different major is refused.
    public var protocolVersion: String?
    public var clientName: String?
    public var clientVersion: String?

    public init(protocolVersion: String? = ProtocolVersion.current, clientName: String? = nil, clientVersion: String? = nil) {
        self.protocolVersion = protocolVersion
        self.clientName = clientName
        self.clientVersion = clientVersion
    }

    public static let fields = [
        ParamField("protocol_version", Schema.string, summary: "The client's protocol version, e.g. \"1.0\"."),
        ParamField("client_name", Schema.string, summary: "The client program, for the audit log."),
        ParamField("client_version", Schema.string, summary: "The client program's version."),
    ]
}

/// Who is on the other end of a connection, as the kernel reported it (`SO_PEERCRED`).
public struct PeerIdentity: Codable, Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32
    public var pid: Int32
    /// The login name of `uid`, when the system knows one.
    public var userName: String?

    public init(uid: UInt32, gid: UInt32, pid: Int32, userName: String? = nil) {
        self.uid = uid
        self.gid = gid
        self.pid = pid
        self.userName = userName
    }

    static let schema = Schema.object([
        "uid": Schema.integer, "gid": Schema.integer, "pid": Schema.integer,
        "user_name": Schema.nullable(Schema.string),
    ])
}

/// Result of `daemon.hello`.
public struct HelloResult: Codable, Sendable {
    public var protocolVersion: String
    public var daemonVersion: String
    public var capabilities: [String]
    public var identity: PeerIdentity

    public init(protocolVersion: String, daemonVersion: String, capabilities: [String], identity: PeerIdentity) {
        self.protocolVersion = protocolVersion
        self.daemonVersion = daemonVersion
        self.capabilities = capabilities
        self.identity = identity
    }
}

/// Result of `daemon.ping`.
public struct PingResult: Codable, Sendable, JSONWritable {
    public var pong: Bool
    public init() { pong = true }

    public func writeJSON(into output: inout [UInt8]) {
        var object = JSONObjectWriter(into: &output)
        object.member("pong", pong, into: &output)
        object.end(into: &output)
    }
}

/// Result of `daemon.status`.
public struct DaemonStatus: Codable, Sendable, JSONWritable {
    public var daemonVersion: String
    public var protocolVersion: String
    public var pid: Int32
    /// `user` or `system`.
    public var mode: String
    public var startedAt: String
    public var uptimeSeconds: Double
    public var socketPath: String
    /// True when systemd handed the daemon its listening socket.
    public var socketActivated: Bool
    public var dataDir: String
    /// The configuration file read, or nil when running on built-in defaults.
    public var configPath: String?
    public var databasePath: String
    /// Bytes of the database file plus its WAL, read at most once a second.
    public var databaseSizeBytes: Int64
    public var connections: Int
    public var requestsServed: Int64

    public init(
        daemonVersion: String, protocolVersion: String, pid: Int32, mode: String, startedAt: String,
        uptimeSeconds: Double, socketPath: String, socketActivated: Bool, dataDir: String, configPath: String?,
        databasePath: String, databaseSizeBytes: Int64, connections: Int, requestsServed: Int64
    ) {
        self.daemonVersion = daemonVersion
        self.protocolVersion = protocolVersion
        self.pid = pid
        self.mode = mode
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.socketPath = socketPath
        self.socketActivated = socketActivated
        self.dataDir = dataDir
        self.configPath = configPath
        self.databasePath = databasePath
        self.databaseSizeBytes = databaseSizeBytes
        self.connections = connections
        self.requestsServed = requestsServed
    }

    /// Status bars poll this; written directly (see `JSONWritable`), members in key order.
    public func writeJSON(into output: inout [UInt8]) {
        var object = JSONObjectWriter(into: &output)
        object.member("config_path", configPath, into: &output)
        object.member("connections", connections, into: &output)
        object.member("daemon_version", daemonVersion, into: &output)
        object.member("data_dir", dataDir, into: &output)
        object.member("database_path", databasePath, into: &output)
        object.member("database_size_bytes", databaseSizeBytes, into: &output)
        object.member("mode", mode, into: &output)
        object.member("pid", pid, into: &output)
        object.member("protocol_version", protocolVersion, into: &output)
        object.member("requests_served", requestsServed, into: &output)
        object.member("socket_activated", socketActivated, into: &output)
        object.member("socket_path", socketPath, into: &output)
        object.member("started_at", startedAt, into: &output)
        object.member("uptime_seconds", uptimeSeconds, into: &output)
        object.end(into: &output)
    }

    static let schema = Schema.object([
        "daemon_version": Schema.string, "protocol_version": Schema.string, "pid": Schema.integer,
        "mode": Schema.oneOf(["user", "system"]), "started_at": Schema.string, "uptime_seconds": Schema.number,
        "socket_path": Schema.string, "socket_activated": Schema.boolean, "data_dir": Schema.string,
        "config_path": Schema.nullable(Schema.string), "database_path": Schema.string,
        "database_size_bytes": Schema.integer, "connections": Schema.integer, "requests_served": Schema.integer,
    ])
}
