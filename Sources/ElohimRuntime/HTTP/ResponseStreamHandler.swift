import NIOCore
import NIOHTTP1

/// Tells the channel when the body's reader wants more, and closes it when the reader is gone.
struct BodyDelegate: NIOAsyncSequenceProducerDelegate {
    let handler: NIOLoopBound<ResponseStreamHandler>

    func produceMore() {
        handler.eventLoop.execute { handler.value.resume() }
    }

    func didTerminate() {
        handler.eventLoop.execute { handler.value.readerGone() }
    }
}

/// Turns response parts into a head promise and a back-pressured body sequence. Reads are held
/// back while the body's buffer is above its high watermark.
final class ResponseStreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    let head: EventLoopPromise<HTTPResponseHead>
    private let target: HTTPTarget
    private var source: HTTPResponseBody.Producer.Source?
    private(set) var body: HTTPResponseBody?
    private var context: ChannelHandlerContext?
    private var headDone = false
    private var bodyDone = false
    private var paused = false
    private var pendingRead = false

    init(eventLoop: any EventLoop, target: HTTPTarget) {
        self.head = eventLoop.makePromise()
        self.target = target
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let sequence = HTTPResponseBody.Producer.makeSequence(
            backPressureStrategy: .init(lowWatermark: 4, highWatermark: 32), finishOnDeinit: false,
            delegate: BodyDelegate(handler: NIOLoopBound(self, eventLoop: context.eventLoop)))
        source = sequence.source
        body = HTTPResponseBody(producer: sequence.sequence)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(HTTPClientError.closed(target, during: "before the response finished"))
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            guard !headDone else { return }
            headDone = true
            head.succeed(responseHead)
        case .body(let buffer):
            guard let source, !bodyDone else { return }
            if case .stopProducing = source.yield(buffer) { paused = true }
        case .end:
            bodyDone = true
            source?.finish()
            context.close(promise: nil)
        }
    }

    func read(context: ChannelHandlerContext) {
        if paused {
            pendingRead = true
        } else {
            context.read()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error is HTTPClientError ? error : HTTPClientError.protocolError(target, error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(HTTPClientError.closed(target, during: headDone ? "in the middle of the body" : "before answering"))
        context.fireChannelInactive()
    }

    /// The reader drained below the low watermark.
    func resume() {
        paused = false
        if pendingRead, let context {
            pendingRead = false
            context.read()
        }
    }

    /// The body was dropped or fully read: nothing more to receive.
    func readerGone() {
        bodyDone = true
        context?.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        if !headDone {
            headDone = true
            head.fail(error)
        }
        if !bodyDone {
            bodyDone = true
            source?.finish(error)
        }
    }
}
