import ElohimCore
import ElohimProtocol
import ElohimRuntime
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Wires the daemon together and runs it until SIGTERM/SIGINT.
///
/// Order matters: configuration, then storage and migrations, then the socket, then the signal
/// handlers; only when all of them are in place does systemd hear `READY=1`. The service group
/// is ordered so the server is the first to stop and the watchdog the last.
public enum Daemon {
    /// Exit codes, after sysexits(3), so systemd and scripts can tell failures apart.
    public enum ExitCode {
        public static let success: Int32 = 0
        public static let failure: Int32 = 1
        public static let configuration: Int32 = 78
        public static let cannotCreate: Int32 = 73
    }

    /// Runs the daemon; returns the process exit code.
    public static func run(overrides: DaemonConfiguration.Overrides, environment: [String: String]) async -> Int32 {
        umask(0o077)
        raiseOpenFileLimit()
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(overrides: overrides, environment: environment)
        } catch {
            FileHandle.standardError.write(Data("elohimd: bad configuration: \(error)\n".utf8))
            return ExitCode.configuration
        }
        StderrLogHandler.bootstrap(level: Logger.Level(rawValue: configuration.logLevel) ?? .info, environment: environment)
        let logger = Logger(label: "elohimd")

        let dataDir = configuration.resolvedDataDir(environment: environment)
        let stores: Stores
        do {
            stores = try Stores.open(dataDir: dataDir, configuration: configuration, logger: logger, environment: environment)
        } catch {
            logger.critical("cannot use the data directory", metadata: ["path": "\(dataDir)", "error": "\(error)"])
            Systemd.status("Failed: \(error)")
            return ExitCode.cannotCreate
        }
        let database = stores.database

        let listener: SocketListener
        do {
            listener = try SocketListener.open(
                path: configuration.resolvedSocketPath(environment: environment), mode: configuration.mode, logger: logger)
        } catch {
            logger.critical("cannot listen", metadata: ["error": "\(error)"])
            Systemd.status("Failed: \(error)")
            return ExitCode.failure
        }
        defer { listener.release() }

        let settings = LiveSettings(configuration)
        let events = stores.events
        let startedAt = Date()
        let databaseSize = ThrottledReading(every: .seconds(1)) { database.sizeOnDisk() }
        let facts = DaemonFacts(
            startedAt: startedAt, startedAtText: Timestamp.format(startedAt), pid: getpid(), mode: configuration.mode,
            socketPath: listener.path, socketActivated: listener.activated, dataDir: dataDir,
            databasePath: database.path, databaseSize: { databaseSize.current }, capabilities: capabilities
        )
        events.setSnapshot(for: .daemon) {
            ["state": "running", "pid": .int(Int64(facts.pid)), "started_at": .string(facts.startedAtText)]
        }

        // The server and the dispatcher refer to each other's counters; a box breaks the cycle.
        let counters = CounterBox()
        let methods = makeMethods(
            facts: facts, settings: settings, events: events, counters: counters, security: stores.security,
            engine: stores.engine, testMethods: configuration.enableTestMethods, cleanup: stores.cleanup,
            library: LibraryServices(store: stores.library, runner: WorkflowRunner(), settings: settings), models: stores.models,
            chat: makeChat(database: database, settings: settings, setup: stores.security.setup, models: stores.models))
        let policy = RBACPolicy(accounts: stores.security.accounts, founder: stores.security.founder, audit: stores.security.audit)
        let dispatcher = Dispatcher(methods: methods, policy: policy, logger: logger)

        let statusLine: @Sendable () -> String = {
            "Serving \(methods.entries.count) methods on \(listener.path)"
        }
        let server = RPCServer(
            listener: listener, dispatcher: dispatcher, events: events,
            configuration: {
                let current = settings.current
                return RPCServer.Configuration(
                    maxFrameBytes: current.maxFrameBytes, shutdownGrace: .milliseconds(Int64(current.shutdownGraceSeconds * 1000)))
            },
            onShutdown: {
                Systemd.stopping(status: "Stopping: finishing in-flight requests")
                events.publish(.daemon, type: "daemon.stopping", data: [:])
                stores.security.audit.record(AuditEvent("daemon.stopping", action: "stop", actor: .daemon))
                // Queries stop now, so in-flight engine.run requests answer before the grace ends.
                stores.engine.engine.shutdown()
            },
            pace: { [audit = stores.security.audit] in audit.waitForRoom() },
            logger: logger
        )
        counters.install(connections: { server.connections.count }, served: { dispatcher.requestsServed })

        let announceReady: @Sendable () -> Void = { [stores] in
            logger.info(
                "elohimd \(DaemonFacts.version) ready",
                metadata: [
                    "socket": "\(listener.path)", "activated": "\(listener.activated)", "data_dir": "\(dataDir)",
                    "config": "\(configuration.configPath ?? "(defaults)")", "pid": "\(facts.pid)",
                ])
            Systemd.ready(status: statusLine())
            events.publish(.daemon, type: "daemon.started", data: ["pid": .int(Int64(facts.pid))])
            stores.security.audit.record(
                AuditEvent(
                    "daemon.started", action: "start", actor: .daemon,
                    details: ["pid": .int(Int64(facts.pid)), "version": .string(DaemonFacts.version), "socket": .string(listener.path)]))
        }
        // Trapped before anything can announce readiness; see ReadinessService.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        var services: [any Service] = []
        if let interval = Systemd.watchdogInterval() {
            services.append(WatchdogService(interval: interval, logger: logger))
        }
        services.append(stores.security.audit)
        services.append(EngineService(engine: stores.engine.engine, events: events, logger: logger))
        events.setSnapshot(for: .engine) { (try? RPCCoding.json(stores.engine.engine.status())) ?? [:] }
        services.append(
            ReloadService(
                hangups: hangups, audit: stores.security.audit,
                overrides: overrides, environment: environment, settings: settings, events: events, logger: logger,
                statusLine: statusLine))
        services.append(ModelRuntimeService(models: stores.models))
        services.append(stores.cleanup)
        services.append(ReadinessService(announce: announceReady))
        services.append(server)
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .milliseconds(Int64(configuration.shutdownGraceSeconds * 1000) + 5000)
        let group = ServiceGroup(configuration: groupConfiguration)

        defer { Systemd.flush() }
        do {
            try await group.run()
        } catch {
            logger.critical("stopped on error", metadata: ["error": "\(error)"])
            return ExitCode.failure
        }
        logger.info("stopped")
        return ExitCode.success
    }
}

extension Daemon {
    /// Raises the soft limit on open files to the hard one. Every connection, runtime pipe and
    /// database handle is a descriptor; systemd's soft default of 1024 would refuse the
    /// thousandth client while the hard limit (524288 there) allows far more. epoll has no
    /// FD_SETSIZE ceiling, so this is the documented thing to do (systemd.exec(5), LimitNOFILE=).
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = min(limit.rlim_max, 1 << 20)
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// Advertised in `daemon.hello`; areas add theirs as they land.
    static let capabilities = ["batch", "events", "engine"]

    /// Every method this build serves. The one list, used by the running daemon and by
    /// `--print-openrpc`, so the committed document cannot drift from the served one.
    static func makeMethods(
        facts: DaemonFacts, settings: LiveSettings, events: EventBus, counters: CounterBox, security: SecurityServices,
        engine: EngineServices, testMethods: Bool, cleanup: CleanupSchedule,
        library: LibraryServices, models: ModelServices, chat: ChatService
    ) -> MethodTable {
        var methods = MethodTable()
        methods.registerDaemonMethods(
            facts: facts, settings: settings,
            connections: { counters.connections() }, served: { counters.served() })
        methods.registerEventMethods(bus: events) { topic, peer in
            security.holds(peer.uid, topic.permission)
        }
        methods.registerAccountMethods(security)
        methods.registerAuditMethods(security)
        methods.registerEngineMethods(engine, security: security)
        methods.registerDataMethods(engine, events: events, audit: security.audit)
        methods.registerLibraryMethods(library, security: security, events: events)
        methods.registerModelsMethods(models)
        methods.registerSlotsMethods(models, audit: security.audit)
        methods.registerPullMethod(models, events: events, audit: security.audit)
        methods.registerChatMethods(chat, events: events, audit: security.audit) { model, force in
            guard settings.current.chatRuntimes[model] == nil else { return }
            let (result, report) = try models.fitResult(try await models.inventory.lookup(model), context: nil)
            guard report.fits || force else {
                var detail = (try? RPCCoding.json(result))?.objectValue ?? [:]
                detail["model"] = .string(model)
                throw ModelError(.memoryLimit, (report.warning ?? "") + " " + report.recommendation, detail: detail)
            }
        }
        methods.registerCleanupMethods(cleanup, audit: security.audit)
        if testMethods { methods.registerTestMethods(audit: security.audit) }
        methods.registerDiscover()
        return methods
    }

    /// The OpenRPC document a daemon with default settings serves. Builds a real method table
    /// on throw-away stores, so the document comes from the same code as the served one.
    static func servedDocument() throws -> JSONValue {
        OpenRPCDocument.make(from: try describedMethods().methods)
    }

    /// The method table of a daemon with default settings, on throw-away stores (removed
    /// when `describedMethods` returns; the table is for reading declarations and tests).
    static func describedMethods() throws -> (methods: MethodTable, security: SecurityServices) {
        let scratch = NSTemporaryDirectory() + "elohimd-openrpc-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let configuration = DaemonConfiguration()
        let stores = try Stores.open(dataDir: scratch, configuration: configuration, logger: Logger(label: "openrpc"))
        let facts = DaemonFacts(
            startedAt: Date(), startedAtText: "", pid: 0, mode: .user, socketPath: "", socketActivated: false,
            dataDir: "", databasePath: "", databaseSize: { 0 }, capabilities: capabilities)
        let settings = LiveSettings(configuration)
        let methods = makeMethods(
            facts: facts, settings: settings, events: stores.events, counters: CounterBox(),
            security: stores.security, engine: stores.engine, testMethods: false, cleanup: stores.cleanup,
            library: LibraryServices(store: stores.library, runner: WorkflowRunner(), settings: settings),
            models: stores.models,
            chat: makeChat(database: stores.database, settings: settings, setup: stores.security.setup, models: stores.models))
        return (methods, stores.security)
    }
}

extension Daemon {
    /// Chat over the configured runtimes; the default model is read per call, so a reload or
    /// a finished setup applies at once.
    static func makeChat(database: AppDatabase, settings: LiveSettings, setup: SetupState, models: ModelServices) -> ChatService {
        var configuration = ChatService.Configuration()
        configuration.maxReplyTokens = settings.current.chatMaxReplyTokens
        let provider = ManagedChat(manager: models.manager, external: LlamaServerChat { settings.current.chatRuntimes }) {
            Set(settings.current.chatRuntimes.keys)
        }
        return ChatService(store: ChatStore(database: database.writer), provider: provider, configuration: configuration) {
            settings.current.defaultModel ?? (try? setup.status().defaultModel) ?? nil
        }
    }
}

/// Late-bound counters for `daemon.status`.
final class CounterBox: @unchecked Sendable {
    // Written once before the server starts, read afterwards: no lock needed.
    private var connectionsProvider: @Sendable () -> Int = { 0 }
    private var servedProvider: @Sendable () -> Int64 = { 0 }

    func install(connections: @escaping @Sendable () -> Int, served: @escaping @Sendable () -> Int64) {
        connectionsProvider = connections
        servedProvider = served
    }

    func connections() -> Int { connectionsProvider() }
    func served() -> Int64 { servedProvider() }
}
