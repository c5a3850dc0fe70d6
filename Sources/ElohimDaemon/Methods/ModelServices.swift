import ElohimCore
import ElohimProtocol

/// The model manager's parts the `models.*` and `slots.*` handlers work with.
struct ModelServices: Sendable {
    let inventory: ModelInventory
    let estimator: MemoryEstimator
    let memory: SystemMemoryReader
    let fit: FitCheck

    func summary(_ entry: ModelInventory.Entry) -> ModelSummary {
        var summary = ModelSummary(
            name: entry.name, path: entry.path, source: "gguf", fileSizeBytes: Int64(clamping: entry.sizeBytes),
            error: entry.error?.message)
        if let info = entry.info { summary.describe(info) }
        return summary
    }

    func fitResult(_ info: ModelInfo, context: Int?) throws -> (CheckFitResult, FitReport) {
        if let context, !(1...1_048_576).contains(context) {
            throw RPCError.invalidParams("context must be 1 to 1048576 tokens", field: "context")
        }
        let estimate = estimator.estimate(info, context: context)
        let report = fit.check(info, estimate: estimate, memory: try memory.read())
        let result = CheckFitResult(
            fits: report.fits, model: ModelInventory.name(of: info.path), modelSizeGb: GB.wire(info.fileSizeBytes),
            estimatedGb: GB.wire(estimate.totalBytes), availableGb: GB.wire(report.memory.availableBytes),
            totalGb: GB.wire(report.memory.totalBytes), limitFraction: fit.availableFraction,
            memorySource: report.memory.availableSource, breakdown: EstimateBreakdown(estimate),
            recommendation: report.recommendation, warning: report.warning)
        return (result, report)
    }
}

extension ModelSummary {
    mutating func describe(_ info: ModelInfo) {
        architecture = info.architecture
        displayName = info.name
        parameterCount = Int64(clamping: info.parameterCount)
        fileType = info.fileType
        contextLength = info.contextLength
        layers = info.blockCount
        heads = info.headCount
        kvHeads = info.headCountKV.first
        embeddingSize = info.embeddingLength
    }
}

extension EstimateBreakdown {
    init(_ estimate: MemoryEstimate) {
        self.init(
            context: estimate.context, weightsBytes: Int64(clamping: estimate.weightsBytes),
            kvCacheBytes: Int64(clamping: estimate.kvCacheBytes), computeBytes: Int64(clamping: estimate.computeBytes),
            runtimeBytes: Int64(clamping: estimate.runtimeBytes), totalBytes: Int64(clamping: estimate.totalBytes),
            weightsGb: GB.wire(estimate.weightsBytes), kvCacheGb: GB.wire(estimate.kvCacheBytes),
            computeGb: GB.wire(estimate.computeBytes), runtimeGb: GB.wire(estimate.runtimeBytes))
    }
}

extension MethodTable {
    /// `models.list`, `models.show`, `models.check_fit`.
    mutating func registerModelsMethods(_ models: ModelServices) {
        register(ModelsMethods.list) { _, _ in
            ModelsListResult(models: models.inventory.list().map(models.summary), directories: models.inventory.configuration.directories)
        }
        register(ModelsMethods.show) { _, params in
            let info = try models.inventory.resolve(params.model)
            let entry = models.inventory.describe(path: info.path)
            return ModelDetail(
                model: models.summary(entry), ggufVersion: info.ggufVersion, tensorCount: info.tensorCount,
                weightsBytes: Int64(clamping: info.weightsBytes), keyLength: info.keyLength, valueLength: info.valueLength,
                feedForwardLength: info.feedForwardLength, vocabularySize: info.vocabularySize,
                estimate: EstimateBreakdown(models.estimator.estimate(info)))
        }
        register(ModelsMethods.checkFit) { _, params in
            try models.fitResult(try models.inventory.resolve(params.model), context: params.context).0
        }
    }
}
