import ElohimCore
import Synchronization
import Testing

@Suite struct ThrottledReadingTests {
    final class Counter: Sendable {
        let reads = Atomic<Int64>(0)
        func read() -> Int64 { reads.add(1, ordering: .relaxed).newValue * 10 }
    }

    @Test func readsOnceWithinTheInterval() {
        let counter = Counter()
        let reading = ThrottledReading(every: .seconds(3600)) { counter.read() }
        #expect(reading.current == 10)
        #expect(reading.current == 10)
        #expect(counter.reads.load(ordering: .relaxed) == 1)
    }

    @Test func readsAgainOnceTheIntervalHasPassed() {
        let counter = Counter()
        let reading = ThrottledReading(every: .zero) { counter.read() }
        #expect(reading.current == 10)
        #expect(reading.current == 20)
        #expect(counter.reads.load(ordering: .relaxed) == 2)
    }
}
