import ElohimWire
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's listening socket: adopted from systemd, or bound here after making sure no
/// other daemon owns the path.
///
/// Binding is guarded by `PATH.lock` (flock, held for the daemon's lifetime): whoever holds it
/// owns the socket path. A socket file left behind by a crash is found by `lstat` plus a
/// connect probe under that lock and replaced; a live daemon is a clear error, never a takeover.
public struct SocketListener: Sendable {
    /// The listening descriptor, handed to NIO.
    public let descriptor: Int32
    public let path: String
    /// True when systemd passed the socket (it then owns the file, so we never unlink it).
    public let activated: Bool
    private let lockDescriptor: Int32

    /// Adopts systemd's socket when there is one, otherwise binds `path`.
    public static func open(path: String, mode: DaemonConfiguration.Mode, logger: Logger) throws(ListenerError) -> SocketListener {
        let inherited: Int32?
        do {
            inherited = try Systemd.takeListeningSocket()
        } catch {
            throw .activation(error.description)
        }
        if let inherited {
            let boundPath = boundPath(of: inherited) ?? path
            logger.info("using the socket systemd passed", metadata: ["path": "\(boundPath)"])
            return SocketListener(descriptor: inherited, path: boundPath, activated: true, lockDescriptor: -1)
        }
        try prepareDirectory(of: path, mode: mode)
        let lock = try acquireLock(path + ".lock")
        do {
            try removeIfStale(path, logger: logger)
            let descriptor = try bind(path, mode: mode)
            return SocketListener(descriptor: descriptor, path: path, activated: false, lockDescriptor: lock)
        } catch {
            close(lock)
            throw error
        }
    }

    /// Connections the kernel queues while the daemon is busy: a burst of clients waits
    /// instead of getting EAGAIN. (The kernel caps it at net.core.somaxconn.)
    static let backlog: Int32 = 1024

    /// Removes the socket file (when we created it) and releases the lock. Call once at exit.
    public func release() {
        guard !activated else { return }
        unlink(path)
        unlink(path + ".lock")
        close(lockDescriptor)
    }

    private static func prepareDirectory(of path: String, mode: DaemonConfiguration.Mode) throws(ListenerError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let directory = String(path[..<slash])
        // The user's runtime dir stays private; the system one must let the `elohim` group
        // reach the socket, whose own 0660 mode is the gate.
        let directoryMode: mode_t = mode == .system ? 0o755 : 0o700
        if mkdir(directory, directoryMode) != 0 {
            let code = errno
            if code == ENOENT {
                throw .directory(directory, "its parent does not exist (is XDG_RUNTIME_DIR set and is this a login session?)")
            }
            guard code == EEXIST else { throw .directory(directory, String(cString: strerror(code))) }
        }
        var info = stat()
        guard lstat(directory, &info) == 0 else { throw .directory(directory, String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw .directory(directory, "is not a directory (a symlink is refused, too)")
        }
        guard info.st_uid == geteuid() || info.st_uid == 0 else {
            throw .directory(directory, "belongs to uid \(info.st_uid), not to us; refusing to put a socket there")
        }
    }

    private static func acquireLock(_ lockPath: String) throws(ListenerError) -> Int32 {
        let descriptor = Glibc.open(lockPath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .lock(lockPath, String(cString: strerror(errno))) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let owner = readPID(descriptor)
            close(descriptor)
            throw .alreadyRunning(path: String(lockPath.dropLast(5)), pid: owner)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return descriptor
    }

    private static func readPID(_ descriptor: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes[0..<count], as: UTF8.self).trimmingWhitespace())
    }

    private static func removeIfStale(_ path: String, logger: Logger) throws(ListenerError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw .bind(path, String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw .bind(path, "exists and is not a socket; remove it or choose another path with --socket")
        }
        do {
            let probe = try WireConnection.connect(path: path)
            probe.close()
            throw ListenerError.alreadyRunning(path: path, pid: nil)
        } catch let error as ListenerError {
            throw error
        } catch {
            // Nobody accepts: a crash left it behind. We hold the lock, so it is ours to replace.
            logger.notice("removing stale socket left by an earlier run", metadata: ["path": "\(path)"])
            unlink(path)
        }
    }

    private static func bind(_ path: String, mode: DaemonConfiguration.Mode) throws(ListenerError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw .bind(path, "longer than the 107 bytes a Unix socket path may have")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .bind(path, String(cString: strerror(errno))) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            close(descriptor)
            throw .bind(path, message)
        }
        // Listen now, so that READY=1 (sent before the server's event loop starts) never
        // announces a socket that refuses connections.
        guard listen(descriptor, Self.backlog) == 0 else {
            let message = String(cString: strerror(errno))
            close(descriptor)
            throw .bind(path, message)
        }
        // umask 0077 already made it 0700; set exactly what the mode promises.
        if mode == .system {
            chmod(path, 0o660)
            if let group = getgrnam("elohim") { chown(path, uid_t.max, group.pointee.gr_gid) }
        } else {
            chmod(path, 0o600)
        }
        return descriptor
    }

    /// The filesystem path a bound Unix socket listens on.
    static func boundPath(of descriptor: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0, address.sun_family == sa_family_t(AF_UNIX) else { return nil }
        let path = withUnsafeBytes(of: &address.sun_path) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return path.isEmpty ? nil : path
    }
}

/// Why the daemon could not start listening.
public enum ListenerError: Error, CustomStringConvertible {
    case alreadyRunning(path: String, pid: Int32?)
    case directory(String, String)
    case lock(String, String)
    case bind(String, String)
    case activation(String)

    public var description: String {
        switch self {
        case .alreadyRunning(let path, let pid):
            let who = pid.map { "elohimd (pid \($0))" } ?? "another elohimd"
            return "\(who) is already serving \(path); stop it first (systemctl --user stop elohimd) or use another --socket"
        case .directory(let path, let problem): return "socket directory \(path): \(problem)"
        case .lock(let path, let problem): return "cannot open lock file \(path): \(problem)"
        case .bind(let path, let problem): return "cannot listen on \(path): \(problem)"
        case .activation(let problem): return "socket activation: \(problem)"
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
