import ElohimCore
import ElohimProtocol
import ElohimRuntime
import ServiceLifecycle
import Synchronization

/// The model manager's parts the `models.*` and `slots.*` handlers work with.
struct ModelServices: Sendable {
    let inventory: ModelInventory
    let estimator: MemoryEstimator
    let memory: SystemMemoryReader
    let fit: FitCheck
    let runtime: LlamaServerRuntime
    let slots: HotSlots
    let ollama: OllamaClient?
    /// Ollama as a runtime (`ollama:NAME` models), when `ollama_url` is set.
    let ollamaRuntime: OllamaRuntime?
    /// llama.cpp for GGUF files, Ollama for `ollama:` models.
    let runtimes: RuntimeRouter

    /// Model name → loaded runtime, on demand and fit-checked (for chat).
    var manager: ModelManager {
        ModelManager(runtime: runtimes, inventory: inventory, estimator: estimator, fit: fit, memory: memory)
    }

    func summary(_ info: ModelInfo, source: String) -> ModelSummary {
        var summary = ModelSummary(name: ModelInventory.name(of: info.path), path: info.path, source: source, fileSizeBytes: Int64(clamping: info.fileSizeBytes))
        summary.describe(info)
        return summary
    }

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

extension LoadedModelInfo {
    init(_ model: LoadedModel) {
        self.init(
            name: ModelInventory.name(of: model.path), path: model.path, state: model.state.rawValue, context: model.context,
            pid: model.pid.map(Int.init), port: model.port,
            rssBytes: (model.residentBytes ?? model.pid.flatMap(LlamaServerRuntime.residentBytes)).map { Int64(clamping: $0) },
            restarts: model.restarts, error: model.error)
        runtime = model.path.hasPrefix("ollama:") ? "ollama" : "llama.cpp"
        vramBytes = model.vramBytes.map { Int64(clamping: $0) }
        expiresAt = model.expiresAt
    }

    /// The event form (`models.runtime` on topic `models`).
    var json: JSONValue { (try? RPCCoding.json(self)) ?? [:] }
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
            var result = ModelsListResult(
                models: models.inventory.list().map(models.summary), directories: models.inventory.configuration.directories)
            if let ollama = models.ollama {
                do {
                    let tags = try await ollama.tags()
                    result.models += tags.map {
                        ModelSummary(
                            name: $0.name, path: "ollama:" + $0.name, source: "ollama", fileSizeBytes: $0.sizeBytes, architecture: $0.family,
                            parameterCount: $0.parameterCount, fileType: $0.quantization)
                    }
                    result.ollama = OllamaStatus(url: ollama.baseURL, reachable: true, error: nil)
                } catch {
                    result.ollama = OllamaStatus(url: ollama.baseURL, reachable: false, error: "\(error)")
                }
            }
            return result
        }
        register(ModelsMethods.show) { _, params in
            let info = try await models.inventory.lookup(params.model)
            let remote = !info.path.hasPrefix("/")
            return ModelDetail(
                model: remote ? models.summary(info, source: "ollama") : models.summary(models.inventory.describe(path: info.path)), ggufVersion: info.ggufVersion, tensorCount: info.tensorCount,
                weightsBytes: Int64(clamping: info.weightsBytes), keyLength: info.keyLength, valueLength: info.valueLength,
                feedForwardLength: info.feedForwardLength, vocabularySize: info.vocabularySize,
                estimate: EstimateBreakdown(models.estimator.estimate(info)))
        }
        register(ModelsMethods.loaded) { _, _ in LoadedModelsResult(models: await models.runtimes.loaded().map(LoadedModelInfo.init)) }
        register(ModelsMethods.unload) { context, params in
            let info = try await models.inventory.lookup(params.model)
            if let slot = await models.slots.snapshot().slots.first(where: { $0.path == info.path }) {
                throw ModelError(
                    .conflict, "hot slot \(slot.slot) pins \(slot.model ?? params.model); eject it with `elohim slots eject \(slot.slot)`",
                    detail: ["slot": .int(Int64(slot.slot))])
            }
            guard await models.runtimes.loaded().contains(where: { $0.path == info.path }) else {
                throw ModelError(.notFound, "\(params.model) is not loaded", detail: ["model": .string(params.model)])
            }
            await models.runtimes.unload(path: info.path)
            return LoadedModelsResult(models: await models.runtimes.loaded().map(LoadedModelInfo.init))
        }
        register(ModelsMethods.checkFit) { _, params in
            try models.fitResult(try await models.inventory.lookup(params.model), context: params.context).0
        }
    }
}

extension SlotsListResult {
    init(_ snapshot: HotSlots.Snapshot) {
        self.init(
            slots: snapshot.slots.map {
                SlotInfo(
                    slot: $0.slot, model: $0.model, state: $0.state, estimateBytes: $0.estimateBytes.map { Int64(clamping: $0) },
                    rssBytes: $0.rssBytes.map { Int64(clamping: $0) }, pid: $0.pid.map(Int.init), context: $0.context,
                    error: $0.error, path: $0.path, restarts: $0.restarts)
            },
            usedBytes: Int64(clamping: snapshot.usedBytes), totalBytes: Int64(clamping: snapshot.totalBytes),
            limitBytes: Int64(clamping: snapshot.limitBytes), percent: snapshot.percent)
    }
}

extension MethodTable {
    /// `models.pull`.
    mutating func registerPullMethod(_ models: ModelServices, events: EventBus, audit: AuditWriter) {
        register(ModelsMethods.pull) { context, params in
            guard let url = params.url else {
                guard let name = params.name else {
                    throw RPCError.invalidParams("give url (an http:// URL of a GGUF file) or name (an Ollama model)", field: "url")
                }
                return try await models.pullThroughOllama(name, context: context, events: events, audit: audit)
            }
            guard let directory = models.inventory.configuration.directories.first else {
                throw RPCError.application(.failed, "no model directory is configured (model_dirs)")
            }
            events.publish(.models, type: "models.pull_started", data: ["url": .string(url)])
            do {
                let result = try await ModelDownloader().download(url: url, into: directory, sha256: params.sha256) { progress in
                    events.publish(
                        .models, type: "models.pull_progress",
                        data: [
                            "url": .string(progress.url), "bytes": .int(Int64(clamping: progress.bytes)),
                            "total": progress.total.map { .int(Int64(clamping: $0)) } ?? .null,
                            "rate_bytes_per_second": .double(progress.bytesPerSecond.rounded()),
                            "eta_seconds": progress.etaSeconds.map { .double(($0 * 10).rounded() / 10) } ?? .null,
                        ])
                }
                let name = ModelInventory.name(of: result.path)
                let details: JSONValue = [
                    "url": .string(url), "path": .string(result.path), "bytes": .int(Int64(clamping: result.bytes)),
                    "sha256": .string(result.sha256), "resumed": .bool(result.resumed),
                ]
                events.publish(.models, type: "models.pulled", data: details)
                audit.record(AuditEvent("model.pulled", action: "download", actor: context.auditActor, resourceType: "model", resourceID: name, details: details))
                return PullResult(
                    path: result.path, name: name, bytes: Int64(clamping: result.bytes), sha256: result.sha256, resumed: result.resumed,
                    attempts: result.attempts)
            } catch {
                let message = (error as? any DomainError)?.message ?? "\(error)"
                events.publish(.models, type: "models.pull_failed", data: ["url": .string(url), "error": .string(message)])
                audit.record(
                    AuditEvent(
                        "model.pull_failed", action: "download", actor: context.auditActor, resourceType: "model", resourceID: url,
                        details: ["error": .string(message)]))
                throw error
            }
        }
    }

    /// `slots.list`, `slots.assign`, `slots.eject`.
    mutating func registerSlotsMethods(_ models: ModelServices, audit: AuditWriter) {
        let slots = models.slots
        register(SlotsMethods.list) { _, _ in SlotsListResult(await slots.snapshot()) }
        register(SlotsMethods.assign) { context, params in
            do {
                let snapshot = try await slots.assign(
                    slot: params.slot, model: params.model, context: params.context, force: params.force ?? false, by: context.peer.uid)
                let slot = snapshot.slots.first { $0.slot == params.slot }
                audit.record(
                    AuditEvent(
                        "slot.assigned", action: "assign", actor: context.auditActor, resourceType: "slot", resourceID: "\(params.slot)",
                        details: [
                            "model": .string(slot?.model ?? params.model), "state": .string(slot?.state ?? "unknown"),
                            "estimate_bytes": .int(Int64(clamping: slot?.estimateBytes ?? 0)), "force": .bool(params.force ?? false),
                        ]))
                return SlotsListResult(snapshot)
            } catch let error as ModelError where error.reason == .memoryLimit {
                audit.record(
                    AuditEvent(
                        "slot.assign_refused", action: "assign", actor: context.auditActor, resourceType: "slot",
                        resourceID: "\(params.slot)", details: ["model": .string(params.model), "message": .string(error.message)]))
                throw error
            }
        }
        register(SlotsMethods.eject) { context, params in
            let (snapshot, model) = try await slots.eject(slot: params.slot)
            audit.record(
                AuditEvent(
                    "slot.ejected", action: "eject", actor: context.auditActor, resourceType: "slot", resourceID: "\(params.slot)",
                    details: ["model": model.map(JSONValue.string) ?? .null]))
            return SlotsListResult(snapshot)
        }
    }
}

/// Restores the hot slots at start; stops every runtime process at shutdown. Placed before
/// the server in the service group, so it stops after the server has drained.
struct ModelRuntimeService: Service {
    let models: ModelServices

    func run() async throws {
        await withGracefulShutdownHandler {
            await models.slots.restore()
            try? await gracefulShutdown()
        } onGracefulShutdown: {
        }
        await models.runtimes.shutdown()
    }
}

extension ModelServices {
    /// `models.pull {name}`: Ollama downloads the model (`/api/pull`); its progress lines become
    /// `models.pull_progress` events (bytes = `completed`, total, rate, ETA, plus Ollama's status).
    func pullThroughOllama(_ requested: String, context: RequestContext, events: EventBus, audit: AuditWriter) async throws -> PullResult {
        let name = requested.hasPrefix("ollama:") ? String(requested.dropFirst("ollama:".count)) : requested
        guard !name.isEmpty, name.count <= 256, !name.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw RPCError.invalidParams("name must be an Ollama model name like llama3.2 or qwen2.5:7b", field: "name")
        }
        guard let ollama else {
            throw RPCError.application(
                .unavailable, "pulling by name goes through Ollama, and ollama_url is \"\" (off); set it, or give an http:// url of a GGUF file")
        }
        events.publish(.models, type: "models.pull_started", data: ["name": .string(name), "source": "ollama"])
        let meter = PullMeter()
        do {
            try await ollama.pull(name) { progress in
                guard meter.shouldPublish(progress) else { return }
                var data: [String: JSONValue] = ["name": .string(name), "source": "ollama", "status": .string(progress.status)]
                if let digest = progress.digest { data["digest"] = .string(digest) }
                if let total = progress.total {
                    let completed = progress.completed ?? 0
                    let rate = meter.rate(digest: progress.digest ?? "", completed: completed)
                    data["bytes"] = .int(Int64(clamping: completed))
                    data["total"] = .int(Int64(clamping: total))
                    data["rate_bytes_per_second"] = .double(rate.rounded())
                    data["eta_seconds"] = rate > 0 ? .double((Double(total - min(total, completed)) / rate * 10).rounded() / 10) : .null
                }
                events.publish(.models, type: "models.pull_progress", data: .object(data))
            }
        } catch {
            let message = (error as? any DomainError)?.message ?? "\(error)"
            events.publish(.models, type: "models.pull_failed", data: ["name": .string(name), "error": .string(message)])
            audit.record(
                AuditEvent(
                    "model.pull_failed", action: "download", actor: context.auditActor, resourceType: "model", resourceID: "ollama:" + name,
                    details: ["error": .string(message), "source": "ollama"]))
            throw error
        }
        let tags = (try? await ollama.tags()) ?? []
        let tag = tags.first { $0.name == name } ?? tags.first { $0.name == name + ":latest" }
        let listed = tag?.name ?? name
        let details: JSONValue = [
            "name": .string(listed), "path": .string("ollama:" + listed), "source": "ollama",
            "bytes": .int(tag?.sizeBytes ?? 0), "digest": tag?.digest.map(JSONValue.string) ?? .null,
        ]
        events.publish(.models, type: "models.pulled", data: details)
        audit.record(AuditEvent("model.pulled", action: "download", actor: context.auditActor, resourceType: "model", resourceID: "ollama:" + listed, details: details))
        return PullResult(path: "ollama:" + listed, name: listed, bytes: tag?.sizeBytes ?? 0, sha256: tag?.digest ?? "", resumed: false, attempts: 1)
    }
}

/// Download rates per layer of an Ollama pull: bytes since the layer's first progress line.
final class PullMeter: Sendable {
    private let started = Mutex<[String: (ContinuousClock.Instant, UInt64)]>([:])
    private let last = Mutex<(status: String, at: ContinuousClock.Instant)?>(nil)

    /// At most one event every 200 ms per status, but always a new status and a finished layer.
    func shouldPublish(_ progress: OllamaClient.PullProgress) -> Bool {
        let now = ContinuousClock.now
        return last.withLock { previous in
            let finished = progress.total != nil && progress.completed == progress.total
            guard let seen = previous, seen.status == progress.status, !finished, now - seen.at < .milliseconds(200) else {
                previous = (progress.status, now)
                return true
            }
            return false
        }
    }

    func rate(digest: String, completed: UInt64) -> Double {
        let now = ContinuousClock.now
        let (since, first) = started.withLock { table in
            if let known = table[digest] { return known }
            table[digest] = (now, completed)
            return (now, completed)
        }
        let elapsed = (now - since).inSeconds
        return elapsed > 0 ? Double(completed - min(completed, first)) / elapsed : 0
    }
}
