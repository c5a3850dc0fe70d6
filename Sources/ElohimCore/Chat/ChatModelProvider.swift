/// What chat needs from the runtimes: a model's context window, token counts and a streamed
/// completion. The model manager implements it; `chat.send` depends only on this.
public protocol ChatModelProvider: Sendable {
    /// The context window (n_ctx) `model` runs with, loading it if needed.
    /// - Throws: `ChatRuntimeError` when the model is unknown or its runtime is down.
    func contextLimit(model: String) async throws -> Int

    /// The context window of `model` if it is known without loading anything (for the meter).
    func knownContextLimit(model: String) async -> Int?

    /// How many tokens `text` is for `model`.
    func tokenCount(model: String, text: String) async throws -> Int

    /// Runs a chat completion over `turns` (at most `maxTokens` generated), calling `onDelta`
    /// with each streamed piece.
    func complete(
        model: String, turns: [ChatTurn], maxTokens: Int, onDelta: @escaping @Sendable (String) async -> Void
    ) async throws -> ChatCompletion
}
