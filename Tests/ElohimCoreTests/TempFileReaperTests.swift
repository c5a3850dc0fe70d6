@testable import ElohimCore
import ElohimProtocol
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The temp reaper on real files in a scratch directory. ctime cannot be backdated, so the
/// reaper's clock is moved forward instead: "8 days from now", every timestamp is old.
@Suite(.serialized) struct TempFileReaperTests {
    static let day: Double = 86_400

    /// A scratch directory standing in for /tmp, and one "outside" it for attack targets.
    struct Scratch {
        let directory: String
        let outside: String
        init() throws {
            let base = NSTemporaryDirectory() + "elohim-reaper-\(UUID().uuidString.prefix(8))"
            directory = base + "/tmp"
            outside = base + "/outside"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        }
        var base: String { String(directory.dropLast(4)) }
        func remove() { try? FileManager.default.removeItem(atPath: base) }

        func reaper(
            daysAhead: Double = 8, checkOpenFiles: Bool = true, maxDepth: Int = 8,
            hook: (@Sendable (String) -> Void)? = nil
        ) -> TempFileReaper {
            var configuration = TempFileReaper.Configuration()
            configuration.directory = directory
            configuration.maxDepth = maxDepth
            configuration.checkOpenFiles = checkOpenFiles
            configuration.beforeOpeningDirectory = hook
            let later = Date().addingTimeInterval(daysAhead * TempFileReaperTests.day)
            return TempFileReaper(configuration: configuration, now: { later })
        }
    }

    @discardableResult
    static func write(_ path: String, _ text: String = "data") -> String {
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        return path
    }

    /// Sets atime and mtime (ctime becomes now: the kernel does not let anyone set it).
    static func age(_ path: String, atime: Double, mtime: Double, followLinks: Bool = true) {
        func spec(_ seconds: Double) -> timespec { timespec(tv_sec: Int(seconds), tv_nsec: 0) }
        var times = [spec(atime), spec(mtime)]
        #expect(utimensat(AT_FDCWD, path, &times, followLinks ? 0 : AT_SYMLINK_NOFOLLOW) == 0)
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static let monthAgo = Date().timeIntervalSince1970 - 30 * day

    @Test func oldFilesGoRecentOnesByAnyTimestampStay() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let old = Self.write(scratch.directory + "/elohimos_old")
        Self.age(old, atime: Self.monthAgo, mtime: Self.monthAgo)
        let later = Date().timeIntervalSince1970 + 7 * Self.day  // one day before the reaper's "now"
        let readRecently = Self.write(scratch.directory + "/elohimos_read")
        Self.age(readRecently, atime: later, mtime: Self.monthAgo)
        let writtenRecently = Self.write(scratch.directory + "/elohimos_written")
        Self.age(writtenRecently, atime: Self.monthAgo, mtime: later)
        let notOurs = Self.write(scratch.directory + "/someone_else")
        Self.age(notOurs, atime: Self.monthAgo, mtime: Self.monthAgo)

        let stats = try scratch.reaper().reap(dryRun: false)
        #expect(!Self.exists(old))
        #expect(Self.exists(readRecently) && Self.exists(writtenRecently))
        #expect(Self.exists(notOurs), "names without the prefix are never considered")
        #expect(stats.removed == 1 && stats.bytesFreed == 4 && stats.kept["recent"] == 2 && stats.scanned == 3)
    }

    @Test func aRecentCtimeKeepsTheFile() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // atime and mtime a month back; ctime is now, one day before the reaper's "now".
        let file = Self.write(scratch.directory + "/elohimos_ctime")
        Self.age(file, atime: Self.monthAgo, mtime: Self.monthAgo)
        let stats = try scratch.reaper(daysAhead: 1).reap(dryRun: false)
        #expect(Self.exists(file))
        #expect(stats.kept["recent"] == 1 && stats.removed == 0)
    }

    @Test func aDryRunCountsButRemovesNothing() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = Self.write(scratch.directory + "/elohimos_a", "12345678")
        try FileManager.default.createDirectory(atPath: scratch.directory + "/elohimos_d/sub", withIntermediateDirectories: true)
        Self.write(scratch.directory + "/elohimos_d/sub/x")
        let stats = try scratch.reaper().reap(dryRun: true)
        #expect(Self.exists(file) && Self.exists(scratch.directory + "/elohimos_d/sub/x"))
        #expect(stats.removed == 4 && stats.bytesFreed == 12)
        let real = try scratch.reaper().reap(dryRun: false)
        #expect(real.removed == stats.removed && real.bytesFreed == stats.bytesFreed)
        #expect(!Self.exists(scratch.directory + "/elohimos_d"))
    }

    @Test func aLockedFileIsKeptAndGoesAfterUnlock() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = Self.write(scratch.directory + "/elohimos_locked")
        let holder = open(path, O_RDONLY)
        #expect(holder >= 0)
        #expect(flock(holder, LOCK_EX) == 0)
        // The /proc check would see this process holding it open; switch it off to prove the lock alone keeps it.
        let lockedOnly = try scratch.reaper(checkOpenFiles: false).reap(dryRun: false)
        #expect(Self.exists(path) && lockedOnly.kept["locked"] == 1)
        let open = try scratch.reaper().reap(dryRun: false)
        #expect(Self.exists(path) && open.kept["open"] == 1)
        flock(holder, LOCK_UN)
        close(holder)
        let after = try scratch.reaper().reap(dryRun: false)
        #expect(!Self.exists(path) && after.removed == 1)
    }

    @Test func aFileOpenInAnotherProcessIsKept() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = Self.write(scratch.directory + "/elohimos_open")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "exec 3<\"$0\"; echo ready; read line", path]
        let input = Pipe()
        let output = Pipe()
        child.standardInput = input
        child.standardOutput = output
        try child.run()
        _ = output.fileHandleForReading.availableData  // "ready": the descriptor is open
        let stats = try scratch.reaper().reap(dryRun: false)
        #expect(Self.exists(path) && stats.kept["open"] == 1)
        input.fileHandleForWriting.write(Data("\n".utf8))
        child.waitUntilExit()
        let after = try scratch.reaper().reap(dryRun: false)
        #expect(!Self.exists(path) && after.removed == 1)
    }

    @Test func anotherUsersFileIsKept() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try #require(geteuid() == 0, "the tests run as root here (CI does too): only root can chown")
        let path = Self.write(scratch.directory + "/elohimos_theirs")
        #expect(chown(path, 12_345, 12_345) == 0)
        try FileManager.default.createDirectory(atPath: scratch.directory + "/elohimos_theirdir", withIntermediateDirectories: false)
        Self.write(scratch.directory + "/elohimos_theirdir/inside")
        #expect(chown(scratch.directory + "/elohimos_theirdir", 12_345, 12_345) == 0)
        let stats = try scratch.reaper().reap(dryRun: false)
        #expect(Self.exists(path) && Self.exists(scratch.directory + "/elohimos_theirdir/inside"))
        #expect(stats.kept["other_owner"] == 2 && stats.removed == 0)
    }

    @Test func aSymlinkMayGoButItsTargetNever() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let target = Self.write(scratch.outside + "/precious", "keep me")
        Self.age(target, atime: Self.monthAgo, mtime: Self.monthAgo)
        let link = scratch.directory + "/elohimos_x"
        #expect(symlink(target, link) == 0)
        // A link to a directory full of old files: nothing inside may be touched either.
        try FileManager.default.createDirectory(atPath: scratch.outside + "/dir", withIntermediateDirectories: false)
        let inside = Self.write(scratch.outside + "/dir/old")
        #expect(symlink(scratch.outside + "/dir", scratch.directory + "/elohimos_dirlink") == 0)
        let stats = try scratch.reaper().reap(dryRun: false)
        #expect(!Self.exists(link), "the link itself is ours and old: it goes")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me")
        #expect(Self.exists(inside) && Self.exists(scratch.outside + "/dir"))
        #expect(stats.removed == 2 && stats.bytesFreed == 0)
    }

    @Test func aDirectorySwappedForASymlinkBetweenScanAndDeleteTouchesNothingOutside() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let victim = Self.write(scratch.outside + "/victim", "keep me")
        let swapped = scratch.directory + "/elohimos_d"
        try FileManager.default.createDirectory(atPath: swapped, withIntermediateDirectories: false)
        Self.write(swapped + "/victim")
        let outside = scratch.outside
        // After the reaper has inspected elohimos_d as a directory, an attacker replaces it.
        let stats = try scratch.reaper(hook: { path in
            guard path.hasSuffix("/elohimos_d") else { return }
            try? FileManager.default.removeItem(atPath: path)
            _ = symlink(outside, path)
        }).reap(dryRun: false)
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep me")
        #expect(stats.kept["changed"] == 1)
        var info = stat()
        #expect(lstat(swapped, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "the planted link is left for the next run")
    }

    @Test func nestedDirectoriesGoDownToTheDepthLimit() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(atPath: scratch.directory + "/elohimos_d/a/b", withIntermediateDirectories: true)
        Self.write(scratch.directory + "/elohimos_d/a/b/deep")
        Self.write(scratch.directory + "/elohimos_d/top")
        let shallow = try scratch.reaper(maxDepth: 2).reap(dryRun: false)
        #expect(!Self.exists(scratch.directory + "/elohimos_d/top"))
        #expect(Self.exists(scratch.directory + "/elohimos_d/a/b/deep"), "b is at depth 2: not entered")
        #expect(shallow.kept["too_deep"] == 1)
        let deep = try scratch.reaper().reap(dryRun: false)
        #expect(!Self.exists(scratch.directory + "/elohimos_d") && deep.removed == 4)
    }

    @Test func aSymlinkedTempDirectoryIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var configuration = TempFileReaper.Configuration()
        configuration.directory = scratch.base + "/link"
        #expect(symlink(scratch.outside, configuration.directory) == 0)
        #expect(throws: TempReapError.self) { try TempFileReaper(configuration: configuration).reap(dryRun: false) }
    }

    @Test func tempFilesAreCreatedPrivateAndUnique() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        var configuration = TempFiles.Configuration()
        configuration.directory = scratch.directory
        let files = TempFiles(configuration: configuration)
        let (first, path) = try files.createFile()
        defer { close(first) }
        let (second, other) = try files.createFile()
        defer { close(second) }
        var info = stat()
        #expect(fstat(first, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(path.hasPrefix(scratch.directory + "/elohimos_") && path != other)
        #expect(fcntl(first, F_GETFD) & FD_CLOEXEC != 0)
        let directory = try files.createDirectory()
        #expect(stat(directory, &info) == 0 && info.st_mode & 0o777 == 0o700)
        // A fresh file is kept by a real-time reaper (it is not 7 days old).
        let stats = try TempFileReaper(configuration: TempFileReaper.Configuration(configuration)).reap(dryRun: false)
        #expect(stats.removed == 0 && stats.kept["recent"] == 3)
        var missing = configuration
        missing.directory = scratch.base + "/nope"
        #expect(throws: TempFileError.self) { try TempFiles(configuration: missing).createFile() }
    }
    @Test func aLinkInTheRealTmpToAFileInEtcLosesOnlyTheLink() throws {
        // The acceptance case as written: /tmp/elohimos_x -> /etc/something. A unique prefix
        // keeps the run away from anything else in /tmp; the target is a file of our own in /etc.
        let tag = "elohimtest\(getpid())_\(UUID().uuidString.prefix(6))_"
        let target = "/etc/\(tag)target"
        Self.write(target, "keep me")
        defer { unlink(target) }
        let link = "/tmp/\(tag)x"
        #expect(symlink(target, link) == 0)
        defer { unlink(link) }
        var configuration = TempFileReaper.Configuration()
        configuration.prefix = tag
        let later = Date().addingTimeInterval(8 * Self.day)
        let stats = try TempFileReaper(configuration: configuration, now: { later }).reap(dryRun: false)
        #expect(!Self.exists(link) && stats.removed == 1 && stats.scanned == 1)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me")
    }

    @Test func anotherFileSystemMountedInsideIsNotEntered() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let mountPoint = scratch.directory + "/elohimos_mnt"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        try #require(mount("none", mountPoint, "tmpfs", 0, "size=1m") == 0, "needs CAP_SYS_ADMIN to mount a tmpfs (root, as the tests run here)")
        defer { umount(mountPoint) }
        let inside = Self.write(mountPoint + "/elohimos_inside")
        let stats = try scratch.reaper().reap(dryRun: false)
        #expect(Self.exists(inside))
        #expect(stats.kept["other_mount"] == 1 && stats.removed == 0)
    }
}
