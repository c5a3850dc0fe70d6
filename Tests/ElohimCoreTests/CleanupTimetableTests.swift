@testable import ElohimCore
import Foundation
import Testing

/// The nightly schedule on an injected clock, across America/New_York's 2026 transitions:
/// spring forward on 8 March (02:00 EST → 03:00 EDT, at 07:00 UTC) and fall back on
/// 1 November (02:00 EDT → 01:00 EST, at 06:00 UTC).
@Suite struct CleanupTimetableTests {
    static let newYork = TimeZone(identifier: "America/New_York")!

    static func utc(_ text: String) -> Date { Timestamp.parse(text)! }

    static func table(_ hour: Int = 2, _ minute: Int = 0) -> CleanupTimetable {
        CleanupTimetable(hour: hour, minute: minute, timeZone: newYork)
    }

    /// The run instants the scheduler produces between `start` and `end`, driven as the service
    /// loop drives it: sleep until the wanted instant but never more than `nap`, then ask again.
    static func simulate(
        _ machine: inout CleanupScheduleStateMachine, from start: Date, to end: Date, nap: Double = 60,
        random: Double = 0.5
    ) -> [(Date, CleanupTrigger)] {
        var runs: [(Date, CleanupTrigger)] = []
        var now = start
        while now < end {
            switch machine.next(now: now, random: random) {
            case .sleep(let until):
                #expect(until > now, "the scheduler must never ask to sleep into the past (busy loop)")
                now = min(until, now.addingTimeInterval(nap))
            case .run(let trigger):
                do {
                    let began = machine.begin()
                    #expect(began)
                }
                runs.append((now, trigger))
                machine.finish(startedAt: now, completed: true)
                now = now.addingTimeInterval(1)
            }
        }
        return runs
    }

    @Test func parsesTimesOfDayAndRejectsTheRest() {
        #expect(CleanupTimetable.parseTime("02:00")! == (2, 0))
        #expect(CleanupTimetable.parseTime("2:05")! == (2, 5))
        #expect(CleanupTimetable.parseTime("23:59")! == (23, 59))
        for bad in ["24:00", "02:60", "0200", "2", "", "02:00:00", "-1:00", "ab:cd", "02:", "+2:00"] {
            #expect(CleanupTimetable.parseTime(bad) == nil, "\(bad) is not a time")
        }
        #expect(Self.table(2, 5).timeText == "02:05")
    }

    @Test func anOrdinaryDayRunsAtTwoLocal() {
        // 15 June 2026 is in EDT (UTC-4): 02:00 local is 06:00 UTC.
        let table = Self.table()
        let day = table.localDay(of: Self.utc("2026-06-15T12:00:00Z"))
        #expect(table.scheduledRun(onLocalDay: day) == Self.utc("2026-06-15T06:00:00Z"))
        // 15 January is in EST (UTC-5).
        let winter = table.localDay(of: Self.utc("2026-01-15T12:00:00Z"))
        #expect(table.scheduledRun(onLocalDay: winter) == Self.utc("2026-01-15T07:00:00Z"))
        #expect(table.nextRun(after: Self.utc("2026-06-15T05:59:59Z")) == Self.utc("2026-06-15T06:00:00Z"))
        #expect(table.nextRun(after: Self.utc("2026-06-15T06:00:00Z")) == Self.utc("2026-06-16T06:00:00Z"))
    }

    @Test func springForwardRunsWhenTheClockJumpsPastTheMissingTime() {
        // 02:00 and 02:30 do not exist on 8 March: the clock reads 01:59:59 EST, then 03:00 EDT.
        for (hour, minute) in [(2, 0), (2, 30), (2, 59)] {
            let table = Self.table(hour, minute)
            #expect(table.nextRun(after: Self.utc("2026-03-08T06:00:00Z")) == Self.utc("2026-03-08T07:00:00Z"), "\(hour):\(minute)")
        }
        // 03:00 exists (it is the first instant after the jump) and 01:59 too, before it.
        #expect(Self.table(3, 0).nextRun(after: Self.utc("2026-03-08T05:00:00Z")) == Self.utc("2026-03-08T07:00:00Z"))
        #expect(Self.table(1, 59).nextRun(after: Self.utc("2026-03-08T05:00:00Z")) == Self.utc("2026-03-08T06:59:00Z"))
        // The next day is back to normal, in EDT.
        #expect(Self.table().nextRun(after: Self.utc("2026-03-08T07:00:00Z")) == Self.utc("2026-03-09T06:00:00Z"))
    }

    @Test func springForwardRunsExactlyOnce() {
        var machine = CleanupScheduleStateMachine(
            timetable: Self.table(2, 30), lastRun: Self.utc("2026-03-07T07:30:00Z"), startedAt: Self.utc("2026-03-07T12:00:00Z"))
        let runs = Self.simulate(&machine, from: Self.utc("2026-03-07T12:00:00Z"), to: Self.utc("2026-03-10T12:00:00Z"))
        #expect(runs.map(\.0) == [Self.utc("2026-03-08T07:00:00Z"), Self.utc("2026-03-09T06:30:00Z"), Self.utc("2026-03-10T06:30:00Z")])
        #expect(runs.allSatisfy { $0.1 == .schedule })
    }

    @Test func fallBackRunsOnceAtTheFirstOccurrence() {
        // 01:30 happens twice on 1 November: 05:30 UTC (EDT) and 06:30 UTC (EST).
        let table = Self.table(1, 30)
        let day = table.localDay(of: Self.utc("2026-11-01T12:00:00Z"))
        #expect(table.scheduledRun(onLocalDay: day) == Self.utc("2026-11-01T05:30:00Z"))
        var machine = CleanupScheduleStateMachine(
            timetable: table, lastRun: Self.utc("2026-10-31T05:30:00Z"), startedAt: Self.utc("2026-10-31T12:00:00Z"))
        let runs = Self.simulate(&machine, from: Self.utc("2026-10-31T12:00:00Z"), to: Self.utc("2026-11-03T12:00:00Z"))
        #expect(runs.map(\.0) == [Self.utc("2026-11-01T05:30:00Z"), Self.utc("2026-11-02T06:30:00Z"), Self.utc("2026-11-03T06:30:00Z")])
    }

    @Test func fallBackAtTwoRunsOnce() {
        // 02:00 EDT never shows (the clock goes back at it); 02:00 EST is 07:00 UTC.
        var machine = CleanupScheduleStateMachine(
            timetable: Self.table(), lastRun: Self.utc("2026-10-31T06:00:00Z"), startedAt: Self.utc("2026-10-31T12:00:00Z"))
        let runs = Self.simulate(&machine, from: Self.utc("2026-10-31T12:00:00Z"), to: Self.utc("2026-11-02T12:00:00Z"))
        #expect(runs.map(\.0) == [Self.utc("2026-11-01T07:00:00Z"), Self.utc("2026-11-02T07:00:00Z")])
    }

    @Test func everyDayOfAYearRunsOnceInEveryZoneWithDST() {
        // Whole 2026 in zones with different rules, including half-hour (Lord Howe) DST.
        for zone in ["America/New_York", "Europe/Berlin", "Australia/Sydney", "Australia/Lord_Howe", "UTC"] {
            for (hour, minute) in [(2, 0), (2, 30), (0, 0), (23, 59)] {
                let table = CleanupTimetable(hour: hour, minute: minute, timeZone: TimeZone(identifier: zone)!)
                var instant = Self.utc("2026-01-01T12:00:00Z")
                var previous = table.nextRun(after: instant)
                var count = 0
                while previous < Self.utc("2027-01-01T00:00:00Z") {
                    instant = previous
                    previous = table.nextRun(after: instant)
                    // One run per local day: consecutive runs fall on consecutive local days.
                    #expect(table.localDay(of: previous) == table.localDay(of: instant) + 1, "\(zone) \(hour):\(minute) at \(instant)")
                    count += 1
                }
                #expect((364...366).contains(count), "\(zone): \(count) runs in 2026")
            }
        }
    }

    @Test func aMissedRunIsCaughtUpOnceAfterARandomDelay() {
        // Stopped from 1 March to the 4th at 10:00 local: three days missed, one catch-up.
        var machine = CleanupScheduleStateMachine(
            timetable: Self.table(), lastRun: Self.utc("2026-03-01T07:00:00Z"), startedAt: Self.utc("2026-03-04T15:00:00Z"),
            catchUpDelay: 120)
        #expect(machine.preview(now: Self.utc("2026-03-04T15:00:00Z")).catchUp)
        do {
            let action = machine.next(now: Self.utc("2026-03-04T15:00:00Z"), random: 0.25)
            #expect(action == .sleep(until: Self.utc("2026-03-04T15:00:30Z")))
        }
        // A second look before the delay is over keeps the same instant (not a new random one).
        do {
            let action = machine.next(now: Self.utc("2026-03-04T15:00:10Z"), random: 0.99)
            #expect(action == .sleep(until: Self.utc("2026-03-04T15:00:30Z")))
        }
        let runs = Self.simulate(&machine, from: Self.utc("2026-03-04T15:00:10Z"), to: Self.utc("2026-03-05T12:00:00Z"))
        #expect(runs.map(\.0) == [Self.utc("2026-03-04T15:00:30Z"), Self.utc("2026-03-05T07:00:00Z")])
        #expect(runs.map(\.1) == [.catchUp, .schedule])
    }

    @Test func aResumeAfterTheDailyTimeCatchesUp() {
        // Asleep from 01:00 to 09:00 local: the loop wakes far past 02:00 and catches up.
        var machine = CleanupScheduleStateMachine(
            timetable: Self.table(), lastRun: Self.utc("2026-06-14T06:00:00Z"), startedAt: Self.utc("2026-06-14T12:00:00Z"),
            catchUpDelay: 60)
        do {
            let action = machine.next(now: Self.utc("2026-06-15T05:00:00Z"), random: 0)
            #expect(action == .sleep(until: Self.utc("2026-06-15T06:00:00Z")))
        }
        do {
            let action = machine.next(now: Self.utc("2026-06-15T13:00:00Z"), random: 0)
            #expect(action == .run(.catchUp))
        }
    }

    @Test func noHistoryWaitsForTheFirstDailyTime() {
        var machine = CleanupScheduleStateMachine(timetable: Self.table(), lastRun: nil, startedAt: Self.utc("2026-06-15T14:00:00Z"))
        do {
            let action = machine.next(now: Self.utc("2026-06-15T14:00:00Z"), random: 0)
            #expect(action == .sleep(until: Self.utc("2026-06-16T06:00:00Z")))
        }
        #expect(!machine.preview(now: Self.utc("2026-06-15T14:00:00Z")).catchUp)
    }

    @Test func aClockSetBackDoesNotRunTwice() {
        var machine = CleanupScheduleStateMachine(
            timetable: Self.table(), lastRun: Self.utc("2026-06-15T06:00:00Z"), startedAt: Self.utc("2026-06-15T06:00:00Z"))
        // Someone sets the clock back to 01:00 local, before the daily time that already ran.
        do {
            let action = machine.next(now: Self.utc("2026-06-15T05:00:00Z"), random: 0)
            #expect(action == .sleep(until: Self.utc("2026-06-16T06:00:00Z")))
        }
    }

    @Test func runsNeverOverlapAndDryRunsDoNotCount() {
        var machine = CleanupScheduleStateMachine(
            timetable: Self.table(), lastRun: Self.utc("2026-06-14T06:00:00Z"), startedAt: Self.utc("2026-06-14T12:00:00Z"))
        do {
            let began = machine.begin()
            #expect(began)
        }
        do {
            let began = machine.begin()
            #expect(!began, "a second run while one is running")
        }
        machine.finish(startedAt: Self.utc("2026-06-15T07:00:00Z"), completed: false)  // a dry run
        do {
            let action = machine.next(now: Self.utc("2026-06-15T06:00:30Z"), random: 0)
            #expect(action == .run(.schedule))
        }
        do {
            let began = machine.begin()
            #expect(began)
        }
        machine.finish(startedAt: Self.utc("2026-06-15T06:00:30Z"), completed: true)
        do {
            let action = machine.next(now: Self.utc("2026-06-15T06:01:00Z"), random: 0)
            #expect(action == .sleep(until: Self.utc("2026-06-16T06:00:00Z")))
        }
    }

    @Test func aManualRunAfterAMissedTimeReplacesTheCatchUp() {
        var machine = CleanupScheduleStateMachine(
            timetable: Self.table(), lastRun: Self.utc("2026-06-10T06:00:00Z"), startedAt: Self.utc("2026-06-15T12:00:00Z"),
            catchUpDelay: 120)
        do {
            let action = machine.next(now: Self.utc("2026-06-15T12:00:00Z"), random: 1)
            #expect(action == .sleep(until: Self.utc("2026-06-15T12:02:00Z")))
        }
        do {
            let began = machine.begin()
            #expect(began)
        }
        machine.finish(startedAt: Self.utc("2026-06-15T12:01:00Z"), completed: true)
        do {
            let action = machine.next(now: Self.utc("2026-06-15T12:03:00Z"), random: 0)
            #expect(action == .sleep(until: Self.utc("2026-06-16T06:00:00Z")))
        }
    }
}
