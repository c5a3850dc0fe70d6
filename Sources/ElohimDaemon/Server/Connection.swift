import ElohimProtocol
import ElohimWire
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One client connection, served by a thread of its own with blocking reads and writes.
///
/// Why a thread per connection: on this kind of machine (2 cores shared with the clients) the
/// kernel hands a blocked reader its request and the writer's CPU directly, where an event loop
/// is preempted by every client its writes wake. Measured with `elohim-bench rpc`, 32 clients
/// calling `daemon.ping`: 51–57k requests/s on NIO's event loops, 100–121k on threads. Clients
/// are few (CLIs, a status bar, a desktop app), so a thread each is cheap; `RPCServer` caps them.
///
/// Requests are answered one at a time, in order; reading pauses while one is answered, so a
/// client that floods requests waits in its own socket buffer. Writes are whole frames under
/// `writeLock`: answers (this thread), notifications a handler streams (handed to this thread,
/// see `Exchange`) and events (any publisher's thread, dropped when the client is not reading).
final class Connection: Sendable {
    let id: UInt64
    let peer: PeerIdentity
    private let descriptor: Int32
    private let writeLock = Mutex(())
    /// Where a handler's notifications reach this thread; reused by every request.
    private let exchange = Exchange()
    /// A request is being answered, so notifications go through `exchange`.
    private let answering = Atomic<Bool>(false)

    init(descriptor: Int32, id: UInt64, peer: PeerIdentity) {
        self.descriptor = descriptor
        self.id = id
        self.peer = peer
    }

    // MARK: Writing

    /// Writes one frame, blocking until the kernel has all of it. `false` when the connection
    /// is gone, or has taken no data for `RPCServer.sendTimeoutSeconds`.
    @discardableResult
    func write(_ payload: [UInt8]) -> Bool {
        writeLock.withLock { _ in writeFrame(payload) }
    }

    /// Writes an event frame only if the socket takes it without waiting: a client that has
    /// stopped reading loses events (the gap shows in `seq`) instead of holding the publisher.
    func offer(_ payload: [UInt8]) -> Bool {
        writeLock.withLock { _ in writeFrame(payload, unlessFull: true) }
    }

    /// Sends a notification ahead of the answer to the request in progress. From a handler that
    /// runs on Swift's pool it is handed to the connection's thread, which is waiting for the
    /// answer anyway; the handler resumes once it is written, so a client that reads slowly
    /// slows the stream down instead of blocking one of the pool's threads.
    func notify(_ payload: [UInt8]) async {
        guard answering.load(ordering: .acquiring) else {
            write(payload)
            return
        }
        await exchange.post(payload)
    }

    /// `unlessFull` never waits: if not one byte fits now the frame is skipped; if only part of
    /// it fit, the stream is cut mid-frame and the connection is closed (an event publisher
    /// must never wait on a client that has stopped reading).
    ///
    /// The length prefix and the payload go out in one `sendmsg`, without copying the payload
    /// into a frame first.
    private func writeFrame(_ payload: [UInt8], unlessFull: Bool = false) -> Bool {
        var header = Frame.header(payloadCount: payload.count)
        let flags = Int32(MSG_NOSIGNAL) | (unlessFull ? Int32(MSG_DONTWAIT) : 0)
        return withUnsafeMutableBytes(of: &header) { header in
            payload.withUnsafeBytes { body in
                let total = header.count + body.count
                var offset = 0
                while offset < total {
                    // What is left: the rest of the header (if any), then the rest of the body.
                    let headerLeft = max(header.count - offset, 0)
                    let bodyOffset = offset - (header.count - headerLeft)
                    var parts = (
                        iovec(iov_base: header.baseAddress! + (header.count - headerLeft), iov_len: headerLeft),
                        iovec(iov_base: UnsafeMutableRawPointer(mutating: body.baseAddress.map { $0 + bodyOffset }), iov_len: body.count - bodyOffset)
                    )
                    let sent = withUnsafeMutableBytes(of: &parts) { raw in
                        let parts = raw.bindMemory(to: iovec.self)
                        var message = msghdr()
                        message.msg_iov = headerLeft > 0 ? parts.baseAddress : parts.baseAddress! + 1
                        message.msg_iovlen = headerLeft > 0 ? 2 : 1
                        return sendmsg(descriptor, &message, flags)
                    }
                    if sent > 0 {
                        offset += sent
                    } else if sent < 0 && errno == EINTR {
                        continue
                    } else if sent < 0 && offset == 0 && unlessFull && (errno == EAGAIN || errno == EWOULDBLOCK) {
                        return false
                    } else {
                        // EPIPE, a reset, the send timeout, or an event that only partly fit: the
                        // stream cannot be resumed mid-frame.
                        Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
                        return false
                    }
                }
                return true
            }
        }
    }

    // MARK: Lifecycle

    /// Stops reading requests (graceful shutdown): the thread answers what it has read, then closes.
    func stopInput() {
        Glibc.shutdown(descriptor, Int32(SHUT_RD))
    }

    /// Ends the connection now: a blocked read or write returns at once. The serving thread
    /// closes the descriptor, so it is never reused while another thread may still use it.
    func abort() {
        Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Answers one request on the calling (connection) thread, writing the notifications its
    /// handler posts in between. Returns `false` when the connection broke while writing.
    func answer(_ respond: @escaping @Sendable () async -> [UInt8]?) -> Bool {
        answering.store(true, ordering: .releasing)
        defer { answering.store(false, ordering: .releasing) }
        let exchange = self.exchange
        Task.immediate {
            exchange.finish(await respond())
        }
        var alive = true
        while true {
            switch exchange.next() {
            case .notification(let payload, let written):
                if alive { alive = write(payload) }
                written()
            case .response(let payload):
                if let payload, alive { alive = write(payload) }
                return alive
            }
        }
    }
}

/// What a request's handler hands to the connection's thread while it is being answered. One
/// per connection: requests are answered one at a time, and `next` returns the response last.
final class Exchange: @unchecked Sendable {
    enum Item {
        case notification([UInt8], written: @Sendable () -> Void)
        case response([UInt8]?)
    }

    // `NSCondition` guards everything below; the connection thread sleeps on it.
    private let condition = NSCondition()
    private var items: [Item] = []

    func post(_ payload: [UInt8]) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            enqueue(.notification(payload, written: { continuation.resume() }))
        }
    }

    func finish(_ response: [UInt8]?) {
        enqueue(.response(response))
    }

    private func enqueue(_ item: Item) {
        condition.lock()
        items.append(item)
        condition.signal()
        condition.unlock()
    }

    /// Blocks until the handler posts something.
    func next() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        return items.removeFirst()
    }
}
