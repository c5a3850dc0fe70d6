import ElohimProtocol
import ElohimWire
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Accepts connections on the listening socket and serves each on a thread of its own (see
/// `Connection` for why threads).
///
/// On graceful shutdown it stops accepting, stops reading new requests, lets in-flight ones
/// finish and answer, and closes connections after the grace period at the latest.
final class RPCServer: Service {
    struct Configuration: Sendable {
        var maxFrameBytes: Int
        var shutdownGrace: Duration
    }

    /// More connections than this are refused with an error frame: each costs a thread (the
    /// units' `TasksMax=4096` leaves room for them).
    static let maxConnections = 2048
    /// A client that takes none of its answers for this long is disconnected.
    static let sendTimeoutSeconds = 30
    /// Each connection's thread: JSON nesting is capped at 128, so little is needed.
    static let threadStackBytes = 1 << 20

    private let listener: SocketListener
    private let dispatcher: Dispatcher
    private let events: EventBus
    private let configuration: @Sendable () -> Configuration
    private let onShutdown: @Sendable () -> Void
    private let pace: @Sendable () -> Void
    private let logger: Logger
    let connections = ConnectionRegistry()

    /// - Parameters:
    ///   - configuration: read at each accept, so a reload applies to new connections.
    ///   - onShutdown: called once when graceful shutdown begins (systemd `STOPPING=1`, events).
    ///   - pace: called by each connection's thread after every answer; it may block, to hold
    ///     clients to what the daemon's background writers keep up with (the audit log).
    init(
        listener: SocketListener, dispatcher: Dispatcher, events: EventBus,
        configuration: @escaping @Sendable () -> Configuration,
        onShutdown: @escaping @Sendable () -> Void, pace: @escaping @Sendable () -> Void = {}, logger: Logger
    ) {
        self.listener = listener
        self.dispatcher = dispatcher
        self.events = events
        self.configuration = configuration
        self.onShutdown = onShutdown
        self.pace = pace
        self.logger = logger
    }

    func run() async throws {
        let acceptor = try Acceptor(descriptor: listener.descriptor)
        let grace = configuration().shutdownGrace
        let connections = self.connections
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { (stopped: CheckedContinuation<Void, Never>) in
                    let thread = Thread { [self] in
                        acceptor.run { descriptor in self.open(descriptor) }
                        stopped.resume()
                    }
                    thread.name = "elohimd-accept"
                    thread.start()
                }
                await connections.waitUntilEmpty()
            } onGracefulShutdown: { [onShutdown, logger] in
                logger.info("shutting down: no new connections; finishing in-flight requests")
                onShutdown()
                acceptor.stop()
                connections.stopInput()
                Task {
                    try? await Task.sleep(for: grace)
                    connections.closeAll()
                }
            }
        } onCancel: {
            acceptor.stop()
            connections.stopInput()
            connections.closeAll()
        }
        logger.info("server stopped")
    }

    /// Takes over an accepted socket: who is calling, then a thread to serve it.
    private func open(_ descriptor: Int32) {
        var timeout = timeval(tv_sec: Self.sendTimeoutSeconds, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let peer = PeerIdentity.read(from: descriptor) else {
            logger.warning("closing a connection whose peer credentials could not be read", metadata: ["errno": "\(errno)"])
            close(descriptor)
            return
        }
        let connection = Connection(descriptor: descriptor, id: connections.makeID(), peer: peer)
        guard connections.count < Self.maxConnections else {
            logger.warning("refusing a connection: too many open", metadata: ["limit": "\(Self.maxConnections)", "peer_uid": "\(peer.uid)"])
            connection.write(
                RPCResponse.failure(
                    id: .null,
                    error: .application(
                        .unavailable, "elohimd already serves \(Self.maxConnections) connections; close some and retry",
                        detail: ["limit": .int(Int64(Self.maxConnections))])))
            close(descriptor)
            return
        }
        guard connections.add(connection) else {
            // Accepted while the daemon began draining: not served.
            close(descriptor)
            return
        }
        var logger = self.logger
        logger[metadataKey: "connection"] = "\(connection.id)"
        logger[metadataKey: "peer_uid"] = "\(peer.uid)"
        let session = ConnectionSession(
            connection: connection, descriptor: descriptor, dispatcher: dispatcher, events: events, registry: connections,
            maxFrameBytes: configuration().maxFrameBytes, pace: pace, logger: logger)
        let thread = Thread { session.run() }
        thread.stackSize = Self.threadStackBytes
        thread.name = "elohimd-conn"
        thread.start()
    }
}

/// Serves one connection on its thread: frames in, answers out, in order, until the input ends.
private struct ConnectionSession: Sendable {
    /// One `read` takes up to this much: every request a pipelining client has sent, usually.
    static let readSize = 64 * 1024

    let connection: Connection
    let descriptor: Int32
    let dispatcher: Dispatcher
    let events: EventBus
    let registry: ConnectionRegistry
    let maxFrameBytes: Int
    let pace: @Sendable () -> Void
    let logger: Logger

    func run() {
        let hooks = ConnectionHooks(socket: connection)
        let context = RequestContext(peer: connection.peer, connectionID: connection.id, logger: logger, connection: hooks)
        var subscriptions: [(id: UInt64, sink: ConnectionEventSink)] = []
        var decoder = FrameDecoder(maximumPayload: maxFrameBytes)
        var scratch = [UInt8](repeating: 0, count: Self.readSize)
        defer {
            for (id, sink) in subscriptions {
                events.unsubscribe(id)
                sink.close()
            }
            registry.remove(connection.id)
            close(descriptor)
        }
        var inputEnded = false
        while true {
            do {
                while let frame = try decoder.next() {
                    let answered: Bool
                    switch dispatcher.triage(frame: frame, context: context) {
                    case .answered(let response):
                        answered = response.map { connection.write($0) } ?? true
                    case .needsTaskForRequest(let request):
                        let dispatcher = self.dispatcher
                        answered = connection.answer { await dispatcher.handle(request: request, context: context) }
                    case .needsTask(let document):
                        let dispatcher = self.dispatcher
                        answered = connection.answer { await dispatcher.handle(document: document, context: context) }
                    }
                    guard answered else {
                        logger.debug("connection ended while answering")
                        return
                    }
                    // Events published since the subscribe call waited for its answer; now they follow it.
                    for (subscription, sink) in hooks.takeSubscriptions() {
                        subscriptions.append((subscription.id, sink))
                        sink.activate()
                    }
                    pace()
                }
            } catch {
                refuseOversizedFrame()
                return
            }
            // Everything complete has been answered; a partial frame at the end is dropped.
            if inputEnded { return }
            let count = scratch.withUnsafeMutableBytes { buffer in
                let count = read(descriptor, buffer.baseAddress, buffer.count)
                if count > 0 { decoder.append(UnsafeRawBufferPointer(rebasing: buffer[..<count])) }
                return count
            }
            if count == 0 {
                inputEnded = true
            } else if count < 0 && errno != EINTR {
                logger.debug("connection ended", metadata: ["errno": "\(errno)"])
                return
            }
        }
    }

    private func refuseOversizedFrame() {
        logger.notice("closing connection: frame over the limit", metadata: ["limit": "\(maxFrameBytes)"])
        let error = RPCError(
            code: RPCError.invalidRequestCode,
            message: "Invalid Request: frame exceeds the maximum of \(maxFrameBytes) bytes; "
                + "split the request or raise max_frame_bytes",
            data: ["reason": "frame_too_large", "limit": .int(Int64(maxFrameBytes))]
        )
        connection.write(RPCResponse.failure(id: .null, error: error))
        // Let the client read the error before the close resets the connection.
        Glibc.shutdown(descriptor, Int32(SHUT_WR))
    }
}

/// Waits for connections on the listening socket until stopped.
///
/// It waits in `poll` on the socket and a pipe rather than in `accept`: stopping writes to the
/// pipe. (Shutting the listening socket down instead would break it for systemd too, which
/// shares it under socket activation.)
private final class Acceptor: Sendable {
    private let descriptor: Int32
    private let wake: (read: Int32, write: Int32)

    init(descriptor: Int32) throws {
        self.descriptor = descriptor
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw POSIXErrorCode(rawValue: errno).map { POSIXError($0) } ?? POSIXError(.EIO) }
        for end in ends + [descriptor] {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        wake = (ends[0], ends[1])
    }

    func stop() {
        var byte: UInt8 = 1
        _ = Glibc.write(wake.write, &byte, 1)
    }

    /// Calls `accepted` with each new connection's descriptor (blocking, close-on-exec).
    func run(_ accepted: (Int32) -> Void) {
        defer {
            close(descriptor)
            close(wake.read)
            close(wake.write)
        }
        var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0), pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            guard poll(&fds, 2, -1) >= 0 || errno == EINTR else { return }
            if fds[1].revents != 0 { return }
            guard fds[0].revents != 0 else { continue }
            while true {
                let client = accept4(descriptor, nil, nil, Self.closeOnExec)
                if client >= 0 {
                    accepted(client)
                } else if errno == EINTR || errno == ECONNABORTED {
                    continue
                } else {
                    break  // EAGAIN: all taken; EMFILE and the like: poll again
                }
            }
        }
    }

    private static let closeOnExec: Int32 = 0o2_000_000  // SOCK_CLOEXEC
}

/// accept4(2): Glibc's module declares it only under _GNU_SOURCE.
@_silgen_name("accept4")
private func accept4(_ socket: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: UnsafeMutablePointer<socklen_t>?, _ flags: Int32) -> Int32
