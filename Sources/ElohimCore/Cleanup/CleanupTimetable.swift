public import Foundation

/// When the nightly cleanup is due: a daily local wall-clock time in a time zone, with the
/// rules for days on which that time does not exist or exists twice. Pure arithmetic on
/// instants and the zone's UTC offsets — no clock, no sleeping — so every rule is unit-tested.
///
/// Rules (documented in `docs/cleanup.md`):
/// * The run of a local day is the first instant at which that day's wall clock reads the
///   configured time or later. On a spring-forward day where 02:00 never appears (the clock
///   jumps from 01:59:59 to 03:00), that is the instant of the jump: it runs once, when the
///   clock passes 02:00.
/// * On a fall-back day where 01:30 appears twice, it is the first occurrence; the second
///   one belongs to the same local day, so it does not run again.
/// * Missed runs (machine off or asleep) are caught up once, however many were missed.
public struct CleanupTimetable: Sendable, Equatable {
    /// The daily time, in minutes after local midnight (02:00 = 120).
    public var minuteOfDay: Int
    public var timeZone: TimeZone

    public init(hour: Int = 2, minute: Int = 0, timeZone: TimeZone = .current) {
        precondition((0..<24).contains(hour) && (0..<60).contains(minute), "hour 0-23, minute 0-59")
        self.minuteOfDay = hour * 60 + minute
        self.timeZone = timeZone
    }

    /// Parses `HH:MM` (24-hour clock); nil when it is not a time of day.
    public static func parseTime(_ text: String) -> (hour: Int, minute: Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return (hour, minute)
    }

    /// `HH:MM`.
    public var timeText: String {
        let hour = minuteOfDay / 60
        let minute = minuteOfDay % 60
        return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }

    // MARK: - Local days

    /// Seconds since the epoch of the wall clock at `instant`, as if the zone were UTC.
    func wallSeconds(_ instant: Int64) -> Int64 {
        instant + Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }

    /// The local day (days since 1970-01-01 on the wall calendar) that `instant` falls in.
    public func localDay(of instant: Date) -> Int64 {
        Self.floorDiv(wallSeconds(Int64(instant.timeIntervalSince1970.rounded(.down))), 86_400)
    }

    /// The scheduled run of local day `day`: the first instant whose wall clock on that day
    /// reads the configured time or later.
    public func scheduledRun(onLocalDay day: Int64) -> Date {
        let wall = day * 86_400 + Int64(minuteOfDay) * 60
        // The offsets in force half a day either side cover any transition near the time.
        let before = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(wall - 43_200))))
        let after = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(wall + 43_200))))
        let candidates = Set([wall - before, wall - after]).sorted()
        if let exact = candidates.first(where: { wallSeconds($0) == wall }) {
            return Date(timeIntervalSince1970: TimeInterval(exact))  // the first occurrence
        }
        // The time does not exist that day (the clock jumps over it): the run is at the jump,
        // the first instant whose wall clock reads `wall` or later. The two candidates bracket it.
        var low = candidates.first!
        var high = candidates.last!
        while wallSeconds(low) >= wall { low -= 3_600 }
        while wallSeconds(high) < wall { high += 3_600 }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if wallSeconds(middle) >= wall { high = middle } else { low = middle }
        }
        return Date(timeIntervalSince1970: TimeInterval(high))
    }

    /// The first scheduled run strictly after `instant`.
    public func nextRun(after instant: Date) -> Date {
        let day = localDay(of: instant)
        let today = scheduledRun(onLocalDay: day)
        if today > instant { return today }
        var next = day + 1
        // A zone that skips a whole calendar day (Samoa, 2011) still yields a later instant.
        while scheduledRun(onLocalDay: next) <= instant { next += 1 }
        return scheduledRun(onLocalDay: next)
    }

    /// The latest scheduled run at or before `instant`.
    public func previousRun(atOrBefore instant: Date) -> Date {
        var day = localDay(of: instant)
        while scheduledRun(onLocalDay: day) > instant { day -= 1 }
        return scheduledRun(onLocalDay: day)
    }

    /// Whether a run is owed at `now`, given the last completed run: true when a scheduled
    /// time has passed since it (systemd's `Persistent=true`). With no run ever recorded,
    /// nothing is owed until the first scheduled time comes.
    public func isOverdue(lastRun: Date?, now: Date) -> Bool {
        guard let lastRun else { return false }
        return lastRun < previousRun(atOrBefore: now)
    }

    static func floorDiv(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }
}
