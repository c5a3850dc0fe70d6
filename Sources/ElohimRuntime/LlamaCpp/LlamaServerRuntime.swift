public import ElohimCore
import ElohimProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// llama.cpp's HTTP server as a runtime: one supervised server process per loaded model on a
/// loopback port picked here. Health-checked on `/health`, restarted with backoff when it dies
/// (the change is reported through `onChange`), stopped with SIGTERM then SIGKILL on unload
/// and at shutdown; children carry PR_SET_PDEATHSIG so not even a SIGKILLed daemon leaves one.
public actor LlamaServerRuntime: ModelRuntime {
    public struct Configuration: Sendable {
        /// The server command: a path or a name on PATH, optionally with leading arguments
        /// ("python3 /opt/llama-server-xllamacpp"); llama-server's flags are appended.
        public var command: String = "llama-server"
        /// Where each server's stdout/stderr go (`<dir>/llama-<port>.log`).
        public var logDirectory: String
        /// How long a server may take to load a model and answer /health.
        public var loadTimeout: Duration = .seconds(300)
        /// SIGTERM → SIGKILL grace.
        public var stopGrace: Duration = .seconds(10)
        /// Restart backoff: first delay, doubled per consecutive death, capped.
        public var restartBackoff: Duration = .milliseconds(500)
        public var maxRestartBackoff: Duration = .seconds(30)
        /// Deaths before serving (crash at load) tolerated before the model is marked failed.
        public var maxFailedStarts: Int = 3
        public init(logDirectory: String) { self.logDirectory = logDirectory }
    }

    private final class Instance {
        var model: LoadedModel
        var stopRequested = false
        var task: Task<Void, Never>?
        init(model: LoadedModel) { self.model = model }
    }

    private let configuration: Configuration
    private let http = HTTPClient()
    private var instances: [String: Instance] = [:]
    private let onChange: @Sendable (LoadedModel) -> Void

    public init(configuration: Configuration, onChange: @escaping @Sendable (LoadedModel) -> Void = { _ in }) {
        self.configuration = configuration
        self.onChange = onChange
    }

    public func load(_ model: ModelInfo, context: Int) async throws -> LoadedModel {
        if let existing = instances[model.path] {
            if existing.model.context == context, existing.model.state != .failed { return try await waitServing(model.path) }
            await unload(path: model.path)
        }
        let instance = Instance(model: LoadedModel(path: model.path, context: context, state: .loading))
        instances[model.path] = instance
        instance.task = Task { await self.supervise(instance) }
        return try await waitServing(model.path)
    }

    public func unload(path: String) async {
        guard let instance = instances[path] else { return }
        instance.stopRequested = true
        await instance.task?.value
        instances[path] = nil
    }

    public func loaded() -> [LoadedModel] {
        instances.values.map(\.model).sorted { $0.path < $1.path }
    }

    public func shutdown() async {
        for path in Array(instances.keys) { await unload(path: path) }
    }

    /// The current state of `path`, if loaded.
    public func state(of path: String) -> LoadedModel? { instances[path]?.model }

    /// Waits until `path` serves or fails.
    private func waitServing(_ path: String) async throws -> LoadedModel {
        while true {
            guard let instance = instances[path] else {
                throw RuntimeError(.failed, "the model \(path) was unloaded while loading")
            }
            switch instance.model.state {
            case .ready: return instance.model
            case .failed:
                throw RuntimeError(
                    .unavailable, "llama.cpp could not serve \(path): \(instance.model.error ?? "unknown error")",
                    detail: ["path": .string(path)])
            case .loading, .restarting:
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    private func update(_ instance: Instance, _ change: (inout LoadedModel) -> Void) {
        change(&instance.model)
        onChange(instance.model)
    }

    /// Start, health-check, watch, restart with backoff; stop when asked.
    private func supervise(_ instance: Instance) async {
        var failedStarts = 0
        var backoff = configuration.restartBackoff
        while !instance.stopRequested {
            let port: Int
            let pid: pid_t
            do {
                port = try ChildProcess.freePort()
                let argv = configuration.command.split(separator: " ").map(String.init) + [
                    "--model", instance.model.path, "--host", "127.0.0.1", "--port", String(port),
                    "--ctx-size", String(instance.model.context), "--parallel", "1",
                ]
                pid = try await ChildProcess.spawn(argv, logPath: configuration.logDirectory + "/llama-\(port).log")
            } catch {
                update(instance) { $0.state = .failed; $0.error = "\(error)"; $0.pid = nil }
                return
            }
            update(instance) { $0.pid = pid; $0.port = port; if $0.state != .restarting { $0.state = .loading } }

            // Loading: until /health says ok, the process dies, or the timeout.
            let deadline = ContinuousClock.now + configuration.loadTimeout
            var status: Int32?
            var healthy = false
            while !instance.stopRequested {
                if let exit = ChildProcess.exited(pid) { status = exit; break }
                if await isHealthy(port: port) { healthy = true; break }
                if ContinuousClock.now > deadline {
                    await stop(pid)
                    update(instance) { $0.state = .failed; $0.error = "did not answer /health within \(configuration.loadTimeout)"; $0.pid = nil }
                    return
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
            if healthy {
                failedStarts = 0
                backoff = configuration.restartBackoff
                update(instance) { $0.state = .ready; $0.error = nil }
                while !instance.stopRequested {
                    if let exit = ChildProcess.exited(pid) { status = exit; break }
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
            if instance.stopRequested {
                if status == nil { await stop(pid) }
                return
            }
            let why = "llama.cpp server (pid \(pid)) " + ChildProcess.describe(status ?? -1)
            if !healthy {
                failedStarts += 1
                if failedStarts >= configuration.maxFailedStarts {
                    let log = tail(configuration.logDirectory + "/llama-\(port).log")
                    update(instance) { $0.state = .failed; $0.error = why + (log.isEmpty ? "" : ": " + log); $0.pid = nil }
                    return
                }
            }
            update(instance) { $0.state = .restarting; $0.error = why; $0.restarts += 1; $0.pid = nil }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, configuration.maxRestartBackoff)
        }
    }

    private func isHealthy(port: Int) async -> Bool {
        let request = HTTPRequest(target: HTTPTarget(host: "127.0.0.1", port: port, path: "/health"))
        guard let response = try? await http.execute(request, timeout: .seconds(2)) else { return false }
        _ = try? await response.collect(upTo: 4096)
        return response.status == 200
    }

    /// SIGTERM to the process group, SIGKILL after the grace, always reaped.
    private func stop(_ pid: pid_t) async {
        kill(-pid, SIGTERM)
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + configuration.stopGrace
        while ContinuousClock.now < deadline {
            if ChildProcess.exited(pid) != nil { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        while ChildProcess.exited(pid) == nil { try? await Task.sleep(for: .milliseconds(20)) }
    }

    private func tail(_ path: String) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "" }
        return text.split(separator: "\n").suffix(3).joined(separator: " | ")
    }

    public func chat(
        path: String, messages: [ChatTurn], maxTokens: Int?, onDelta: @escaping @Sendable (String) async -> Void
    ) async throws -> ChatCompletion {
        guard let instance = instances[path] else {
            throw RuntimeError(.notFound, "the model \(path) is not loaded; load it first")
        }
        guard instance.model.state == .ready, let port = instance.model.port else {
            throw RuntimeError(.unavailable, "the model \(path) is \(instance.model.state.rawValue), not ready; retry shortly")
        }
        var body: [String: JSONValue] = [
            "messages": .array(messages.map { ["role": .string($0.role), "content": .string($0.content)] }),
            "stream": true, "stream_options": ["include_usage": true],
        ]
        if let maxTokens { body["max_tokens"] = .int(Int64(maxTokens)) }
        let request = HTTPRequest(
            method: "POST", target: HTTPTarget(host: "127.0.0.1", port: port, path: "/v1/chat/completions"),
            headers: [HTTPHeader("Content-Type", "application/json")], body: Array(JSONWriter.string(.object(body)).utf8))
        let response = try await http.execute(request, timeout: .seconds(600))
        guard response.status == 200 else {
            let text = (try? await response.text(upTo: 8192)) ?? ""
            throw RuntimeError(.failed, "llama.cpp answered \(response.status): \(text.prefix(500))")
        }
        var content = ""
        var usage = ChatUsage(promptTokens: 0, completionTokens: 0)
        var finish: String?
        var modelName = ModelInventory.name(of: path)
        for try await event in response.body.events {
            if event.data == "[DONE]" { break }
            guard let chunk = try? JSONParser.parse(event.data) else { continue }
            if let name = chunk["model"]?.stringValue { modelName = ModelInventory.name(of: name) }
            if let choice = chunk["choices"]?.arrayValue?.first {
                if let delta = choice["delta"]?["content"]?.stringValue, !delta.isEmpty {
                    content += delta
                    await onDelta(delta)
                }
                if let reason = choice["finish_reason"]?.stringValue { finish = reason }
            }
            if let u = chunk["usage"], let prompt = u["prompt_tokens"]?.intValue, let completion = u["completion_tokens"]?.intValue {
                usage = ChatUsage(promptTokens: Int(prompt), completionTokens: Int(completion))
            }
        }
        return ChatCompletion(content: content, model: modelName, usage: usage, finishReason: finish)
    }
}

extension LlamaServerRuntime {
    /// The measured resident memory (VmRSS) of a runtime process.
    public static func residentBytes(pid: Int32) -> UInt64? { ChildProcess.residentBytes(pid) }
}
