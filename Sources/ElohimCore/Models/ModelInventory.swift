import Foundation
public import ElohimProtocol

/// The GGUF files under the configured model directories, described from their metadata
/// (through the cache), and name → file resolution for every method that takes a model.
public struct ModelInventory: Sendable {
    public struct Configuration: Sendable {
        public var directories: [String]
        /// How deep to look below each directory.
        public var maxDepth: Int = 4
        /// At most this many files are listed (a runaway directory must not stall the daemon).
        public var maxFiles: Int = 10_000
        public init(directories: [String]) { self.directories = directories }
    }

    /// One file: its facts, or why they could not be read.
    public struct Entry: Sendable {
        public var path: String
        public var name: String
        public var sizeBytes: UInt64
        public var info: ModelInfo?
        public var error: GGUFError?
    }

    public let configuration: Configuration
    public let cache: ModelCache?
    /// Models another runtime keeps (Ollama), addressed as `scheme:name`; nil when none is configured.
    public let remote: (any RemoteModelSource)?
    private let reader = GGUFReader()

    public init(configuration: Configuration, cache: ModelCache?, remote: (any RemoteModelSource)? = nil) {
        self.configuration = configuration
        self.cache = cache
        self.remote = remote
    }

    /// Every `.gguf` file, sorted by name.
    public func list() -> [Entry] {
        var seen = Set<String>()
        var entries: [Entry] = []
        for directory in configuration.directories {
            for path in files(under: directory) where seen.insert(path).inserted {
                entries.append(describe(path: path))
                if entries.count >= configuration.maxFiles { break }
            }
        }
        return entries.sorted { ($0.name, $0.path) < ($1.name, $1.path) }
    }

    /// The facts of one file (cached by path, size and mtime).
    public func describe(path: String) -> Entry {
        let name = Self.name(of: path)
        guard let stat = FileStat(path: path), stat.isRegular else {
            return Entry(path: path, name: name, sizeBytes: 0, info: nil, error: GGUFError(.unreadable, at: 0, "no such file", path: path))
        }
        if let cached = cache?.lookup(path: path, size: stat.size, mtime: stat.mtime) {
            return Entry(path: path, name: name, sizeBytes: stat.size, info: cached, error: nil)
        }
        do {
            let info = ModelInfo(file: try reader.read(path: path), path: path)
            try? cache?.store(info, size: stat.size, mtime: stat.mtime)
            return Entry(path: path, name: name, sizeBytes: stat.size, info: info, error: nil)
        } catch {
            return Entry(path: path, name: name, sizeBytes: stat.size, info: nil, error: error)
        }
    }

    /// The model called `model`: an absolute path to a GGUF file, or a file name (with or
    /// without `.gguf`) under a model directory, or a `general.name`.
    public func resolve(_ model: String) throws -> ModelInfo {
        let entry: Entry
        if model.hasPrefix("/") {
            entry = describe(path: model)
        } else {
            let all = list()
            let bare = model.hasSuffix(".gguf") ? String(model.dropLast(5)) : model
            guard let found = all.first(where: { $0.name == bare }) ?? all.first(where: { $0.info?.name == model }) else {
                throw ModelError.notFound(model, known: all.map(\.name), directories: configuration.directories)
            }
            entry = found
        }
        if let error = entry.error { throw error }
        return entry.info!
    }

    /// Any model: `scheme:name` asks the remote source (Ollama), anything else is resolved as a
    /// GGUF file; a name no file has is then looked up in the remote source too, so Ollama's
    /// models can be used by the name `models.list` shows.
    public func lookup(_ model: String) async throws -> ModelInfo {
        if let remote, model.hasPrefix(remote.scheme + ":") {
            return try await remote.describe(String(model.dropFirst(remote.scheme.count + 1)))
        }
        if remote == nil, let colon = model.firstIndex(of: ":"), Self.remoteSchemes.contains(String(model[..<colon])) {
            throw ModelError(
                .unavailable, "\(model) is an Ollama model, and Ollama is turned off (ollama_url is \"\"); set ollama_url to where Ollama listens",
                detail: ["model": .string(model)])
        }
        do {
            return try resolve(model)
        } catch let error as ModelError where error.reason == .notFound && !model.hasPrefix("/") {
            guard let remote else { throw error }
            do {
                return try await remote.describe(model)
            } catch let remoteError as ModelError where remoteError.reason == .notFound {
                throw ModelError(.notFound, error.message + "; \(remote.displayName) has no model called \(model) either", detail: error.detail)
            } catch let remoteError as ModelError {
                throw ModelError(.notFound, error.message + " (\(remoteError.message))", detail: error.detail)
            }
        }
    }

    /// The schemes of remote model addresses (`ollama:NAME`).
    public static let remoteSchemes: Set<String> = ["ollama"]

    /// The name a model is listed under: a file's base name without `.gguf`; a remote model's
    /// own name (`ollama:llama3.2:latest` → `llama3.2:latest`).
    public static func name(of path: String) -> String {
        if !path.hasPrefix("/"), let colon = path.firstIndex(of: ":"), remoteSchemes.contains(String(path[..<colon])) {
            return String(path[path.index(after: colon)...])
        }
        let base = path.split(separator: "/").last.map(String.init) ?? path
        return base.hasSuffix(".gguf") ? String(base.dropLast(5)) : base
    }

    private func files(under directory: String) -> [String] {
        var result: [String] = []
        func walk(_ path: String, depth: Int) {
            guard depth <= configuration.maxDepth, result.count < configuration.maxFiles,
                let names = try? FileManager.default.contentsOfDirectory(atPath: path)
            else { return }
            for name in names.sorted() where !name.hasPrefix(".") {
                let child = path + "/" + name
                guard let stat = FileStat(path: child) else { continue }
                if stat.isDirectory {
                    walk(child, depth: depth + 1)
                } else if stat.isRegular, name.hasSuffix(".gguf") {
                    result.append(child)
                }
            }
        }
        walk(directory.hasSuffix("/") ? String(directory.dropLast()) : directory, depth: 0)
        return result
    }
}

/// Model-manager errors a user can act on.
public struct ModelError: DomainError, CustomStringConvertible {
    public let reason: ApplicationErrorReason
    public let message: String
    public let detail: [String: JSONValue]

    public init(_ reason: ApplicationErrorReason, _ message: String, detail: [String: JSONValue] = [:]) {
        self.reason = reason
        self.message = message
        self.detail = detail
    }

    public var description: String { message }

    static func notFound(_ model: String, known: [String], directories: [String]) -> ModelError {
        let hint = known.isEmpty
            ? "no GGUF files are in \(directories.joined(separator: ", ")); download one with `elohim models pull URL`"
            : "known models: \(known.prefix(20).joined(separator: ", "))"
        return ModelError(.notFound, "no model called \(model); \(hint)", detail: ["model": .string(model)])
    }
}
