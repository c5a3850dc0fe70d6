/// `workflows.*`: stored, named sequences of steps the daemon runs, with progress events on
/// the `library` topic.
public enum WorkflowsMethods {
    public static let create = MethodSpec<WorkflowsCreateParams, Workflow>(
        "workflows.create", summary: "Store a named workflow: a list of steps, checked before it is saved.",
        access: .permission("workflows.execute"), result: Workflow.schema)

    public static let get = MethodSpec<WorkflowRefParams, Workflow>(
        "workflows.get", summary: "One of your local workflows, with its steps.",
        access: .permission("workflows.execute"), result: Workflow.schema)

    public static let list = MethodSpec<PageParams, WorkflowsListResult>(
        "workflows.list", summary: "Your local workflows, newest first, with step counts and last run; keyset-paginated.",
        access: .permission("workflows.execute"),
        result: Schema.object([
            "workflows": Schema.array(WorkflowSummary.schema), "next_cursor": Schema.nullable(Schema.integer),
        ]))

    public static let update = MethodSpec<WorkflowsUpdateParams, Workflow>(
        "workflows.update", summary: "Change a local workflow's name, description or steps.",
        access: .permission("workflows.execute"), result: Workflow.schema)

    public static let delete = MethodSpec<WorkflowRefParams, DeletedResult>(
        "workflows.delete", summary: "Delete a local workflow.",
        access: .permission("workflows.execute"), result: DeletedResult.schema)

    public static let run = MethodSpec<WorkflowsRunParams, WorkflowRunResult>(
        "workflows.run",
        summary: "Run a local workflow now, step by step, publishing `workflow.*` events on the `library` topic; answers when it ends.",
        access: .permission("workflows.execute"), result: WorkflowRunResult.schema)

    /// The step kinds this build knows, for help texts (the daemon's runner is the authority).
    public static let builtInStepKinds = ["template", "write_document", "append_document", "read_document", "search_documents"]
}

/// Names a workflow by id or by name (exactly one).
public struct WorkflowRefParams: RPCParams {
    public var id: Int64?
    public var name: String?

    public init(id: Int64? = nil, name: String? = nil) {
        self.id = id
        self.name = name
    }

    public static let fields = [
        ParamField("id", Schema.integer, summary: "The workflow's id (or give name)."),
        ParamField("name", Schema.string, summary: "The workflow's name (or give id)."),
    ]
}

public struct WorkflowsCreateParams: RPCParams {
    public var name: String
    public var description: String?
    public var steps: [JSONValue]

    public init(name: String, description: String? = nil, steps: [JSONValue]) {
        self.name = name
        self.description = description
        self.steps = steps
    }

    public static let fields = [
        ParamField("name", Schema.string, required: true, summary: "1 to 100 characters, unique among your workflows."),
        ParamField("description", Schema.string, summary: "What it is for."),
        ParamField(
            "steps", Schema.array(["type": "object"]), required: true,
            summary: "1 to 50 steps, each {\"kind\": …, …}; text fields may use {{input.NAME}}, {{steps.N}} (1-based) and {{previous}}."),
    ]
}

public struct WorkflowsUpdateParams: RPCParams {
    public var id: Int64
    public var name: String?
    public var description: String?
    public var steps: [JSONValue]?

    public init(id: Int64, name: String? = nil, description: String? = nil, steps: [JSONValue]? = nil) {
        self.id = id
        self.name = name
        self.description = description
        self.steps = steps
    }

    public static let fields = [
        ParamField("id", Schema.integer, required: true, summary: "The workflow's id."),
        ParamField("name", Schema.string, summary: "New name."),
        ParamField("description", Schema.string, summary: "New description."),
        ParamField("steps", Schema.array(["type": "object"]), summary: "New steps (replace the old)."),
    ]
}

public struct WorkflowsRunParams: RPCParams {
    public var id: Int64?
    public var name: String?
    public var inputs: [String: String]?

    public init(id: Int64? = nil, name: String? = nil, inputs: [String: String]? = nil) {
        self.id = id
        self.name = name
        self.inputs = inputs
    }

    public static let fields = WorkflowRefParams.fields + [
        ParamField(
            "inputs", ["type": "object", "additionalProperties": Schema.string],
            summary: "Values for {{input.NAME}} placeholders.")
    ]
}

/// A workflow as lists show it.
public struct WorkflowSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var description: String
    public var stepCount: Int
    public var createdAt: String
    public var updatedAt: String
    public var lastRunAt: String?
    /// `succeeded` or `failed`, or null before the first run.
    public var lastRunStatus: String?
    public var context: ResourceContext

    public init(
        id: Int64, name: String, description: String, stepCount: Int, createdAt: String, updatedAt: String,
        lastRunAt: String?, lastRunStatus: String?, context: ResourceContext
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.stepCount = stepCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.lastRunAt = lastRunAt
        self.lastRunStatus = lastRunStatus
        self.context = context
    }

    static let properties: [String: JSONValue] = [
        "id": Schema.integer, "name": Schema.string, "description": Schema.string, "step_count": Schema.integer,
        "created_at": Schema.string, "updated_at": Schema.string, "last_run_at": Schema.nullable(Schema.string),
        "last_run_status": Schema.nullable(Schema.oneOf(["succeeded", "failed"])), "context": ResourceContext.schema,
    ]
    public static let schema = Schema.object(properties)
}

/// A workflow with its steps.
public struct Workflow: Codable, Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var description: String
    public var steps: [JSONValue]
    public var stepCount: Int
    public var createdAt: String
    public var updatedAt: String
    public var lastRunAt: String?
    public var lastRunStatus: String?
    public var context: ResourceContext

    public init(summary: WorkflowSummary, steps: [JSONValue]) {
        id = summary.id
        name = summary.name
        description = summary.description
        self.steps = steps
        stepCount = summary.stepCount
        createdAt = summary.createdAt
        updatedAt = summary.updatedAt
        lastRunAt = summary.lastRunAt
        lastRunStatus = summary.lastRunStatus
        context = summary.context
    }

    public static let schema: JSONValue = {
        var properties = WorkflowSummary.properties
        properties["steps"] = Schema.array(["type": "object"])
        return Schema.object(properties)
    }()
}

public struct WorkflowsListResult: Codable, Sendable {
    public var workflows: [WorkflowSummary]
    public var nextCursor: Int64?

    public init(workflows: [WorkflowSummary], nextCursor: Int64?) {
        self.workflows = workflows
        self.nextCursor = nextCursor
    }
}

/// What one step of a run did.
public struct WorkflowStepResult: Codable, Sendable, Equatable {
    /// 1-based.
    public var index: Int
    public var kind: String
    /// `succeeded`, `failed` or `skipped` (after an earlier failure).
    public var status: String
    /// The step's text output (what {{steps.N}} expands to), cut to 4 KiB here.
    public var output: String?
    /// Facts about what the step did (e.g. `document_id`).
    public var detail: JSONValue
    public var error: String?

    public init(index: Int, kind: String, status: String, output: String?, detail: JSONValue, error: String?) {
        self.index = index
        self.kind = kind
        self.status = status
        self.output = output
        self.detail = detail
        self.error = error
    }

    public static let schema = Schema.object([
        "index": Schema.integer, "kind": Schema.string, "status": Schema.oneOf(["succeeded", "failed", "skipped"]),
        "output": Schema.nullable(Schema.string), "detail": ["type": "object"], "error": Schema.nullable(Schema.string),
    ])
}

/// The outcome of `workflows.run`.
public struct WorkflowRunResult: Codable, Sendable, Equatable {
    /// Identifies this run in the `library` topic's events.
    public var runId: String
    public var workflowId: Int64
    public var name: String
    /// `succeeded` or `failed`.
    public var status: String
    public var steps: [WorkflowStepResult]
    public var startedAt: String
    public var finishedAt: String
    public var error: String?
    public var context: ResourceContext

    public init(
        runId: String, workflowId: Int64, name: String, status: String, steps: [WorkflowStepResult], startedAt: String,
        finishedAt: String, error: String?, context: ResourceContext
    ) {
        self.runId = runId
        self.workflowId = workflowId
        self.name = name
        self.status = status
        self.steps = steps
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
        self.context = context
    }

    public static let schema = Schema.object([
        "run_id": Schema.string, "workflow_id": Schema.integer, "name": Schema.string,
        "status": Schema.oneOf(["succeeded", "failed"]), "steps": Schema.array(WorkflowStepResult.schema),
        "started_at": Schema.string, "finished_at": Schema.string, "error": Schema.nullable(Schema.string),
        "context": ResourceContext.schema,
    ])
}
