public import ElohimProtocol

/// One kind of workflow step. The library registers its built-in steps; other areas plug in
/// theirs (an engine query, a model summary) with `WorkflowRunner.register(_:)` — the runner
/// knows nothing about them beyond this protocol.
///
/// A stored step is a JSON object: `{"kind": "<kind>", "<field>": "<text>", …}`. Every field
/// is text and may hold placeholders (`{{input.NAME}}`, `{{steps.N}}`, `{{previous}}`) that the
/// runner expands before calling `run`.
public protocol WorkflowStep: Sendable {
    /// What stored steps name in `kind` (`write_document`).
    var kind: String { get }
    /// The fields the step reads.
    var fields: [WorkflowStepField] { get }
    /// Permissions the caller must hold for a workflow containing this step to be saved or run.
    var requiredPermissions: Set<String> { get }
    /// Does the work. Throw a `DomainError` or `LibraryInputError` to fail the step with its message.
    func run(_ input: WorkflowStepInput) async throws -> WorkflowStepOutput
}

/// A field a step reads.
public struct WorkflowStepField: Sendable, Equatable {
    public var name: String
    public var required: Bool

    public init(_ name: String, required: Bool = true) {
        self.name = name
        self.required = required
    }
}

/// What a step is given: its fields with placeholders expanded, and the caller's local library.
public struct WorkflowStepInput: Sendable {
    public let fields: [String: String]
    public let library: LocalLibrary
    /// 1-based position in the workflow.
    public let index: Int
    public let runID: String

    /// A field the step declared as required.
    public func required(_ name: String) -> String { fields[name] ?? "" }

    /// A field that must hold a document id.
    public func documentID(_ name: String) throws -> Int64 {
        let text = required(name).trimmingWhitespace
        guard let id = Int64(text), id > 0 else {
            throw LibraryInputError("steps.\(index).\(name)", "must expand to a document id, got '\(text.prefix(40))'")
        }
        return id
    }
}

/// What a step produced: `text` is what later steps get as `{{steps.N}}` / `{{previous}}`.
public struct WorkflowStepOutput: Sendable, Equatable {
    public var text: String
    public var detail: [String: JSONValue]

    public init(text: String, detail: [String: JSONValue] = [:]) {
        self.text = text
        self.detail = detail
    }
}

extension String {
    var trimmingWhitespace: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
