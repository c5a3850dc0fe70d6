import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Logs one line per message to stderr. Under systemd (`JOURNAL_STREAM` set) each line starts
/// with the `<N>` syslog priority so journald files it at the right level and adds its own
/// timestamp; on a terminal the line carries a UTC timestamp and the level instead.
public struct StderrLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    /// One level for the whole process, so a SIGHUP reload changes every logger at once.
    public var logLevel: Logger.Level {
        get { Self.levels[Self.currentLevel.load(ordering: .relaxed)] }
        set { Self.setLevel(newValue) }
    }
    private static let levels = Logger.Level.allCases
    private static let currentLevel = Atomic<Int>(2)
    private let label: String
    private let journald: Bool
    private static let lock = Mutex(())

    public init(label: String, level: Logger.Level, journald: Bool) {
        self.label = label
        self.journald = journald
        Self.setLevel(level)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let fields = merged.keys.sorted().map { "\($0)=\(merged[$0]!)" }.joined(separator: " ")
        let text = fields.isEmpty ? "\(event.message)" : "\(event.message) \(fields)"
        let line: String
        if journald {
            line = "<\(Self.priority(event.level))>\(label): \(text)\n"
        } else {
            line = "\(Self.timestamp()) \(event.level) \(label): \(text)\n"
        }
        // One write(2) per line: lines from concurrent tasks never interleave.
        var bytes = Array(line.utf8)
        Self.lock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset) }
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// Changes the level of every logger in the process.
    public static func setLevel(_ level: Logger.Level) {
        currentLevel.store(levels.firstIndex(of: level) ?? 2, ordering: .relaxed)
    }

    /// syslog(3) priorities as journald reads them.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        let milliseconds = now.tv_nsec / 1_000_000
        func pad(_ value: Int32, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(pad(Int32(milliseconds), 3))Z"
    }

    /// Bootstraps swift-log once for the process.
    public static func bootstrap(level: Logger.Level, environment: [String: String]) {
        let journald = environment["JOURNAL_STREAM"] != nil
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level, journald: journald) }
    }
}
