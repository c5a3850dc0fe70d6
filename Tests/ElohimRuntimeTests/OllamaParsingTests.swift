import ElohimCore
import ElohimProtocol
import ElohimRuntime
import Testing

/// Ollama's responses as documented in ollama/ollama docs/api.md, parsed without a server.
@Suite struct OllamaParsingTests {
    static let chatLines = [
        #"{"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":"The","images":null},"done":false}"#,
        #"{"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":" sky ☀️"},"done":false}"#,
        #"{"model":"llama3.2","created_at":"2023-08-04T19:22:45.499127Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":26,"prompt_eval_duration":342546000,"eval_count":282,"eval_duration":4535599000}"#,
    ]

    @Test func splitsLinesAtEveryChunkBoundary() throws {
        let body = Array((Self.chatLines.joined(separator: "\r\n") + "\n").utf8)
        // Every split point, including inside the multi-byte ☀️ and between \r and \n.
        for cut in 0...body.count {
            var splitter = NDJSONLineSplitter()
            var lines = try splitter.feed(body[..<cut])
            lines += try splitter.feed(body[cut...])
            if let last = splitter.finish() { lines.append(last) }
            #expect(lines == Self.chatLines, "cut at \(cut)")
        }
    }

    @Test func oneByteChunksBlankLinesAndAMissingFinalNewline() throws {
        var splitter = NDJSONLineSplitter()
        var lines: [String] = []
        for byte in Array("\n{\"a\":1}\n\n  \n{\"b\":2}".utf8) { lines += try splitter.feed([byte]) }
        #expect(lines == [#"{"a":1}"#])
        #expect(splitter.finish() == #"{"b":2}"#)
        #expect(splitter.finish() == nil)
    }

    @Test func refusesALineBeyondTheLimit() {
        var splitter = NDJSONLineSplitter(maximumLineBytes: 8)
        #expect(throws: NDJSONLineSplitter.LineTooLong.self) { try splitter.feed(Array("0123456789\n".utf8)) }
    }

    @Test func chatDeltasAndTheFinalCountsBecomeTheCompletion() throws {
        var reply = ChatReply(model: "llama3.2")
        var deltas: [String] = []
        for line in Self.chatLines { if let delta = try reply.consume(line) { deltas.append(delta) } }
        #expect(deltas == ["The", " sky ☀️"])
        let completion = try reply.completion()
        #expect(completion.content == "The sky ☀️")
        #expect(completion.usage == ChatUsage(promptTokens: 26, completionTokens: 282))
        #expect(completion.finishReason == "stop")
    }

    @Test func aStreamThatEndsBeforeDoneIsAnError() throws {
        var reply = ChatReply(model: "llama3.2")
        _ = try reply.consume(Self.chatLines[0])
        let error = #expect(throws: ModelError.self) { try reply.completion() }
        #expect(error?.reason == .failed)
        #expect(error?.message.contains("middle of the reply") == true)
    }

    @Test func anErrorLineMidStreamIsAnErrorWithOllamasWords() throws {
        var reply = ChatReply(model: "llama3.2")
        _ = try reply.consume(Self.chatLines[0])
        let error = #expect(throws: ModelError.self) { try reply.consume(#"{"error":"an error was encountered while running the model"}"#) }
        #expect(error?.message.contains("an error was encountered while running the model") == true)
        #expect(throws: ModelError.self) { try reply.consume("not json") }
    }

    @Test func errorBodiesBecomeActionableErrors() {
        let missing = OllamaClient.error(
            status: 404, body: #"{"error":"model 'mistral' not found"}"#, path: "/api/show", model: "mistral", baseURL: "http://127.0.0.1:11434")
        #expect(missing.reason == .notFound)
        #expect(missing.message.contains("Ollama has no model called mistral"))
        #expect(missing.message.contains("model 'mistral' not found"))
        #expect(missing.message.contains("elohim models pull ollama:mistral"))
        #expect(missing.detail["model"] == "mistral")
        let broken = OllamaClient.error(status: 500, body: "<html>oops</html>", path: "/api/chat", model: "x", baseURL: "http://h:1")
        #expect(broken.reason == .failed)
        #expect(broken.message == "Ollama at http://h:1 answered HTTP 500 to /api/chat: <html>oops</html>")
        let down = OllamaClient.unreachable("http://127.0.0.1:11434", "connection refused")
        #expect(down.reason == .unavailable)
        #expect(down.message.contains("ollama serve"))
    }

    @Test func pullLines() throws {
        let progress = try OllamaClient.pullProgress(
            #"{"status":"downloading digestname","digest":"digestname","total":2142590208,"completed":241970}"#, model: "llama3.2")
        #expect(progress == OllamaClient.PullProgress(status: "downloading digestname", digest: "digestname", total: 2142590208, completed: 241970))
        #expect(try OllamaClient.pullProgress(#"{"status":"pulling manifest"}"#, model: "m").total == nil)
        let error = #expect(throws: ModelError.self) {
            try OllamaClient.pullProgress(#"{"error":"pull model manifest: file does not exist"}"#, model: "nope")
        }
        #expect(error?.message == "Ollama could not pull nope: pull model manifest: file does not exist")
    }

    static let modelInfo: [String: JSONValue] = [
        "general.architecture": .string("llama"), "general.parameter_count": .int(8_030_261_248), "llama.attention.head_count": .int(32),
        "llama.attention.head_count_kv": .int(8), "llama.block_count": .int(32), "llama.context_length": .int(8192),
        "llama.embedding_length": .int(4096), "llama.feed_forward_length": .int(14336), "llama.vocab_size": .int(128_256),
    ]

    @Test func showBecomesModelInfoForTheEstimate() {
        let details = OllamaClient.Details(
            family: "llama", parameterSize: "8.0B", quantization: "Q4_0", format: "gguf",
            modelInfo: Self.modelInfo)
        let info = OllamaRuntime.info(path: "ollama:llama3.2:latest", details: details, sizeBytes: 2_019_393_189)
        #expect(info.name == "llama3.2:latest")
        let kvHeads: [Int] = Array(repeating: 8, count: 32)
        #expect(info.headCountKV == kvHeads)
        #expect(info.keyLength == 128 && info.valueLength == 128)
        #expect(info.parameterCount == 8_030_261_248 && info.fileType == "Q4_0" && info.weightsBytes == 2_019_393_189)
        let estimate = MemoryEstimator().estimate(info)
        let kvCache: UInt64 = 4096 * 32 * 8 * 256 * 2
        #expect(estimate.context == 4096)
        #expect(estimate.kvCacheBytes == kvCache)
    }

    @Test func namesAndRouting() {
        #expect(ModelInventory.name(of: "ollama:library/llama3.2:latest") == "library/llama3.2:latest")
        #expect(ModelInventory.name(of: "/models/tiny.gguf") == "tiny")
        #expect(ModelInventory.name(of: "qwen:7b") == "qwen:7b")
    }
}
