/// A model loaded (or being loaded) in a runtime.
public struct LoadedModel: Sendable, Equatable {
    public enum State: String, Sendable { case loading, ready, restarting, failed }
    public var path: String
    public var context: Int
    public var state: State
    /// The runtime's process, when it has its own.
    public var pid: Int32?
    /// Its loopback port, when it has one.
    public var port: Int?
    /// Why it failed (or last died).
    public var error: String?
    /// How many times it was restarted after dying.
    public var restarts: Int

    public init(path: String, context: Int, state: State, pid: Int32? = nil, port: Int? = nil, error: String? = nil, restarts: Int = 0) {
        self.path = path
        self.context = context
        self.state = state
        self.pid = pid
        self.port = port
        self.error = error
        self.restarts = restarts
    }
}

/// An LLM runtime (llama.cpp's server, Ollama, …) behind one interface. Models are named by
/// their file path (GGUF runtimes) or the runtime's own name (Ollama).
public protocol ModelRuntime: Sendable {
    /// Loads `model` with a `context`-token window; returns when it serves (or failed).
    func load(_ model: ModelInfo, context: Int) async throws -> LoadedModel
    /// Stops serving `path`; nothing happens if it is not loaded.
    func unload(path: String) async
    /// Everything loaded or loading.
    func loaded() async -> [LoadedModel]
    /// One chat completion from a loaded model; `onDelta` gets the text as it streams.
    func chat(
        path: String, messages: [ChatTurn], maxTokens: Int?, onDelta: @escaping @Sendable (String) async -> Void
    ) async throws -> ChatCompletion
    /// Stops everything (daemon shutdown).
    func shutdown() async
}
