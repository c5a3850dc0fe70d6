import Dispatch
public import ElohimProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Removes the daemon's stale temporary files (`/tmp/elohimos_*`), to the standard of
/// systemd-tmpfiles rather than of the reapers that handed out root shells:
///
/// * Only names with the daemon's prefix at the top level; inside a directory of the daemon's,
///   everything (down to `maxDepth`).
/// * Old by *every* timestamp: atime, mtime and ctime all older than `maxAge` (any recent one
///   keeps the file — it may still be read).
/// * Owned by the daemon's uid; never on another file system than the directory (`st_dev`).
/// * Never a file that is open by any process (`/proc/*/fd`) or locked (a non-blocking
///   `flock` is held while it is unlinked).
/// * Never follows a symlink: every step is `fstatat(AT_SYMLINK_NOFOLLOW)`, `openat(O_NOFOLLOW)`
///   and `unlinkat` relative to an open directory handle, and each opened object is checked to
///   be the one that was inspected. A symlink named like ours may be removed; its target never.
public struct TempFileReaper: CleanupTask {
    public struct Configuration: Sendable {
        public var directory = "/tmp"
        public var prefix = "elohimos_"
        /// A file younger than this by any timestamp is kept. Default 7 days.
        public var maxAge: Double = 7 * 86_400
        /// How deep to go inside the daemon's directories (the top level is depth 0). Default 8.
        public var maxDepth = 8
        /// Whose files are removed. Default: the daemon's effective uid.
        public var ownerUID: uid_t = geteuid()
        /// Whether to look for the file in every process's open descriptors (`/proc/*/fd`).
        /// Default true; the lock check alone cannot see a reader that took no lock.
        public var checkOpenFiles = true
        /// Tests only: called with a directory's path after it was inspected and before it is
        /// opened, to swap it for a symlink there.
        public var beforeOpeningDirectory: (@Sendable (String) -> Void)?

        public init() {}

        /// Directory and prefix from the temp-file settings.
        public init(_ files: TempFiles.Configuration) {
            directory = files.directory
            prefix = files.prefix
        }
    }

    public let configuration: Configuration
    /// The wall clock (tests age files against it).
    private let now: @Sendable () -> Date

    public var name: String { "temp_files" }
    public var unit: String { "files" }

    public init(configuration: Configuration, now: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.now = now
    }

    /// Reaps on a dispatch thread: a walk of 100 000 files takes seconds of blocking system
    /// calls, which must not hold one of the few threads that serve requests.
    public func run(dryRun: Bool) async throws -> CleanupTaskStats {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(with: Result { () throws(TempReapError) in try reap(dryRun: dryRun) })
            }
        }
    }

    /// The synchronous body of `run`.
    public func reap(dryRun: Bool) throws(TempReapError) -> CleanupTaskStats {
        let root = open(configuration.directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard root >= 0 else { throw TempReapError(directory: configuration.directory, errno: errno) }
        defer { close(root) }
        var info = stat()
        guard fstat(root, &info) == 0 else { throw TempReapError(directory: configuration.directory, errno: errno) }
        var walk = Walk(
            configuration: configuration, dryRun: dryRun, device: info.st_dev,
            cutoff: now().timeIntervalSince1970 - configuration.maxAge)
        _ = walk.visit(directory: root, path: configuration.directory, depth: 0)
        return walk.stats
    }
}

/// The reaper could not open its directory.
public struct TempReapError: DomainError, CustomStringConvertible {
    public let directory: String
    public let errno: Int32
    public var reason: ApplicationErrorReason { .failed }
    public var message: String {
        "cannot scan \(directory) for temporary files: \(String(cString: strerror(errno))) — it must be a real directory (not a symlink) the daemon can read"
    }
    public var description: String { message }
}

/// A file's identity.
struct FileID: Hashable {
    var device: UInt64
    var inode: UInt64
    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

extension TempFileReaper {
    /// One run's walk: the counters and the set of open files, read once when first needed.
    fileprivate struct Walk {
        let configuration: Configuration
        let dryRun: Bool
        let device: dev_t
        let cutoff: Double
        var stats = CleanupTaskStats(name: "temp_files", unit: "files")
        var openFiles: Set<FileID>?

        /// Handles every entry of `directory`; returns how many entries remain (would remain).
        mutating func visit(directory: Int32, path: String, depth: Int) -> Int {
            var remaining = 0
            for name in Self.names(in: directory) {
                if depth == 0 && !name.hasPrefix(configuration.prefix) {
                    remaining += 1
                    continue
                }
                if !visit(name: name, in: directory, path: path + "/" + name, depth: depth) { remaining += 1 }
            }
            return remaining
        }

        /// Returns true when the entry is gone (or would be, in a dry run).
        mutating func visit(name: String, in directory: Int32, path: String, depth: Int) -> Bool {
            stats.scanned += 1
            var info = stat()
            guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                if errno == ENOENT { return true }
                stats.errors.append("\(path): \(String(cString: strerror(errno)))")
                return false
            }
            guard info.st_dev == device else {
                stats.keep("other_mount")
                return false
            }
            guard info.st_uid == configuration.ownerUID else {
                stats.keep("other_owner")
                return false
            }
            let old = Self.newestTime(info) < cutoff
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                guard depth < configuration.maxDepth else {
                    stats.keep("too_deep")
                    return false
                }
                configuration.beforeOpeningDirectory?(path)
                let child = openat(directory, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard child >= 0 else {
                    stats.keep("changed")  // swapped for a symlink or a file, or gone
                    return false
                }
                defer { close(child) }
                var opened = stat()
                guard fstat(child, &opened) == 0, FileID(opened) == FileID(info) else {
                    stats.keep("changed")
                    return false
                }
                let left = visit(directory: child, path: path, depth: depth + 1)
                guard old else {
                    stats.keep("recent")
                    return false
                }
                guard left == 0 else {
                    stats.keep("not_empty")
                    return false
                }
                return remove(name, in: directory, path: path, flags: AT_REMOVEDIR, bytes: 0)
            case S_IFLNK:
                guard old else {
                    stats.keep("recent")
                    return false
                }
                // unlinkat removes the link itself; its target is never looked at.
                return remove(name, in: directory, path: path, flags: 0, bytes: 0)
            case S_IFREG:
                guard old else {
                    stats.keep("recent")
                    return false
                }
                return removeFile(name, in: directory, path: path, inspected: info)
            default:
                stats.keep("special")  // sockets, FIFOs, devices: not ours to judge
                return false
            }
        }

        /// Removes a regular file unless it is open or locked, holding its lock while unlinking.
        mutating func removeFile(_ name: String, in directory: Int32, path: String, inspected: stat) -> Bool {
            if openFiles == nil { openFiles = configuration.checkOpenFiles ? Self.filesOpenInAnyProcess() : [] }
            if openFiles!.contains(FileID(inspected)) {
                stats.keep("open")
                return false
            }
            let file = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
            guard file >= 0 else {
                stats.keep("changed")
                return false
            }
            defer { close(file) }
            var opened = stat()
            guard fstat(file, &opened) == 0, FileID(opened) == FileID(inspected) else {
                stats.keep("changed")
                return false
            }
            guard flock(file, LOCK_EX | LOCK_NB) == 0 else {
                stats.keep("locked")
                return false
            }
            // The name must still be the file we hold: otherwise it was swapped under us.
            var current = stat()
            guard fstatat(directory, name, &current, AT_SYMLINK_NOFOLLOW) == 0, FileID(current) == FileID(opened) else {
                stats.keep("changed")
                return false
            }
            return remove(name, in: directory, path: path, flags: 0, bytes: Int64(opened.st_size))
        }

        mutating func remove(_ name: String, in directory: Int32, path: String, flags: Int32, bytes: Int64) -> Bool {
            if !dryRun {
                guard unlinkat(directory, name, flags) == 0 else {
                    if errno == ENOENT { return true }
                    if errno == ENOTEMPTY || errno == EEXIST {
                        stats.keep("not_empty")
                    } else {
                        stats.errors.append("\(path): \(String(cString: strerror(errno)))")
                    }
                    return false
                }
            }
            stats.removed += 1
            stats.bytesFreed += bytes
            return true
        }

        static func newestTime(_ info: stat) -> Double {
            func seconds(_ time: timespec) -> Double { Double(time.tv_sec) + Double(time.tv_nsec) / 1e9 }
            return max(seconds(info.st_atim), seconds(info.st_mtim), seconds(info.st_ctim))
        }

        /// The names in an open directory (read through a duplicate, so `directory` stays usable).
        static func names(in directory: Int32) -> [String] {
            let duplicate = dup(directory)
            guard duplicate >= 0, let stream = fdopendir(duplicate) else {
                if duplicate >= 0 { close(duplicate) }
                return []
            }
            defer { closedir(stream) }
            rewinddir(stream)
            var names: [String] = []
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
                }
                if name != "." && name != ".." { names.append(name) }
            }
            return names
        }

        /// Every regular file some process has open, from `/proc/*/fd` (the processes this uid
        /// may inspect: all of them for root, its own otherwise).
        static func filesOpenInAnyProcess() -> Set<FileID> {
            var files = Set<FileID>()
            let proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard proc >= 0 else { return files }
            defer { close(proc) }
            for pid in names(in: proc) where pid.first?.isNumber == true {
                let descriptors = "/proc/\(pid)/fd"
                let directory = open(descriptors, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                guard directory >= 0 else { continue }
                for descriptor in names(in: directory) {
                    var info = stat()
                    // fstatat without NOFOLLOW follows the magic link to the open file itself.
                    if fstatat(directory, descriptor, &info, 0) == 0, info.st_mode & S_IFMT == S_IFREG {
                        files.insert(FileID(info))
                    }
                }
                close(directory)
            }
            return files
        }
    }
}
