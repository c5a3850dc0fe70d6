/// One turn of a conversation as a model sees it.
public struct ChatTurn: Sendable, Codable, Equatable {
    /// `system`, `user` or `assistant`.
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// Token counts a runtime reported for one completion.
public struct ChatUsage: Sendable, Codable, Equatable {
    /// Tokens of the prompt (the whole history sent), as the runtime tokenized it.
    public var promptTokens: Int
    /// Tokens the model generated.
    public var completionTokens: Int

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    /// Prompt plus completion: how much of the context window this exchange occupied.
    public var totalTokens: Int { promptTokens + completionTokens }
}

/// A finished reply from a runtime.
public struct ChatCompletion: Sendable {
    /// The whole generated text (the streamed deltas concatenated).
    public var content: String
    /// The model that answered, as the runtime names it.
    public var model: String
    public var usage: ChatUsage
    /// Why generation stopped (`stop`, `length`, …), when the runtime says.
    public var finishReason: String?

    public init(content: String, model: String, usage: ChatUsage, finishReason: String? = nil) {
        self.content = content
        self.model = model
        self.usage = usage
        self.finishReason = finishReason
    }
}
