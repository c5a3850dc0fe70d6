import ElohimProtocol

/// Routes a model name to its runtime: resolves it in the inventory, loads it on demand (after
/// the fit check) and chats with it. What `chat.send` uses.
public struct ModelManager: Sendable {
    public let runtime: any ModelRuntime
    public let inventory: ModelInventory
    public let estimator: MemoryEstimator
    public let fit: FitCheck
    public let memory: SystemMemoryReader

    public init(runtime: any ModelRuntime, inventory: ModelInventory, estimator: MemoryEstimator, fit: FitCheck, memory: SystemMemoryReader) {
        self.runtime = runtime
        self.inventory = inventory
        self.estimator = estimator
        self.fit = fit
        self.memory = memory
    }

    /// Makes sure `model` is loaded and serving; refuses (`memory_limit`) a model that fails the
    /// fit rule unless `force`.
    @discardableResult
    public func ensureLoaded(_ model: String, context: Int? = nil, force: Bool = false) async throws -> LoadedModel {
        let info = try await inventory.lookup(model)
        if let existing = await runtime.loaded().first(where: { $0.path == info.path }), existing.state == .ready,
            context == nil || existing.context >= context!
        {
            return existing
        }
        let estimate = estimator.estimate(info, context: context)
        let report = fit.check(info, estimate: estimate, memory: try memory.read())
        if !report.fits && !force {
            throw ModelError(
                .memoryLimit, (report.warning ?? "") + " " + report.recommendation,
                detail: [
                    "fits": false, "estimated_gb": .double(GB.wire(estimate.totalBytes)),
                    "available_gb": .double(GB.wire(report.memory.availableBytes)),
                ])
        }
        return try await runtime.load(info, context: estimate.context)
    }

    /// One chat completion from `model`, loading it first when needed.
    public func chat(
        model: String, messages: [ChatTurn], maxTokens: Int? = nil, onDelta: @escaping @Sendable (String) async -> Void = { _ in }
    ) async throws -> ChatCompletion {
        let loaded = try await ensureLoaded(model)
        return try await runtime.chat(path: loaded.path, messages: messages, maxTokens: maxTokens, onDelta: onDelta)
    }
}
