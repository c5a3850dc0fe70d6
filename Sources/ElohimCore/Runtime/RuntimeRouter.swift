/// Several runtimes behind one: a model path `scheme:name` (`ollama:llama3.2:latest`) goes to
/// the runtime registered for `scheme`, every other path (a GGUF file) to the default one.
public struct RuntimeRouter: ModelRuntime {
    public let fallback: any ModelRuntime
    public let schemes: [String: any ModelRuntime]

    public init(default fallback: any ModelRuntime, schemes: [String: any ModelRuntime] = [:]) {
        self.fallback = fallback
        self.schemes = schemes
    }

    /// The runtime serving `path`.
    public func runtime(for path: String) -> any ModelRuntime {
        guard !path.hasPrefix("/"), let colon = path.firstIndex(of: ":"), let runtime = schemes[String(path[..<colon])] else {
            return fallback
        }
        return runtime
    }

    public func load(_ model: ModelInfo, context: Int) async throws -> LoadedModel {
        try await runtime(for: model.path).load(model, context: context)
    }

    public func load(_ model: ModelInfo, context: Int, pin: Bool) async throws -> LoadedModel {
        try await runtime(for: model.path).load(model, context: context, pin: pin)
    }

    public func unload(path: String) async {
        await runtime(for: path).unload(path: path)
    }

    public func loaded() async -> [LoadedModel] {
        var all = await fallback.loaded()
        for scheme in schemes.keys.sorted() { all += await schemes[scheme]!.loaded() }
        return all
    }

    public func chat(
        path: String, messages: [ChatTurn], maxTokens: Int?, onDelta: @escaping @Sendable (String) async -> Void
    ) async throws -> ChatCompletion {
        try await runtime(for: path).chat(path: path, messages: messages, maxTokens: maxTokens, onDelta: onDelta)
    }

    public func shutdown() async {
        await fallback.shutdown()
        for runtime in schemes.values { await runtime.shutdown() }
    }
}
