import ElohimCore
import ElohimProtocol
import Foundation

extension MethodTable {
    /// `chat.*`. Every handler passes the caller's uid down: a user reaches only their own sessions.
    /// - Parameter checkFit: throws (`memory_limit` with the fit result, `not_found`) when the
    ///   model may not be switched to; the Bool is `force`.
    mutating func registerChatMethods(
        _ chat: ChatService, events: EventBus, audit: AuditWriter,
        checkFit: @escaping @Sendable (_ model: String, _ force: Bool) async throws -> Void = { _, _ in }
    ) {
        let store = chat.store

        /// Tells the owner's meters (`chat` topic; nobody else's) where the session's token count stands.
        @Sendable func publish(_ tokens: ChatTokenCount, uid: UInt32) {
            var data = (try? RPCCoding.json(tokens)) ?? [:]
            if case .object(var members) = data {
                members["user_id"] = .int(Int64(uid))
                data = .object(members)
            }
            events.publish(.chat, type: "chat.tokens", data: data, audience: uid)
        }

        register(ChatMethods.create) { context, params in
            try store.create(uid: context.peer.uid, title: params.title, model: params.model)
                .info(defaultModel: chat.currentDefaultModel)
        }

        register(ChatMethods.list) { context, params in
            let limit = params.limit ?? 100
            let offset = params.offset ?? 0
            guard (1...500).contains(limit) else { throw RPCError.invalidParams("limit must be 1 to 500", field: "limit") }
            guard offset >= 0 else { throw RPCError.invalidParams("offset must be 0 or more", field: "offset") }
            let page = try store.list(uid: context.peer.uid, limit: limit, offset: offset, archived: params.archived == true)
            let model = chat.currentDefaultModel
            return ChatListResult(sessions: page.sessions.map { $0.info(defaultModel: model) }, total: page.total)
        }

        register(ChatMethods.get) { context, params in
            let limit = params.limit ?? 50
            guard (1...500).contains(limit) else { throw RPCError.invalidParams("limit must be 1 to 500", field: "limit") }
            let page = try store.messages(session: params.sessionId, uid: context.peer.uid, limit: limit, before: params.before)
            return ChatGetResult(
                session: page.session.info(defaultModel: chat.currentDefaultModel), messages: page.messages,
                nextBefore: page.nextBefore)
        }

        register(ChatMethods.rename) { context, params in
            try store.rename(params.sessionId, uid: context.peer.uid, title: params.title)
                .info(defaultModel: chat.currentDefaultModel)
        }

        register(ChatMethods.delete) { context, params in
            let count = try store.delete(params.sessionId, uid: context.peer.uid)
            audit.record(
                AuditEvent(
                    "chat.session_deleted", action: "delete", actor: context.auditActor, resourceType: "chat_session",
                    resourceID: String(params.sessionId), details: ["messages": .int(Int64(count))]))
            return ChatDeleteResult(sessionId: params.sessionId, deletedMessages: count)
        }

        register(ChatMethods.restore) { context, params in
            let session = try store.restore(params.sessionId, uid: context.peer.uid)
            audit.record(
                AuditEvent(
                    "chat.session_restored", action: "restore", actor: context.auditActor, resourceType: "chat_session",
                    resourceID: String(params.sessionId), details: ["messages": .int(Int64(session.messageCount))]))
            return session.info(defaultModel: chat.currentDefaultModel)
        }

        register(ChatMethods.setModel) { context, params in
            let model = params.model?.trimmingCharacters(in: .whitespaces)
            if let model, model.isEmpty {
                throw RPCError.invalidParams("model is empty; give a model name or null for the default", field: "model")
            }
            _ = try store.session(params.sessionId, uid: context.peer.uid)
            if let model { try await checkFit(model, params.force ?? false) }
            let session = try store.setModel(params.sessionId, uid: context.peer.uid, model: model)
            publish(try await chat.tokenCount(session: params.sessionId, uid: context.peer.uid), uid: context.peer.uid)
            return session.info(defaultModel: chat.currentDefaultModel)
        }

        register(ChatMethods.tokenCount) { context, params in
            try await chat.tokenCount(session: params.sessionId, uid: context.peer.uid)
        }

        register(ChatMethods.send) { context, params in
            let uid = context.peer.uid
            let sessionID = params.sessionId
            do {
                let result = try await chat.send(session: sessionID, uid: uid, content: params.content) { replyTo, delta, index in
                    let notification = ChatDelta(sessionId: sessionID, replyTo: replyTo, delta: delta, index: index)
                    await context.notify(method: ChatMethods.deltaMethod, params: (try? RPCCoding.json(notification)) ?? [:])
                }
                publish(result.tokens, uid: uid)
                return result
            } catch {
                // The user's message may be stored even though the reply failed: meters refresh too.
                if let tokens = try? await chat.tokenCount(session: sessionID, uid: uid) { publish(tokens, uid: uid) }
                throw error
            }
        }
    }
}
