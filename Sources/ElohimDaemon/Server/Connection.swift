import ElohimProtocol
import Logging
import NIOCore
import NIOExtras

/// One client connection: reads frames in order, answers each, and forwards events once the
/// client subscribes. Every error ends only this connection.
struct Connection {
    let id: UInt64
    let peer: PeerIdentity
    let dispatcher: Dispatcher
    let events: EventBus
    let maxFrameBytes: Int
    let logger: Logger

    func run(_ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        var logger = self.logger
        logger[metadataKey: "connection"] = "\(id)"
        logger[metadataKey: "peer_uid"] = "\(peer.uid)"
        let hooks = ConnectionHooks()
        let context = RequestContext(peer: peer, connectionID: id, logger: logger, connection: hooks)
        do {
            try await channel.executeThenClose { inbound, outbound in
                hooks.setNotifier { frame in try? await outbound.write(ByteBuffer(bytes: frame)) }
                try await withThrowingDiscardingTaskGroup { group in
                    do {
                        for try await frame in inbound {
                            // The decoder's buffer limit only bounds memory; the frame limit is enforced here.
                            guard frame.readableBytes <= maxFrameBytes else { throw FrameTooLarge() }
                            let payload = Array(frame.readableBytesView)
                            if let response = await dispatcher.handle(frame: payload, context: context) {
                                try await outbound.write(ByteBuffer(bytes: response))
                            }
                            for subscription in hooks.takePending() {
                                group.addTask { try await forward(subscription, to: outbound) }
                            }
                        }
                    } catch let error where Self.isFrameTooLarge(error) {
                        logger.notice("closing connection: frame over the limit", metadata: ["limit": "\(maxFrameBytes)"])
                        let error = RPCError(
                            code: RPCError.invalidRequestCode,
                            message: "Invalid Request: frame exceeds the maximum of \(maxFrameBytes) bytes; "
                                + "split the request or raise max_frame_bytes",
                            data: ["reason": "frame_too_large", "limit": .int(Int64(maxFrameBytes))]
                        )
                        try? await outbound.write(ByteBuffer(bytes: RPCResponse.failure(id: .null, error: error)))
                    }
                    group.cancelAll()
                }
            }
        } catch {
            // A truncated frame, a reset, a client gone mid-write: this connection ends, nothing else.
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
    }

    struct FrameTooLarge: Error {}

    /// Every way the pipeline reports a frame over the limit: a complete frame that is too big,
    /// a buffer that grew past it, or a length header beyond what the decoder supports.
    static func isFrameTooLarge(_ error: any Error) -> Bool {
        error is FrameTooLarge || error is ByteToMessageDecoderError.PayloadTooLargeError
            || error is NIOLengthFieldBasedFrameDecoderError
    }

    private func forward(
        _ subscription: EventBus.Subscription,
        to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        defer { events.unsubscribe(subscription.id) }
        for await frame in subscription.frames {
            try await outbound.write(ByteBuffer(bytes: frame))
        }
    }
}
