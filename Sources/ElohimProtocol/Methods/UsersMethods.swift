/// `users.*`: accounts for OS uids, their roles and per-account overrides.
public enum UsersMethods {
    static let accountResult = AccountInfo.schema

    public static let list = MethodSpec<NoParams, UsersListResult>(
        "users.list", summary: "Every account with its role, grants and revokes.",
        access: .permission("admin.manage_users"),
        result: Schema.object(["accounts": Schema.array(AccountInfo.schema)]))

    public static let add = MethodSpec<UserRoleParams, AccountInfo>(
        "users.add", summary: "Create an account for a uid with a role (admin roles need founder rights).",
        access: .permission("admin.manage_users"), result: accountResult)

    public static let setRole = MethodSpec<UserRoleParams, AccountInfo>(
        "users.set_role", summary: "Change an account's role (changing an admin's role, or making one, needs founder rights).",
        access: .permission("admin.manage_users"), result: accountResult)

    public static let grant = MethodSpec<UserPermissionParams, AccountInfo>(
        "users.grant", summary: "Grant a permission on top of the account's role.",
        access: .permission("admin.manage_users"), result: accountResult)

    public static let revoke = MethodSpec<UserPermissionParams, AccountInfo>(
        "users.revoke", summary: "Revoke a permission the account's role would give.",
        access: .permission("admin.manage_users"), result: accountResult)

    public static let reset = MethodSpec<UserPermissionParams, AccountInfo>(
        "users.reset", summary: "Remove a grant or revoke: the role decides again.",
        access: .permission("admin.manage_users"), result: accountResult)

    public static let remove = MethodSpec<UserUIDParams, AccountInfo>(
        "users.remove", summary: "Delete an account (admin accounts need founder rights).",
        access: .permission("admin.manage_users"), result: accountResult)
}

/// An account as the wire shows it.
public struct AccountInfo: Codable, Sendable, Equatable {
    public var uid: UInt32
    public var userName: String?
    public var role: String
    public var grants: [String]
    public var revokes: [String]
    public var createdAt: String
    public var createdBy: UInt32?
    public var isFounder: Bool

    public init(
        uid: UInt32, userName: String?, role: String, grants: [String], revokes: [String], createdAt: String,
        createdBy: UInt32?, isFounder: Bool
    ) {
        self.uid = uid
        self.userName = userName
        self.role = role
        self.grants = grants
        self.revokes = revokes
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.isFounder = isFounder
    }

    static let schema = Schema.object([
        "uid": Schema.integer, "user_name": Schema.nullable(Schema.string), "role": Schema.string,
        "grants": Schema.array(Schema.string), "revokes": Schema.array(Schema.string), "created_at": Schema.string,
        "created_by": Schema.nullable(Schema.integer), "is_founder": Schema.boolean,
    ])
}

public struct UsersListResult: Codable, Sendable {
    public var accounts: [AccountInfo]
    public init(accounts: [AccountInfo]) { self.accounts = accounts }
}

/// Params of `users.add` and `users.set_role`: an account's uid and the role it gets.
public struct UserRoleParams: RPCParams {
    public var uid: UInt32
    public var role: String
    public init(uid: UInt32, role: String) {
        self.uid = uid
        self.role = role
    }
    public static let fields = [
        ParamField("uid", Schema.integer, required: true, summary: "The OS uid."),
        ParamField("role", Schema.oneOf(["super_admin", "admin", "member", "guest"]), required: true, summary: "The role."),
    ]
}

public struct UserPermissionParams: RPCParams {
    public var uid: UInt32
    public var permission: String
    public init(uid: UInt32, permission: String) {
        self.uid = uid
        self.permission = permission
    }
    public static let fields = [
        ParamField("uid", Schema.integer, required: true, summary: "The account's uid."),
        ParamField("permission", Schema.string, required: true, summary: "A permission key, e.g. admin.view_audit."),
    ]
}

public struct UserUIDParams: RPCParams {
    public var uid: UInt32
    public init(uid: UInt32) { self.uid = uid }
    public static let fields = [ParamField("uid", Schema.integer, required: true, summary: "The account's uid.")]
}
