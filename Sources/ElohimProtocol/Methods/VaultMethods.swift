/// `vault.*`: small secrets, encrypted at rest (AES-GCM) with a key that never enters the database.
public enum VaultMethods {
    public static let put = MethodSpec<VaultPutParams, VaultItemSummary>(
        "vault.put", summary: "Store a secret under a name (replacing one of the same name), encrypted at rest.",
        access: .permission("vault.write"), result: VaultItemSummary.schema)

    public static let get = MethodSpec<VaultNameParams, VaultItem>(
        "vault.get", summary: "One of your local vault items, decrypted.",
        access: .permission("vault.read"), result: VaultItem.schema)

    public static let list = MethodSpec<PageParams, VaultListResult>(
        "vault.list", summary: "Your local vault items' names and sizes (never their values), newest first, keyset-paginated.",
        access: .permission("vault.read"),
        result: Schema.object([
            "items": Schema.array(VaultItemSummary.schema), "next_cursor": Schema.nullable(Schema.integer),
        ]))

    public static let delete = MethodSpec<VaultNameParams, DeletedResult>(
        "vault.delete", summary: "Delete one of your local vault items.",
        access: .permission("vault.write"), result: DeletedResult.schema)
}

public struct VaultPutParams: RPCParams {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public static let fields = [
        ParamField("name", Schema.string, required: true, summary: "1 to 200 characters, no control characters."),
        ParamField("value", Schema.string, required: true, summary: "The secret, UTF-8, up to 64 KiB."),
    ]
}

public struct VaultNameParams: RPCParams {
    public var name: String

    public init(name: String) { self.name = name }

    public static let fields = [ParamField("name", Schema.string, required: true, summary: "The item's name.")]
}

/// A vault item without its value.
public struct VaultItemSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// Bytes of the plaintext value.
    public var sizeBytes: Int64
    public var createdAt: String
    public var updatedAt: String
    public var context: ResourceContext

    public init(id: Int64, name: String, sizeBytes: Int64, createdAt: String, updatedAt: String, context: ResourceContext) {
        self.id = id
        self.name = name
        self.sizeBytes = sizeBytes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.context = context
    }

    static let properties: [String: JSONValue] = [
        "id": Schema.integer, "name": Schema.string, "size_bytes": Schema.integer, "created_at": Schema.string,
        "updated_at": Schema.string, "context": ResourceContext.schema,
    ]
    public static let schema = Schema.object(properties)
}

/// A vault item with its decrypted value.
public struct VaultItem: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var value: String
    public var sizeBytes: Int64
    public var createdAt: String
    public var updatedAt: String
    public var context: ResourceContext

    public init(summary: VaultItemSummary, value: String) {
        id = summary.id
        name = summary.name
        self.value = value
        sizeBytes = summary.sizeBytes
        createdAt = summary.createdAt
        updatedAt = summary.updatedAt
        context = summary.context
    }

    public static let schema: JSONValue = {
        var properties = VaultItemSummary.properties
        properties["value"] = Schema.string
        return Schema.object(properties)
    }()
}

public struct VaultListResult: Codable, Sendable {
    public var items: [VaultItemSummary]
    public var nextCursor: Int64?

    public init(items: [VaultItemSummary], nextCursor: Int64?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
