import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A number read from the system at most once per interval; in between, the last reading.
///
/// `daemon.status` reports the database's size, and every status bar polls it: two `stat`
/// calls per poll were 5% of the daemon's CPU under load, for a figure that is shown rounded
/// to megabytes. Concurrent callers may both refresh an expired reading; either result is fresh.
public final class ThrottledReading: Sendable {
    private let read: @Sendable () -> Int64
    private let intervalNanoseconds: Int64
    private let value = Atomic<Int64>(0)
    /// CLOCK_MONOTONIC nanoseconds of the last reading; `Int64.min` before the first.
    private let readAt = Atomic<Int64>(.min)

    public init(every interval: Duration, _ read: @escaping @Sendable () -> Int64) {
        self.read = read
        intervalNanoseconds = interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000
    }

    public var current: Int64 {
        let now = Self.monotonicNanoseconds()
        let last = readAt.load(ordering: .acquiring)
        if last != .min && now - last < intervalNanoseconds {
            return value.load(ordering: .relaxed)
        }
        let fresh = read()
        value.store(fresh, ordering: .relaxed)
        readAt.store(now, ordering: .releasing)
        return fresh
    }

    private static func monotonicNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
