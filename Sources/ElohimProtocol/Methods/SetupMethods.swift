/// `setup.*`: the first-run wizard's daemon side.
public enum SetupMethods {
    public static let status = MethodSpec<NoParams, SetupStatusResult>(
        "setup.status", summary: "Whether first-run setup is done, when and by whom.",
        access: .account,
        result: SetupStatusResult.schema)

    public static let complete = MethodSpec<SetupCompleteParams, SetupStatusResult>(
        "setup.complete",
        summary: "Finish first-run setup: the caller becomes the founder with this password. Only the daemon's owner or root may.",
        access: .permission("admin.manage_users"),
        result: SetupStatusResult.schema)
}

public struct SetupStatusResult: Codable, Sendable, Equatable {
    public var completed: Bool
    public var completedAt: String?
    public var completedBy: UInt32?
    public var founderUid: UInt32?
    public var defaultModel: String?

    public init(completed: Bool, completedAt: String?, completedBy: UInt32?, founderUid: UInt32?, defaultModel: String?) {
        self.completed = completed
        self.completedAt = completedAt
        self.completedBy = completedBy
        self.founderUid = founderUid
        self.defaultModel = defaultModel
    }

    static let schema = Schema.object([
        "completed": Schema.boolean, "completed_at": Schema.nullable(Schema.string),
        "completed_by": Schema.nullable(Schema.integer), "founder_uid": Schema.nullable(Schema.integer),
        "default_model": Schema.nullable(Schema.string),
    ])
}

public struct SetupCompleteParams: RPCParams {
    public var founderPassword: String
    public var defaultModel: String?
    public init(founderPassword: String, defaultModel: String? = nil) {
        self.founderPassword = founderPassword
        self.defaultModel = defaultModel
    }
    public static let fields = [
        ParamField("founder_password", Schema.string, required: true, summary: "At least 8 characters."),
        ParamField("default_model", Schema.string, summary: "The model chat uses by default."),
    ]
}
