import ElohimCore
import ElohimProtocol

#if canImport(Glibc)
import Glibc
#endif

extension DaemonConfiguration {
    /// Overrides given on the command line; `nil` means "not given".
    public struct Overrides: Sendable {
        public var configPath: String?
        public var system: Bool = false
        public var socketPath: String?
        public var dataDir: String?
        public var maxFrameBytes: Int?
        public var logLevel: String?
        public var enableTestMethods: Bool = false

        public init() {}
    }

    /// The keys a configuration file may hold, with a line on each for error messages.
    static let fileKeys: [String: String] = [
        "socket_path": "string: the listening socket",
        "data_dir": "string: where databases live",
        "max_frame_bytes": "integer: the largest frame accepted (1024 to 268435456)",
        "log_level": "one of trace, debug, info, notice, warning, error, critical",
        "shutdown_grace_seconds": "number: how long SIGTERM waits for in-flight requests (0 to 300)",
        "founder_elevation_seconds": "number: how long founder rights last after verification (10 to 3600)",
        "founder_throttle_base_ms": "integer: wait after the first wrong founder password, doubling per failure (10 to 60000)",
        "audit_retention_days": "integer: audit events older than this move to audit-archive.db at start (1 to 36500)",
        "engine_workers": "integer: query engine worker threads (1 to 256; default: one per core)",
        "engine_queue_limit": "integer: query jobs that may wait before engine.submit answers busy (1 to 100000)",
        "engine_timeout_ms": "integer: the longest a query may run, in ms, and the default timeout (1 to 86400000)",
        "engine_max_rows": "integer: the most rows a query keeps, and the default (1 to 10000000)",
        "library_max_document_bytes": "integer: the largest document content accepted, in bytes (1 to 268435456)",
        "model_dirs": "array of absolute paths: where GGUF models are looked for (default <data_dir>/models)",
        "llama_server_command": "string: the llama.cpp server command (default llama-server)",
        "fit_available_fraction": "number: share of available memory one model may take (0.05 to 1, default 0.5)",
        "slots_total_fraction": "number: share of total memory the hot slots together may take (0.05 to 1, default 0.75)",
        "hot_slot_count": "integer: number of hot slots (1 to 16, default 4)",
        "ollama_url": "string: Ollama's API address, listed when reachable (default http://127.0.0.1:11434; \"\" = off)",
        "memory_root": "absolute path: root under which /proc and /sys/fs/cgroup are read (default /)",
        "default_model": "string: the model of chat sessions without their own (default: the one chosen at setup)",
        "chat_runtimes": "object: model name -> base URL of a running llama.cpp server (http://127.0.0.1:8080)",
        "chat_max_reply_tokens": "integer: the longest chat reply asked of a model, in tokens (16 to 131072)",
        "cleanup_time": "string: the nightly cleanup's local time, HH:MM (24-hour clock)",
        "cleanup_temp_dir": "string: absolute path of the directory for the daemon's temporary files",
        "cleanup_temp_prefix": "string: temporary file name prefix, 3 to 64 of A-Z a-z 0-9 . _ -",
        "cleanup_temp_max_age_days": "integer: temporary files unused this many days are removed (1 to 3650)",
        "chat_archive_after_days": "integer: chat sessions idle this many days are archived by the cleanup (0 = never, up to 36500)",
    ]

    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Builds the configuration from every source. A missing default file is fine; a named
    /// file that is missing, malformed or holds an unknown key is an error naming it.
    public static func load(overrides: Overrides, environment: [String: String]) throws(ConfigurationError) -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        configuration.mode = overrides.system ? .system : .user

        let explicitPath = overrides.configPath ?? environment["ELOHIMD_CONFIG"]
        let path = explicitPath ?? defaultConfigPath(mode: configuration.mode, environment: environment)
        if let text = try readFile(path, required: explicitPath != nil) {
            try configuration.apply(fileText: text, source: path)
            configuration.configPath = path
        }
        try configuration.apply(environment: environment)
        try configuration.apply(overrides)
        return configuration
    }

    mutating func apply(fileText: String, source: String) throws(ConfigurationError) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(fileText)
        } catch {
            throw ConfigurationError(key: "(file)", source: source, problem: "not valid JSON: \(error)")
        }
        guard case .object(let members) = document else {
            throw ConfigurationError(key: "(file)", source: source, problem: "expected a JSON object of settings")
        }
        for key in members.keys.sorted() {
            guard Self.fileKeys[key] != nil else {
                let known = Self.fileKeys.keys.sorted().joined(separator: ", ")
                throw ConfigurationError(key: key, source: source, problem: "unknown key; known keys: \(known)")
            }
        }
        func string(_ key: String) throws(ConfigurationError) -> String? {
            guard let value = members[key] else { return nil }
            guard let text = value.stringValue, !text.isEmpty else {
                throw ConfigurationError(key: key, source: source, problem: "expected \(Self.fileKeys[key]!)")
            }
            return text
        }
        if let value = try string("socket_path") { socketPath = try Self.absolute(value, key: "socket_path", source: source) }
        if let value = try string("data_dir") { dataDir = try Self.absolute(value, key: "data_dir", source: source) }
        if let value = try string("log_level") { logLevel = try Self.level(value, key: "log_level", source: source) }
        if let value = members["max_frame_bytes"] {
            guard let number = value.intValue else {
                throw ConfigurationError(key: "max_frame_bytes", source: source, problem: "expected \(Self.fileKeys["max_frame_bytes"]!)")
            }
            maxFrameBytes = try Self.frameLimit(Int(number), key: "max_frame_bytes", source: source)
        }
        if let value = members["shutdown_grace_seconds"] {
            guard let number = value.doubleValue, (0...300).contains(number) else {
                throw ConfigurationError(
                    key: "shutdown_grace_seconds", source: source, problem: "expected \(Self.fileKeys["shutdown_grace_seconds"]!)")
            }
            shutdownGraceSeconds = number
        }
        if let value = members["founder_elevation_seconds"] {
            guard let number = value.doubleValue, (10...3600).contains(number) else {
                throw ConfigurationError(
                    key: "founder_elevation_seconds", source: source, problem: "expected \(Self.fileKeys["founder_elevation_seconds"]!)")
            }
            founderElevationSeconds = number
        }
        if let value = members["founder_throttle_base_ms"] {
            guard let number = value.intValue, (10...60000).contains(number) else {
                throw ConfigurationError(
                    key: "founder_throttle_base_ms", source: source, problem: "expected \(Self.fileKeys["founder_throttle_base_ms"]!)")
            }
            founderThrottleBaseMilliseconds = Int(number)
        }
        if let value = try string("default_model") { defaultModel = value }
        if let value = members["chat_runtimes"] {
            guard case .object(let entries) = value else {
                throw ConfigurationError(key: "chat_runtimes", source: source, problem: "expected \(Self.fileKeys["chat_runtimes"]!)")
            }
            var runtimes: [String: String] = [:]
            for (name, url) in entries {
                guard let text = url.stringValue, text.hasPrefix("http://") else {
                    throw ConfigurationError(
                        key: "chat_runtimes.\(name)", source: source, problem: "expected an http:// base URL of a llama.cpp server")
                }
                runtimes[name] = text
            }
            chatRuntimes = runtimes
        }
        if let value = members["chat_max_reply_tokens"] {
            guard let number = value.intValue, (16...131072).contains(number) else {
                throw ConfigurationError(
                    key: "chat_max_reply_tokens", source: source, problem: "expected \(Self.fileKeys["chat_max_reply_tokens"]!)")
            }
            chatMaxReplyTokens = Int(number)
        }
        if let value = members["audit_retention_days"] {
            guard let number = value.intValue, (1...36500).contains(number) else {
                throw ConfigurationError(
                    key: "audit_retention_days", source: source, problem: "expected \(Self.fileKeys["audit_retention_days"]!)")
            }
            auditRetentionDays = Int(number)
        }
        for (key, range) in [
            ("engine_workers", 1...256), ("engine_queue_limit", 1...100_000), ("engine_timeout_ms", 1...86_400_000),
            ("engine_max_rows", 1...10_000_000),
        ] {
            guard let value = members[key] else { continue }
            guard let number = value.intValue, range.contains(Int(number)) else {
                throw ConfigurationError(key: key, source: source, problem: "expected \(Self.fileKeys[key]!)")
            }
            switch key {
            case "engine_workers": engineWorkers = Int(number)
            case "engine_queue_limit": engineQueueLimit = Int(number)
            case "engine_timeout_ms": engineTimeoutMilliseconds = Int(number)
            default: engineMaxRows = Int(number)
            }
        }
        if let value = members["library_max_document_bytes"] {
            guard let number = value.intValue, (1...268_435_456).contains(number) else {
                throw ConfigurationError(
                    key: "library_max_document_bytes", source: source, problem: "expected \(Self.fileKeys["library_max_document_bytes"]!)")
            }
            libraryMaxDocumentBytes = Int(number)
        }
        if let value = try string("cleanup_time") {
            guard CleanupTimetable.parseTime(value) != nil else {
                throw ConfigurationError(key: "cleanup_time", source: source, problem: "'\(value)' is not a time; expected \(Self.fileKeys["cleanup_time"]!)")
            }
            cleanupTime = value
        }
        if let value = try string("cleanup_temp_dir") { tempDirectory = try Self.absolute(value, key: "cleanup_temp_dir", source: source) }
        if let value = try string("cleanup_temp_prefix") {
            let allowed = value.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-")].contains(byte)
            }
            // A short or empty prefix would make the reaper consider other programs' files.
            guard allowed, (3...64).contains(value.utf8.count) else {
                throw ConfigurationError(key: "cleanup_temp_prefix", source: source, problem: "'\(value)' is not allowed; expected \(Self.fileKeys["cleanup_temp_prefix"]!)")
            }
            tempPrefix = value
        }
        if let value = members["cleanup_temp_max_age_days"] {
            guard let number = value.intValue, (1...3650).contains(number) else {
                throw ConfigurationError(
                    key: "cleanup_temp_max_age_days", source: source, problem: "expected \(Self.fileKeys["cleanup_temp_max_age_days"]!)")
            }
            tempMaxAgeDays = Int(number)
        }
        if let value = members["chat_archive_after_days"] {
            guard let number = value.intValue, (0...36500).contains(number) else {
                throw ConfigurationError(
                    key: "chat_archive_after_days", source: source, problem: "expected \(Self.fileKeys["chat_archive_after_days"]!)")
            }
            chatArchiveAfterDays = Int(number)
        }
        try applyModelSettings(members, source: source)
    }

    mutating func applyModelSettings(_ members: [String: JSONValue], source: String) throws(ConfigurationError) {
        func fail(_ key: String) -> ConfigurationError {
            ConfigurationError(key: key, source: source, problem: "expected \(Self.fileKeys[key]!)")
        }
        if let value = members["model_dirs"] {
            guard let items = value.arrayValue, !items.isEmpty else { throw fail("model_dirs") }
            var dirs: [String] = []
            for item in items {
                guard let path = item.stringValue, path.hasPrefix("/") else { throw fail("model_dirs") }
                dirs.append(path)
            }
            modelDirs = dirs
        }
        if let value = members["llama_server_command"] {
            guard let text = value.stringValue, !text.isEmpty else { throw fail("llama_server_command") }
            llamaServerCommand = text
        }
        if let value = members["fit_available_fraction"] {
            guard let number = value.doubleValue, (0.05...1).contains(number) else { throw fail("fit_available_fraction") }
            fitAvailableFraction = number
        }
        if let value = members["slots_total_fraction"] {
            guard let number = value.doubleValue, (0.05...1).contains(number) else { throw fail("slots_total_fraction") }
            slotsTotalFraction = number
        }
        if let value = members["hot_slot_count"] {
            guard let number = value.intValue, (1...16).contains(number) else { throw fail("hot_slot_count") }
            hotSlotCount = Int(number)
        }
        if let value = members["ollama_url"] {
            guard let text = value.stringValue, text.isEmpty || text.hasPrefix("http://") else { throw fail("ollama_url") }
            ollamaURL = text
        }
        if let value = members["memory_root"] {
            guard let text = value.stringValue, text.hasPrefix("/") else { throw fail("memory_root") }
            memoryRoot = text
        }
    }

    mutating func apply(environment: [String: String]) throws(ConfigurationError) {
        let source = "environment"
        if let value = environment["ELOHIMD_SOCKET"], !value.isEmpty {
            socketPath = try Self.absolute(value, key: "ELOHIMD_SOCKET", source: source)
        }
        if let value = environment["ELOHIMD_DATA_DIR"], !value.isEmpty {
            dataDir = try Self.absolute(value, key: "ELOHIMD_DATA_DIR", source: source)
        }
        if let value = environment["ELOHIMD_LOG_LEVEL"], !value.isEmpty {
            logLevel = try Self.level(value, key: "ELOHIMD_LOG_LEVEL", source: source)
        }
        if let value = environment["ELOHIMD_MAX_FRAME_BYTES"], !value.isEmpty {
            guard let number = Int(value) else {
                throw ConfigurationError(key: "ELOHIMD_MAX_FRAME_BYTES", source: source, problem: "expected an integer, got '\(value)'")
            }
            maxFrameBytes = try Self.frameLimit(number, key: "ELOHIMD_MAX_FRAME_BYTES", source: source)
        }
        if environment["ELOHIMD_ENABLE_TEST_METHODS"] == "1" { enableTestMethods = true }
        if let value = environment["ELOHIMD_ENGINE_WORKERS"], !value.isEmpty {
            guard let number = Int(value), (1...256).contains(number) else {
                throw ConfigurationError(key: "ELOHIMD_ENGINE_WORKERS", source: source, problem: "expected an integer 1 to 256, got '\(value)'")
            }
            engineWorkers = number
        }
        if let value = environment["ELOHIMD_LIBRARY_MAX_DOCUMENT_BYTES"], !value.isEmpty {
            guard let number = Int(value), (1...268_435_456).contains(number) else {
                throw ConfigurationError(
                    key: "ELOHIMD_LIBRARY_MAX_DOCUMENT_BYTES", source: source, problem: "expected an integer from 1 to 268435456, got '\(value)'")
            }
            libraryMaxDocumentBytes = number
        }
        if let value = environment["ELOHIMD_LLAMA_SERVER_COMMAND"], !value.isEmpty { llamaServerCommand = value }
        if let value = environment["ELOHIMD_MODEL_DIRS"], !value.isEmpty {
            let dirs = value.split(separator: ":").map(String.init)
            for dir in dirs { _ = try Self.absolute(dir, key: "ELOHIMD_MODEL_DIRS", source: source) }
            modelDirs = dirs
        }
        if let value = environment["ELOHIMD_DEFAULT_MODEL"], !value.isEmpty { defaultModel = value }
        if let value = environment["ELOHIMD_CHAT_ARCHIVE_AFTER_DAYS"], !value.isEmpty {
            guard let number = Int(value), (0...36500).contains(number) else {
                throw ConfigurationError(
                    key: "ELOHIMD_CHAT_ARCHIVE_AFTER_DAYS", source: source, problem: "expected an integer from 0 (never) to 36500, got '\(value)'")
            }
            chatArchiveAfterDays = number
        }
    }

    mutating func apply(_ overrides: Overrides) throws(ConfigurationError) {
        let source = "command line"
        if let value = overrides.socketPath { socketPath = try Self.absolute(value, key: "--socket", source: source) }
        if let value = overrides.dataDir { dataDir = try Self.absolute(value, key: "--data-dir", source: source) }
        if let value = overrides.logLevel { logLevel = try Self.level(value, key: "--log-level", source: source) }
        if let value = overrides.maxFrameBytes { maxFrameBytes = try Self.frameLimit(value, key: "--max-frame-bytes", source: source) }
        if overrides.enableTestMethods { enableTestMethods = true }
    }

    static func absolute(_ path: String, key: String, source: String) throws(ConfigurationError) -> String {
        guard path.hasPrefix("/") else {
            throw ConfigurationError(key: key, source: source, problem: "'\(path)' must be an absolute path")
        }
        return path
    }

    static func level(_ value: String, key: String, source: String) throws(ConfigurationError) -> String {
        guard logLevels.contains(value) else {
            throw ConfigurationError(key: key, source: source, problem: "'\(value)' is not one of \(logLevels.joined(separator: ", "))")
        }
        return value
    }

    static func frameLimit(_ value: Int, key: String, source: String) throws(ConfigurationError) -> Int {
        guard (1024...256 * 1024 * 1024).contains(value) else {
            throw ConfigurationError(key: key, source: source, problem: "\(value) is outside 1024 to 268435456 bytes")
        }
        return value
    }

    /// Reads a whole file; `nil` when it does not exist and is not required.
    static func readFile(_ path: String, required: Bool) throws(ConfigurationError) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT && !required { return nil }
            throw ConfigurationError(key: "(file)", source: path, problem: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ConfigurationError(key: "(file)", source: path, problem: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > 1024 * 1024 {
                throw ConfigurationError(key: "(file)", source: path, problem: "larger than 1 MiB; is this the right file?")
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError(key: "(file)", source: path, problem: "not valid UTF-8")
        }
        return text
    }
}
