/// The facts about a model that inventory, estimates and fit checks need, taken from its GGUF
/// metadata and tensor infos.
public struct ModelInfo: Sendable, Codable, Equatable {
    public var path: String
    public var name: String
    public var architecture: String
    public var parameterCount: UInt64
    /// `general.file_type` as a name (Q8_0, F16, …), or the predominant tensor type.
    public var fileType: String
    public var fileSizeBytes: UInt64
    /// The sum of the tensors' sizes.
    public var weightsBytes: UInt64
    public var contextLength: Int?
    public var blockCount: Int?
    public var headCount: Int?
    /// Per layer when the model varies it; `headCountKV.first` is shown as "the" value.
    public var headCountKV: [Int]
    public var embeddingLength: Int?
    public var keyLength: Int?
    public var valueLength: Int?
    public var feedForwardLength: Int?
    public var vocabularySize: Int?
    public var ggufVersion: Int
    public var tensorCount: Int

    /// A model described by its runtime rather than read from a file (Ollama's `/api/show`,
    /// whose `model_info` carries the same GGUF keys).
    public init(
        path: String, name: String, architecture: String, parameterCount: UInt64, fileType: String, fileSizeBytes: UInt64,
        weightsBytes: UInt64, contextLength: Int? = nil, blockCount: Int? = nil, headCount: Int? = nil, headCountKV: [Int] = [],
        embeddingLength: Int? = nil, keyLength: Int? = nil, valueLength: Int? = nil, feedForwardLength: Int? = nil,
        vocabularySize: Int? = nil, ggufVersion: Int = 0, tensorCount: Int = 0
    ) {
        self.path = path
        self.name = name
        self.architecture = architecture
        self.parameterCount = parameterCount
        self.fileType = fileType
        self.fileSizeBytes = fileSizeBytes
        self.weightsBytes = weightsBytes
        self.contextLength = contextLength
        self.blockCount = blockCount
        self.headCount = headCount
        self.headCountKV = headCountKV
        self.embeddingLength = embeddingLength
        self.keyLength = keyLength
        self.valueLength = valueLength
        self.feedForwardLength = feedForwardLength
        self.vocabularySize = vocabularySize
        self.ggufVersion = ggufVersion
        self.tensorCount = tensorCount
    }

    public init(file: GGUFFile, path: String) {
        let arch = file["general.architecture"]?.string ?? "unknown"
        func int(_ key: String) -> Int? { file["\(arch).\(key)"]?.integer.map { Int(clamping: $0) } }
        self.path = path
        self.architecture = arch
        let base = path.split(separator: "/").last.map(String.init) ?? path
        self.name = file["general.name"]?.string ?? (base.hasSuffix(".gguf") ? String(base.dropLast(5)) : base)
        self.parameterCount = file.parameterCount
        self.fileSizeBytes = file.fileSize
        self.weightsBytes = file.tensorBytes
        self.contextLength = int("context_length")
        self.blockCount = int("block_count")
        self.headCount = int("attention.head_count")
        self.embeddingLength = int("embedding_length")
        self.feedForwardLength = int("feed_forward_length")
        let layers = blockCount ?? 0
        if let array = file["\(arch).attention.head_count_kv"]?.array, array.isComplete {
            headCountKV = array.elements.compactMap { $0.integer.map { Int(clamping: $0) } }
        } else if let kv = int("attention.head_count_kv") {
            headCountKV = Array(repeating: kv, count: layers)
        } else if let heads = headCount {
            headCountKV = Array(repeating: heads, count: layers)
        } else {
            headCountKV = []
        }
        var headDim: Int?
        if let embedding = int("embedding_length"), let heads = int("attention.head_count"), heads > 0 {
            headDim = embedding / heads
        }
        self.keyLength = int("attention.key_length") ?? headDim
        self.valueLength = int("attention.value_length") ?? headDim
        self.vocabularySize = int("vocab_size") ?? file["tokenizer.ggml.tokens"]?.array.map { Int(clamping: $0.count) }
        self.ggufVersion = Int(file.version)
        self.tensorCount = file.tensors.count
        if let ftype = file["general.file_type"]?.integer, let typeName = GGMLType.fileTypeName(ftype) {
            self.fileType = typeName
        } else {
            var bytesByType: [String: UInt64] = [:]
            for tensor in file.tensors where tensor.dimensions.count >= 2 { bytesByType[tensor.type.name, default: 0] += tensor.byteCount }
            self.fileType = bytesByType.max { $0.value < $1.value }?.key ?? "unknown"
        }
    }
}
