import ElohimCore
import ElohimProtocol
import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Downloads a GGUF model over HTTP into a model directory: disk space checked first, written to
/// a hidden `.NAME.part` file beside the destination, resumed with `Range` after an interruption
/// (also across calls), SHA-256 verified when a digest is given, checked to be a readable GGUF,
/// then renamed into place atomically. A failure leaves no file under the final name.
public struct ModelDownloader: Sendable {
    /// Progress as it goes.
    public struct Progress: Sendable {
        public var url: String
        public var bytes: UInt64
        public var total: UInt64?
        public var bytesPerSecond: Double
        public var etaSeconds: Double?
    }

    public struct Result: Sendable {
        public var path: String
        public var bytes: UInt64
        public var sha256: String
        public var resumed: Bool
        public var attempts: Int
    }

    public var attempts = 4
    /// Free space to leave on the disk beyond the file.
    public var reserveBytes: UInt64 = 64 << 20
    private let http = HTTPClient()

    public init() {}

    public func download(
        url: String, into directory: String, sha256 expected: String?, progress: @escaping @Sendable (Progress) -> Void
    ) async throws -> Result {
        let target: HTTPTarget
        do {
            target = try HTTPTarget(url: url)
        } catch {
            throw ModelError(.failed, "\(error)", detail: ["url": .string(url)])
        }
        if let expected, expected.count != 64 || !expected.allSatisfy(\.isHexDigit) {
            throw ModelError(.failed, "sha256 must be 64 hexadecimal digits", detail: ["sha256": .string(expected)])
        }
        var name = String(target.path.split(separator: "?").first ?? "").split(separator: "/").last.map(String.init) ?? ""
        name = String(name.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || "0123456789._-".unicodeScalars.contains($0)) })
        guard !name.isEmpty, !name.hasPrefix(".") else {
            throw ModelError(.failed, "cannot name a file after \(url); the URL must end in a file name like model.gguf")
        }
        if !name.hasSuffix(".gguf") { name += ".gguf" }
        let destination = directory + "/" + name
        let partial = directory + "/." + name + ".part"
        guard access(destination, F_OK) != 0 else {
            throw ModelError(.conflict, "\(destination) already exists; remove it first or download under another name", detail: ["path": .string(destination)])
        }

        var resumed = false
        var lastError = ""
        for attempt in 1...attempts {
            let have = Self.size(partial) ?? 0
            var headers: [HTTPHeader] = []
            if have > 0 { headers.append(HTTPHeader("Range", "bytes=\(have)-")) }
            do {
                let response = try await http.execute(HTTPRequest(target: target, headers: headers), timeout: .seconds(30))
                var offset: UInt64 = 0
                var total: UInt64?
                let length = response.headers.value(of: "Content-Length").flatMap { UInt64($0) }
                switch response.status {
                case 206 where have > 0:
                    offset = have
                    resumed = true
                    total = response.headers.value(of: "Content-Range").flatMap { $0.split(separator: "/").last.flatMap { UInt64($0) } }
                        ?? length.map { $0 + have }
                case 200:
                    total = length
                case 416 where have > 0:
                    // The part is already complete (or the server disagrees): start over.
                    unlink(partial)
                    _ = try? await response.collect(upTo: 65536)
                    continue
                default:
                    _ = try? await response.collect(upTo: 65536)
                    throw ModelError(.failed, "\(url) answered HTTP \(response.status) \(response.reason)", detail: ["status": .int(Int64(response.status))])
                }
                if let total { try checkSpace(directory: directory, needed: total - offset) }
                let fd = open(partial, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
                guard fd >= 0 else { throw ModelError(.failed, "cannot write \(partial): \(String(cString: strerror(errno)))") }
                defer { close(fd) }
                guard ftruncate(fd, off_t(offset)) == 0, lseek(fd, off_t(offset), SEEK_SET) >= 0 else {
                    throw ModelError(.failed, "cannot write \(partial): \(String(cString: strerror(errno)))")
                }
                var written = offset
                let started = ContinuousClock.now
                var lastReport = started
                for try await chunk in response.body {
                    try Self.writeAll(fd, chunk, path: partial)
                    written += UInt64(chunk.count)
                    let now = ContinuousClock.now
                    if now - lastReport >= .milliseconds(200) {
                        lastReport = now
                        progress(Self.progress(url, written, total, since: offset, started: started, now: now))
                    }
                }
                if let total, written < total {
                    throw ModelError(.failed, "the transfer stopped at \(written) of \(total) bytes")
                }
                fsync(fd)
                progress(Self.progress(url, written, total, since: offset, started: started, now: ContinuousClock.now))
                let digest = try Self.sha256(of: partial)
                if let expected, digest != expected.lowercased() {
                    unlink(partial)
                    throw ModelError(
                        .checksumMismatch, "the download of \(url) has SHA-256 \(digest), not \(expected.lowercased()); it was deleted",
                        detail: ["expected": .string(expected.lowercased()), "actual": .string(digest)])
                }
                do {
                    _ = try GGUFReader().read(path: partial)
                } catch {
                    unlink(partial)
                    throw ModelError(.invalidModel, "\(url) is not a usable GGUF model (\(error.message)); it was deleted")
                }
                guard rename(partial, destination) == 0 else {
                    throw ModelError(.failed, "cannot move the download to \(destination): \(String(cString: strerror(errno)))")
                }
                let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if dirFD >= 0 { fsync(dirFD); close(dirFD) }
                return Result(path: destination, bytes: written, sha256: digest, resumed: resumed, attempts: attempt)
            } catch let error as ModelError where error.reason != .failed || error.message.hasPrefix("\(url) answered") {
                throw error
            } catch let error as StorageError {
                throw error
            } catch {
                lastError = "\(error)"
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
        throw ModelError(
            .failed, "the download of \(url) failed after \(attempts) attempts (\(lastError)); run the same pull again to resume",
            detail: ["partial": .string(partial), "bytes": .int(Int64(Self.size(partial) ?? 0))])
    }

    private func checkSpace(directory: String, needed: UInt64) throws {
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else { return }
        let free = UInt64(info.f_bavail) * UInt64(info.f_frsize)
        if free < needed + reserveBytes {
            throw StorageError.full(directory)
        }
    }

    static func progress(_ url: String, _ bytes: UInt64, _ total: UInt64?, since: UInt64, started: ContinuousClock.Instant, now: ContinuousClock.Instant) -> Progress {
        let elapsed = (now - started).inSeconds
        let rate = elapsed > 0 ? Double(bytes - since) / elapsed : 0
        let eta = total.flatMap { total in rate > 0 && total >= bytes ? Double(total - bytes) / rate : nil }
        return Progress(url: url, bytes: bytes, total: total, bytesPerSecond: rate, etaSeconds: eta)
    }

    static func size(_ path: String) -> UInt64? {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return UInt64(info.st_size)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == ENOSPC { throw StorageError.full(path) }
                throw ModelError(.failed, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }

    static func sha256(of path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ModelError(.failed, "cannot read \(path)") }
        defer { close(fd) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            hasher.update(data: buffer[0..<n])
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
