import Foundation

/// A person (an OS uid) known to the daemon.
public struct Account: Sendable, Equatable, Codable {
    public var uid: UInt32
    public var role: Role
    /// Permissions added on top of the role.
    public var grants: Set<String>
    /// Permissions taken away from the role.
    public var revokes: Set<String>
    public var createdAt: String
    /// The uid that created the account; nil for the accounts the daemon creates itself
    /// (root and the daemon's own uid).
    public var createdBy: UInt32?

    public init(uid: UInt32, role: Role, grants: Set<String> = [], revokes: Set<String> = [], createdAt: String, createdBy: UInt32?) {
        self.uid = uid
        self.role = role
        self.grants = grants
        self.revokes = revokes
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}
