public import ElohimCore
import ElohimProtocol
import Synchronization

/// Ollama as a runtime: its models are addressed `ollama:NAME`. Load is an empty `/api/chat`
/// with the context as `num_ctx` (and `keep_alive: -1` when pinned by a hot slot), unload is
/// `keep_alive: 0`, what is loaded and how much memory it takes come from `/api/ps`.
///
/// Every Ollama request resets the model's keep-alive, so chat requests for a pinned model send
/// `keep_alive: -1` again, and always the same `num_ctx` (another value would reload it).
public actor OllamaRuntime: ModelRuntime, RemoteModelSource {
    private struct Tracked {
        var context: Int
        var pinned: Bool
        var state: LoadedModel.State
        var error: String?
    }

    public nonisolated let client: OllamaClient
    public nonisolated let scheme = "ollama"
    public nonisolated var displayName: String { "Ollama at \(client.baseURL)" }
    /// Models loaded through this runtime, by Ollama's name.
    private var tracked: [String: Tracked] = [:]
    /// `describe`'s answers, by listed name and digest (the SHA-256 of the model's manifest).
    private nonisolated let shown = Mutex<[String: ModelInfo]>([:])

    public init(client: OllamaClient) {
        self.client = client
    }

    // MARK: RemoteModelSource

    /// `/api/tags` first: it gives the listed name ("llama3.2" is listed as "llama3.2:latest"),
    /// the size and the digest. `/api/show` makes Ollama read the model's metadata, so its answer
    /// is kept per listed name and digest, and asked again only after a pull changes the digest.
    public nonisolated func describe(_ name: String) async throws -> ModelInfo {
        let tags = (try? await client.tags()) ?? []
        let tag = tags.first { $0.name == name } ?? tags.first { $0.name == name + ":latest" }
        let key = tag.flatMap(Self.showKey)
        if let key, let known = shown.withLock({ $0[key] }) { return known }
        let details = try await client.show(name)
        let info = Self.info(path: path(of: tag?.name ?? name), details: details, sizeBytes: UInt64(clamping: tag?.sizeBytes ?? 0))
        if let key {
            // Only what Ollama still lists stays, so the cache is never larger than its model list.
            let listed = Set(tags.compactMap(Self.showKey))
            shown.withLock { known in
                known = known.filter { listed.contains($0.key) }
                known[key] = info
            }
        }
        return info
    }

    /// Two names can share a digest (aliases), and the path names the model, so both are the key.
    private static func showKey(_ tag: OllamaClient.Model) -> String? {
        tag.digest.map { "\(tag.name)@\($0)" }
    }

    /// A `ModelInfo` from `/api/show`: `model_info` carries the GGUF keys the estimate needs.
    public static func info(path: String, details: OllamaClient.Details, sizeBytes: UInt64) -> ModelInfo {
        let metadata = details.modelInfo
        let arch = metadata["general.architecture"]?.stringValue ?? details.family ?? "unknown"
        func int(_ key: String) -> Int? { metadata["\(arch).\(key)"]?.intValue.map { Int(clamping: $0) } }
        let layers = int("block_count")
        let heads = int("attention.head_count")
        var kvHeads: [Int] = []
        if let perLayer = metadata["\(arch).attention.head_count_kv"]?.arrayValue {
            kvHeads = perLayer.compactMap { $0.intValue.map { Int(clamping: $0) } }
        } else if let kv = int("attention.head_count_kv") ?? heads, let layers {
            kvHeads = Array(repeating: kv, count: layers)
        }
        let embedding = int("embedding_length")
        let headDim = embedding.flatMap { e in heads.flatMap { $0 > 0 ? e / $0 : nil } }
        let parameters = metadata["general.parameter_count"]?.intValue ?? OllamaClient.parameterCount(details.parameterSize) ?? 0
        return ModelInfo(
            path: path, name: ModelInventory.name(of: path), architecture: arch, parameterCount: UInt64(clamping: parameters),
            fileType: details.quantization ?? "unknown", fileSizeBytes: sizeBytes, weightsBytes: sizeBytes,
            contextLength: int("context_length"), blockCount: layers, headCount: heads, headCountKV: kvHeads, embeddingLength: embedding,
            keyLength: int("attention.key_length") ?? headDim, valueLength: int("attention.value_length") ?? headDim,
            feedForwardLength: int("feed_forward_length"), vocabularySize: int("vocab_size"))
    }

    // MARK: ModelRuntime

    public func load(_ model: ModelInfo, context: Int) async throws -> LoadedModel {
        try await load(model, context: context, pin: false)
    }

    public func load(_ model: ModelInfo, context: Int, pin: Bool) async throws -> LoadedModel {
        let name = ModelInventory.name(of: model.path)
        let pinned = pin || tracked[name]?.pinned == true
        tracked[name] = Tracked(context: context, pinned: pinned, state: .loading)
        do {
            try await client.load(name, keepAlive: pinned ? -1 : nil, numCtx: context)
        } catch {
            let message = (error as? any DomainError)?.message ?? "\(error)"
            if tracked[name] != nil { tracked[name]?.state = .failed; tracked[name]?.error = message }
            throw error
        }
        guard tracked[name] != nil else {
            throw RuntimeError(.failed, "the model \(name) was unloaded while loading")
        }
        tracked[name]?.state = .ready
        tracked[name]?.error = nil
        let running = try? await client.ps().first { $0.name == name }
        return LoadedModel(
            path: model.path, context: running?.contextLength ?? context, state: .ready, residentBytes: running?.sizeBytes,
            vramBytes: running?.vramBytes, expiresAt: running?.expiresAt)
    }

    public func unload(path: String) async {
        let name = ModelInventory.name(of: path)
        tracked[name] = nil
        try? await client.unload(name)
    }

    /// What Ollama has loaded (`/api/ps`), plus what this runtime loaded and Ollama no longer
    /// holds: a pinned model it dropped (restarted) shows as failed, with why.
    public func loaded() async -> [LoadedModel] {
        guard !tracked.isEmpty else { return [] }
        let running: [OllamaClient.Running]
        var down: String?
        do {
            running = try await client.ps()
        } catch {
            running = []
            down = (error as? any DomainError)?.message ?? "\(error)"
        }
        var models = running.map { model in
            LoadedModel(
                path: path(of: model.name), context: model.contextLength ?? tracked[model.name]?.context ?? 0, state: .ready,
                error: nil, residentBytes: model.sizeBytes, vramBytes: model.vramBytes,
                expiresAt: tracked[model.name]?.pinned == true ? nil : model.expiresAt)
        }
        let names = Set(running.map(\.name))
        for (name, entry) in tracked.sorted(by: { $0.key < $1.key }) where !names.contains(name) {
            switch entry.state {
            case .loading, .restarting:
                models.append(LoadedModel(path: path(of: name), context: entry.context, state: entry.state))
            case .failed:
                models.append(LoadedModel(path: path(of: name), context: entry.context, state: .failed, error: entry.error))
            case .ready where entry.pinned:
                let why = down ?? "Ollama no longer holds it (restarted, or unloaded by someone else); assign the slot again to reload it"
                models.append(LoadedModel(path: path(of: name), context: entry.context, state: .failed, error: why))
            case .ready:
                tracked[name] = nil  // its keep-alive ran out: Ollama unloaded it, as it should
            }
        }
        return models
    }

    public func chat(
        path: String, messages: [ChatTurn], maxTokens: Int?, onDelta: @escaping @Sendable (String) async -> Void
    ) async throws -> ChatCompletion {
        let name = ModelInventory.name(of: path)
        var options: [String: JSONValue] = [:]
        if let context = tracked[name]?.context { options["num_ctx"] = .int(Int64(context)) }
        if let maxTokens { options["num_predict"] = .int(Int64(maxTokens)) }
        return try await client.chat(
            name, messages: messages, options: options, keepAlive: tracked[name]?.pinned == true ? -1 : nil, onDelta: onDelta)
    }

    /// Unloads what this runtime loaded, so nothing stays pinned in Ollama after the daemon stops
    /// (the hot slots pin it again at the next start).
    public func shutdown() async {
        for name in tracked.keys.sorted() {
            try? await client.unload(name)
        }
        tracked = [:]
    }
}
