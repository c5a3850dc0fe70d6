import ElohimCore
import ElohimProtocol
import Logging
import ServiceLifecycle

/// The query engine and the datasets it reads, as the handlers see them.
struct EngineServices: Sendable {
    let engine: QueryEngine
    let datasets: DatasetStore
}

/// Runs the engine's workers for the life of the daemon and publishes its status on topic
/// `engine`, debounced: the first change after a quiet spell goes out at once, later ones at
/// most once per `interval`, and the last state of a burst is always published.
struct EngineService: Service {
    let engine: QueryEngine
    let events: EventBus
    let logger: Logger
    /// The shortest time between two `engine.status` events.
    var interval: Duration = .milliseconds(100)

    func run() async throws {
        let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        engine.onChange { continuation.yield() }
        engine.start()
        logger.info("query engine started", metadata: ["workers": "\(engine.configuration.machine.workers)"])
        await withGracefulShutdownHandler {
            await publish(signals, wake: continuation)
        } onGracefulShutdown: {
            engine.shutdown()
            continuation.finish()
        }
    }

    private func publish(_ signals: AsyncStream<Void>, wake: AsyncStream<Void>.Continuation) async {
        let clock = ContinuousClock()
        await withDiscardingTaskGroup { group in
            var published: EngineStatus?
            var lastTime = clock.now - interval
            var expiryDue: ContinuousClock.Instant?
            for await _ in signals {
                let wait = lastTime + interval - clock.now
                if wait > .zero { try? await Task.sleep(for: wait) }
                let status = engine.status()
                lastTime = clock.now
                if status != published {
                    published = status
                    events.publish(.engine, type: "engine.status", data: (try? RPCCoding.json(status)) ?? [:])
                }
                // An error lapses by itself: wake up then to publish the change.
                if let due = expiryDue, due <= clock.now { expiryDue = nil }
                if let seconds = engine.secondsUntilStatusExpiry() {
                    let due = clock.now + .milliseconds(Int64(seconds * 1000) + 10)
                    if expiryDue.map({ $0 < due }) ?? true {
                        expiryDue = due
                        group.addTask {
                            try? await Task.sleep(until: due, clock: clock)
                            wake.yield()
                        }
                    }
                }
            }
            group.cancelAll()
        }
    }
}
