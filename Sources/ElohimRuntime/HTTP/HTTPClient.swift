import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 client for talking to local runtimes (llama.cpp server, Ollama) and
/// mirrors: one connection per request (`Connection: close`), streaming bodies with
/// back-pressure, no TLS.
public final class HTTPClient: Sendable {
    private let explicitGroup: (any EventLoopGroup)?

    /// - Parameter group: where connections run; by default the process-wide NIO loops, which
    ///   start with the first request: a daemon that talks to no runtime runs no NIO threads.
    public init(group: (any EventLoopGroup)? = nil) {
        explicitGroup = group
    }

    private var group: any EventLoopGroup { explicitGroup ?? MultiThreadedEventLoopGroup.singleton }

    /// Sends `request` and returns once the response head has arrived. `timeout` bounds the
    /// connection and the wait for the head, not the body: a model may take minutes to finish a
    /// streamed reply, a download hours. To stop reading a body, stop iterating and drop it.
    public func execute(_ request: HTTPRequest, timeout: Duration) async throws -> HTTPResponse {
        let target = request.target
        let timeAmount = TimeAmount.nanoseconds(
            Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        let (channel, handler): (any Channel, NIOLoopBound<ResponseStreamHandler>)
        do {
            (channel, handler) = try await ClientBootstrap(group: group)
                .connectTimeout(timeAmount)
                .connect(host: target.host, port: target.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        let handler = ResponseStreamHandler(eventLoop: channel.eventLoop, target: target)
                        try channel.pipeline.syncOperations.addHandler(handler)
                        return (channel, NIOLoopBound(handler, eventLoop: channel.eventLoop))
                    }
                }
        } catch let error as ChannelError where error == .connectTimeout(timeAmount) {
            throw HTTPClientError.timeout(target, timeout)
        } catch {
            throw HTTPClientError.connect(target, error)
        }
        let headFuture = channel.eventLoop.submit { handler.value.head.futureResult }.flatMap { $0 }
        let timer = channel.eventLoop.scheduleTask(in: timeAmount) {
            handler.value.head.fail(HTTPClientError.timeout(target, timeout))
            channel.close(promise: nil)
        }
        defer { timer.cancel() }

        var headers = HTTPHeaders()
        headers.add(name: "Host", value: target.hostHeader)
        headers.add(name: "Connection", value: "close")
        headers.add(name: "User-Agent", value: "elohimd")
        if let body = request.body {
            headers.add(name: "Content-Length", value: String(body.count))
        } else if ["POST", "PUT", "PATCH"].contains(request.method.uppercased()) {
            headers.add(name: "Content-Length", value: "0")
        }
        for header in request.headers { headers.replaceOrAdd(name: header.name, value: header.value) }
        let requestHead = HTTPRequestHead(
            version: .http1_1, method: HTTPMethod(rawValue: request.method.uppercased()), uri: target.path, headers: headers)
        channel.write(HTTPClientRequestPart.head(requestHead), promise: nil)
        if let body = request.body, !body.isEmpty {
            channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)

        let head: HTTPResponseHead
        do {
            head = try await headFuture.get()
        } catch {
            channel.close(promise: nil)
            throw error
        }
        let body = try await channel.eventLoop.submit { handler.value.body! }.get()
        return HTTPResponse(
            status: Int(head.status.code), reason: head.status.reasonPhrase,
            headers: head.headers.map { HTTPHeader($0.name, $0.value) }, body: body)
    }
}
