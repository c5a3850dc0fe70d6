import ElohimCore
import ElohimProtocol
import ElohimRuntime
import Foundation
import Testing

/// Against a real llama.cpp server (the `contrib/llama-server-xllamacpp` launcher on the PyPI
/// `xllamacpp` wheel) serving a real GGUF model written by the PyPI `gguf` package.
@Suite(.serialized) struct LlamaServerRuntimeTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static func makeModel(in directory: String) throws -> String {
        let path = directory + "/tiny.gguf"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root + "/Tests/e2e/gguf_models.py", path, "--ctx", "2048"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "generating the model needs the gguf and numpy packages")
        return path
    }

    /// A fresh directory with a generated model, removed by the caller; and the model's facts.
    static func scratchModel() throws -> (directory: String, info: ModelInfo) {
        let directory = NSTemporaryDirectory() + "elohim-rt-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = try makeModel(in: directory)
        return (directory, ModelInfo(file: try GGUFReader().read(path: path), path: path))
    }

    static func alive(_ pid: Int32) -> Bool {
        // A zombie is not alive: its /proc status says State: Z.
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
        return !status.contains("State:\tZ")
    }

    @Test func loadsChatsRestartsAndUnloads() async throws {
        let (directory, info) = try Self.scratchModel()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = info.path

        var configuration = LlamaServerRuntime.Configuration(logDirectory: directory)
        configuration.command = Self.root + "/contrib/llama-server-xllamacpp"
        let changes = ChangeLog()
        let runtime = LlamaServerRuntime(configuration: configuration) { changes.append($0) }

        let loaded = try await runtime.load(info, context: 512)
        #expect(loaded.state == .ready)
        let pid = try #require(loaded.pid)
        #expect(Self.alive(pid))
        #expect(await runtime.loaded().map(\.path) == [path])

        let deltas = ChangeLog()
        let completion = try await runtime.chat(
            path: path, messages: [ChatTurn(role: "user", content: "Hello")], maxTokens: 8,
            onDelta: { deltas.appendText($0) })
        #expect(completion.usage.completionTokens == 8)
        #expect(completion.usage.promptTokens > 0)
        #expect(completion.finishReason == "length")
        #expect(deltas.text == completion.content)

        // Killed behind its back: restarted on a new pid, and the change is reported.
        kill(pid, SIGKILL)
        var restarted: LoadedModel?
        for _ in 0..<600 {
            if let state = await runtime.state(of: path), state.state == .ready, state.pid != pid {
                restarted = state
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let again = try #require(restarted)
        #expect(again.restarts == 1)
        #expect(changes.states.contains(.restarting))

        await runtime.unload(path: path)
        #expect(await runtime.loaded().isEmpty)
        #expect(!Self.alive(try #require(again.pid)))
    }

    @Test func aServerThatCannotStartFailsWithItsLog() async throws {
        let (directory, info) = try Self.scratchModel()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = info.path
        var configuration = LlamaServerRuntime.Configuration(logDirectory: directory)
        configuration.command = "/bin/false"
        configuration.restartBackoff = .milliseconds(10)
        let runtime = LlamaServerRuntime(configuration: configuration)
        await #expect(throws: RuntimeError.self) { try await runtime.load(info, context: 512) }
        #expect(await runtime.state(of: path)?.state == .failed)
        #expect(await runtime.state(of: path)?.error?.contains("exited with status 1") == true)
    }
}

final class ChangeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var changes: [LoadedModel] = []
    private var collected = ""
    func append(_ model: LoadedModel) { lock.withLock { changes.append(model) } }
    func appendText(_ text: String) { lock.withLock { collected += text } }
    var states: [LoadedModel.State] { lock.withLock { changes.map(\.state) } }
    var text: String { lock.withLock { collected } }
}
