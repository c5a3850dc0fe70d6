import ElohimProtocol
import Logging
import NIOCore
import NIOExtras

/// Serves JSON-RPC on one connection, on the connection's event loop.
///
/// Requests are answered one at a time, in order. Each runs in a task started with
/// `Task.immediate`, so a method that never suspends (most of them) is dispatched and answered
/// right here on the event loop: no hop to Swift's pool and back, which under load cost more
/// CPU than the requests themselves. A method that does suspend resumes on the pool and its
/// answer hops back to the loop.
///
/// Backpressure: while a request is in progress later frames wait in a short queue; when the
/// queue is full, or the client is not reading its answers (the channel is not writable), the
/// handler stops reading the socket, so a slow or hostile client costs bounded memory.
final class RPCChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Frames read ahead of the one being answered before reading pauses.
    static let readAhead = 16

    private let dispatcher: Dispatcher
    private let events: EventBus
    private let registry: ConnectionRegistry
    private let connectionID: UInt64
    private let maxFrameBytes: Int
    private let logger: Logger
    private let hooks: ConnectionHooks
    private let requestContext: RequestContext

    private var queued = CircularBuffer<ByteBuffer>()
    /// A request is being answered.
    private var busy = false
    /// `pump` is on the stack: a request that finishes synchronously must not re-enter it.
    private var pumping = false
    /// The peer closed its side (or shutdown stopped input): answer what was read, then close.
    private var inputClosed = false
    /// Closing, or closed: nothing more is read or answered.
    private var done = false
    /// A `read` the pipeline asked for while reading was paused.
    private var readHeld = false
    private var unflushed = false
    private var lastWrite: EventLoopFuture<Void>?
    private var subscriptions: [(id: UInt64, sink: ConnectionEventSink)] = []

    init(
        channel: any Channel, connectionID: UInt64, peer: PeerIdentity, dispatcher: Dispatcher, events: EventBus, registry: ConnectionRegistry,
        maxFrameBytes: Int, logger: Logger
    ) {
        var logger = logger
        logger[metadataKey: "connection"] = "\(connectionID)"
        logger[metadataKey: "peer_uid"] = "\(peer.uid)"
        self.dispatcher = dispatcher
        self.events = events
        self.registry = registry
        self.connectionID = connectionID
        self.maxFrameBytes = maxFrameBytes
        self.logger = logger
        self.hooks = ConnectionHooks(channel: channel)
        self.requestContext = RequestContext(peer: peer, connectionID: connectionID, logger: logger, connection: hooks)
    }

    // MARK: Inbound

    func channelActive(context: ChannelHandlerContext) {
        register(context: context)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Normally added before the channel is active; if not, register now.
        if context.channel.isActive { register(context: context) }
    }

    /// Only active channels are registered: shutdown may close their input at any moment.
    private func register(context: ChannelHandlerContext) {
        guard registry.add(context.channel, id: connectionID) else {
            // Accepted while the daemon began draining: not served.
            done = true
            context.close(promise: nil)
            return
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        queued.append(unwrapInboundIn(data))
        pump(context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputClosed = true
            pump(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !done else { return }
        if Self.isFrameTooLarge(error) {
            refuseOversizedFrame(context: context)
        } else {
            // A reset, a client gone mid-write: this connection ends, nothing else.
            logger.debug("connection ended", metadata: ["error": "\(error)"])
            finishConnection(context: context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        resumeReadingIfPossible(context: context)
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        registry.remove(connectionID)
        done = true
        queued.removeAll()
        endSubscriptions()
        context.fireChannelInactive()
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if readingPaused(context: context) {
            readHeld = true
        } else {
            context.read()
        }
    }

    // MARK: Answering

    private func readingPaused(context: ChannelHandlerContext) -> Bool {
        queued.count >= Self.readAhead || !context.channel.isWritable
    }

    private func resumeReadingIfPossible(context: ChannelHandlerContext) {
        guard readHeld, !readingPaused(context: context) else { return }
        readHeld = false
        context.read()
    }

    /// Starts queued requests until one suspends or the queue is empty; closes once the input
    /// has ended and everything read has been answered.
    private func pump(context: ChannelHandlerContext) {
        guard !pumping else { return }
        pumping = true
        while !busy, !done, let frame = queued.popFirst() {
            start(frame, context: context)
        }
        pumping = false
        if unflushed {
            unflushed = false
            context.flush()
        }
        if !busy, queued.isEmpty, inputClosed, !done {
            finishConnection(context: context)
            return
        }
        resumeReadingIfPossible(context: context)
    }

    private func start(_ frame: ByteBuffer, context: ChannelHandlerContext) {
        // The decoder's buffer limit only bounds memory; the frame limit is enforced here.
        guard frame.readableBytes <= maxFrameBytes else {
            refuseOversizedFrame(context: context)
            return
        }
        busy = true
        let payload = Array(frame.readableBytesView)
        let dispatcher = self.dispatcher
        let requestContext = self.requestContext
        let eventLoop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: eventLoop)
        Task.immediate {
            let response = await dispatcher.handle(frame: payload, context: requestContext)
            if eventLoop.inEventLoop {
                bound.value.handler.answer(response, context: bound.value.context)
            } else {
                eventLoop.execute { bound.value.handler.answer(response, context: bound.value.context) }
            }
        }
    }

    private func answer(_ response: [UInt8]?, context: ChannelHandlerContext) {
        busy = false
        guard !done else { return }
        if let response {
            lastWrite = context.write(wrapOutboundOut(ByteBuffer(bytes: response)))
            unflushed = true
        }
        // Events published since the subscribe call waited for this answer; now they follow it.
        for (subscription, sink) in hooks.takeSubscriptions() {
            subscriptions.append((subscription.id, sink))
            sink.activate()
        }
        pump(context: context)
    }

    private func endSubscriptions() {
        for (id, sink) in subscriptions {
            events.unsubscribe(id)
            sink.close()
        }
        subscriptions.removeAll()
    }

    private func refuseOversizedFrame(context: ChannelHandlerContext) {
        logger.notice("closing connection: frame over the limit", metadata: ["limit": "\(maxFrameBytes)"])
        let error = RPCError(
            code: RPCError.invalidRequestCode,
            message: "Invalid Request: frame exceeds the maximum of \(maxFrameBytes) bytes; "
                + "split the request or raise max_frame_bytes",
            data: ["reason": "frame_too_large", "limit": .int(Int64(maxFrameBytes))]
        )
        lastWrite = context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: RPCResponse.failure(id: .null, error: error))))
        finishConnection(context: context)
    }

    /// Closes once every answer already written has reached the socket.
    private func finishConnection(context: ChannelHandlerContext) {
        guard !done else { return }
        done = true
        queued.removeAll()
        if unflushed {
            unflushed = false
            context.flush()
        }
        // Events already published to this connection (`daemon.stopping`) were written when
        // published; nothing more is.
        endSubscriptions()
        let channel = context.channel
        if let lastWrite {
            lastWrite.whenComplete { _ in channel.close(promise: nil) }
        } else {
            channel.close(promise: nil)
        }
    }

    /// Every way the pipeline reports a frame over the limit: a complete frame that is too big,
    /// a buffer that grew past it, or a length header beyond what the decoder supports.
    static func isFrameTooLarge(_ error: any Error) -> Bool {
        error is ByteToMessageDecoderError.PayloadTooLargeError || error is NIOLengthFieldBasedFrameDecoderError
    }
}
