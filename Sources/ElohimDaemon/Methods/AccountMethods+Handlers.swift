import ElohimCore
import ElohimProtocol
import Foundation

extension MethodTable {
    /// `auth.*`, `users.*` and `setup.*`.
    mutating func registerAccountMethods(_ security: SecurityServices) {
        register(AuthMethods.effectivePermissions) { context, params in
            let uid = params.uid ?? context.peer.uid
            if uid != context.peer.uid && !security.holds(context.peer.uid, "admin.manage_users") {
                throw security.deny(
                    context, permission: "admin.manage_users", method: AuthMethods.effectivePermissions.name,
                    message: "seeing another account's permissions needs admin.manage_users")
            }
            guard let account = security.accounts.account(uid) else {
                throw RPCError.application(.notFound, "uid \(uid) has no account", detail: ["uid": .int(Int64(uid))])
            }
            let elevated = security.founder.elevatedUntil(uid) != nil
            return EffectivePermissionsResult(
                uid: uid, userName: PeerIdentity.userName(of: uid), role: account.role.rawValue,
                roleBaseline: account.role.baseline.sorted(), teamContext: ["kind": "local"],
                permissions: account.effectivePermissions(founderElevated: elevated).map {
                    PermissionEntry(key: $0.key, summary: $0.summary, category: $0.category, granted: $0.granted, source: $0.source.rawValue)
                },
                founder: security.founderState(uid), docs: SecurityServices.permissionDocs)
        }

        register(AuthMethods.founderVerify) { context, params in
            let outcome: FounderGate.Outcome
            do {
                outcome = try security.founder.verify(uid: context.peer.uid, password: params.password)
            } catch let refusal as AccountsError {
                // Not the founder, or no founder yet: still an attempt worth recording.
                try await security.audit.recordAndWait(
                    AuditEvent(
                        "founder.verify", action: "verify", actor: context.auditActor, resourceType: "founder",
                        details: ["outcome": "refused", "reason": .string(refusal.message)]))
                throw refusal
            }
            var details: [String: JSONValue] = [:]
            switch outcome {
            case .elevated(let until):
                details = ["outcome": "success", "until": .string(Timestamp.format(until))]
            case .wrongPassword(let failures, let retryAfter):
                details = ["outcome": "wrong_password", "failures": .int(Int64(failures)), "retry_after_ms": .int(retryAfter.milliseconds)]
            case .throttled(let retryAfter):
                details = ["outcome": "throttled", "retry_after_ms": .int(retryAfter.milliseconds)]
            }
            // Committed before answering: a verification must never go unrecorded.
            try await security.audit.recordAndWait(
                AuditEvent("founder.verify", action: "verify", actor: context.auditActor, resourceType: "founder", details: .object(details)))
            switch outcome {
            case .elevated:
                return security.founderState(context.peer.uid)
            case .wrongPassword(let failures, let retryAfter):
                throw RPCError.application(
                    .forbidden, "wrong founder password (failure \(failures)); the next attempt is possible in \(retryAfter.wholeSecondsUp) s",
                    detail: ["failures": .int(Int64(failures)), "retry_after_ms": .int(retryAfter.milliseconds)])
            case .throttled(let retryAfter):
                throw RPCError.application(
                    .throttled, "too many wrong founder passwords; try again in \(retryAfter.wholeSecondsUp) s",
                    detail: ["retry_after_ms": .int(retryAfter.milliseconds)])
            }
        }

        register(AuthMethods.founderDrop) { context, _ in
            security.founder.drop(context.peer.uid)
            security.audit.record(AuditEvent("founder.drop", action: "drop", actor: context.auditActor, resourceType: "founder"))
            return security.founderState(context.peer.uid)
        }

        register(UsersMethods.list) { _, _ in
            UsersListResult(accounts: security.accounts.all().map(security.info))
        }

        register(UsersMethods.add) { context, params in
            let role = try SecurityServices.role(params.role)
            if role.isAdministrative {
                try security.requireFounder(context, for: "creating a \(role.rawValue) account", method: UsersMethods.add.name)
            }
            let account = try security.accounts.add(uid: params.uid, role: role, by: context.peer.uid)
            try await security.audit.recordAndWait(
                AuditEvent(
                    "account.created", action: "create", actor: context.auditActor, resourceType: "account",
                    resourceID: String(params.uid), details: ["role": .string(role.rawValue)]))
            return security.info(account)
        }

        register(UsersMethods.setRole) { context, params in
            let role = try SecurityServices.role(params.role)
            guard let current = security.accounts.account(params.uid) else {
                throw RPCError.application(.notFound, "uid \(params.uid) has no account", detail: ["uid": .int(Int64(params.uid))])
            }
            if current.role.isAdministrative || role.isAdministrative {
                try security.requireFounder(context, for: "changing an admin's role, or making an admin,", method: UsersMethods.setRole.name)
            }
            let change = try security.accounts.setRole(uid: params.uid, role: role)
            try await security.audit.recordAndWait(
                AuditEvent(
                    "role.changed", action: "update", actor: context.auditActor, resourceType: "account",
                    resourceID: String(params.uid),
                    details: ["from": .string(change.before.role.rawValue), "to": .string(role.rawValue)]))
            return security.info(change.after)
        }

        let overrides: [(MethodSpec<UserPermissionParams, AccountInfo>, DecisionSource?, String)] = [
            (UsersMethods.grant, .grant, "permission.granted"),
            (UsersMethods.revoke, .revoke, "permission.revoked"),
            (UsersMethods.reset, nil, "permission.reset"),
        ]
        for (spec, effect, eventType) in overrides {
            register(spec) { context, params in
                if let target = security.accounts.account(params.uid), target.role.isAdministrative, params.uid != context.peer.uid {
                    try security.requireFounder(context, for: "changing an admin's permissions", method: spec.name)
                }
                let account = try security.accounts.setOverride(uid: params.uid, permission: params.permission, effect: effect)
                try await security.audit.recordAndWait(
                    AuditEvent(
                        eventType, action: effect?.rawValue ?? "reset", actor: context.auditActor, resourceType: "account",
                        resourceID: String(params.uid), details: ["permission": .string(params.permission)]))
                return security.info(account)
            }
        }

        register(UsersMethods.remove) { context, params in
            if let target = security.accounts.account(params.uid), target.role.isAdministrative {
                try security.requireFounder(context, for: "removing an admin account", method: UsersMethods.remove.name)
            }
            guard params.uid != security.ownerUID && params.uid != 0 else {
                throw RPCError.application(
                    .conflict, "uid \(params.uid) is the daemon's owner (or root) and always has an account",
                    detail: ["uid": .int(Int64(params.uid))])
            }
            let removed = try security.accounts.remove(uid: params.uid)
            try await security.audit.recordAndWait(
                AuditEvent(
                    "account.removed", action: "delete", actor: context.auditActor, resourceType: "account",
                    resourceID: String(params.uid), details: ["role": .string(removed.role.rawValue)]))
            return security.info(removed)
        }

        register(SetupMethods.status) { _, _ in
            try security.setup.status().result
        }

        register(SetupMethods.complete) { context, params in
            let uid = context.peer.uid
            guard uid == security.ownerUID || uid == 0 else {
                throw RPCError.application(
                    .forbidden, "only the daemon's owner (uid \(security.ownerUID)) or root may complete setup",
                    detail: ["owner_uid": .int(Int64(security.ownerUID))])
            }
            if let problem = FounderPassword.problem(with: params.founderPassword) {
                throw RPCError.invalidParams(problem, field: "founder_password")
            }
            if let model = params.defaultModel, model.count > ChatStore.maxModelNameLength {
                throw RPCError.invalidParams(
                    "default_model must be at most \(ChatStore.maxModelNameLength) characters, got \(model.count)", field: "default_model")
            }
            let hash = try FounderPassword.hash(params.founderPassword)
            let status = try security.setup.complete(by: uid, passwordHash: hash, defaultModel: params.defaultModel)
            try await security.audit.recordAndWait(
                AuditEvent(
                    "setup.completed", action: "complete", actor: context.auditActor, resourceType: "setup",
                    details: ["founder_uid": .int(Int64(uid)), "default_model": params.defaultModel.map { .string($0) } ?? .null]))
            return status.result
        }
    }
}

extension SetupState.Status {
    var result: SetupStatusResult {
        SetupStatusResult(
            completed: completed, completedAt: completedAt, completedBy: completedBy, founderUid: founderUid,
            defaultModel: defaultModel)
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
    var wholeSecondsUp: Int64 { (milliseconds + 999) / 1000 }
}
