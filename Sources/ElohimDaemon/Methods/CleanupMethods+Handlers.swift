import ElohimCore
import ElohimProtocol

extension MethodTable {
    /// `admin.cleanup_run` and `admin.cleanup_status`.
    mutating func registerCleanupMethods(_ cleanup: CleanupSchedule, audit: AuditWriter) {
        register(CleanupMethods.run) { context, params in
            let dryRun = params.dryRun ?? false
            let result = try await cleanup.runNow(trigger: .manual, dryRun: dryRun)
            audit.record(result.auditEvent(actor: context.auditActor))
            return result
        }

        register(CleanupMethods.status) { _, params in
            let history = params.history ?? 10
            guard (0...100).contains(history) else {
                throw RPCError.invalidParams("history must be 0 to 100", field: "history")
            }
            return try cleanup.status(history: history)
        }
    }
}
