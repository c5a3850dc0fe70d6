#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where GGUF bytes come from: positioned reads of a known total size.
public protocol GGUFSource {
    var size: UInt64 { get }
    /// Up to `count` bytes at `offset` (fewer only at the end).
    func read(at offset: UInt64, count: Int) throws(GGUFError) -> [UInt8]
}

/// Bytes in memory (tests, crafted input).
public struct GGUFBytes: GGUFSource {
    let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var size: UInt64 { UInt64(bytes.count) }
    public func read(at offset: UInt64, count: Int) throws(GGUFError) -> [UInt8] {
        guard offset < size else { return [] }
        let start = Int(offset)
        return Array(bytes[start..<min(bytes.count, start + count)])
    }
}

/// A regular file, read with pread(2) through an owned descriptor.
public final class GGUFFileSource: GGUFSource {
    public let path: String
    public let size: UInt64
    /// Last modification time, seconds since the epoch (with nanoseconds).
    public let modified: Double
    private let fd: Int32

    /// Opens `path`; refuses anything that is not a regular file (a FIFO or a device would
    /// block or never end).
    public init(path: String) throws(GGUFError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw GGUFError(.unreadable, at: 0, String(cString: strerror(errno)), path: path)
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw GGUFError(.unreadable, at: 0, "not a regular file", path: path)
        }
        self.fd = fd
        self.size = UInt64(info.st_size)
        #if canImport(Darwin)
        self.modified = Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
        #else
        self.modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        #endif
    }

    deinit { close(fd) }

    public func read(at offset: UInt64, count: Int) throws(GGUFError) -> [UInt8] {
        guard offset < size, count > 0 else { return [] }
        let wanted = Int(min(UInt64(count), size - offset))
        var buffer = [UInt8](repeating: 0, count: wanted)
        var done = 0
        while done < wanted {
            let n = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + done, wanted - done, off_t(offset) + off_t(done))
            }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                if n == 0 { break }
                throw GGUFError(.unreadable, at: offset + UInt64(done), String(cString: strerror(errno)), path: path)
            }
            done += n
        }
        if done < wanted { buffer.removeLast(wanted - done) }
        return buffer
    }
}
