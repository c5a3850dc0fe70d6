import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The open connections, so shutdown can stop their input and status can count them.
final class ConnectionRegistry: Sendable {
    private struct State {
        var nextID: UInt64 = 1
        var connections: [UInt64: Connection] = [:]
        var draining = false
        /// How many times the last connection has closed, so a trim knows its quiet spell lasted.
        var quietSpells = 0
        var emptyWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// Read by every `daemon.status` without taking the lock: with a thread per connection,
    /// a lock there is contended by every client at once.
    private let open = Atomic<Int>(0)

    /// A fresh connection id, for a connection that is not registered yet.
    func makeID() -> UInt64 {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Registers a connection; `false` when the daemon is already draining.
    func add(_ connection: Connection) -> Bool {
        state.withLock { state in
            guard !state.draining else { return false }
            state.connections[connection.id] = connection
            open.store(state.connections.count, ordering: .relaxed)
            return true
        }
    }

    func remove(_ id: UInt64) {
        // `quietSpell` is set when this was the last connection.
        let (waiters, quietSpell) = state.withLock { state -> ([CheckedContinuation<Void, Never>], Int?) in
            state.connections.removeValue(forKey: id)
            open.store(state.connections.count, ordering: .relaxed)
            guard state.connections.isEmpty else { return ([], nil) }
            state.quietSpells += 1
            defer { state.emptyWaiters.removeAll() }
            return (state.emptyWaiters, state.quietSpells)
        }
        for waiter in waiters { waiter.resume() }
        if let quietSpell { trimWhenStillIdle(after: quietSpell) }
    }

    /// After a burst of clients, glibc keeps what their threads freed in its per-thread arenas.
    /// Once no client has been connected for a second, hand it back to the kernel (a few
    /// hundred KiB to a few MiB; one `malloc_trim` per quiet spell, so it costs nothing under load).
    private func trimWhenStillIdle(after spell: Int) {
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .seconds(1)) { [self] in
            let stillIdle = state.withLock { $0.connections.isEmpty && $0.quietSpells == spell }
            if stillIdle { _ = mallocTrim(0) }
        }
    }

    /// Returns once no connection is open (after `stopInput`, when the last one has closed).
    func waitUntilEmpty() async {
        await withCheckedContinuation { continuation in
            let emptyNow = state.withLock { state in
                if state.connections.isEmpty { return true }
                state.emptyWaiters.append(continuation)
                return false
            }
            if emptyNow { continuation.resume() }
        }
    }

    var count: Int { open.load(ordering: .relaxed) }

    /// Stops reading new requests on every connection; each finishes what it is doing, writes
    /// its responses and closes.
    func stopInput() {
        let connections = state.withLock { state in
            state.draining = true
            return Array(state.connections.values)
        }
        for connection in connections { connection.stopInput() }
    }

    /// Closes every connection now: the end of the grace period.
    func closeAll() {
        let connections = state.withLock { Array($0.connections.values) }
        for connection in connections { connection.abort() }
    }
}

/// malloc_trim(3), from <malloc.h>, which Glibc's module does not include.
@_silgen_name("malloc_trim")
private func mallocTrim(_ pad: Int) -> Int32
