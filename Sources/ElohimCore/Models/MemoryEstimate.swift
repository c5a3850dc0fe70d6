/// What loading a model will occupy, part by part.
public struct MemoryEstimate: Sendable, Codable, Equatable {
    /// The context the estimate is for (tokens).
    public var context: Int
    /// The tensors, as stored (llama.cpp maps them and touches every page).
    public var weightsBytes: UInt64
    /// K and V for every layer at `context` tokens.
    public var kvCacheBytes: UInt64
    /// The compute graph's scratch buffers and the logits.
    public var computeBytes: UInt64
    /// The runtime process itself (code, libraries, allocator).
    public var runtimeBytes: UInt64

    public var totalBytes: UInt64 { weightsBytes + kvCacheBytes + computeBytes + runtimeBytes }
}

/// Estimates a model's resident memory in a llama.cpp server from its GGUF facts.
///
/// weights = Σ tensor bytes; KV = n_ctx × Σ_layers n_head_kv × (key_length + value_length) ×
/// bytes per cache element; compute = 3.2 MiB + n_ubatch × 14 × (n_embd + n_ff) + 228 × n_vocab bytes
/// (the scratch of a full micro-batch of prompt; independent of the context and head count);
/// plus the runtime's own baseline. Fitted to the peak RSS (VmHWM) of the llama.cpp server from
/// the xllamacpp wheel after a 1500-token prompt, over models varying n_embd, n_ff, n_head and
/// n_vocab at 2048 and 8192 tokens (`elohim-bench memory` checks it).
public struct MemoryEstimator: Sendable {
    public struct Configuration: Sendable {
        /// Bytes per K/V element: 2 for the default f16 cache.
        public var cacheBytesPerElement: Double = 2
        /// llama.cpp's micro-batch (`--ubatch-size`, default 512).
        public var microBatch: Int = 512
        /// The runtime process before any model (measured: the xllamacpp launcher's server,
        /// Python included, 34 MiB; a native llama-server needs less).
        public var runtimeBaselineBytes: UInt64 = 34 << 20
        /// The fixed part of the compute buffers.
        public var computeFixedBytes: UInt64 = 3_355_443
        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The estimate for `model` at `context` tokens (the model's trained context when nil,
    /// capped to 4096 like the runtime's default).
    public func estimate(_ model: ModelInfo, context: Int? = nil) -> MemoryEstimate {
        let ctx = Self.paddedContext(context ?? Self.defaultContext(model))
        let kvPerToken = model.headCountKV.reduce(UInt64(0)) { sum, heads in
            sum + UInt64(heads) * UInt64((model.keyLength ?? 0) + (model.valueLength ?? 0))
        }
        let kv = UInt64((Double(kvPerToken) * Double(ctx) * configuration.cacheBytesPerElement).rounded(.up))
        let width = UInt64((model.embeddingLength ?? 0) + (model.feedForwardLength ?? 0))
        let compute = configuration.computeFixedBytes + UInt64(configuration.microBatch) * 14 * width
            + 228 * UInt64(model.vocabularySize ?? 0)
        return MemoryEstimate(
            context: ctx, weightsBytes: model.weightsBytes, kvCacheBytes: kv, computeBytes: compute,
            runtimeBytes: configuration.runtimeBaselineBytes)
    }

    /// The context a model is loaded with when none is asked for.
    public static func defaultContext(_ model: ModelInfo) -> Int {
        min(model.contextLength ?? 4096, 4096)
    }

    /// llama.cpp rounds the KV cache up to a multiple of 256 cells.
    static func paddedContext(_ context: Int) -> Int {
        max(256, (context + 255) / 256 * 256)
    }
}
