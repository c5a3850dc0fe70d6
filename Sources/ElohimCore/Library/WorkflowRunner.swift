public import ElohimProtocol
import Foundation
import Synchronization

/// Checks and runs workflows: a registry of step kinds (the built-ins plus whatever other
/// areas register) and the loop that runs steps in order, reporting progress.
public final class WorkflowRunner: Sendable {
    /// The most steps a workflow may have.
    public static let maxSteps = 50
    /// Step output kept in a run's result (the full text still flows to later steps).
    public static let resultOutputBytes = 4096

    private let registry: Mutex<[String: any WorkflowStep]>

    /// A runner knowing the built-in steps.
    public init() {
        registry = Mutex(Dictionary(uniqueKeysWithValues: BuiltInSteps.all.map { ($0.kind, $0) }))
    }

    /// Adds (or replaces) a step kind.
    public func register(_ step: any WorkflowStep) {
        registry.withLock { $0[step.kind] = step }
    }

    /// The step kinds known now, sorted.
    public var kinds: [String] { registry.withLock { $0.keys.sorted() } }

    /// A stored step, parsed.
    struct Parsed {
        let step: any WorkflowStep
        let templates: [String: [WorkflowTemplate.Either]]
    }

    /// Checks stored steps: known kinds, declared fields only, required ones present as text,
    /// placeholders that refer only to inputs and earlier steps.
    /// - Throws: `LibraryInputError` naming the field (`steps.2.title`).
    func parse(_ steps: [JSONValue]) throws -> [Parsed] {
        guard (1...Self.maxSteps).contains(steps.count) else {
            throw LibraryInputError("steps", "must hold 1 to \(Self.maxSteps) steps, got \(steps.count)")
        }
        let known = registry.withLock { $0 }
        return try steps.enumerated().map { offset, value in
            let index = offset + 1
            guard let object = value.objectValue else { throw LibraryInputError("steps.\(index)", "must be an object like {\"kind\": \"template\", \"text\": \"…\"}") }
            guard let kind = object["kind"]?.stringValue else { throw LibraryInputError("steps.\(index).kind", "is missing") }
            guard let step = known[kind] else {
                throw LibraryInputError("steps.\(index).kind", "'\(kind)' is not a step kind; known: \(known.keys.sorted().joined(separator: ", "))")
            }
            let names = step.fields.map(\.name)
            for key in object.keys.sorted() where key != "kind" && !names.contains(key) {
                throw LibraryInputError("steps.\(index).\(key)", "is not a field of \(kind) (fields: \(names.joined(separator: ", ")))")
            }
            var templates: [String: [WorkflowTemplate.Either]] = [:]
            for field in step.fields {
                let path = "steps.\(index).\(field.name)"
                guard let raw = object[field.name] else {
                    if field.required { throw LibraryInputError(path, "is required by \(kind)") }
                    continue
                }
                guard let text = raw.stringValue else { throw LibraryInputError(path, "must be text, got \(raw.typeName)") }
                templates[field.name] = try WorkflowTemplate.parse(text, field: path, stepIndex: index)
            }
            return Parsed(step: step, templates: templates)
        }
    }

    /// Checks stored steps (see `parse`) and returns the permissions running them needs.
    public func validate(_ steps: [JSONValue]) throws -> Set<String> {
        try parse(steps).reduce(into: Set<String>()) { $0.formUnion($1.step.requiredPermissions) }
    }

    /// The `{{input.NAME}}` names the steps use.
    func inputNames(_ parsed: [Parsed]) -> Set<String> {
        var names = Set<String>()
        for step in parsed {
            for parts in step.templates.values {
                for case .placeholder(.input(let name)) in parts { names.insert(name) }
            }
        }
        return names
    }

    /// Runs `workflow` for the owner of `library`, step by step; a failing step ends the run
    /// (later steps are `skipped`; what earlier steps wrote stays). `progress(type, data)` is
    /// called at the start, after each step and at the end.
    public func run(
        _ workflow: Workflow, inputs: [String: String], library: LocalLibrary,
        progress: @Sendable (String, JSONValue) -> Void
    ) async throws -> WorkflowRunResult {
        let parsed = try parse(workflow.steps)
        let missing = inputNames(parsed).subtracting(inputs.keys).sorted()
        guard missing.isEmpty else {
            throw LibraryInputError("inputs", "needs \(missing.map { "'\($0)'" }.joined(separator: ", ")) (the steps use {{input.…}})")
        }
        let runID = "run-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let startedAt = Timestamp.now()
        let base: [String: JSONValue] = [
            // Ids only: every holder of docs.read may follow the topic, so no names or content.
            "run_id": .string(runID), "workflow_id": .int(workflow.id), "user_id": .int(Int64(library.scope.userID)),
        ]
        progress("workflow.started", .object(base.merging(["step_count": .int(Int64(parsed.count))]) { $1 }))
        var outputs: [String] = []
        var results: [WorkflowStepResult] = []
        var failure: String?
        for (offset, item) in parsed.enumerated() {
            let index = offset + 1
            guard failure == nil else {
                results.append(WorkflowStepResult(index: index, kind: item.step.kind, status: "skipped", output: nil, detail: [:], error: nil))
                continue
            }
            do {
                var fields: [String: String] = [:]
                for (name, parts) in item.templates {
                    let text = WorkflowTemplate.expand(parts, inputs: inputs, outputs: outputs)
                    guard text.utf8.count <= library.configuration.maxDocumentBytes else {
                        throw LibraryError.tooLarge(
                            "steps.\(index).\(name)", bytes: text.utf8.count, limit: library.configuration.maxDocumentBytes,
                            hint: "the expanded text is too long")
                    }
                    fields[name] = text
                }
                let output = try await item.step.run(WorkflowStepInput(fields: fields, library: library, index: index, runID: runID))
                outputs.append(output.text)
                results.append(
                    WorkflowStepResult(
                        index: index, kind: item.step.kind, status: "succeeded", output: Self.clip(output.text),
                        detail: .object(output.detail), error: nil))
            } catch {
                failure = "step \(index) (\(item.step.kind)) failed: \(Self.describe(error))"
                results.append(
                    WorkflowStepResult(index: index, kind: item.step.kind, status: "failed", output: nil, detail: [:], error: Self.describe(error)))
            }
            let last = results[results.count - 1]
            progress(
                "workflow.step",
                .object(
                    base.merging([
                        "index": .int(Int64(index)), "kind": .string(last.kind), "status": .string(last.status),
                        "step_count": .int(Int64(parsed.count)), "error": last.error.map(JSONValue.string) ?? .null,
                    ]) { $1 }))
        }
        let status = failure == nil ? "succeeded" : "failed"
        let finishedAt = Timestamp.now()
        try? library.recordRun(workflow.id, at: finishedAt, status: status)
        progress(
            "workflow.finished",
            .object(base.merging(["status": .string(status), "error": failure.map(JSONValue.string) ?? .null]) { $1 }))
        return WorkflowRunResult(
            runId: runID, workflowId: workflow.id, name: workflow.name, status: status, steps: results, startedAt: startedAt,
            finishedAt: finishedAt, error: failure, context: workflow.context)
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as any DomainError: return error.message
        case let error as LibraryInputError: return error.description
        default: return "\(error)"
        }
    }

    static func clip(_ text: String) -> String {
        guard text.utf8.count > resultOutputBytes else { return text }
        var clipped = ""
        for character in text {
            if clipped.utf8.count + character.utf8.count > resultOutputBytes - 3 { break }
            clipped.append(character)
        }
        return clipped + "…"
    }
}
