import ElohimProtocol

/// The steps every daemon knows: text templating and the caller's local documents.
enum BuiltInSteps {
    static let all: [any WorkflowStep] = [
        TemplateStep(), WriteDocumentStep(), AppendDocumentStep(), ReadDocumentStep(), SearchDocumentsStep(),
    ]
}

/// `template {text}`: fills in placeholders; the output is the text.
struct TemplateStep: WorkflowStep {
    let kind = "template"
    let fields = [WorkflowStepField("text")]
    let requiredPermissions: Set<String> = []

    func run(_ input: WorkflowStepInput) async throws -> WorkflowStepOutput {
        WorkflowStepOutput(text: input.required("text"))
    }
}

/// `write_document {title, content, tags?}`: creates a document; the output is its id.
struct WriteDocumentStep: WorkflowStep {
    let kind = "write_document"
    let fields = [WorkflowStepField("title"), WorkflowStepField("content"), WorkflowStepField("tags", required: false)]
    let requiredPermissions: Set<String> = ["docs.write"]

    func run(_ input: WorkflowStepInput) async throws -> WorkflowStepOutput {
        let tags = (input.fields["tags"] ?? "").split(separator: ",").map { String($0).trimmingWhitespace }.filter { !$0.isEmpty }
        let document = try input.library.createDocument(title: input.required("title"), content: input.required("content"), tags: tags)
        return WorkflowStepOutput(text: String(document.id), detail: ["document_id": .int(document.id)])
    }
}

/// `append_document {id, text}`: appends to a document; the output is its id.
struct AppendDocumentStep: WorkflowStep {
    let kind = "append_document"
    let fields = [WorkflowStepField("id"), WorkflowStepField("text")]
    let requiredPermissions: Set<String> = ["docs.write"]

    func run(_ input: WorkflowStepInput) async throws -> WorkflowStepOutput {
        let document = try input.library.appendToDocument(try input.documentID("id"), text: input.required("text"))
        return WorkflowStepOutput(
            text: String(document.id), detail: ["document_id": .int(document.id), "size_bytes": .int(document.sizeBytes)])
    }
}

/// `read_document {id}`: the output is the document's content.
struct ReadDocumentStep: WorkflowStep {
    let kind = "read_document"
    let fields = [WorkflowStepField("id")]
    let requiredPermissions: Set<String> = ["docs.read"]

    func run(_ input: WorkflowStepInput) async throws -> WorkflowStepOutput {
        let document = try input.library.document(try input.documentID("id"))
        return WorkflowStepOutput(text: document.content, detail: ["document_id": .int(document.id)])
    }
}

/// `search_documents {query, limit?}`: the output is one `id<TAB>title` line per hit, best first.
struct SearchDocumentsStep: WorkflowStep {
    let kind = "search_documents"
    let fields = [WorkflowStepField("query"), WorkflowStepField("limit", required: false)]
    let requiredPermissions: Set<String> = ["docs.read"]

    func run(_ input: WorkflowStepInput) async throws -> WorkflowStepOutput {
        var limit: Int?
        if let text = input.fields["limit"] {
            guard let value = Int(text.trimmingWhitespace) else {
                throw LibraryInputError("steps.\(input.index).limit", "must expand to a number, got '\(text.prefix(40))'")
            }
            limit = value
        }
        let hits = try input.library.searchDocuments(input.required("query"), limit: limit).hits
        return WorkflowStepOutput(
            text: hits.map { "\($0.document.id)\t\($0.document.title)" }.joined(separator: "\n"),
            detail: ["hits": .int(Int64(hits.count)), "document_ids": .array(hits.map { .int($0.document.id) })])
    }
}
