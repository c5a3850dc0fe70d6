#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking connection to the daemon's Unix socket: send a frame, read a frame.
///
/// Deliberately simple and Foundation-free: the CLI and the status helper make one or a few
/// calls and exit, so a thread blocked in `read` is the cheapest correct design.
public final class WireConnection {
    /// The path this connection reached.
    public let path: String
    private var descriptor: Int32
    private var decoder: FrameDecoder
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)

    private init(path: String, descriptor: Int32, maximumPayload: Int) {
        self.path = path
        self.descriptor = descriptor
        self.decoder = FrameDecoder(maximumPayload: maximumPayload)
    }

    deinit { close() }

    /// Connects to the first candidate path that has a daemon listening.
    /// - Throws: the first candidate's error when none answers.
    public static func connect(
        candidates: [String],
        maximumPayload: Int = Frame.defaultMaximumPayload
    ) throws(WireError) -> WireConnection {
        var firstError: WireError?
        for path in candidates {
            do {
                return try connect(path: path, maximumPayload: maximumPayload)
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        throw firstError ?? .notRunning(path: "(no socket path)", errno: ENOENT)
    }

    /// Connects to the daemon listening on `path`.
    public static func connect(
        path: String,
        maximumPayload: Int = Frame.defaultMaximumPayload
    ) throws(WireError) -> WireConnection {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { throw .pathTooLong(path: path) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        #if canImport(Glibc) || canImport(Musl)
        let kind = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let kind = SOCK_STREAM
        #endif
        let descriptor = socket(AF_UNIX, kind, 0)
        guard descriptor >= 0 else { throw .system(call: "socket", errno: errno) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result != 0 {
            let code = errno
            _ = Glibc.close(descriptor)
            switch code {
            case EACCES, EPERM: throw .permissionDenied(path: path)
            case ENOENT, ECONNREFUSED, ENOTDIR, ENOTSOCK: throw .notRunning(path: path, errno: code)
            default: throw .system(call: "connect", errno: code)
            }
        }
        return WireConnection(path: path, descriptor: descriptor, maximumPayload: maximumPayload)
    }

    /// Sends one frame carrying `payload`.
    public func send(_ payload: some Collection<UInt8>) throws(WireError) {
        try writeAll(Frame.encode(payload))
    }

    /// Writes raw bytes, unframed: for tests that need to send broken input.
    public func writeAll(_ bytes: [UInt8]) throws(WireError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE || errno == ECONNRESET { throw .closed(midFrame: false) }
                throw .system(call: "send", errno: errno)
            }
            offset += written
        }
    }

    /// Blocks until one whole frame arrives and returns its payload.
    /// - Parameter timeoutMilliseconds: give up after this long without a complete frame; `nil` waits forever.
    public func receive(timeoutMilliseconds: Int32? = nil) throws(WireError) -> [UInt8] {
        while true {
            if let payload = try decoder.next() { return payload }
            if let timeoutMilliseconds {
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, timeoutMilliseconds)
                if ready == 0 { throw .timedOut }
                if ready < 0 {
                    if errno == EINTR { continue }
                    throw .system(call: "poll", errno: errno)
                }
            }
            let count = readBuffer.withUnsafeMutableBytes { raw in
                read(descriptor, raw.baseAddress!, raw.count)
            }
            if count == 0 { throw .closed(midFrame: decoder.bufferedByteCount > 0) }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET { throw .closed(midFrame: decoder.bufferedByteCount > 0) }
                throw .system(call: "read", errno: errno)
            }
            decoder.append(readBuffer[0..<count])
        }
    }

    /// Sends a request and waits for the next frame.
    public func call(_ payload: some Collection<UInt8>, timeoutMilliseconds: Int32? = nil) throws(WireError) -> [UInt8] {
        try send(payload)
        return try receive(timeoutMilliseconds: timeoutMilliseconds)
    }

    /// The descriptor, for callers that multiplex (`poll`) several sources.
    public var fileDescriptor: Int32 { descriptor }

    /// Closes the connection; safe to call twice.
    public func close() {
        if descriptor >= 0 {
            _ = Glibc.close(descriptor)
            descriptor = -1
        }
    }
}
