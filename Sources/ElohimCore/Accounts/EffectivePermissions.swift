/// Where a permission decision came from.
public enum DecisionSource: String, Sendable, Codable {
    case roleBaseline = "role_baseline"
    case grant
    case revoke
    case founderElevation = "founder_elevation"
    case notGranted = "not_granted"
}

/// One permission, decided for one account.
public struct PermissionDecision: Sendable, Equatable, Codable {
    public var key: String
    public var summary: String
    public var category: String
    public var granted: Bool
    public var source: DecisionSource
}

extension Account {
    /// Decides `key` for this account. Order: founder rights are separate (only elevation
    /// grants them); a revoke beats the role; a grant adds to it.
    public func decide(_ key: String, founderElevated: Bool) -> (granted: Bool, source: DecisionSource) {
        if key == PermissionCatalog.founderAll {
            return founderElevated ? (true, .founderElevation) : (false, .notGranted)
        }
        if revokes.contains(key) { return (false, .revoke) }
        if grants.contains(key) { return (true, .grant) }
        if role.baseline.contains(key) { return (true, .roleBaseline) }
        // While elevated, the founder holds every right.
        if founderElevated { return (true, .founderElevation) }
        return (false, .notGranted)
    }

    /// Every permission in the catalog, decided.
    public func effectivePermissions(founderElevated: Bool) -> [PermissionDecision] {
        PermissionCatalog.all.map { permission in
            let decision = decide(permission.key, founderElevated: founderElevated)
            return PermissionDecision(
                key: permission.key, summary: permission.summary, category: permission.category,
                granted: decision.granted, source: decision.source)
        }
    }
}
