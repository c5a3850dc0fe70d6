import ArgumentParser
import ElohimProtocol
import Foundation

/// `elohimd`: the command line of the daemon.
public struct ElohimdCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "elohimd",
        abstract: "The ElohimOS daemon: local models, chat, query engine, cleanup and audit behind one Unix socket.",
        discussion: """
            Settings come from the configuration file (JSON; default $XDG_CONFIG_HOME/elohim/elohimd.json, \
            or /etc/elohim/elohimd.json with --system), then ELOHIMD_* environment variables, then these flags. \
            Under systemd the socket is usually passed in (socket activation) and SIGHUP reloads the configuration.
            """,
        version: DaemonFacts.version
    )

    @Flag(help: "Run as the machine-wide daemon: socket /run/elohim/elohimd.sock (0660, group elohim), data in /var/lib/elohim.")
    var system = false

    @Option(help: ArgumentHelp("Configuration file to read (must exist).", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("Socket to listen on.", valueName: "path"))
    var socket: String?

    @Option(help: ArgumentHelp("Directory for databases.", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Largest request frame accepted, in bytes (default 4194304).", valueName: "bytes"))
    var maxFrameBytes: Int?

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String?

    @Flag(help: "Validate the configuration, print the settings in force and exit (non-zero naming the bad key).")
    var checkConfig = false

    @Flag(help: "Print the OpenRPC document this build serves and exit.")
    var printOpenrpc = false

    @Flag(help: .hidden)
    var enableTestMethods = false

    public init() {}

    var overrides: DaemonConfiguration.Overrides {
        var overrides = DaemonConfiguration.Overrides()
        overrides.system = system
        overrides.configPath = config
        overrides.socketPath = socket
        overrides.dataDir = dataDir
        overrides.maxFrameBytes = maxFrameBytes
        overrides.logLevel = logLevel
        overrides.enableTestMethods = enableTestMethods
        return overrides
    }

    public func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        if printOpenrpc {
            print(JSONWriter.pretty(try Daemon.servedDocument()), terminator: "")
            return
        }
        if checkConfig {
            do {
                let configuration = try DaemonConfiguration.load(overrides: overrides, environment: environment)
                print("configuration ok")
                print("  file:            \(configuration.configPath ?? "(none; built-in defaults)")")
                print("  mode:            \(configuration.mode.rawValue)")
                print("  socket:          \(configuration.resolvedSocketPath(environment: environment))")
                print("  data_dir:        \(configuration.resolvedDataDir(environment: environment))")
                print("  max_frame_bytes: \(configuration.maxFrameBytes)")
                print("  log_level:       \(configuration.logLevel)")
                print("  shutdown_grace_seconds: \(configuration.shutdownGraceSeconds)")
                print("  founder_elevation_seconds: \(configuration.founderElevationSeconds)")
                print("  founder_throttle_base_ms: \(configuration.founderThrottleBaseMilliseconds)")
                print("  library_max_document_bytes: \(configuration.libraryMaxDocumentBytes)")
            } catch {
                FileHandle.standardError.write(Data("elohimd: configuration error: \(error)\n".utf8))
                throw ExitCode(Daemon.ExitCode.configuration)
            }
            return
        }
        let code = await Daemon.run(overrides: overrides, environment: environment)
        if code != 0 { throw ExitCode(code) }
    }
}

extension ElohimdCommand {
    /// Parses the process's arguments and runs; the executable's only line.
    public static func start() async {
        await main()
    }
}
