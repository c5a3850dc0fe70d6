/// `models.*` and `slots.*`: the model inventory, memory fit checks and hot slots.
public enum ModelsMethods {
    public static let list = MethodSpec<NoParams, ModelsListResult>(
        "models.list", summary: "GGUF files under the model directories, described from their metadata (cached by path, size and mtime).",
        access: .permission("chat.use"),
        result: Schema.object(["models": Schema.array(["type": "object"]), "directories": Schema.array(Schema.string)]))

    public static let show = MethodSpec<ModelParams, ModelDetail>(
        "models.show", summary: "One model's metadata, tensor totals and memory estimate at its default context.",
        access: .permission("chat.use"), result: Schema.object(["model": ["type": "object"], "estimate": ["type": "object"]]))

    public static let checkFit = MethodSpec<CheckFitParams, CheckFitResult>(
        "models.check_fit",
        summary: "Whether loading a model at a context fits: estimate (weights + KV cache + compute + runtime) ≤ 50% of available memory (cgroup-aware).",
        access: .permission("chat.use"),
        result: Schema.object([
            "fits": Schema.boolean, "model_size_gb": Schema.number, "estimated_gb": Schema.number,
            "available_gb": Schema.number, "total_gb": Schema.number, "breakdown": ["type": "object"],
            "recommendation": Schema.string, "warning": Schema.nullable(Schema.string),
        ]))
}

/// One listed model.
public struct ModelSummary: Codable, Sendable, Equatable {
    public var name: String
    public var path: String
    /// `gguf` (a file under a model directory) or `ollama`.
    public var source: String
    public var fileSizeBytes: Int64
    public var architecture: String?
    public var displayName: String?
    public var parameterCount: Int64?
    public var fileType: String?
    public var contextLength: Int?
    public var layers: Int?
    public var heads: Int?
    public var kvHeads: Int?
    public var embeddingSize: Int?
    /// Why the file could not be read, when it could not.
    public var error: String?

    public init(
        name: String, path: String, source: String, fileSizeBytes: Int64, architecture: String? = nil, displayName: String? = nil,
        parameterCount: Int64? = nil, fileType: String? = nil, contextLength: Int? = nil, layers: Int? = nil, heads: Int? = nil,
        kvHeads: Int? = nil, embeddingSize: Int? = nil, error: String? = nil
    ) {
        self.name = name
        self.path = path
        self.source = source
        self.fileSizeBytes = fileSizeBytes
        self.architecture = architecture
        self.displayName = displayName
        self.parameterCount = parameterCount
        self.fileType = fileType
        self.contextLength = contextLength
        self.layers = layers
        self.heads = heads
        self.kvHeads = kvHeads
        self.embeddingSize = embeddingSize
        self.error = error
    }
}

public struct ModelsListResult: Codable, Sendable {
    public var models: [ModelSummary]
    public var directories: [String]
    /// Whether the configured Ollama server answered (its models are listed with source `ollama`).
    public var ollama: OllamaStatus?
    public init(models: [ModelSummary], directories: [String], ollama: OllamaStatus? = nil) {
        self.models = models
        self.directories = directories
        self.ollama = ollama
    }
}

public struct OllamaStatus: Codable, Sendable, Equatable {
    public var url: String
    public var reachable: Bool
    public var error: String?
    public init(url: String, reachable: Bool, error: String?) {
        self.url = url
        self.reachable = reachable
        self.error = error
    }
}

public struct ModelParams: RPCParams {
    public var model: String
    public init(model: String) { self.model = model }
    public static let fields = [
        ParamField("model", Schema.string, required: true, summary: "A model name from models.list, ollama:NAME for an Ollama model, or an absolute path to a GGUF file.")
    ]
}

/// A memory estimate, part by part, in bytes.
public struct EstimateBreakdown: Codable, Sendable, Equatable {
    public var context: Int
    public var weightsBytes: Int64
    public var kvCacheBytes: Int64
    public var computeBytes: Int64
    public var runtimeBytes: Int64
    public var totalBytes: Int64
    public var weightsGb: Double
    public var kvCacheGb: Double
    public var computeGb: Double
    public var runtimeGb: Double
    public init(
        context: Int, weightsBytes: Int64, kvCacheBytes: Int64, computeBytes: Int64, runtimeBytes: Int64, totalBytes: Int64,
        weightsGb: Double, kvCacheGb: Double, computeGb: Double, runtimeGb: Double
    ) {
        self.context = context
        self.weightsBytes = weightsBytes
        self.kvCacheBytes = kvCacheBytes
        self.computeBytes = computeBytes
        self.runtimeBytes = runtimeBytes
        self.totalBytes = totalBytes
        self.weightsGb = weightsGb
        self.kvCacheGb = kvCacheGb
        self.computeGb = computeGb
        self.runtimeGb = runtimeGb
    }
}

public struct ModelDetail: Codable, Sendable {
    public var model: ModelSummary
    public var ggufVersion: Int
    public var tensorCount: Int
    public var weightsBytes: Int64
    public var keyLength: Int?
    public var valueLength: Int?
    public var feedForwardLength: Int?
    public var vocabularySize: Int?
    public var estimate: EstimateBreakdown
    public init(
        model: ModelSummary, ggufVersion: Int, tensorCount: Int, weightsBytes: Int64, keyLength: Int?, valueLength: Int?,
        feedForwardLength: Int?, vocabularySize: Int?, estimate: EstimateBreakdown
    ) {
        self.model = model
        self.ggufVersion = ggufVersion
        self.tensorCount = tensorCount
        self.weightsBytes = weightsBytes
        self.keyLength = keyLength
        self.valueLength = valueLength
        self.feedForwardLength = feedForwardLength
        self.vocabularySize = vocabularySize
        self.estimate = estimate
    }
}

public struct CheckFitParams: RPCParams {
    public var model: String
    public var context: Int?
    public init(model: String, context: Int? = nil) {
        self.model = model
        self.context = context
    }
    public static let fields = [
        ParamField("model", Schema.string, required: true, summary: "A model name from models.list, ollama:NAME, or an absolute path."),
        ParamField("context", Schema.integer, summary: "Context length in tokens (default: the model's, at most 4096)."),
    ]
}

public struct CheckFitResult: Codable, Sendable {
    public var fits: Bool
    public var model: String
    public var modelSizeGb: Double
    public var estimatedGb: Double
    public var availableGb: Double
    public var totalGb: Double
    /// The share of available memory a model may use (0.5).
    public var limitFraction: Double
    public var memorySource: String
    public var breakdown: EstimateBreakdown
    public var recommendation: String
    /// The seed's warning text when it does not fit.
    public var warning: String?
    public init(
        fits: Bool, model: String, modelSizeGb: Double, estimatedGb: Double, availableGb: Double, totalGb: Double,
        limitFraction: Double, memorySource: String, breakdown: EstimateBreakdown, recommendation: String, warning: String?
    ) {
        self.fits = fits
        self.model = model
        self.modelSizeGb = modelSizeGb
        self.estimatedGb = estimatedGb
        self.availableGb = availableGb
        self.totalGb = totalGb
        self.limitFraction = limitFraction
        self.memorySource = memorySource
        self.breakdown = breakdown
        self.recommendation = recommendation
        self.warning = warning
    }
}

/// `slots.*`: the hot slots.
public enum SlotsMethods {
    static let listSchema = Schema.object([
        "slots": Schema.array(["type": "object"]), "used_bytes": Schema.integer, "total_bytes": Schema.integer,
        "limit_bytes": Schema.integer, "percent": Schema.number,
    ])

    public static let list = MethodSpec<NoParams, SlotsListResult>(
        "slots.list", summary: "The hot slots: model, state (empty/loading/ready/failed), estimate, measured RSS, pid; and the RAM meter figures.",
        access: .permission("chat.use"), result: listSchema)

    public static let assign = MethodSpec<SlotAssignParams, SlotsListResult>(
        "slots.assign",
        summary: "Load a model into a hot slot and keep it loaded; refused when the slots together would exceed 75% of total memory, or (unless force) when the model fails the fit rule.",
        access: .permission("models.manage"), result: listSchema)

    public static let eject = MethodSpec<SlotParams, SlotsListResult>(
        "slots.eject", summary: "Empty a hot slot and stop its model's runtime process.", access: .permission("models.manage"),
        result: listSchema)
}

public struct SlotInfo: Codable, Sendable, Equatable {
    public var slot: Int
    public var model: String?
    public var state: String
    public var estimateBytes: Int64?
    public var rssBytes: Int64?
    public var pid: Int?
    public var context: Int?
    public var error: String?
    public var path: String?
    public var restarts: Int
    public init(
        slot: Int, model: String?, state: String, estimateBytes: Int64?, rssBytes: Int64?, pid: Int?, context: Int?, error: String?,
        path: String?, restarts: Int
    ) {
        self.slot = slot
        self.model = model
        self.state = state
        self.estimateBytes = estimateBytes
        self.rssBytes = rssBytes
        self.pid = pid
        self.context = context
        self.error = error
        self.path = path
        self.restarts = restarts
    }
}

public struct SlotsListResult: Codable, Sendable {
    public var slots: [SlotInfo]
    public var usedBytes: Int64
    public var totalBytes: Int64
    public var limitBytes: Int64
    public var percent: Double
    public init(slots: [SlotInfo], usedBytes: Int64, totalBytes: Int64, limitBytes: Int64, percent: Double) {
        self.slots = slots
        self.usedBytes = usedBytes
        self.totalBytes = totalBytes
        self.limitBytes = limitBytes
        self.percent = percent
    }
}

public struct SlotAssignParams: RPCParams {
    public var slot: Int
    public var model: String
    public var force: Bool?
    public var context: Int?
    public init(slot: Int, model: String, force: Bool? = nil, context: Int? = nil) {
        self.slot = slot
        self.model = model
        self.force = force
        self.context = context
    }
    public static let fields = [
        ParamField("slot", Schema.integer, required: true, summary: "The slot, 1-based."),
        ParamField("model", Schema.string, required: true, summary: "A model name from models.list, ollama:NAME, or an absolute path."),
        ParamField("force", Schema.boolean, summary: "Load even when the model fails the fit rule (the 75% slots rule still applies)."),
        ParamField("context", Schema.integer, summary: "Context length in tokens (default: the model's, at most 4096)."),
    ]
}

public struct SlotParams: RPCParams {
    public var slot: Int
    public init(slot: Int) { self.slot = slot }
    public static let fields = [ParamField("slot", Schema.integer, required: true, summary: "The slot, 1-based.")]
}

extension ModelsMethods {
    public static let pull = MethodSpec<PullParams, PullResult>(
        "models.pull",
        summary: "Download a GGUF model over HTTP into the first model directory: disk space checked, resumable (Range), SHA-256 verified, renamed into place atomically; or, with `name`, pull an Ollama model through Ollama's API; progress as `models` events.",
        access: .permission("models.manage"),
        result: Schema.object([
            "path": Schema.string, "name": Schema.string, "bytes": Schema.integer, "sha256": Schema.string,
            "resumed": Schema.boolean, "attempts": Schema.integer,
        ]))
}

public struct PullParams: RPCParams {
    public var url: String?
    public var name: String?
    public var sha256: String?
    public init(url: String? = nil, name: String? = nil, sha256: String? = nil) {
        self.url = url
        self.name = name
        self.sha256 = sha256
    }
    public static let fields = [
        ParamField("url", Schema.string, summary: "An http:// URL of a GGUF file."),
        ParamField("name", Schema.string, summary: "An Ollama model name (llama3.2, ollama:qwen2.5:7b), pulled through Ollama's /api/pull with progress events."),
        ParamField("sha256", Schema.string, summary: "The expected SHA-256 of the file (64 hex digits)."),
    ]
}

public struct PullResult: Codable, Sendable {
    public var path: String
    public var name: String
    public var bytes: Int64
    public var sha256: String
    public var resumed: Bool
    public var attempts: Int
    public init(path: String, name: String, bytes: Int64, sha256: String, resumed: Bool, attempts: Int) {
        self.path = path
        self.name = name
        self.bytes = bytes
        self.sha256 = sha256
        self.resumed = resumed
        self.attempts = attempts
    }
}

extension ModelsMethods {
    public static let loaded = MethodSpec<NoParams, LoadedModelsResult>(
        "models.loaded", summary: "Models loaded in a runtime now (hot slots and on-demand loads): state, pid, port, context, measured RSS.",
        access: .permission("chat.use"), result: Schema.object(["models": Schema.array(["type": "object"])]))

    public static let unload = MethodSpec<ModelParams, LoadedModelsResult>(
        "models.unload", summary: "Stop a model's runtime process; refused (conflict) while a hot slot pins it — eject the slot instead.",
        access: .permission("models.manage"), result: Schema.object(["models": Schema.array(["type": "object"])]))
}

public struct LoadedModelInfo: Codable, Sendable, Equatable {
    public var name: String
    public var path: String
    public var state: String
    public var context: Int
    public var pid: Int?
    public var port: Int?
    public var rssBytes: Int64?
    public var restarts: Int
    public var error: String?
    /// `llama.cpp` or `ollama`.
    public var runtime: String?
    /// Ollama: the part of `rss_bytes` (its `/api/ps` size) in GPU memory.
    public var vramBytes: Int64?
    /// Ollama: when it unloads the model on its own; null while pinned by a hot slot.
    public var expiresAt: String?
    public init(
        name: String, path: String, state: String, context: Int, pid: Int?, port: Int?, rssBytes: Int64?, restarts: Int, error: String?
    ) {
        self.name = name
        self.path = path
        self.state = state
        self.context = context
        self.pid = pid
        self.port = port
        self.rssBytes = rssBytes
        self.restarts = restarts
        self.error = error
    }
}

public struct LoadedModelsResult: Codable, Sendable {
    public var models: [LoadedModelInfo]
    public init(models: [LoadedModelInfo]) { self.models = models }
}
