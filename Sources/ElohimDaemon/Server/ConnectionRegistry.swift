import NIOCore
import Synchronization

/// The open connections, so shutdown can stop their input and status can count them.
final class ConnectionRegistry: Sendable {
    private struct State {
        var nextID: UInt64 = 1
        var channels: [UInt64: any Channel] = [:]
        var draining = false
        var emptyWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// A fresh connection id, for a connection that is not registered yet.
    func makeID() -> UInt64 {
        state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
    }

    /// Registers an active connection; `false` when the daemon is already draining. Only
    /// active channels are registered: shutdown may close their input at any moment.
    func add(_ channel: any Channel, id: UInt64) -> Bool {
        state.withLock { state in
            guard !state.draining else { return false }
            state.channels[id] = channel
            return true
        }
    }

    func remove(_ id: UInt64) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.channels.removeValue(forKey: id)
            guard state.channels.isEmpty else { return [] }
            defer { state.emptyWaiters.removeAll() }
            return state.emptyWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once no connection is open (after `stopInput`, when the last one has closed).
    func waitUntilEmpty() async {
        await withCheckedContinuation { continuation in
            let emptyNow = state.withLock { state in
                if state.channels.isEmpty { return true }
                state.emptyWaiters.append(continuation)
                return false
            }
            if emptyNow { continuation.resume() }
        }
    }

    var count: Int { state.withLock { $0.channels.count } }

    /// Stops reading new requests on every connection; each finishes what it is doing, writes
    /// its responses and closes.
    func stopInput() {
        let channels = state.withLock { state in
            state.draining = true
            return Array(state.channels.values)
        }
        for channel in channels {
            channel.close(mode: .input).whenFailure { _ in channel.close(promise: nil) }
        }
    }

    /// Closes every connection now: the end of the grace period.
    func closeAll() {
        let channels = state.withLock { Array($0.channels.values) }
        for channel in channels { channel.close(promise: nil) }
    }
}
