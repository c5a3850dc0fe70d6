/// One permission: a key methods declare, a line for people, a category for grouping.
public struct Permission: Sendable, Hashable, Codable {
    public let key: String
    public let summary: String
    public let category: String

    public init(_ key: String, _ summary: String) {
        self.key = key
        self.summary = summary
        self.category = String(key.split(separator: ".").first ?? "")
    }
}

/// Every permission the daemon knows. Documented in `docs/permissions.md`; a test checks that
/// every method's declared permission is in here.
public enum PermissionCatalog {
    /// The founder category: rights no role grants, unlocked by re-entering the founder password.
    public static let founderAll = "founder.all"

    public static let all: [Permission] = [
        Permission("daemon.status", "See the daemon's status (uptime, socket, data directory)."),
        Permission("events.subscribe", "Follow the daemon's event stream."),
        Permission("chat.use", "Chat with local models in your own sessions."),
        Permission("chat.manage_sessions", "Rename, delete, archive and restore chat sessions."),
        Permission("docs.read", "Read and search documents."),
        Permission("docs.write", "Create, edit and delete documents."),
        Permission("vault.read", "Read vault items."),
        Permission("vault.write", "Store and delete vault items."),
        Permission("workflows.execute", "Run workflows."),
        Permission("models.manage", "Download models, assign and eject hot slots."),
        Permission("engine.query", "Run SQL queries on the query engine."),
        Permission("admin.manage_users", "Add accounts, change roles, grant and revoke permissions."),
        Permission("admin.view_audit", "Read and verify the audit log."),
        Permission("admin.cleanup", "Run the cleanup job and see its history."),
        Permission(founderAll, "Founder rights: change an admin's role, audit retention and export, irreversible operations."),
    ]

    static let keys = Set(all.map(\.key))

    /// True when `key` names a permission.
    public static func contains(_ key: String) -> Bool { keys.contains(key) }

    /// The permission for `key`, if any.
    public static func permission(_ key: String) -> Permission? { all.first { $0.key == key } }
}

/// A role and the permissions it grants by itself (its baseline).
public enum Role: String, Sendable, CaseIterable, Codable {
    case superAdmin = "super_admin"
    case admin
    case member
    case guest

    /// The permissions the role grants. No role grants `founder.all`. (Computed once: the
    /// dispatcher consults it on every request.)
    public var baseline: Set<String> {
        switch self {
        case .superAdmin: return Self.superAdminBaseline
        case .admin: return Self.adminBaseline
        case .member: return Self.memberBaseline
        case .guest: return Self.guestBaseline
        }
    }

    private static let superAdminBaseline = Role.superAdmin.definedBaseline
    private static let adminBaseline = Role.admin.definedBaseline
    private static let memberBaseline = Role.member.definedBaseline
    private static let guestBaseline = Role.guest.definedBaseline

    private var definedBaseline: Set<String> {
        switch self {
        case .superAdmin:
            return PermissionCatalog.keys.subtracting([PermissionCatalog.founderAll])
        case .admin:
            return PermissionCatalog.keys.subtracting([PermissionCatalog.founderAll])
        case .member:
            return [
                "daemon.status", "events.subscribe", "chat.use", "chat.manage_sessions", "docs.read", "docs.write",
                "vault.read", "vault.write", "workflows.execute", "engine.query",
            ]
        case .guest:
            return ["daemon.status", "events.subscribe", "chat.use", "docs.read"]
        }
    }

    /// Roles that may administer others; changing one of these needs founder rights.
    public var isAdministrative: Bool { self == .superAdmin || self == .admin }
}
