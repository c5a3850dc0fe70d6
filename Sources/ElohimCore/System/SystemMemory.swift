#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import ElohimProtocol

/// How much memory this process may use: the host's (`/proc/meminfo`) and its control group's
/// (cgroup v2 `memory.max` / `memory.current` − `inactive_file`, or v1 `memory.limit_in_bytes`
/// / `memory.usage_in_bytes` − `total_inactive_file`), every ancestor group included — the
/// smaller wins. In a container the host's figures are not the ones that will OOM-kill you.
public struct SystemMemory: Sendable, Equatable, Codable {
    /// Usable total: MemTotal or the tightest cgroup limit.
    public var totalBytes: UInt64
    /// Usable now: MemAvailable or the tightest cgroup headroom (limit − working set).
    public var availableBytes: UInt64
    /// `meminfo` or `cgroup` — which one set `totalBytes`.
    public var totalSource: String
    /// `meminfo` or `cgroup` — which one set `availableBytes`.
    public var availableSource: String
    public var hostTotalBytes: UInt64
    public var hostAvailableBytes: UInt64
    /// The tightest cgroup limit, if any group has one.
    public var cgroupLimitBytes: UInt64?
    /// The process's own cgroup path (e.g. `/user.slice/…/elohimd.service`), if known.
    public var cgroupPath: String?

    public init(
        totalBytes: UInt64, availableBytes: UInt64, totalSource: String, availableSource: String,
        hostTotalBytes: UInt64, hostAvailableBytes: UInt64, cgroupLimitBytes: UInt64?, cgroupPath: String?
    ) {
        self.totalBytes = totalBytes
        self.availableBytes = availableBytes
        self.totalSource = totalSource
        self.availableSource = availableSource
        self.hostTotalBytes = hostTotalBytes
        self.hostAvailableBytes = hostAvailableBytes
        self.cgroupLimitBytes = cgroupLimitBytes
        self.cgroupPath = cgroupPath
    }
}

/// Reads `SystemMemory` from a root directory ("/" normally; a captured tree in tests).
public struct SystemMemoryReader: Sendable {
    public var root: String

    public init(root: String = "/") {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// Errors only when `/proc/meminfo` itself is unreadable; cgroup files are optional.
    public func read() throws(SystemMemoryError) -> SystemMemory {
        guard let meminfo = Self.readText(root + "/proc/meminfo") else {
            throw SystemMemoryError(path: root + "/proc/meminfo")
        }
        let fields = Self.keyValues(meminfo, unitKB: true)
        guard let hostTotal = fields["MemTotal"] else { throw SystemMemoryError(path: root + "/proc/meminfo") }
        let hostAvailable = fields["MemAvailable"] ?? (fields["MemFree"] ?? 0) + (fields["Cached"] ?? 0)

        var memory = SystemMemory(
            totalBytes: hostTotal, availableBytes: min(hostAvailable, hostTotal), totalSource: "meminfo",
            availableSource: "meminfo", hostTotalBytes: hostTotal, hostAvailableBytes: hostAvailable,
            cgroupLimitBytes: nil, cgroupPath: nil)
        guard let groups = cgroupLevels() else { return memory }
        memory.cgroupPath = groups.path
        for level in groups.levels {
            guard let limit = level.limit, limit < hostTotal else { continue }
            memory.cgroupLimitBytes = min(memory.cgroupLimitBytes ?? .max, limit)
            if limit < memory.totalBytes {
                memory.totalBytes = limit
                memory.totalSource = "cgroup"
            }
            let workingSet = level.usage > level.inactiveFile ? level.usage - level.inactiveFile : 0
            let headroom = limit > workingSet ? limit - workingSet : 0
            if headroom < memory.availableBytes {
                memory.availableBytes = headroom
                memory.availableSource = "cgroup"
            }
        }
        return memory
    }

    struct Level {
        var limit: UInt64?
        var usage: UInt64
        var inactiveFile: UInt64
    }

    /// The memory figures of the process's cgroup and each ancestor, v2 first, then v1.
    func cgroupLevels() -> (path: String, levels: [Level])? {
        guard let membership = Self.readText(root + "/proc/self/cgroup") else { return nil }
        var v2Path: String?
        var v1Path: String?
        for line in membership.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            if parts[0] == "0" && parts[1].isEmpty { v2Path = String(parts[2]) }
            if parts[1].split(separator: ",").contains("memory") { v1Path = String(parts[2]) }
        }
        for mount in ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"] {
            if let path = v2Path, let levels = walk(mount: root + mount, path: path, v2: true) {
                return (path, levels)
            }
        }
        if let path = v1Path, let levels = walk(mount: root + "/sys/fs/cgroup/memory", path: path, v2: false) {
            return (path, levels)
        }
        return nil
    }

    /// The group at `path` under `mount` and its ancestors up to the mount, or nil when the
    /// group's own memory files are not there (controller not enabled, other namespace).
    private func walk(mount: String, path: String, v2: Bool) -> [Level]? {
        var components = path.split(separator: "/").map(String.init)
        func directory() -> String { ([mount] + components).joined(separator: "/") }
        guard let own = readLevel(directory(), v2: v2) else { return nil }
        var levels = [own]
        while !components.isEmpty {
            components.removeLast()
            if let level = readLevel(directory(), v2: v2) { levels.append(level) }
        }
        return levels
    }

    private func readLevel(_ directory: String, v2: Bool) -> Level? {
        let limitText = Self.readText(directory + (v2 ? "/memory.max" : "/memory.limit_in_bytes"))
        let usageText = Self.readText(directory + (v2 ? "/memory.current" : "/memory.usage_in_bytes"))
        guard let usageText, let usage = UInt64(usageText.trimmingWhitespace) else { return nil }
        let limit = limitText.flatMap { UInt64($0.trimmingWhitespace) }
        let stat = Self.readText(directory + "/memory.stat").map { Self.keyValues($0, unitKB: false) } ?? [:]
        let inactive = (v2 ? stat["inactive_file"] : stat["total_inactive_file"] ?? stat["inactive_file"]) ?? 0
        return Level(limit: limit, usage: usage, inactiveFile: inactive)
    }

    /// `Key: value [kB]` or `key value` lines.
    static func keyValues(_ text: String, unitKB: Bool) -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(whereSeparator: { $0 == " " || $0 == ":" || $0 == "\t" })
            guard parts.count >= 2, let value = UInt64(parts[1]) else { continue }
            result[String(parts[0])] = unitKB && parts.count >= 3 && parts[2] == "kB" ? value * 1024 : value
        }
        return result
    }

    /// A small file's text, read with a hard cap (proc and cgroup files are tiny).
    static func readText(_ path: String, limit: Int = 1 << 20) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while result.count < limit {
            let n = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            result += buffer[0..<n]
        }
        return String(decoding: result, as: UTF8.self)
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

/// `/proc/meminfo` could not be read.
public struct SystemMemoryError: DomainError {
    public let path: String
    public var reason: ApplicationErrorReason { .unavailable }
    public var message: String { "cannot read the system's memory figures from \(path); is /proc mounted?" }
}

#if canImport(Glibc)
private let systemRead = Glibc.read
#else
private let systemRead = Darwin.read
#endif
