import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A file to import, opened only if the caller could read it themselves: the daemon may run
/// as another user (system mode), and must never read on a caller's behalf what that caller
/// may not (`/etc/shadow` is not a CSV).
struct SourceFile {
    let descriptor: Int32
    let size: Int64
    let isSQLite: Bool
    /// The path actually opened (symlinks resolved).
    let resolvedPath: String

    static func open(_ path: String, uid: UInt32, gid: UInt32) throws -> SourceFile {
        let trusted = uid == geteuid() || uid == 0
        var resolved = path
        if !trusted {
            guard let real = realpath(path, nil) else { throw failure(path) }
            resolved = String(cString: real)
            free(real)
            try checkAccess(resolved, uid: uid, gid: gid)
        }
        let descriptor = Glibc.open(resolved, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (trusted ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else { throw failure(path) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw DatasetError.unreadable(path, "not a regular file")
        }
        if !trusted {
            // The file checked is the file opened (nothing swapped it in between).
            var checked = stat()
            guard stat(resolved, &checked) == 0, checked.st_dev == info.st_dev, checked.st_ino == info.st_ino else {
                close(descriptor)
                throw DatasetError.unreadable(path, "the file changed while it was being opened; try again")
            }
        }
        var header = [UInt8](repeating: 0, count: 16)
        let got = header.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 16, 0) }
        let magic = Array("SQLite format 3\0".utf8)
        return SourceFile(
            descriptor: descriptor, size: Int64(info.st_size), isSQLite: got == 16 && header == magic, resolvedPath: resolved)
    }

    static func failure(_ path: String) -> DatasetError {
        let code = errno
        return DatasetError.unreadable(path, String(cString: strerror(code)), missing: code == ENOENT || code == ENOTDIR)
    }

    /// Whether `uid` (primary group `gid`, plus its supplementary groups) may traverse every
    /// directory above `path` and read `path`.
    static func checkAccess(_ path: String, uid: UInt32, gid: UInt32) throws {
        let groups = Set(groupsOf(uid: uid, gid: gid))
        func allowed(_ info: stat, _ bits: (owner: mode_t, group: mode_t, other: mode_t)) -> Bool {
            if info.st_uid == uid { return info.st_mode & bits.owner != 0 }
            if groups.contains(info.st_gid) { return info.st_mode & bits.group != 0 }
            return info.st_mode & bits.other != 0
        }
        var prefix = ""
        let components = path.split(separator: "/")
        for component in components.dropLast() {
            prefix += "/" + component
            var info = stat()
            guard stat(prefix, &info) == 0 else { throw failure(path) }
            guard allowed(info, (S_IXUSR, S_IXGRP, S_IXOTH)) else {
                throw DatasetError.unreadable(path, "permission denied (you cannot enter \(prefix))")
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure(path) }
        guard allowed(info, (S_IRUSR, S_IRGRP, S_IROTH)) else {
            throw DatasetError.unreadable(path, "permission denied (you cannot read it)")
        }
    }

    static func groupsOf(uid: UInt32, gid: UInt32) -> [UInt32] {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return [gid] }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(name, gid, &groups, &count)
        }
        return Array(groups.prefix(Int(max(0, count)))) + [gid]
    }
}
