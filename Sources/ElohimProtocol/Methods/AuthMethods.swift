/// `auth.*`: what the caller may do, and founder elevation.
public enum AuthMethods {
    public static let effectivePermissions = MethodSpec<EffectivePermissionsParams, EffectivePermissionsResult>(
        "auth.effective_permissions",
        summary: "Every permission with granted/denied and where the decision came from, for you or (admins) another uid.",
        access: .account,
        result: Schema.object([
            "uid": Schema.integer, "user_name": Schema.nullable(Schema.string), "role": Schema.string,
            "role_baseline": Schema.array(Schema.string), "team_context": Schema.object(["kind": Schema.string]),
            "permissions": Schema.array(PermissionEntry.schema), "founder": FounderState.schema,
            "docs": Schema.string,
        ])
    )

    public static let founderVerify = MethodSpec<FounderVerifyParams, FounderState>(
        "auth.founder_verify",
        summary: "Re-enter the founder password to unlock founder rights for a limited time (default 5 minutes).",
        access: .account,
        result: FounderState.schema
    )

    public static let founderDrop = MethodSpec<NoParams, FounderState>(
        "auth.founder_drop",
        summary: "Give up founder rights before they expire.",
        access: .account,
        result: FounderState.schema
    )
}

/// Params of `auth.effective_permissions`.
public struct EffectivePermissionsParams: RPCParams {
    /// Whose permissions; default the caller. Another uid needs `admin.manage_users`.
    public var uid: UInt32?
    public init(uid: UInt32? = nil) { self.uid = uid }
    public static let fields = [ParamField("uid", Schema.integer, summary: "Whose permissions (default: yours).")]
}

/// One permission, decided.
public struct PermissionEntry: Codable, Sendable, Equatable {
    public var key: String
    public var summary: String
    public var category: String
    public var granted: Bool
    /// `role_baseline`, `grant`, `revoke`, `founder_elevation` or `not_granted`.
    public var source: String

    public init(key: String, summary: String, category: String, granted: Bool, source: String) {
        self.key = key
        self.summary = summary
        self.category = category
        self.granted = granted
        self.source = source
    }

    static let schema = Schema.object([
        "key": Schema.string, "summary": Schema.string, "category": Schema.string, "granted": Schema.boolean,
        "source": Schema.oneOf(["role_baseline", "grant", "revoke", "founder_elevation", "not_granted"]),
    ])
}

/// Founder rights as the caller holds them now.
public struct FounderState: Codable, Sendable, Equatable {
    public var isFounder: Bool
    public var elevated: Bool
    /// When the elevation ends, if elevated.
    public var expiresAt: String?
    /// Seconds left, if elevated.
    public var remainingSeconds: Int?

    public init(isFounder: Bool, elevated: Bool, expiresAt: String?, remainingSeconds: Int?) {
        self.isFounder = isFounder
        self.elevated = elevated
        self.expiresAt = expiresAt
        self.remainingSeconds = remainingSeconds
    }

    static let schema = Schema.object([
        "is_founder": Schema.boolean, "elevated": Schema.boolean, "expires_at": Schema.nullable(Schema.string),
        "remaining_seconds": Schema.nullable(Schema.integer),
    ])
}

/// Result of `auth.effective_permissions`.
public struct EffectivePermissionsResult: Codable, Sendable {
    public var uid: UInt32
    public var userName: String?
    public var role: String
    public var roleBaseline: [String]
    /// `{"kind":"local"}` in this phase.
    public var teamContext: [String: String]
    public var permissions: [PermissionEntry]
    public var founder: FounderState
    /// Where the permission model is documented.
    public var docs: String

    public init(
        uid: UInt32, userName: String?, role: String, roleBaseline: [String], teamContext: [String: String],
        permissions: [PermissionEntry], founder: FounderState, docs: String
    ) {
        self.uid = uid
        self.userName = userName
        self.role = role
        self.roleBaseline = roleBaseline
        self.teamContext = teamContext
        self.permissions = permissions
        self.founder = founder
        self.docs = docs
    }
}

/// Params of `auth.founder_verify`.
public struct FounderVerifyParams: RPCParams {
    public var password: String
    public init(password: String) { self.password = password }
    public static let fields = [ParamField("password", Schema.string, required: true, summary: "The founder password.")]
}
