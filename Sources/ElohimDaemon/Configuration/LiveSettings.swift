import ElohimCore

/// The configuration in force, replaced as a whole when SIGHUP reloads it.
public final class LiveSettings: Sendable {
    private let value: ReadMostly<DaemonConfiguration>

    public init(_ configuration: DaemonConfiguration) {
        value = ReadMostly(configuration)
    }

    public var current: DaemonConfiguration { value.current }

    /// One part of the configuration, without copying the whole of it (a copy retains every
    /// string and array in it; `daemon.status` asks for the path on every call).
    public func read<Part>(_ part: (DaemonConfiguration) -> Part) -> Part { value.read(part) }

    func replace(with configuration: DaemonConfiguration) {
        value.write { $0 = configuration }
    }
}
