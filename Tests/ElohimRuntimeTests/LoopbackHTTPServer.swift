import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP server on 127.0.0.1 for the client tests. Routes:
/// `/hello` (Content-Length), `/stream?n=N` (chunked, one flush per chunk), `/sse` (an event
/// stream cut at awkward places), `/bytes?size=N` (deterministic bytes, honours `Range`),
/// `/echo` (request body back, request headers as `x-saw-*`), `/silent` (never answers),
/// `/eof` (no length, body ends at close), `/cut` (promises 100 bytes, sends 10, closes),
/// `/flood?mb=N` (N MiB in 1 MiB writes, counting the ones the kernel accepted).
final class LoopbackHTTPServer: Sendable {
    let channel: any Channel
    let port: Int
    /// Bytes of `/flood` the socket has accepted so far, and whether it is blocked.
    let flood = NIOLockedValueBox<(written: Int, blocked: Bool)>((0, false))

    init() async throws {
        let flood = self.flood
        // Its own loop, so building big bodies never stalls the client's loops.
        channel = try await ServerBootstrap(group: Self.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Router(flood: flood))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress!.port!
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func stop() async throws { try await channel.close() }

    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    static func byte(at index: Int) -> UInt8 { UInt8(truncatingIfNeeded: index % 251 &+ index >> 16) }

    /// `byte(at:)` for every index in `range`.
    static func bytes(_ range: ClosedRange<Int>) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: range.count) { buffer, count in
            var offset = 0
            for index in range {
                buffer[offset] = byte(at: index)
                offset += 1
            }
            count = range.count
        }
    }
}

private final class Router: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let flood: NIOLockedValueBox<(written: Int, blocked: Bool)>
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var floodRemaining = 0

    init(flood: NIOLockedValueBox<(written: Int, blocked: Bool)>) { self.flood = flood }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body(var buffer): body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end: if let head { respond(context: context, head: head) }
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        flood.withLockedValue { $0.blocked = !context.channel.isWritable }
        if context.channel.isWritable { pump(context: context) }
        context.fireChannelWritabilityChanged()
    }

    private func send(
        _ context: ChannelHandlerContext, status: HTTPResponseStatus = .ok, headers: [(String, String)] = [],
        chunks: [String], close: Bool = true
    ) {
        var fields = HTTPHeaders(headers)
        if !fields.contains(name: "content-length") && !fields.contains(name: "transfer-encoding") {
            fields.add(name: "transfer-encoding", value: "chunked")
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: fields))), promise: nil)
        for chunk in chunks {
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: chunk)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in if close { channel.close(promise: nil) } }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead) {
        let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
        let query = head.uri.split(separator: "?").dropFirst().first.map(String.init) ?? ""
        let number = Int(query.split(separator: "=").last ?? "") ?? 0
        switch path {
        case "/hello":
            send(context, headers: [("content-length", "5"), ("content-type", "text/plain")], chunks: ["hello"])
        case "/stream":
            send(context, chunks: (0..<number).map { "chunk-\($0)\n" })
        case "/sse":
            send(
                context, headers: [("content-type", "text/event-stream")],
                chunks: ["data: {\"a\":1}\n", "\ndata: two\r", "\n\n: comment\n\nevent: done\nda", "ta: x\ndata: y\n\n", "data: [DONE]"])
        case "/bytes":
            var lower = 0
            var upper = number - 1
            var status = HTTPResponseStatus.ok
            var headers: [(String, String)] = []
            if let range = head.headers.first(name: "range"), range.hasPrefix("bytes=") {
                let parts = range.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
                lower = Int(parts[0]) ?? 0
                upper = min(Int(parts[1]) ?? upper, upper)
                status = .partialContent
                headers.append(("content-range", "bytes \(lower)-\(upper)/\(number)"))
            }
            headers.append(("content-length", String(upper - lower + 1)))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: HTTPHeaders(headers)))), promise: nil)
            let buffer = ByteBuffer(bytes: LoopbackHTTPServer.bytes(lower...upper))
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
        case "/echo":
            let saw = head.headers.map { ("x-saw-\($0.name.lowercased())", $0.value) }
            send(
                context, headers: saw + [("content-length", String(body.count))],
                chunks: [String(decoding: body, as: UTF8.self)])
        case "/silent":
            break
        case "/eof":
            let responseHead = HTTPResponseHead(version: .http1_0, status: .ok, headers: ["connection": "close"])
            context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "until-close")))))
                .whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
        case "/cut":
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: ["content-length": "100"]))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "0123456789")))))
                .whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
        case "/flood":
            floodRemaining = number
            let headers = HTTPHeaders([("content-length", String(number << 20))])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            pump(context: context)
        default:
            send(context, status: .notFound, headers: [("content-length", "9")], chunks: ["not found"])
        }
    }

    /// Writes `/flood` while the socket takes it; resumes when it becomes writable again.
    private func pump(context: ChannelHandlerContext) {
        guard floodRemaining > 0 else { return }
        while floodRemaining > 0 && context.channel.isWritable {
            floodRemaining -= 1
            let buffer = ByteBuffer(repeating: 0x61, count: 1 << 20)
            let flood = self.flood
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer)))).whenSuccess {
                flood.withLockedValue { $0.written += 1 << 20 }
            }
        }
        if floodRemaining == 0 {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
        }
    }
}
