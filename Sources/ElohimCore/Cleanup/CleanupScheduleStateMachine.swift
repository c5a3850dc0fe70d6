public import Foundation

/// Why a cleanup run started.
public enum CleanupTrigger: String, Sendable, Codable {
    /// The daily time came while the daemon was running.
    case schedule
    /// A daily time passed while the daemon was stopped or the machine asleep.
    case catchUp = "catch_up"
    /// `admin.cleanup_run`.
    case manual
}

/// The scheduler's decisions, free of clocks and tasks: given the wall time, it says whether
/// to run now or until when to sleep. `CleanupSchedule` feeds it; tests drive it directly.
///
/// * A daily time reached while running (woken within `grace` of it) runs at once.
/// * A daily time missed (the daemon was stopped, the machine asleep: woken later than
///   `grace`) runs once, after a random delay of up to `catchUpDelay` — like systemd's
///   `Persistent=true` with `RandomizedDelaySec` — however many days were missed.
/// * At most one run at a time; a manual run that completes counts as the day's run if it
///   started after the daily time.
/// * With no run ever recorded, the daemon's start counts as the last run: a fresh install
///   does not clean up the moment it starts.
/// * If the wall clock is set back, the last run's time still holds: no second run that day.
public struct CleanupScheduleStateMachine: Sendable {
    public enum Action: Sendable, Equatable {
        case sleep(until: Date)
        case run(CleanupTrigger)
    }

    public let timetable: CleanupTimetable
    /// The longest random wait before a catch-up run, in seconds.
    public let catchUpDelay: Double
    /// How late a wake-up may be and still count as "on time", in seconds.
    public let grace: Double
    /// When the last completed run started (or the daemon started, before any run).
    public private(set) var lastRun: Date
    /// When a pending catch-up run is due.
    public private(set) var catchUpAt: Date?
    public private(set) var running = false

    public init(timetable: CleanupTimetable, lastRun: Date?, startedAt: Date, catchUpDelay: Double = 120, grace: Double = 300) {
        self.timetable = timetable
        self.catchUpDelay = catchUpDelay
        self.grace = grace
        self.lastRun = lastRun ?? startedAt
    }

    /// What to do at `now`; `random` is a number in 0..<1 for the catch-up delay.
    public mutating func next(now: Date, random: Double) -> Action {
        if let catchUpAt {
            return now >= catchUpAt ? .run(.catchUp) : .sleep(until: catchUpAt)
        }
        let due = timetable.previousRun(atOrBefore: now)
        if lastRun < due {
            if now.timeIntervalSince(due) <= grace { return .run(.schedule) }
            let at = now.addingTimeInterval(catchUpDelay * min(max(random, 0), 1))
            catchUpAt = at
            return now >= at ? .run(.catchUp) : .sleep(until: at)
        }
        return .sleep(until: timetable.nextRun(after: max(now, lastRun)))
    }

    /// When the next run will start, and whether it is a catch-up, without changing state.
    public func preview(now: Date) -> (at: Date, catchUp: Bool) {
        if let catchUpAt { return (max(catchUpAt, now), true) }
        let due = timetable.previousRun(atOrBefore: now)
        if lastRun < due { return (now, now.timeIntervalSince(due) > grace) }
        return (timetable.nextRun(after: max(now, lastRun)), false)
    }

    /// Marks a run as started; false when one is already running (runs never overlap).
    public mutating func begin() -> Bool {
        guard !running else { return false }
        running = true
        return true
    }

    /// Marks the run that started at `startedAt` as over. `completed` is false for dry runs
    /// (they change nothing, so they do not count as the day's run).
    public mutating func finish(startedAt: Date, completed: Bool) {
        running = false
        guard completed else { return }
        lastRun = max(lastRun, startedAt)
        // Whatever was missed before `startedAt`, this run did it.
        catchUpAt = nil
    }
}
