import Synchronization

/// The configuration in force, replaced as a whole when SIGHUP reloads it.
public final class LiveSettings: Sendable {
    private let value: Mutex<DaemonConfiguration>

    public init(_ configuration: DaemonConfiguration) {
        value = Mutex(configuration)
    }

    public var current: DaemonConfiguration { value.withLock { $0 } }

    func replace(with configuration: DaemonConfiguration) {
        value.withLock { $0 = configuration }
    }
}
