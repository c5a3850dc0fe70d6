import ElohimProtocol
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle

/// Accepts connections on the listening socket and serves JSON-RPC frames on each.
///
/// NIO handlers only move bytes (length-field framing with a buffer limit); decoding and
/// dispatch happen in async code. On graceful shutdown it stops accepting, stops reading new
/// requests, lets in-flight ones finish and answer, and closes connections after the grace
/// period at the latest.
final class RPCServer: Service {
    struct Configuration: Sendable {
        var maxFrameBytes: Int
        var shutdownGrace: Duration
    }

    private let listener: SocketListener
    private let dispatcher: Dispatcher
    private let events: EventBus
    private let configuration: @Sendable () -> Configuration
    private let onShutdown: @Sendable () -> Void
    private let logger: Logger
    let connections = ConnectionRegistry()

    /// - Parameters:
    ///   - configuration: read at each accept, so a reload applies to new connections.
    ///   - onShutdown: called once when graceful shutdown begins (systemd `STOPPING=1`, events).
    init(
        listener: SocketListener, dispatcher: Dispatcher, events: EventBus,
        configuration: @escaping @Sendable () -> Configuration,
        onShutdown: @escaping @Sendable () -> Void, logger: Logger
    ) {
        self.listener = listener
        self.dispatcher = dispatcher
        self.events = events
        self.configuration = configuration
        self.onShutdown = onShutdown
        self.logger = logger
    }

    func run() async throws {
        let configuration = self.configuration
        let connections = self.connections
        let (dispatcher, events, logger) = (self.dispatcher, self.events, self.logger)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            // Adopting the socket, NIO runs listen(2) again with a backlog of 128; put ours back
            // before the channel is registered, so no client is ever accepted in between.
            .serverChannelInitializer { [listener] channel in
                listener.restoreBacklog()
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            // A client that half-closes after its last request still gets its answers, and
            // shutdown can stop input without dropping responses to requests already read.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                PeerIdentity.read(from: channel).flatMapThrowing { peer in
                    let id = connections.makeID()
                    let maxFrameBytes = configuration().maxFrameBytes
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(
                            LengthFieldBasedFrameDecoder(lengthFieldLength: .four),
                            maximumBufferSize: maxFrameBytes + 4
                        ),
                        LengthFieldPrepender(lengthFieldLength: .four),
                        RPCChannelHandler(
                            channel: channel, connectionID: id, peer: peer, dispatcher: dispatcher, events: events,
                            registry: connections, maxFrameBytes: maxFrameBytes, logger: logger)
                    )
                }
            }
        let server = try await bootstrap.withBoundSocket(listener.descriptor).get()
        let grace = configuration().shutdownGrace
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await server.closeFuture.get()
                await connections.waitUntilEmpty()
            } onGracefulShutdown: { [onShutdown, logger] in
                logger.info("shutting down: no new connections; finishing in-flight requests")
                onShutdown()
                server.close(promise: nil)
                connections.stopInput()
                Task {
                    try? await Task.sleep(for: grace)
                    connections.closeAll()
                }
            }
        } onCancel: {
            server.close(promise: nil)
            connections.closeAll()
        }
        logger.info("server stopped")
    }
}
