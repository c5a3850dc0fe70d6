import ElohimCore
import ElohimProtocol

/// Ollama's HTTP API, as far as the inventory needs it: `/api/tags` (the local models).
public struct OllamaClient: Sendable {
    /// One model as `/api/tags` describes it.
    public struct Model: Sendable, Equatable {
        public var name: String
        public var sizeBytes: Int64
        public var family: String?
        public var parameterSize: String?
        public var quantization: String?
        public var format: String?
    }

    public let baseURL: String
    private let http = HTTPClient()

    public init(baseURL: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// The models Ollama has; throws when Ollama is not reachable or answers nonsense.
    public func tags() async throws -> [Model] {
        let response = try await http.execute(try HTTPRequest(url: baseURL + "/api/tags"), timeout: .seconds(2))
        let body = try await response.collect(upTo: 16 << 20)
        guard response.status == 200 else {
            throw RuntimeError(.unavailable, "Ollama at \(baseURL) answered HTTP \(response.status)")
        }
        guard let document = try? JSONParser.parse(body), let models = document["models"]?.arrayValue else {
            throw RuntimeError(.unavailable, "Ollama at \(baseURL) did not answer /api/tags with a models list")
        }
        return models.compactMap { item in
            guard let name = item["name"]?.stringValue ?? item["model"]?.stringValue else { return nil }
            let details = item["details"]
            return Model(
                name: name, sizeBytes: item["size"]?.intValue ?? 0, family: details?["family"]?.stringValue,
                parameterSize: details?["parameter_size"]?.stringValue, quantization: details?["quantization_level"]?.stringValue,
                format: details?["format"]?.stringValue)
        }
    }
}

extension OllamaClient.Model {
    /// "7.6B" → 7_600_000_000; "135M" → 135_000_000.
    public var parameterCount: Int64? {
        guard let text = parameterSize, let unit = text.last, let number = Double(text.dropLast()) else { return nil }
        let scale: Double = switch unit.uppercased() { case "K": 1e3; case "M": 1e6; case "B": 1e9; case "T": 1e12; default: 0 }
        return scale > 0 ? Int64(number * scale) : nil
    }
}
