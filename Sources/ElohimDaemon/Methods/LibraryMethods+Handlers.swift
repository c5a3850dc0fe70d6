import ElohimCore
import ElohimProtocol

extension MethodTable {
    /// `docs.*`, `vault.*` and `workflows.*`: the caller's local library. Writes are published
    /// on the `library` topic (ids only, never content) and vault access is audited.
    mutating func registerLibraryMethods(_ library: LibraryServices, security: SecurityServices, events: EventBus) {
        let running = library.running
        events.setSnapshot(for: .library) { running.snapshot }
        registerDocsMethods(library, security: security, events: events)
        registerVaultMethods(library, security: security)
        registerWorkflowsMethods(library, security: security, events: events)
    }

    private mutating func registerDocsMethods(_ library: LibraryServices, security: SecurityServices, events: EventBus) {
        @Sendable func changed(_ type: String, _ id: Int64, _ context: RequestContext) {
            events.publish(.library, type: type, data: ["id": .int(id), "user_id": .int(Int64(context.peer.uid)), "context": "local"])
        }
        register(DocsMethods.create) { context, params in
            let document = try await library.checked {
                try library.local(context).createDocument(title: params.title, content: params.content, tags: params.tags ?? [])
            }
            changed("document.created", document.id, context)
            security.audit.record(
                AuditEvent(
                    "document.created", action: "create", actor: context.auditActor, resourceType: "document",
                    resourceID: String(document.id), details: ["size_bytes": .int(document.sizeBytes), "context": "local"]))
            return document
        }
        register(DocsMethods.get) { context, params in
            try library.local(context).document(params.id)
        }
        register(DocsMethods.list) { context, params in
            try await library.checked { try library.local(context).listDocuments(limit: params.limit, before: params.before, tag: params.tag) }
        }
        register(DocsMethods.update) { context, params in
            let document = try await library.checked {
                try library.local(context).updateDocument(params.id, title: params.title, content: params.content, tags: params.tags)
            }
            changed("document.updated", document.id, context)
            return document
        }
        register(DocsMethods.delete) { context, params in
            try library.local(context).deleteDocument(params.id)
            changed("document.deleted", params.id, context)
            security.audit.record(
                AuditEvent(
                    "document.deleted", action: "delete", actor: context.auditActor, resourceType: "document",
                    resourceID: String(params.id), details: ["context": "local"]))
            return DeletedResult(id: params.id)
        }
        register(DocsMethods.search) { context, params in
            try await library.checked { try library.local(context).searchDocuments(params.query, limit: params.limit) }
        }
    }

    private mutating func registerVaultMethods(_ library: LibraryServices, security: SecurityServices) {
        @Sendable func audit(_ type: String, _ action: String, _ name: String, _ context: RequestContext) {
            security.audit.record(
                AuditEvent(type, action: action, actor: context.auditActor, resourceType: "vault_item", resourceID: name, details: ["context": "local"]))
        }
        register(VaultMethods.put) { context, params in
            let item = try await library.checked { try library.local(context).putVaultItem(name: params.name, value: params.value) }
            audit("vault.item_stored", "put", item.name, context)
            return item
        }
        register(VaultMethods.get) { context, params in
            let item = try library.local(context).vaultItem(named: params.name)
            audit("vault.item_read", "read", item.name, context)
            return item
        }
        register(VaultMethods.list) { context, params in
            try await library.checked { try library.local(context).listVaultItems(limit: params.limit, before: params.before) }
        }
        register(VaultMethods.delete) { context, params in
            let id = try library.local(context).deleteVaultItem(named: params.name)
            audit("vault.item_deleted", "delete", params.name, context)
            return DeletedResult(id: id)
        }
    }

    private mutating func registerWorkflowsMethods(_ library: LibraryServices, security: SecurityServices, events: EventBus) {
        /// Saving or running steps needs what the steps do (e.g. `docs.write` for `write_document`).
        @Sendable func requireStepPermissions(_ steps: [JSONValue], _ context: RequestContext, method: String) async throws {
            let needed = try await library.checked { try library.runner.validate(steps) }
            for permission in needed.sorted() where !security.holds(context.peer.uid, permission) {
                throw security.deny(
                    context, permission: permission, method: method,
                    message: "this workflow has a step that needs the '\(permission)' permission, which you do not hold")
            }
        }
        @Sendable func resolve(_ id: Int64?, _ name: String?, _ context: RequestContext) throws -> Workflow {
            switch (id, name) {
            case (let id?, nil): return try library.local(context).workflow(id)
            case (nil, let name?): return try library.local(context).workflow(named: name)
            default: throw RPCError.invalidParams("give exactly one of id and name", field: id == nil ? "id" : "name")
            }
        }
        register(WorkflowsMethods.create) { context, params in
            try await requireStepPermissions(params.steps, context, method: WorkflowsMethods.create.name)
            return try await library.checked {
                try library.local(context).createWorkflow(
                    name: params.name, description: params.description, steps: params.steps, runner: library.runner)
            }
        }
        register(WorkflowsMethods.get) { context, params in
            try resolve(params.id, params.name, context)
        }
        register(WorkflowsMethods.list) { context, params in
            try await library.checked { try library.local(context).listWorkflows(limit: params.limit, before: params.before) }
        }
        register(WorkflowsMethods.update) { context, params in
            if let steps = params.steps { try await requireStepPermissions(steps, context, method: WorkflowsMethods.update.name) }
            return try await library.checked {
                try library.local(context).updateWorkflow(
                    params.id, name: params.name, description: params.description, steps: params.steps, runner: library.runner)
            }
        }
        register(WorkflowsMethods.delete) { context, params in
            let workflow = try resolve(params.id, params.name, context)
            try library.local(context).deleteWorkflow(workflow.id)
            return DeletedResult(id: workflow.id)
        }
        register(WorkflowsMethods.run) { context, params in
            let workflow = try resolve(params.id, params.name, context)
            try await requireStepPermissions(workflow.steps, context, method: WorkflowsMethods.run.name)
            let result = try await library.checked {
                try await library.runner.run(workflow, inputs: params.inputs ?? [:], library: library.local(context)) { type, data in
                    library.running.note(type, data)
                    events.publish(.library, type: type, data: data)
                }
            }
            security.audit.record(
                AuditEvent(
                    "workflow.run", action: "run", actor: context.auditActor, resourceType: "workflow",
                    resourceID: String(workflow.id),
                    details: ["run_id": .string(result.runId), "status": .string(result.status), "context": "local"]))
            return result
        }
    }
}
