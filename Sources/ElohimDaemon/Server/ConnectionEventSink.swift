import Synchronization

/// A subscription's events on their way to one connection.
///
/// Until activated (right after the subscribe answer is written) events wait in a buffer of
/// `EventBus.bufferLimit`, oldest dropped first. Then each is written as it is published,
/// unless the client has stopped reading (its socket buffer is full): that event is dropped
/// rather than buffered, and the client sees the gap in `seq`.
final class ConnectionEventSink: EventSink {
    private enum State {
        case pending([[UInt8]])
        case active
        case closed
    }

    private let connection: Connection?
    private let state = Mutex(State.pending([]))

    init(connection: Connection?) {
        self.connection = connection
    }

    func deliver(_ frame: [UInt8]) {
        state.withLock { state in
            switch state {
            case .pending(var frames):
                if frames.count >= EventBus.bufferLimit { frames.removeFirst() }
                frames.append(frame)
                state = .pending(frames)
            case .active:
                write(frame)
            case .closed:
                break
            }
        }
    }

    /// Writes what was held and delivers from now on. Call after the subscribe answer is written.
    func activate() {
        state.withLock { state in
            guard case .pending(let frames) = state else { return }
            state = .active
            for frame in frames { write(frame) }
        }
    }

    func close() {
        state.withLock { $0 = .closed }
    }

    /// Under the lock, so writes keep `seq` order whichever thread publishes.
    private func write(_ frame: [UInt8]) {
        _ = connection?.offer(frame)
    }
}
