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
    /// The memory the runtime itself reports the model occupies (Ollama's `/api/ps` `size`),
    /// for runtimes whose process is not ours to measure.
    public var residentBytes: UInt64?
    /// Of that, the part in GPU memory (Ollama's `size_vram`).
    public var vramBytes: UInt64?
    /// When the runtime will unload it on its own (Ollama's `expires_at`); nil when pinned or unknown.
    public var expiresAt: String?

    public init(
        path: String, context: Int, state: State, pid: Int32? = nil, port: Int? = nil, error: String? = nil, restarts: Int = 0,
        residentBytes: UInt64? = nil, vramBytes: UInt64? = nil, expiresAt: String? = nil
    ) {
        self.path = path
        self.context = context
        self.state = state
        self.pid = pid
        self.port = port
        self.error = error
        self.restarts = restarts
        self.residentBytes = residentBytes
        self.vramBytes = vramBytes
        self.expiresAt = expiresAt
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
    /// Loads `model` and, when `pin`, keeps it loaded until `unload` (hot slots). Runtimes whose
    /// models stay loaded anyway (a supervised process) need not implement it.
    func load(_ model: ModelInfo, context: Int, pin: Bool) async throws -> LoadedModel
}

extension ModelRuntime {
    public func load(_ model: ModelInfo, context: Int, pin: Bool) async throws -> LoadedModel {
        try await load(model, context: context)
    }
}
