import ElohimCore

/// The configuration in force, replaced as a whole when SIGHUP reloads it.
public final class LiveSettings: Sendable {
    private let value: ReadMostly<DaemonConfiguration>

    public init(_ configuration: DaemonConfiguration) {
        value = ReadMostly(configuration)
    }

    public var current: DaemonConfiguration { value.current }

    func replace(with configuration: DaemonConfiguration) {
        value.write { $0 = configuration }
    }
}
