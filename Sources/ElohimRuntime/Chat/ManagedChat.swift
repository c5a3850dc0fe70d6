public import ElohimCore
import ElohimProtocol

/// Chat's provider in the daemon: models named in `chat_runtimes` go to llama.cpp servers the
/// user runs; every other name goes through the model manager, which resolves it in the
/// inventory and loads it on demand (fit-checked) in a supervised llama.cpp server.
public struct ManagedChat: ChatModelProvider {
    let manager: ModelManager
    let external: LlamaServerChat
    let externalNames: @Sendable () -> Set<String>
    let http: HTTPClient

    public init(
        manager: ModelManager, external: LlamaServerChat, http: HTTPClient = HTTPClient(),
        externalNames: @escaping @Sendable () -> Set<String>
    ) {
        self.manager = manager
        self.external = external
        self.http = http
        self.externalNames = externalNames
    }

    private func isExternal(_ model: String) -> Bool { externalNames().contains(model) }

    public func contextLimit(model: String) async throws -> Int {
        if isExternal(model) { return try await external.contextLimit(model: model) }
        return try await manager.ensureLoaded(model).context
    }

    /// The loaded runtime's n_ctx, else the context the model would be loaded with (from its metadata).
    public func knownContextLimit(model: String) async -> Int? {
        if isExternal(model) { return await external.knownContextLimit(model: model) }
        guard let info = try? await manager.inventory.lookup(model) else { return nil }
        if let loaded = await manager.runtime.loaded().first(where: { $0.path == info.path && $0.state == .ready }) {
            return loaded.context
        }
        return manager.estimator.estimate(info, context: nil).context
    }

    public func tokenCount(model: String, text: String) async throws -> Int {
        if isExternal(model) { return try await external.tokenCount(model: model, text: text) }
        let loaded = try await manager.ensureLoaded(model)
        guard let port = loaded.port else {
            // A runtime without a tokenizer endpoint: about four bytes a token.
            return text.utf8.count / 4 + 1
        }
        let request = HTTPRequest(
            method: "POST", target: HTTPTarget(host: "127.0.0.1", port: port, path: "/tokenize"),
            headers: [HTTPHeader("Content-Type", "application/json")], body: JSONWriter.bytes(["content": .string(text)]))
        let response: HTTPResponse
        do {
            response = try await http.execute(request, timeout: .seconds(30))
        } catch let error as HTTPClientError {
            throw ChatRuntimeError.runtimeDown(model: model, error.description)
        }
        guard response.status == 200, let tokens = try? JSONParser.parse(try await response.collect(upTo: 16 << 20))["tokens"]?.arrayValue
        else {
            throw ChatRuntimeError.failed(model: model, "/tokenize answered \(response.status)")
        }
        return tokens.count
    }

    public func complete(
        model: String, turns: [ChatTurn], maxTokens: Int, onDelta: @escaping @Sendable (String) async -> Void
    ) async throws -> ChatCompletion {
        if isExternal(model) {
            return try await external.complete(model: model, turns: turns, maxTokens: maxTokens, onDelta: onDelta)
        }
        var completion: ChatCompletion
        do {
            completion = try await manager.chat(model: model, messages: turns, maxTokens: maxTokens, onDelta: onDelta)
        } catch let error as HTTPClientError {
            throw error.kind == .connect
                ? ChatRuntimeError.runtimeDown(model: model, error.description)
                : ChatRuntimeError.failed(model: model, "the reply broke off: \(error)")
        }
        guard completion.finishReason != nil, completion.usage.promptTokens > 0 else {
            throw ChatRuntimeError.failed(model: model, "the runtime stopped in the middle of the reply")
        }
        // Stored under the name the session uses, whatever the runtime calls it.
        completion.model = model
        return completion
    }
}
