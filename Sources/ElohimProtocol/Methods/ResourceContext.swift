/// Whose data a resource is: the user's own local data, or (from Phase 3) a team's.
///
/// Every listed or fetched document, vault item, workflow and chat session carries one, so
/// clients can show the `[Local]` / `[Team: Engineering]` badge. On the wire it is
/// `{"kind":"local"}` or `{"kind":"team","team_name":"Engineering"}`.
public struct ResourceContext: Codable, Sendable, Equatable {
    /// `local` or `team`.
    public var kind: String
    /// The team's display name when `kind` is `team`.
    public var teamName: String?

    public init(kind: String, teamName: String? = nil) {
        self.kind = kind
        self.teamName = teamName
    }

    /// The local context: the caller's own data, never shared.
    public static let local = ResourceContext(kind: "local")

    /// The badge text, without colour: `[Local]` or `[Team: Engineering]`.
    public var badge: String {
        kind == "team" ? "[Team: \(teamName ?? "?")]" : "[Local]"
    }

    /// JSON Schema of the wire form.
    public static let schema = Schema.object(
        ["kind": Schema.oneOf(["local", "team"]), "team_name": Schema.string], required: ["kind"])

    private enum CodingKeys: String, CodingKey {
        case kind
        case teamName
    }

    public func encode(to encoder: any Encoder) throws {
        // `team_name` only exists for team data: a local resource is exactly {"kind":"local"}.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        if let teamName { try container.encode(teamName, forKey: .teamName) }
    }
}

/// Pagination shared by the library's list methods: newest first, keyset by id.
public struct PageParams: RPCParams {
    public var limit: Int?
    /// The previous page's `next_cursor`: items with a smaller id.
    public var before: Int64?

    public init(limit: Int? = nil, before: Int64? = nil) {
        self.limit = limit
        self.before = before
    }

    public static let fields = [
        ParamField("limit", Schema.integer, summary: "Page size, 1 to 200 (default 50)."),
        ParamField("before", Schema.integer, summary: "Cursor: items with a smaller id (the previous page's next_cursor)."),
    ]
}

/// Params naming one item by its id.
public struct IDParams: RPCParams {
    public var id: Int64

    public init(id: Int64) { self.id = id }

    public static let fields = [ParamField("id", Schema.integer, required: true, summary: "The item's id.")]
}

/// Result of a delete: what was removed.
public struct DeletedResult: Codable, Sendable, Equatable {
    public var id: Int64
    public var deleted: Bool

    public init(id: Int64, deleted: Bool = true) {
        self.id = id
        self.deleted = deleted
    }

    public static let schema = Schema.object(["id": Schema.integer, "deleted": Schema.boolean])
}
