public import ElohimProtocol
import Foundation
import GRDB

extension LocalLibrary {
    /// A document's list columns: tags aggregated and embedding chunks counted in the same
    /// statement (no query per row), from `documents AS d`. Tags are joined with U+001F (unit
    /// separator), which a tag cannot contain (control characters are refused).
    static let documentColumns = """
        d.id, d.title, d.size_bytes, d.created_at, d.updated_at,
        (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM document_tags WHERE document_id = d.id ORDER BY tag)) AS tags,
        (SELECT count(*) FROM \(LibraryStore.embeddingsSchema).document_embeddings AS e WHERE e.document_id = d.id) AS embeddings
        """

    static func documentSummary(_ row: Row) -> DocumentSummary {
        let joined: String? = row["tags"]
        let tags = joined.map { $0.split(separator: "\u{1F}").map(String.init) } ?? []
        return DocumentSummary(
            id: row["id"], title: row["title"], tags: tags, sizeBytes: row["size_bytes"], embeddings: row["embeddings"],
            createdAt: row["created_at"], updatedAt: row["updated_at"], context: .local)
    }

    /// The most tags a document may have, and their longest length.
    static let maxTags = 32
    static let maxTagLength = 64
    static let maxTitleLength = 500

    /// Creates a document. Content is any UTF-8 text up to `configuration.maxDocumentBytes`.
    public func createDocument(title: String, content: String, tags: [String] = []) throws -> Document {
        let title = try Self.label(title, field: "title", maxLength: Self.maxTitleLength)
        try checkContent(content)
        let tags = try Self.normalisedTags(tags)
        return try database.write { db in
            let now = Timestamp.now()
            let id = try scope.insert(
                db, into: .documents,
                [
                    "title": title, "content": content, "size_bytes": content.utf8.count, "created_at": now,
                    "updated_at": now,
                ])
            try Self.replaceTags(db, id: id, tags)
            return try fetchDocument(db, id: id)
        }
    }

    /// One document with its content.
    public func document(_ id: Int64) throws -> Document {
        try database.read { db in try fetchDocument(db, id: id) }
    }

    /// A page of documents, newest first, in one statement whatever the page size.
    /// - Parameters:
    ///   - before: the previous page's `next_cursor`.
    ///   - tag: only documents carrying this tag.
    public func listDocuments(limit: Int? = nil, before: Int64? = nil, tag: String? = nil) throws -> DocsListResult {
        let result = try page(
            .documents, as: "d", columns: Self.documentColumns, limit: limit, before: before,
            filter: tag.map { ("d.id IN (SELECT document_id FROM document_tags WHERE tag = ?)", [$0]) },
            decode: Self.documentSummary, id: \.id)
        return DocsListResult(documents: result.items, nextCursor: result.next)
    }

    /// Changes the fields given; the others stay. Tags given replace the old ones.
    public func updateDocument(_ id: Int64, title: String? = nil, content: String? = nil, tags: [String]? = nil) throws -> Document {
        var assignments = ["updated_at = ?"]
        var arguments: StatementArguments = [Timestamp.now()]
        if let title {
            assignments.append("title = ?")
            arguments += [try Self.label(title, field: "title", maxLength: Self.maxTitleLength)]
        }
        if let content {
            try checkContent(content)
            assignments.append("content = ?")
            assignments.append("size_bytes = ?")
            arguments += [content, content.utf8.count]
        }
        let tags = try tags.map(Self.normalisedTags)
        arguments += [id]
        return try database.write { [assignments, arguments] db in
            let changed = try scope.update(db, .documents, set: assignments.joined(separator: ", "), where: "id = ?", arguments: arguments)
            guard changed == 1 else { throw Self.documentNotFound(id) }
            if let tags { try Self.replaceTags(db, id: id, tags) }
            return try fetchDocument(db, id: id)
        }
    }

    /// Appends `text` to a document's content (workflows' `append_document`).
    public func appendToDocument(_ id: Int64, text: String) throws -> Document {
        try database.write { db in
            let current = try fetchDocument(db, id: id)
            let content = current.content + text
            try checkContent(content)
            let changed = try scope.update(
                db, .documents, set: "content = ?, size_bytes = ?, updated_at = ?", where: "id = ?",
                arguments: [content, content.utf8.count, Timestamp.now(), id])
            guard changed == 1 else { throw Self.documentNotFound(id) }
            return try fetchDocument(db, id: id)
        }
    }

    /// Deletes a document and its tags. Its embeddings stay in `embeddings.db` until the
    /// cleanup job's `deleteOrphanEmbeddings()`.
    public func deleteDocument(_ id: Int64) throws {
        try database.write { db in
            guard try scope.delete(db, from: .documents, where: "id = ?", arguments: [id]) == 1 else {
                throw Self.documentNotFound(id)
            }
        }
    }

    /// Full-text search over titles and content (FTS5, bm25 ranking), best first.
    public func searchDocuments(_ text: String, limit: Int? = nil) throws -> DocsSearchResult {
        let size = try Self.pageSize(limit ?? 20)
        let match = try Self.matchExpression(text)
        let query = scope.select(
            Self.documentColumns + ", snippet(documents_fts, -1, '[', ']', '…', 12) AS snippet, documents_fts.rank AS rank",
            from: .documents, as: "d", joining: "JOIN documents_fts ON documents_fts.rowid = d.id",
            where: "documents_fts MATCH ?", tail: "ORDER BY documents_fts.rank LIMIT ?", arguments: [match, size])
        let rows = try database.read { db in try Row.fetchAll(db, sql: query.sql, arguments: query.arguments) }
        return DocsSearchResult(
            hits: rows.map { DocsSearchHit(document: Self.documentSummary($0), snippet: $0["snippet"] ?? "", rank: $0["rank"] ?? 0) })
    }

    // MARK: - Helpers

    func fetchDocument(_ db: Database, id: Int64) throws -> Document {
        let query = scope.select(Self.documentColumns + ", d.content", from: .documents, as: "d", where: "d.id = ?", arguments: [id])
        guard let row = try Row.fetchOne(db, sql: query.sql, arguments: query.arguments) else { throw Self.documentNotFound(id) }
        return Document(summary: Self.documentSummary(row), content: row["content"])
    }

    static func documentNotFound(_ id: Int64) -> LibraryError {
        .notFound("document", .int(id), list: "elohim docs list")
    }

    func checkContent(_ content: String) throws {
        let bytes = content.utf8.count
        guard bytes <= configuration.maxDocumentBytes else {
            throw LibraryError.tooLarge(
                "content", bytes: bytes, limit: configuration.maxDocumentBytes,
                hint: "split the document, or raise library_max_document_bytes in elohimd.json")
        }
    }

    static func normalisedTags(_ tags: [String]) throws(LibraryInputError) -> [String] {
        var seen: [String] = []
        for (index, tag) in tags.enumerated() {
            let clean = try label(tag, field: "tags.\(index)", maxLength: maxTagLength)
            guard !clean.contains(",") else { throw LibraryInputError("tags.\(index)", "must not contain a comma") }
            if !seen.contains(clean) { seen.append(clean) }
        }
        guard seen.count <= maxTags else { throw LibraryInputError("tags", "must be at most \(maxTags) tags, got \(seen.count)") }
        return seen
    }

    /// Tags hang off a document this caller's scope has just inserted or updated.
    static func replaceTags(_ db: Database, id: Int64, _ tags: [String]) throws {
        try db.execute(sql: "DELETE FROM document_tags WHERE document_id = ?", arguments: [id])
        for tag in tags {
            try db.execute(sql: "INSERT INTO document_tags (document_id, tag) VALUES (?, ?)", arguments: [id, tag])
        }
    }

    /// Turns what a person typed into an FTS5 expression that cannot be a syntax error: each
    /// word quoted (all must match), a trailing `*` kept as a prefix match.
    static func matchExpression(_ text: String) throws(LibraryInputError) -> String {
        var terms: [String] = []
        for word in text.split(whereSeparator: { $0.isWhitespace }) {
            var word = String(word)
            let prefix = word.hasSuffix("*")
            while word.hasSuffix("*") { word.removeLast() }
            let quoted = "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            if !word.isEmpty { terms.append(prefix ? quoted + "*" : quoted) }
        }
        guard !terms.isEmpty else { throw LibraryInputError("query", "must contain at least one word") }
        guard terms.count <= 32 else { throw LibraryInputError("query", "must be at most 32 words, got \(terms.count)") }
        return terms.joined(separator: " ")
    }
}
