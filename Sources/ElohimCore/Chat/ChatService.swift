public import ElohimProtocol
import Foundation
import Synchronization

/// Chat's behaviour over the store and a model provider: sending a message (history trimmed to
/// the model's context, reply streamed) and the token meter.
///
/// A reply is stored only when it finished: if the runtime fails or dies mid-stream, the
/// user's message stays, no partial reply is written, and the session can be used again.
public struct ChatService: Sendable {
    /// Knobs with their defaults.
    public struct Configuration: Sendable {
        /// Longest reply asked for, in tokens (also bounded by what is left of the context).
        public var maxReplyTokens = 1024
        /// Longest message accepted, in characters.
        public var maxMessageCharacters = 1_000_000
        /// Tokens a chat template adds around each turn, counted when fitting the history.
        public var perTurnOverhead = 8

        public init() {}
    }

    public let store: ChatStore
    let provider: any ChatModelProvider
    let defaultModel: @Sendable () -> String?
    let configuration: Configuration

    /// - Parameter defaultModel: the model of sessions without their own (read on every call,
    ///   so a configuration reload or setup takes effect at once).
    public init(
        store: ChatStore, provider: any ChatModelProvider, configuration: Configuration = Configuration(),
        defaultModel: @escaping @Sendable () -> String?
    ) {
        self.store = store
        self.provider = provider
        self.configuration = configuration
        self.defaultModel = defaultModel
    }

    public var currentDefaultModel: String? { defaultModel() }

    /// Stores `content` as the user's message, asks the session's model for a reply (streamed
    /// through `onDelta` with its index) and stores that.
    public func send(
        session id: Int64, uid: UInt32, content: String,
        onDelta: @escaping @Sendable (_ userMessageID: Int64, _ delta: String, _ index: Int) async -> Void
    ) async throws -> ChatSendResult {
        guard !content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ChatError.badInput("content", "the message is empty; write something to send")
        }
        guard content.count <= configuration.maxMessageCharacters else {
            throw ChatError.badInput(
                "content", "the message has \(content.count) characters; the limit is \(configuration.maxMessageCharacters)")
        }
        guard !content.contains("\u{0}") else {
            throw ChatError.badInput("content", "the message contains a NUL character; remove it and send again")
        }
        let session = try store.session(id, uid: uid)
        let model = session.activeModel ?? defaultModel()
        let userMessage = try store.appendUserMessage(session: id, uid: uid, content: content)
        guard let model else { throw ChatError.noModel(id) }

        let limit = try await runtimeCall(model) { try await provider.contextLimit(model: model) }
        let history = try store.history(session: id, uid: uid)
        let fit = try await fitHistory(history, model: model, limit: limit)
        try store.recordTokens(fit.counted)

        let counter = DeltaCounter()
        let replyTo = userMessage.id
        // SQLite text stops at NUL: a model that emits one has it removed from the pieces and
        // the stored reply alike, so the streamed pieces still add up to what is stored.
        var completion = try await runtimeCall(model) {
            try await provider.complete(model: model, turns: fit.turns, maxTokens: fit.replyTokens) { delta in
                let clean = delta.replacingOccurrences(of: "\u{0}", with: "")
                if !clean.isEmpty { await onDelta(replyTo, clean, counter.next()) }
            }
        }
        completion.content = completion.content.replacingOccurrences(of: "\u{0}", with: "")
        let reply = try store.appendReply(
            session: id, uid: uid, completion: completion, contextLimit: limit, droppedTurns: fit.dropped)
        return ChatSendResult(
            userMessage: userMessage, message: reply, model: completion.model,
            usage: ChatUsageInfo(promptTokens: completion.usage.promptTokens, completionTokens: completion.usage.completionTokens),
            droppedTurns: fit.dropped, finishReason: completion.finishReason, tokens: try await tokenCount(session: id, uid: uid))
    }

    /// The session's token totals and how full the next turn's context is.
    public func tokenCount(session id: Int64, uid: UInt32) async throws -> ChatTokenCount {
        let (session, totals) = try store.totals(session: id, uid: uid)
        let model = session.activeModel ?? defaultModel()
        var limit: Int?
        if let model {
            if totals.lastModel == model, let stored = totals.lastContextLimit {
                limit = stored
            } else {
                limit = await provider.knownContextLimit(model: model)
            }
        }
        return ChatTokenCount(
            sessionId: id, promptTokens: totals.promptTokens, completionTokens: totals.completionTokens,
            totalTokens: totals.promptTokens + totals.completionTokens, model: model,
            context: TokenMeter.meter(used: totals.lastUsed, limit: limit))
    }

    /// The newest turns that fit `limit` with room for a reply, and how many older ones were left out.
    /// Token counts it had to ask the runtime for come back in `counted` (message id → tokens), to be stored.
    func fitHistory(_ history: [ChatStore.Message], model: String, limit: Int) async throws -> (
        turns: [ChatTurn], dropped: Int, counted: [Int64: Int], replyTokens: Int
    ) {
        let reserve = min(configuration.maxReplyTokens, max(limit / 16, 16))
        let budget = limit - reserve
        if let bound = Self.upperBound(history, model: model, overhead: configuration.perTurnOverhead), bound <= budget {
            // Everything fits for sure: no need to ask the runtime to count anything.
            var turns = history.map { ChatTurn(role: $0.info.role, content: $0.info.content) }
            while turns.first?.role == "assistant" { turns.removeFirst() }
            return (turns, history.count - turns.count, [:], max(reserve, min(configuration.maxReplyTokens, limit - bound)))
        }
        var tokens: [Int64: Int] = [:]
        var counted: [Int64: Int] = [:]
        for message in history {
            if let known = message.tokens {
                tokens[message.info.id] = known
            } else {
                let count = try await runtimeCall(model) { try await provider.tokenCount(model: model, text: message.info.content) }
                tokens[message.info.id] = count
                counted[message.info.id] = count
            }
        }
        let overhead = Self.templateOverhead(history, tokens: tokens, model: model) ?? configuration.perTurnOverhead
        var kept: [ChatStore.Message] = []
        var used = overhead
        for message in history.reversed() {
            let cost = tokens[message.info.id, default: 0] + overhead
            if used + cost > budget {
                if kept.isEmpty { throw ChatError.contextTooSmall(model: model, limit: limit, needed: cost + reserve) }
                break
            }
            used += cost
            kept.append(message)
        }
        kept.reverse()
        // A conversation sent to a model starts with the user speaking.
        while let first = kept.first, first.info.role == "assistant" { kept.removeFirst() }
        return (kept.map { ChatTurn(role: $0.info.role, content: $0.info.content) }, history.count - kept.count, counted,
            max(reserve, min(configuration.maxReplyTokens, limit - used)))
    }

    /// A ceiling on the prompt of the whole history without tokenizing: the latest reply by
    /// `model` that left nothing out counted everything before it exactly (its prompt); it and
    /// later messages count at most one token per UTF-8 byte, plus `overhead` per turn. Nil
    /// when there is no such reply and more than one message (a first message is bounded by its bytes).
    static func upperBound(_ history: [ChatStore.Message], model: String, overhead: Int) -> Int? {
        var base = 0
        var rest = history[...]
        if let index = history.lastIndex(where: { $0.info.role == "assistant" }) {
            let reply = history[index].info
            guard reply.model == model, reply.droppedTurns == 0, let prompt = reply.promptTokens else { return nil }
            // The reply as text may tokenize into more pieces than were generated; never more than its bytes.
            base = prompt + max(reply.completionTokens ?? 0, reply.content.utf8.count) + overhead
            rest = history[(index + 1)...]
        }
        return rest.reduce(base + overhead) { $0 + $1.info.content.utf8.count + overhead }
    }

    /// What the model's chat template adds per turn, learnt from the latest reply by `model`:
    /// its prompt_tokens minus the tokens of the turns that were sent, spread over those turns
    /// (rounded up). Nil when there is no such reply yet.
    static func templateOverhead(_ history: [ChatStore.Message], tokens: [Int64: Int], model: String) -> Int? {
        guard let index = history.lastIndex(where: { $0.info.role == "assistant" && $0.info.model == model }),
            let prompt = history[index].info.promptTokens
        else { return nil }
        var sent = Array(history[history.startIndex..<index].dropFirst(history[index].info.droppedTurns))
        while let first = sent.first, first.info.role == "assistant" { sent.removeFirst() }
        guard !sent.isEmpty else { return nil }
        let content = sent.reduce(0) { $0 + tokens[$1.info.id, default: 0] }
        let extra = max(0, prompt - content)
        // One more share for the generation prompt and BOS, which the next request also carries.
        return (extra + sent.count) / (sent.count + 1)
    }

    /// Runs a provider call, turning anything that is not already a user-facing error into one.
    private func runtimeCall<T: Sendable>(_ model: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as any DomainError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ChatRuntimeError.failed(model: model, "\(error)")
        }
    }
}

/// Numbers the streamed pieces of one reply.
private final class DeltaCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}
