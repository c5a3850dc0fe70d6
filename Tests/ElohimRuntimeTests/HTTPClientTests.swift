import ElohimRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import Testing

@Suite struct HTTPClientTests {
    let client = HTTPClient()

    @Test func fetchesALengthDelimitedBody() async throws {
        let server = try await LoopbackHTTPServer()
        defer { Task { try await server.stop() } }
        let response = try await client.execute(try HTTPRequest(url: server.url("/hello")), timeout: .seconds(10))
        #expect(response.status == 200)
        #expect(response.headers.value(of: "Content-Type") == "text/plain")
        #expect(try await response.text(upTo: 100) == "hello")
    }

    @Test func streamsChunksAsTheyArrive() async throws {
        let server = try await LoopbackHTTPServer()
        defer { Task { try await server.stop() } }
        let response = try await client.execute(try HTTPRequest(url: server.url("/stream?n=50")), timeout: .seconds(10))
        var text = ""
        var chunks = 0
        for try await chunk in response.body {
            chunks += 1
            text += String(decoding: chunk, as: UTF8.self)
        }
        #expect(text == (0..<50).map { "chunk-\($0)\n" }.joined())
        #expect(chunks >= 1)
    }

    @Test func postsABodyWithCustomHeaders() async throws {
        let server = try await LoopbackHTTPServer()
        defer { Task { try await server.stop() } }
        let request = try HTTPRequest(
            method: "POST", url: server.url("/echo"), headers: [HTTPHeader("Content-Type", "application/json")],
            body: Array(#"{"x":1}"#.utf8))
        let response = try await client.execute(request, timeout: .seconds(10))
        #expect(try await response.text(upTo: 100) == #"{"x":1}"#)
        #expect(response.headers.value(of: "x-saw-content-type") == "application/json")
        #expect(response.headers.value(of: "x-saw-content-length") == "7")
        #expect(response.headers.value(of: "x-saw-host") == "127.0.0.1:\(server.port)")
    }

    @Test func rangeRequestsReturnExactlyTheAskedBytes() async throws {
        let server = try await LoopbackHTTPServer()
        defer { Task { try await server.stop() } }
        let request = try HTTPRequest(url: server.url("/bytes?size=100000"), headers: [HTTPHeader("Range", "bytes=1000-1999")])
        let response = try await client.execute(request, timeout: .seconds(10))
        #expect(response.status == 206)
        #expect(response.headers.value(of: "content-range") == "bytes 1000-1999/100000")
        let bytes = try await response.collect(upTo: 1 << 20)
        #expect(bytes == LoopbackHTTPServer.bytes(1000...1999))
    }

    @Test func aLargeBodyArrivesWhole() async throws {
        let server = try await LoopbackHTTPServer()
        defer { Task { try await server.stop() } }
        let size = 4 << 20
        let response = try await client.execute(try HTTPRequest(url: server.url("/bytes?size=\(size)")), timeout: .seconds(30))
        var offset = 0
        var mismatches = 0
        for try await chunk in response.body {
            if chunk != LoopbackHTTPServer.bytes(offset...(offset + chunk.count - 1)) { mismatches += 1 }
            offset += chunk.count
        }
        #expect(offset == size)
        #expect(mismatches == 0)
    }

    @Test func collectRefusesABodyOverTheCap() async throws {
        let server = try await LoopbackHTTPServer()
        defer { Task { try await server.stop() } }
        let response = try await client.execute(try HTTPRequest(url: server.url("/bytes?size=5000")), timeout: .seconds(10))
        await #expect(throws: HTTPClientError.self) { _ = try await response.collect(upTo: 1000) }
    }

    @Test func aSlowReaderHoldsTheSenderBack() async throws {
        let server = try await LoopbackHTTPServer()
        defer { Task { try await server.stop() } }
        let megabytes = 512
        let response = try await client.execute(try HTTPRequest(url: server.url("/flood?mb=\(megabytes)")), timeout: .seconds(30))
        var iterator = response.body.makeAsyncIterator()
        var received = try await iterator.next()?.count ?? 0
        // Stop reading: the server must end up blocked, having handed over far less than the body.
        var waited = 0
        while !server.flood.withLockedValue({ $0.blocked }) && waited < 2000 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(server.flood.withLockedValue { $0.blocked })
        #expect(server.flood.withLockedValue { $0.written } < 128 << 20)
        while let chunk = try await iterator.next() { received += chunk.count }
        #expect(received == megabytes << 20)
    }

    @Test func aBodyEndingAtCloseIsComplete() async throws {
        let server = try await LoopbackHTTPServer()
        defer { Task { try await server.stop() } }
        let response = try await client.execute(try HTTPRequest(url: server.url("/eof")), timeout: .seconds(10))
        #expect(try await response.text(upTo: 100) == "until-close")
    }

    @Test func aBodyCutShortIsAnError() async throws {
        let server = try await LoopbackHTTPServer()
        defer { Task { try await server.stop() } }
        let response = try await client.execute(try HTTPRequest(url: server.url("/cut")), timeout: .seconds(10))
        do {
            _ = try await response.collect(upTo: 1000)
            Issue.record("a truncated body was accepted")
        } catch let error as HTTPClientError {
            #expect(error.kind == .closed || error.kind == .protocolError)
        }
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let server = try await LoopbackHTTPServer()
        defer { Task { try await server.stop() } }
        do {
            _ = try await client.execute(try HTTPRequest(url: server.url("/silent")), timeout: .milliseconds(200))
            Issue.record("no timeout")
        } catch let error as HTTPClientError {
            #expect(error.kind == .timeout)
            #expect(error.description.contains("no response from 127.0.0.1"))
        }
    }

    @Test func aClosedPortIsAConnectError() async throws {
        // A port bound but not listening: connections are refused, and no other test can take it meanwhile.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        #expect(bound)
        let url = "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))/hello"
        do {
            _ = try await client.execute(try HTTPRequest(url: url), timeout: .seconds(5))
            Issue.record("connected to a closed port")
        } catch let error as HTTPClientError {
            #expect(error.kind == .connect)
            #expect(error.description.contains("cannot connect to 127.0.0.1"))
        }
    }

    @Test func parsesURLsAndRefusesOthers() throws {
        #expect(try HTTPTarget(url: "http://127.0.0.1:8080/v1/models?x=1") == HTTPTarget(host: "127.0.0.1", port: 8080, path: "/v1/models?x=1"))
        #expect(try HTTPTarget(url: "http://localhost") == HTTPTarget(host: "localhost", port: 80, path: "/"))
        #expect(try HTTPTarget(url: "http://[::1]:11434/api/tags") == HTTPTarget(host: "::1", port: 11434, path: "/api/tags"))
        #expect(throws: HTTPClientError.self) { try HTTPTarget(url: "https://huggingface.co/x") }
        #expect(throws: HTTPClientError.self) { try HTTPTarget(url: "http://host:99999/") }
        #expect(throws: HTTPClientError.self) { try HTTPTarget(url: "ftp://host/") }
    }
}

@Suite struct SSETests {
    @Test func splitsEventsAcrossAwkwardChunks() {
        var splitter = SSELineSplitter()
        var events: [SSEEvent] = []
        for chunk in ["data: {\"a\":1}\n", "\ndata: two\r", "\n\n: comment\n\nevent: done\nda", "ta: x\ndata: y\n\n", "data: [DONE]"] {
            events += splitter.feed(Array(chunk.utf8))
        }
        if let last = splitter.finish() { events.append(last) }
        #expect(
            events == [
                SSEEvent(data: "{\"a\":1}"), SSEEvent(data: "two"), SSEEvent(event: "done", data: "x\ny"), SSEEvent(data: "[DONE]"),
            ])
    }

    @Test func readsAnEventStreamResponse() async throws {
        let server = try await LoopbackHTTPServer()
        defer { Task { try await server.stop() } }
        let response = try await HTTPClient().execute(try HTTPRequest(url: server.url("/sse")), timeout: .seconds(10))
        var events: [SSEEvent] = []
        for try await event in response.body.events { events.append(event) }
        #expect(events.map(\.data) == ["{\"a\":1}", "two", "x\ny", "[DONE]"])
    }
}
