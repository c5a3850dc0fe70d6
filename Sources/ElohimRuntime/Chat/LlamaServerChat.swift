public import ElohimCore
import ElohimProtocol
import Synchronization

/// Chat against llama.cpp servers already running, one per model, through their
/// OpenAI-compatible API: `/v1/chat/completions` (streamed, with usage), `/props` for n_ctx,
/// `/tokenize` for counts.
public final class LlamaServerChat: ChatModelProvider {
    /// Model name → the server's base URL (`http://127.0.0.1:8080`).
    private let servers: @Sendable () -> [String: String]
    private let client: HTTPClient
    private let contextLimits = Mutex<[String: Int]>([:])
    /// How long to wait for a server to start answering (not for the whole reply).
    private let responseTimeout: Duration

    public init(
        client: HTTPClient = HTTPClient(), responseTimeout: Duration = .seconds(120),
        servers: @escaping @Sendable () -> [String: String]
    ) {
        self.client = client
        self.responseTimeout = responseTimeout
        self.servers = servers
    }

    private func base(_ model: String) throws -> String {
        guard let url = servers()[model] else { throw ChatRuntimeError.modelMissing(model) }
        return url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    /// Sends a request and returns the response if it is a 2xx, else an error with the server's message.
    private func call(_ model: String, _ method: String, _ path: String, body: JSONValue?, timeout: Duration) async throws
        -> HTTPResponse
    {
        let request = try HTTPRequest(
            method: method, url: try base(model) + path,
            headers: body == nil ? [] : [HTTPHeader("Content-Type", "application/json")],
            body: body.map { JSONWriter.bytes($0) })
        let response: HTTPResponse
        do {
            response = try await client.execute(request, timeout: timeout)
        } catch let error as HTTPClientError where error.kind == .connect || error.kind == .timeout || error.kind == .closed {
            throw ChatRuntimeError.runtimeDown(model: model, error.description)
        }
        guard (200..<300).contains(response.status) else {
            let text = (try? await response.text(upTo: 64 * 1024)) ?? ""
            let message = (try? JSONParser.parse(text))?["error"]?["message"]?.stringValue ?? text
            if response.status == 404 && path.hasPrefix("/v1/chat") {
                throw ChatRuntimeError.modelMissing(model)
            }
            throw ChatRuntimeError.failed(model: model, "HTTP \(response.status) from \(path): \(message.prefix(500))")
        }
        return response
    }

    private func json(_ model: String, _ method: String, _ path: String, body: JSONValue? = nil) async throws -> JSONValue {
        let response = try await call(model, method, path, body: body, timeout: .seconds(30))
        let bytes = try await response.collect(upTo: 16 << 20)
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw ChatRuntimeError.failed(model: model, "\(path) answered with invalid JSON (\(error))")
        }
    }

    public func contextLimit(model: String) async throws -> Int {
        if let known = contextLimits.withLock({ $0[model] }) { return known }
        let props = try await json(model, "GET", "/props")
        guard let limit = props["default_generation_settings"]?["n_ctx"]?.intValue ?? props["n_ctx"]?.intValue, limit > 0 else {
            throw ChatRuntimeError.failed(model: model, "/props did not say the context size (n_ctx)")
        }
        contextLimits.withLock { $0[model] = Int(limit) }
        return Int(limit)
    }

    /// Cached, else asked of the server (which is already running: asking loads nothing).
    public func knownContextLimit(model: String) async -> Int? {
        if let known = contextLimits.withLock({ $0[model] }) { return known }
        return try? await contextLimit(model: model)
    }

    public func tokenCount(model: String, text: String) async throws -> Int {
        let answer = try await json(model, "POST", "/tokenize", body: ["content": .string(text)])
        guard let tokens = answer["tokens"]?.arrayValue else {
            throw ChatRuntimeError.failed(model: model, "/tokenize answered without tokens")
        }
        return tokens.count
    }

    public func complete(
        model: String, turns: [ChatTurn], maxTokens: Int, onDelta: @escaping @Sendable (String) async -> Void
    ) async throws -> ChatCompletion {
        let body: JSONValue = [
            "model": .string(model), "stream": true, "stream_options": ["include_usage": true],
            "max_tokens": .int(Int64(maxTokens)),
            "messages": .array(turns.map { ["role": .string($0.role), "content": .string($0.content)] }),
        ]
        let response = try await call(model, "POST", "/v1/chat/completions", body: body, timeout: responseTimeout)
        var content = ""
        var usage: ChatUsage?
        var finishReason: String?
        var answeredModel = model
        var done = false
        do {
            for try await event in response.body.events {
                if event.data == "[DONE]" {
                    done = true
                    break
                }
                guard let chunk = try? JSONParser.parse(event.data) else { continue }
                if let message = chunk["error"]?["message"]?.stringValue {
                    throw ChatRuntimeError.failed(model: model, message)
                }
                if let name = chunk["model"]?.stringValue, !name.isEmpty, servers()[name] != nil { answeredModel = name }
                if let counts = chunk["usage"], let prompt = counts["prompt_tokens"]?.intValue,
                    let completion = counts["completion_tokens"]?.intValue
                {
                    usage = ChatUsage(promptTokens: Int(prompt), completionTokens: Int(completion))
                }
                guard let choice = chunk["choices"]?.arrayValue?.first else { continue }
                if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
                if let delta = choice["delta"]?["content"]?.stringValue, !delta.isEmpty {
                    content += delta
                    await onDelta(delta)
                }
            }
        } catch let error as HTTPClientError {
            throw ChatRuntimeError.failed(model: model, "the reply broke off: \(error)")
        }
        guard done || finishReason != nil else {
            throw ChatRuntimeError.failed(model: model, "the runtime stopped in the middle of the reply")
        }
        guard let usage else {
            throw ChatRuntimeError.failed(model: model, "the runtime did not report token usage")
        }
        return ChatCompletion(content: content, model: answeredModel, usage: usage, finishReason: finishReason)
    }
}
