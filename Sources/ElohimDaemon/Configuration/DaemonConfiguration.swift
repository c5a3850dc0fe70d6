import ElohimWire

/// Everything the daemon can be told, with the defaults it runs on when told nothing.
///
/// Sources, later ones winning: built-in defaults, the configuration file
/// (`$XDG_CONFIG_HOME/elohim/elohimd.json`, or `/etc/elohim/elohimd.json` with `--system`),
/// `ELOHIMD_*` environment variables, command-line flags.
public struct DaemonConfiguration: Sendable, Equatable {
    /// `user` (a per-user daemon, the default) or `system` (one daemon for the machine).
    public enum Mode: String, Sendable, Equatable {
        case user, system
    }

    public var mode: Mode = .user
    /// The listening socket; `nil` = the mode's default path.
    public var socketPath: String?
    /// Where databases live; `nil` = the mode's default directory.
    public var dataDir: String?
    /// The largest frame accepted, in bytes. Default 4 MiB.
    public var maxFrameBytes: Int = Frame.defaultMaximumPayload
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`.
    public var logLevel: String = "info"
    /// How long SIGTERM waits for in-flight requests before closing connections, in seconds.
    public var shutdownGraceSeconds: Double = 10
    /// How long `elohim founder verify` unlocks founder rights, in seconds. Default 300.
    public var founderElevationSeconds: Double = 300
    /// The wait after the first wrong founder password, in milliseconds; it doubles per failure.
    public var founderThrottleBaseMilliseconds: Int = 1000
    /// Audit events older than this many days move to `audit-archive.db` at start. Default 365.
    public var auditRetentionDays: Int = 365
    /// The largest document content `docs.create`/`docs.update` accept, in bytes. Default 1 MiB.
    public var libraryMaxDocumentBytes: Int = 1024 * 1024
    /// The nightly cleanup's local time, `HH:MM` (24-hour clock). Default `02:00`.
    public var cleanupTime: String = "02:00"
    /// Where the daemon's temporary files go and the cleanup reaps them. Default `/tmp`.
    public var tempDirectory: String = "/tmp"
    /// What the daemon's temporary file names start with. Default `elohimos_`.
    public var tempPrefix: String = "elohimos_"
    /// Temporary files unused (by every timestamp) for this many days are removed. Default 7.
    public var tempMaxAgeDays: Int = 7
    /// Chat sessions with no activity for this many days are archived by the cleanup; 0 = never. Default 90.
    public var chatArchiveAfterDays: Int = 90
    /// Registers the JSON-RPC 2.0 specification's example methods and `test.sleep`: for tests only.
    public var enableTestMethods: Bool = false
    /// Query engine worker threads; `nil` = one per core.
    public var engineWorkers: Int?
    /// Query jobs that may wait for a worker before `engine.submit` answers `busy`. Default 64.
    public var engineQueueLimit: Int = 64
    /// The longest a query may run, in milliseconds (also the default timeout). Default 30000.
    public var engineTimeoutMilliseconds: Int = 30_000
    /// The most rows a query job keeps (also the default). Default 10000.
    public var engineMaxRows: Int = 10_000
    /// Where GGUF models are looked for; `nil` = `<data_dir>/models`.
    public var modelDirs: [String]?
    /// The llama.cpp server command (a path or a name on PATH); its flags are llama-server's.
    public var llamaServerCommand: String = "llama-server"
    /// A model may take this share of available memory (the fit rule). Default 0.5.
    public var fitAvailableFraction: Double = 0.5
    /// Hot slots together may take this share of total memory. Default 0.75.
    public var slotsTotalFraction: Double = 0.75
    /// The number of hot slots. Default 4.
    public var hotSlotCount: Int = 4
    /// Ollama's API; its models are listed when it answers. "" turns it off.
    public var ollamaURL: String = "http://127.0.0.1:11434"
    /// The root `/proc` and `/sys/fs/cgroup` are read under ("/"; tests point it at captured trees).
    public var memoryRoot: String = "/"
    /// The model of chat sessions without their own; `nil` = the one chosen at setup.
    public var defaultModel: String?
    /// Running llama.cpp servers chat may use directly: model name → base URL (`http://127.0.0.1:8080`).
    public var chatRuntimes: [String: String] = [:]
    /// The longest chat reply asked of a model, in tokens. Default 1024.
    public var chatMaxReplyTokens: Int = 1024
    /// The file these settings were read from, if any.
    public var configPath: String?

    public init() {}

    /// The socket path after defaults are applied.
    public func resolvedSocketPath(environment: [String: String]) -> String {
        if let socketPath { return socketPath }
        switch mode {
        case .system: return SocketPath.systemPath
        case .user: return SocketPath.userPath(environment: { environment[$0] })
        }
    }

    /// The data directory after defaults are applied: `$XDG_DATA_HOME/elohim` (or
    /// `~/.local/share/elohim`) for a user daemon, `/var/lib/elohim` (or systemd's
    /// `$STATE_DIRECTORY`) for the system one.
    public func resolvedDataDir(environment: [String: String]) -> String {
        if let dataDir { return dataDir }
        switch mode {
        case .system:
            if let state = environment["STATE_DIRECTORY"], state.hasPrefix("/") {
                return String(state.split(separator: ":").first ?? "/var/lib/elohim")
            }
            return "/var/lib/elohim"
        case .user:
            if let dataHome = environment["XDG_DATA_HOME"], dataHome.hasPrefix("/") { return dataHome + "/elohim" }
            return (environment["HOME"] ?? "/root") + "/.local/share/elohim"
        }
    }

    /// The model directories after defaults are applied.
    public func resolvedModelDirs(environment: [String: String]) -> [String] {
        modelDirs ?? [resolvedDataDir(environment: environment) + "/models"]
    }

    /// Where the configuration file is looked for when none is named.
    public static func defaultConfigPath(mode: Mode, environment: [String: String]) -> String {
        switch mode {
        case .system: return "/etc/elohim/elohimd.json"
        case .user:
            if let configHome = environment["XDG_CONFIG_HOME"], configHome.hasPrefix("/") {
                return configHome + "/elohim/elohimd.json"
            }
            return (environment["HOME"] ?? "/root") + "/.config/elohim/elohimd.json"
        }
    }
}
