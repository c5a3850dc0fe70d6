/// `docs.*`: the caller's local documents (title, text content, tags), searchable with FTS5.
public enum DocsMethods {
    public static let create = MethodSpec<DocsCreateParams, Document>(
        "docs.create", summary: "Create a local document (UTF-8 text up to the configured size limit).",
        access: .permission("docs.write"), result: Document.schema)

    public static let get = MethodSpec<IDParams, Document>(
        "docs.get", summary: "One of your local documents, with its content.",
        access: .permission("docs.read"), result: Document.schema)

    public static let list = MethodSpec<DocsListParams, DocsListResult>(
        "docs.list",
        summary: "Your local documents, newest first, with tags, size and embedding status; keyset-paginated with `before` = the previous page's `next_cursor`.",
        access: .permission("docs.read"),
        result: Schema.object([
            "documents": Schema.array(DocumentSummary.schema), "next_cursor": Schema.nullable(Schema.integer),
        ]))

    public static let update = MethodSpec<DocsUpdateParams, Document>(
        "docs.update", summary: "Change a local document's title, content or tags (fields not given stay).",
        access: .permission("docs.write"), result: Document.schema)

    public static let delete = MethodSpec<IDParams, DeletedResult>(
        "docs.delete", summary: "Delete a local document (its embeddings are removed by the next cleanup).",
        access: .permission("docs.write"), result: DeletedResult.schema)

    public static let search = MethodSpec<DocsSearchParams, DocsSearchResult>(
        "docs.search", summary: "Full-text search (SQLite FTS5) over your local documents' titles and content, best first.",
        access: .permission("docs.read"),
        result: Schema.object(["hits": Schema.array(DocsSearchHit.schema)]))
}

public struct DocsCreateParams: RPCParams {
    public var title: String
    public var content: String
    public var tags: [String]?

    public init(title: String, content: String, tags: [String]? = nil) {
        self.title = title
        self.content = content
        self.tags = tags
    }

    public static let fields = [
        ParamField("title", Schema.string, required: true, summary: "1 to 500 characters."),
        ParamField("content", Schema.string, required: true, summary: "UTF-8 text, up to the configured limit (library_max_document_bytes)."),
        ParamField("tags", Schema.array(Schema.string), summary: "Up to 32 tags of 1 to 64 characters (no commas)."),
    ]
}

public struct DocsUpdateParams: RPCParams {
    public var id: Int64
    public var title: String?
    public var content: String?
    public var tags: [String]?

    public init(id: Int64, title: String? = nil, content: String? = nil, tags: [String]? = nil) {
        self.id = id
        self.title = title
        self.content = content
        self.tags = tags
    }

    public static let fields = [
        ParamField("id", Schema.integer, required: true, summary: "The document's id."),
        ParamField("title", Schema.string, summary: "New title."),
        ParamField("content", Schema.string, summary: "New content (replaces the old)."),
        ParamField("tags", Schema.array(Schema.string), summary: "New tags (replace the old; [] removes all)."),
    ]
}

public struct DocsListParams: RPCParams {
    public var limit: Int?
    public var before: Int64?
    public var tag: String?

    public init(limit: Int? = nil, before: Int64? = nil, tag: String? = nil) {
        self.limit = limit
        self.before = before
        self.tag = tag
    }

    public static let fields = PageParams.fields + [ParamField("tag", Schema.string, summary: "Only documents with this tag.")]
}

public struct DocsSearchParams: RPCParams {
    public var query: String
    public var limit: Int?

    public init(query: String, limit: Int? = nil) {
        self.query = query
        self.limit = limit
    }

    public static let fields = [
        ParamField("query", Schema.string, required: true, summary: "Words to find (all must match; a trailing * matches a prefix)."),
        ParamField("limit", Schema.integer, summary: "At most this many hits, 1 to 200 (default 20)."),
    ]
}

/// A document as lists show it: everything but the content.
public struct DocumentSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var title: String
    public var tags: [String]
    public var sizeBytes: Int64
    /// Embedding chunks stored for this document (0 = not embedded).
    public var embeddings: Int64
    public var createdAt: String
    public var updatedAt: String
    public var context: ResourceContext

    public init(
        id: Int64, title: String, tags: [String], sizeBytes: Int64, embeddings: Int64, createdAt: String, updatedAt: String,
        context: ResourceContext
    ) {
        self.id = id
        self.title = title
        self.tags = tags
        self.sizeBytes = sizeBytes
        self.embeddings = embeddings
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.context = context
    }

    static let properties: [String: JSONValue] = [
        "id": Schema.integer, "title": Schema.string, "tags": Schema.array(Schema.string), "size_bytes": Schema.integer,
        "embeddings": Schema.integer, "created_at": Schema.string, "updated_at": Schema.string,
        "context": ResourceContext.schema,
    ]
    public static let schema = Schema.object(properties)
}

/// A document with its content.
public struct Document: Codable, Sendable, Equatable {
    public var id: Int64
    public var title: String
    public var content: String
    public var tags: [String]
    public var sizeBytes: Int64
    public var embeddings: Int64
    public var createdAt: String
    public var updatedAt: String
    public var context: ResourceContext

    public init(summary: DocumentSummary, content: String) {
        id = summary.id
        title = summary.title
        self.content = content
        tags = summary.tags
        sizeBytes = summary.sizeBytes
        embeddings = summary.embeddings
        createdAt = summary.createdAt
        updatedAt = summary.updatedAt
        context = summary.context
    }

    public static let schema: JSONValue = {
        var properties = DocumentSummary.properties
        properties["content"] = Schema.string
        return Schema.object(properties)
    }()
}

public struct DocsListResult: Codable, Sendable {
    public var documents: [DocumentSummary]
    public var nextCursor: Int64?

    public init(documents: [DocumentSummary], nextCursor: Int64?) {
        self.documents = documents
        self.nextCursor = nextCursor
    }
}

/// One search hit: the document and a snippet with the matches in [brackets].
public struct DocsSearchHit: Codable, Sendable, Equatable {
    public var document: DocumentSummary
    public var snippet: String
    /// FTS5's bm25 rank: smaller is better.
    public var rank: Double

    public init(document: DocumentSummary, snippet: String, rank: Double) {
        self.document = document
        self.snippet = snippet
        self.rank = rank
    }

    public static let schema = Schema.object([
        "document": DocumentSummary.schema, "snippet": Schema.string, "rank": Schema.number,
    ])
}

public struct DocsSearchResult: Codable, Sendable {
    public var hits: [DocsSearchHit]

    public init(hits: [DocsSearchHit]) { self.hits = hits }
}
