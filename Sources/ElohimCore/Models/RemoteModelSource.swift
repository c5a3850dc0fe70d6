/// Models kept by another runtime (Ollama) rather than as GGUF files under a model directory.
/// They are addressed as `scheme:name`; their `ModelInfo.path` is that address.
public protocol RemoteModelSource: Sendable {
    /// `ollama`.
    var scheme: String { get }
    /// How messages name it ("Ollama at http://127.0.0.1:11434").
    var displayName: String { get }
    /// The facts about `name` (as the source names it), for estimates and fit checks.
    /// - Throws: `ModelError` `not_found` when the source has no such model, `unavailable`
    ///   when the source does not answer (with how to start it).
    func describe(_ name: String) async throws -> ModelInfo
}

extension RemoteModelSource {
    /// The address of `name` in this source.
    public func path(of name: String) -> String { scheme + ":" + name }

}
