public import ElohimCore
public import ElohimProtocol

/// Ollama's HTTP API as documented in ollama/ollama `docs/api.md`: `/api/tags` (local models),
/// `/api/show` (one model's details and GGUF metadata), `/api/ps` (loaded models), `/api/chat`
/// (streamed NDJSON; an empty `messages` list with `keep_alive` loads or unloads a model) and
/// `/api/pull` (streamed progress). Errors come back as `{"error": "..."}`; they become
/// `ModelError`s saying what to do.
public struct OllamaClient: Sendable {
    /// One model as `/api/tags` describes it.
    public struct Model: Sendable, Equatable {
        public var name: String
        public var sizeBytes: Int64
        public var family: String?
        public var parameterSize: String?
        public var quantization: String?
        public var format: String?
        /// The SHA-256 of its manifest.
        public var digest: String?
    }

    /// One model as `/api/ps` describes it.
    public struct Running: Sendable, Equatable {
        public var name: String
        /// Memory it occupies (RAM + VRAM).
        public var sizeBytes: UInt64
        public var vramBytes: UInt64
        /// When Ollama will unload it; far in the future when pinned with `keep_alive: -1`.
        public var expiresAt: String?
        /// The context it was loaded with (newer Ollama versions report it).
        public var contextLength: Int?
    }

    /// `/api/show`: the details and the GGUF metadata (`model_info`).
    public struct Details: Sendable, Equatable {
        public var family: String?
        public var parameterSize: String?
        public var quantization: String?
        public var format: String?
        public var modelInfo: [String: JSONValue]

        public init(family: String?, parameterSize: String?, quantization: String?, format: String?, modelInfo: [String: JSONValue]) {
            self.family = family
            self.parameterSize = parameterSize
            self.quantization = quantization
            self.format = format
            self.modelInfo = modelInfo
        }

        /// From the `details` object that `/api/tags` and `/api/show` both carry.
        init(_ details: JSONValue?, modelInfo: [String: JSONValue] = [:]) {
            self.init(
                family: details?["family"]?.stringValue, parameterSize: details?["parameter_size"]?.stringValue,
                quantization: details?["quantization_level"]?.stringValue, format: details?["format"]?.stringValue, modelInfo: modelInfo)
        }
    }

    /// One line of a `/api/pull` stream.
    public struct PullProgress: Sendable, Equatable {
        public var status: String
        public var digest: String?
        public var total: UInt64?
        public var completed: UInt64?

        public init(status: String, digest: String?, total: UInt64?, completed: UInt64?) {
            self.status = status
            self.digest = digest
            self.total = total
            self.completed = completed
        }
    }

    public let baseURL: String
    private let http: HTTPClient
    /// How long to wait for Ollama to start answering a request that loads a model.
    public var loadTimeout: Duration = .seconds(600)

    public init(baseURL: String, http: HTTPClient = HTTPClient()) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.http = http
    }

    /// The models Ollama has; throws when Ollama is not reachable or answers nonsense.
    public func tags() async throws -> [Model] {
        let document = try await json("GET", "/api/tags", body: nil, model: nil)
        guard let models = document["models"]?.arrayValue else {
            throw RuntimeError(.unavailable, "Ollama at \(baseURL) did not answer /api/tags with a models list")
        }
        return models.compactMap { item in
            guard let name = item["name"]?.stringValue ?? item["model"]?.stringValue else { return nil }
            let details = Details(item["details"])
            return Model(
                name: name, sizeBytes: item["size"]?.intValue ?? 0, family: details.family, parameterSize: details.parameterSize,
                quantization: details.quantization, format: details.format, digest: item["digest"]?.stringValue)
        }
    }

    /// `/api/show` for `model`; `not_found` when Ollama has no such model.
    public func show(_ model: String) async throws -> Details {
        let document = try await json("POST", "/api/show", body: ["model": .string(model)], model: model)
        return Details(document["details"], modelInfo: document["model_info"]?.objectValue ?? [:])
    }

    /// `/api/ps`: the models loaded now.
    public func ps() async throws -> [Running] {
        let document = try await json("GET", "/api/ps", body: nil, model: nil)
        guard let models = document["models"]?.arrayValue else {
            throw RuntimeError(.unavailable, "Ollama at \(baseURL) did not answer /api/ps with a models list")
        }
        return models.compactMap { item in
            guard let name = item["name"]?.stringValue ?? item["model"]?.stringValue else { return nil }
            return Running(
                name: name, sizeBytes: UInt64(clamping: item["size"]?.intValue ?? 0), vramBytes: UInt64(clamping: item["size_vram"]?.intValue ?? 0),
                expiresAt: item["expires_at"]?.stringValue, contextLength: item["context_length"]?.intValue.map { Int(clamping: $0) })
        }
    }

    /// Loads `model` (an empty chat) and keeps it for `keepAlive` (`-1` = until unloaded; nil =
    /// Ollama's default, 5 minutes), with a `numCtx`-token context.
    public func load(_ model: String, keepAlive: JSONValue?, numCtx: Int?) async throws {
        var body: [String: JSONValue] = ["model": .string(model), "messages": [], "stream": false]
        if let keepAlive { body["keep_alive"] = keepAlive }
        if let numCtx { body["options"] = ["num_ctx": .int(Int64(numCtx))] }
        _ = try await json("POST", "/api/chat", body: .object(body), model: model, timeout: loadTimeout)
    }

    /// Unloads `model` at once (`keep_alive: 0`).
    public func unload(_ model: String) async throws {
        _ = try await json("POST", "/api/chat", body: ["model": .string(model), "messages": [], "keep_alive": 0], model: model)
    }

    /// A streamed chat completion; `onDelta` gets each `message.content` piece.
    public func chat(
        _ model: String, messages: [ChatTurn], options: [String: JSONValue], keepAlive: JSONValue?,
        onDelta: @escaping @Sendable (String) async -> Void
    ) async throws -> ChatCompletion {
        var body: [String: JSONValue] = [
            "model": .string(model), "stream": true,
            "messages": .array(messages.map { ["role": .string($0.role), "content": .string($0.content)] }),
        ]
        if !options.isEmpty { body["options"] = .object(options) }
        if let keepAlive { body["keep_alive"] = keepAlive }
        let response = try await send("POST", "/api/chat", body: .object(body), model: model, timeout: loadTimeout)
        var reply = ChatReply(model: model)
        do {
            for try await line in response.body.lines {
                if let delta = try reply.consume(line) { await onDelta(delta) }
                if reply.done { break }
            }
        } catch let error as HTTPClientError {
            throw RuntimeError(.failed, "Ollama's reply from \(model) broke off: \(error)", detail: ["model": .string(model)])
        }
        return try reply.completion()
    }

    /// `/api/pull`, streaming: `onProgress` gets every status line; returns at `success`.
    public func pull(_ model: String, onProgress: @escaping @Sendable (PullProgress) async -> Void) async throws {
        let response = try await send(
            "POST", "/api/pull", body: ["model": .string(model), "stream": true], model: model, timeout: .seconds(120))
        var succeeded = false
        do {
            for try await line in response.body.lines {
                let progress = try Self.pullProgress(line, model: model)
                await onProgress(progress)
                if progress.status == "success" { succeeded = true }
            }
        } catch let error as HTTPClientError {
            throw RuntimeError(.failed, "Ollama's pull of \(model) broke off: \(error); run the pull again to resume")
        }
        guard succeeded else {
            throw RuntimeError(.failed, "Ollama's pull of \(model) ended without success; run the pull again to resume")
        }
    }

    /// One pull line: progress, or the `{"error": ...}` Ollama sends when the pull fails.
    public static func pullProgress(_ line: String, model: String) throws -> PullProgress {
        guard let object = try? JSONParser.parse(line), object.objectValue != nil else {
            throw RuntimeError(.failed, "Ollama sent a pull line that is not a JSON object: \(line.prefix(200))")
        }
        if let message = object["error"]?.stringValue {
            throw RuntimeError(.failed, "Ollama could not pull \(model): \(message)", detail: ["model": .string(model)])
        }
        return PullProgress(
            status: object["status"]?.stringValue ?? "", digest: object["digest"]?.stringValue,
            total: object["total"]?.intValue.map { UInt64(clamping: $0) }, completed: object["completed"]?.intValue.map { UInt64(clamping: $0) })
    }

    // MARK: Transport

    private func json(_ method: String, _ path: String, body: JSONValue?, model: String?, timeout: Duration = .seconds(30)) async throws
        -> JSONValue
    {
        let response = try await send(method, path, body: body, model: model, timeout: timeout)
        let bytes = try await response.collect(upTo: 64 << 20)
        guard let document = try? JSONParser.parse(bytes), document.objectValue != nil else {
            throw RuntimeError(.failed, "Ollama at \(baseURL) answered \(path) with something that is not a JSON object")
        }
        return document
    }

    /// Sends a request; a 2xx response comes back (its body unread), anything else is an error.
    private func send(_ method: String, _ path: String, body: JSONValue?, model: String?, timeout: Duration) async throws -> HTTPResponse {
        let request = try HTTPRequest(
            method: method, url: baseURL + path, headers: body == nil ? [] : [HTTPHeader("Content-Type", "application/json")],
            body: body.map { JSONWriter.bytes($0) })
        let response: HTTPResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch let error as HTTPClientError where error.kind != .badURL {
            throw Self.unreachable(baseURL, error.description)
        }
        guard (200..<300).contains(response.status) else {
            let text = (try? await response.text(upTo: 64 * 1024)) ?? ""
            throw Self.error(status: response.status, body: text, path: path, model: model, baseURL: baseURL)
        }
        return response
    }

    /// Ollama does not answer: how to start it.
    public static func unreachable(_ baseURL: String, _ why: String) -> ModelError {
        ModelError(
            .unavailable,
            "Ollama at \(baseURL) is not reachable (\(why)); start it with `ollama serve` (or `systemctl start ollama`), "
                + "or set ollama_url to where it listens",
            detail: ["url": .string(baseURL)])
    }

    /// An error response (`{"error": "..."}`) as a `ModelError`.
    public static func error(status: Int, body: String, path: String, model: String?, baseURL: String) -> ModelError {
        let said = (try? JSONParser.parse(body))?["error"]?.stringValue ?? String(body.prefix(500))
        var detail: [String: JSONValue] = ["status": .int(Int64(status))]
        if let model { detail["model"] = .string(model) }
        if status == 404, let model {
            return ModelError(
                .notFound, "Ollama has no model called \(model) (it says: \(said)); pull it with `elohim models pull ollama:\(model)` "
                    + "or pick one from `elohim models list`",
                detail: detail)
        }
        return ModelError(.failed, "Ollama at \(baseURL) answered HTTP \(status) to \(path): \(said)", detail: detail)
    }
}

extension OllamaClient.Model {
    /// "7.6B" → 7_600_000_000; "135M" → 135_000_000.
    public var parameterCount: Int64? { OllamaClient.parameterCount(parameterSize) }
}

extension OllamaClient {
    /// "7.6B" → 7_600_000_000; "135M" → 135_000_000.
    static func parameterCount(_ text: String?) -> Int64? {
        guard let text, let unit = text.last, let number = Double(text.dropLast()) else { return nil }
        let scale: Double = switch unit.uppercased() { case "K": 1e3; case "M": 1e6; case "B": 1e9; case "T": 1e12; default: 0 }
        return scale > 0 ? Int64(number * scale) : nil
    }
}

/// A streamed `/api/chat` reply being read line by line: `message.content` deltas, then a final
/// line with `done: true`, `done_reason` and the token counts (`prompt_eval_count`,
/// `eval_count`), or an `{"error": ...}` line.
public struct ChatReply: Sendable {
    public let model: String
    public private(set) var content = ""
    public private(set) var done = false
    public private(set) var usage: ChatUsage?
    public private(set) var doneReason: String?

    public init(model: String) { self.model = model }

    /// Takes one line; returns its text delta, if any.
    public mutating func consume(_ line: String) throws -> String? {
        guard let object = try? JSONParser.parse(line), object.objectValue != nil else {
            throw RuntimeError(.failed, "Ollama sent a chat line that is not a JSON object: \(line.prefix(200))", detail: ["model": .string(model)])
        }
        if let message = object["error"]?.stringValue {
            throw RuntimeError(.failed, "Ollama failed to answer with \(model): \(message)", detail: ["model": .string(model)])
        }
        let delta = object["message"]?["content"]?.stringValue ?? ""
        content += delta
        if object["done"]?.boolValue == true {
            done = true
            doneReason = object["done_reason"]?.stringValue ?? "stop"
            usage = ChatUsage(
                promptTokens: Int(clamping: object["prompt_eval_count"]?.intValue ?? 0),
                completionTokens: Int(clamping: object["eval_count"]?.intValue ?? 0))
        }
        return delta.isEmpty ? nil : delta
    }

    /// The finished reply; an error when the stream ended before `done`.
    public func completion() throws -> ChatCompletion {
        guard done, let usage else {
            throw RuntimeError(.failed, "Ollama stopped in the middle of the reply from \(model)", detail: ["model": .string(model)])
        }
        return ChatCompletion(content: content, model: model, usage: usage, finishReason: doneReason)
    }
}
