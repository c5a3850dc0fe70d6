public import ElohimProtocol
import Foundation
import GRDB

extension LocalLibrary {
    static let workflowColumns = "w.id, w.name, w.description, w.step_count, w.created_at, w.updated_at, w.last_run_at, w.last_run_status"
    static let maxWorkflowNameLength = 100
    static let maxDescriptionLength = 2000

    static func workflowSummary(_ row: Row) -> WorkflowSummary {
        WorkflowSummary(
            id: row["id"], name: row["name"], description: row["description"], stepCount: row["step_count"],
            createdAt: row["created_at"], updatedAt: row["updated_at"], lastRunAt: row["last_run_at"],
            lastRunStatus: row["last_run_status"], context: .local)
    }

    /// Stores a workflow after `runner` has checked its steps.
    public func createWorkflow(name: String, description: String?, steps: [JSONValue], runner: WorkflowRunner) throws -> Workflow {
        let name = try Self.label(name, field: "name", maxLength: Self.maxWorkflowNameLength)
        let description = try Self.description(description ?? "")
        _ = try runner.validate(steps)
        let stepsText = JSONWriter.string(.array(steps))
        return try database.write { db in
            guard try !scope.exists(db, in: .workflows, where: "t.name = ?", arguments: [name]) else {
                throw LibraryError.nameTaken("workflow", name)
            }
            let now = Timestamp.now()
            let id = try scope.insert(
                db, into: .workflows,
                [
                    "name": name, "description": description, "steps": stepsText, "step_count": steps.count, "created_at": now,
                    "updated_at": now,
                ])
            return try fetchWorkflow(db, where: "w.id = ?", [id], key: .int(id))
        }
    }

    /// A workflow by id.
    public func workflow(_ id: Int64) throws -> Workflow {
        try database.read { db in try fetchWorkflow(db, where: "w.id = ?", [id], key: .int(id)) }
    }

    /// A workflow by name.
    public func workflow(named name: String) throws -> Workflow {
        try database.read { db in try fetchWorkflow(db, where: "w.name = ?", [name], key: .string(name)) }
    }

    /// A page of workflows, newest first, in one statement.
    public func listWorkflows(limit: Int? = nil, before: Int64? = nil) throws -> WorkflowsListResult {
        let result = try page(
            .workflows, as: "w", columns: Self.workflowColumns, limit: limit, before: before, decode: Self.workflowSummary,
            id: \.id)
        return WorkflowsListResult(workflows: result.items, nextCursor: result.next)
    }

    /// Changes the fields given; new steps are checked by `runner` first.
    public func updateWorkflow(
        _ id: Int64, name: String? = nil, description: String? = nil, steps: [JSONValue]? = nil, runner: WorkflowRunner
    ) throws -> Workflow {
        var assignments = ["updated_at = ?"]
        var arguments: StatementArguments = [Timestamp.now()]
        let name = try name.map { name throws(LibraryInputError) in try Self.label(name, field: "name", maxLength: Self.maxWorkflowNameLength) }
        if let name {
            assignments.append("name = ?")
            arguments += [name]
        }
        if let description {
            assignments.append("description = ?")
            arguments += [try Self.description(description)]
        }
        if let steps {
            _ = try runner.validate(steps)
            assignments.append("steps = ?")
            assignments.append("step_count = ?")
            arguments += [JSONWriter.string(.array(steps)), steps.count]
        }
        arguments += [id]
        return try database.write { [assignments, arguments] db in
            if let name, try scope.exists(db, in: .workflows, where: "t.name = ? AND t.id <> ?", arguments: [name, id]) {
                throw LibraryError.nameTaken("workflow", name)
            }
            guard try scope.update(db, .workflows, set: assignments.joined(separator: ", "), where: "id = ?", arguments: arguments) == 1
            else { throw Self.workflowNotFound(.int(id)) }
            return try fetchWorkflow(db, where: "w.id = ?", [id], key: .int(id))
        }
    }

    /// Deletes a workflow.
    public func deleteWorkflow(_ id: Int64) throws {
        try database.write { db in
            guard try scope.delete(db, from: .workflows, where: "id = ?", arguments: [id]) == 1 else {
                throw Self.workflowNotFound(.int(id))
            }
        }
    }

    /// Remembers how the last run ended.
    func recordRun(_ id: Int64, at time: String, status: String) throws {
        try database.write { db in
            _ = try scope.update(db, .workflows, set: "last_run_at = ?, last_run_status = ?", where: "id = ?", arguments: [time, status, id])
        }
    }

    func fetchWorkflow(_ db: Database, where filter: String, _ arguments: StatementArguments, key: JSONValue) throws -> Workflow {
        let query = scope.select(Self.workflowColumns + ", w.steps", from: .workflows, as: "w", where: filter, arguments: arguments)
        guard let row = try Row.fetchOne(db, sql: query.sql, arguments: query.arguments) else { throw Self.workflowNotFound(key) }
        let steps = (try? JSONParser.parse(row["steps"] as String))?.arrayValue ?? []
        return Workflow(summary: Self.workflowSummary(row), steps: steps)
    }

    static func workflowNotFound(_ key: JSONValue) -> LibraryError {
        .notFound("workflow", key, list: "elohim workflows list")
    }

    static func description(_ text: String) throws(LibraryInputError) -> String {
        guard text.count <= maxDescriptionLength else {
            throw LibraryInputError("description", "must be at most \(maxDescriptionLength) characters, got \(text.count)")
        }
        return text
    }
}
