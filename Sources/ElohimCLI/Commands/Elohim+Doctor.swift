import ArgumentParser
import ElohimProtocol
import ElohimWire
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Elohim {
    /// `elohim doctor`: checks an installation end to end and says how to fix each problem.
    struct Doctor: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "doctor",
            abstract: "Check the installation: socket, service, data directory, runtimes and memory.",
            discussion: """
                Checks that the daemon answers on its socket, that its systemd units are active, that \
                its data directory exists with mode 0700, is yours and writable, whether a model runtime \
                (llama.cpp's llama-server or the xllamacpp Python module; Ollama on 127.0.0.1:11434) is \
                reachable, and the memory figures (/proc/meminfo, cgroup v2 memory.max). One line per \
                check (ok, warn, FAIL, skip) and, under each problem, the command that fixes it. Exit 0 \
                when the critical checks (socket, data directory) pass, 1 otherwise; warnings (units not \
                active, no model runtime) do not change the exit code. With --json: {"ok": BOOL, "checks": [{"name", "status", \
                "critical", "summary", "fix", "details"}]}.
                """
        )

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let checks = DoctorChecks(
                candidates: global.candidates,
                environment: ProcessInfo.processInfo.environment
            ).run()
            let passed = !checks.contains { $0.critical && $0.status == .failure }
            if global.json {
                let document: JSONValue = ["ok": .bool(passed), "checks": .array(checks.map(\.json))]
                say(JSONWriter.string(document))
            } else {
                say(DoctorView(checks: checks, style: global.style).render())
            }
            if !passed { throw ExitCode.failure }
        }
    }
}

/// The outcome of one `elohim doctor` check.
struct DoctorCheck {
    /// Only critical checks fail; the others warn, so ❌ always means exit 1.
    enum Status: String {
        case ok
        case warning = "warn"
        case failure = "fail"
        case skipped = "skip"
    }

    /// Stable identifier for scripts: `socket`, `service`, `data_dir`, `llama_cpp`, `ollama`, `memory`.
    var name: String
    /// What the human output calls it.
    var title: String
    var status: Status
    /// A failed critical check makes `elohim doctor` exit 1.
    var critical: Bool
    /// One line: what was found.
    var summary: String
    /// The command or step that fixes a problem; nil when there is none to fix.
    var fix: String?
    /// Machine-readable facts behind the summary.
    var details: [String: JSONValue] = [:]

    var json: JSONValue {
        .object([
            "name": .string(name),
            "status": .string(status.rawValue),
            "critical": .bool(critical),
            "summary": .string(summary),
            "fix": fix.map(JSONValue.string) ?? .null,
            "details": .object(details),
        ])
    }
}

/// The human rendering: a line per check, the fix under each problem, a verdict.
struct DoctorView {
    let checks: [DoctorCheck]
    let style: Style

    func render() -> String {
        let width = (checks.map(\.title.count).max() ?? 0) + 2
        var lines: [String] = []
        for check in checks {
            let mark: String
            switch check.status {
            case .ok: mark = "✅ " + style.green("ok  ")
            case .warning: mark = "⚠️  " + style.yellow("warn")
            case .failure: mark = "❌ " + style.red("FAIL")
            case .skipped: mark = "➖ " + style.dim("skip")
            }
            let title = check.title.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append("\(mark)  \(style.bold(title))\(check.summary)")
            if let fix = check.fix, check.status == .failure || check.status == .warning {
                lines.append(String(repeating: " ", count: 9) + "fix: " + fix)
            }
        }
        let failed = checks.filter { $0.critical && $0.status == .failure }.map(\.title)
        let warned = checks.filter { $0.status == .warning }.count
        let warnings = warned == 0 ? "" : " (\(warned) warning\(warned == 1 ? "" : "s"))"
        if failed.isEmpty {
            lines.append(style.green("elohimd is installed and working") + warnings)
        } else {
            let problems = "\(failed.count) problem\(failed.count == 1 ? "" : "s")"
            lines.append(style.red("\(problems) to fix: \(failed.joined(separator: ", "))") + warnings)
        }
        return lines.joined(separator: "\n")
    }
}

/// Gathers every check. The network probes have deadlines (2 s for the daemon, 1 s for
/// Ollama), so a hung daemon or runtime is reported, not waited for.
struct DoctorChecks {
    let candidates: [String]
    let environment: [String: String]

    /// What the daemon said about itself, when it answered.
    struct DaemonFacts {
        var path: String
        var status: JSONValue
        var mode: String { status["mode"]?.stringValue ?? "user" }
    }

    /// What systemd knows about the units.
    enum ServiceManager {
        /// No `systemctl`, or no service manager for this scope (`reason` says which).
        case unavailable(reason: String)
        /// `units` maps each unit to its properties (LoadState, ActiveState, UnitFileState).
        case available(system: Bool, units: [String: [String: String]])
    }

    func run() -> [DoctorCheck] {
        var (socket, facts) = checkSocket()
        let system = facts?.mode == "system"
        let manager = serviceManager(system: system)
        if socket.status == .failure, socket.fix == nil {
            socket.fix = startFix(manager)
        }
        let llamaCpp = checkLlamaCpp()
        return [
            socket,
            checkService(manager, facts: facts),
            checkDataDir(facts: facts),
            llamaCpp,
            checkOllama(llamaCppAvailable: llamaCpp.status == .ok),
            checkMemory(facts: facts),
        ]
    }

    // MARK: socket

    func checkSocket() -> (DoctorCheck, DaemonFacts?) {
        var check = DoctorCheck(name: "socket", title: "socket", status: .failure, critical: true, summary: "")
        check.details["candidates"] = .array(candidates.map(JSONValue.string))
        let connection: WireConnection
        do {
            connection = try WireConnection.connect(candidates: candidates)
        } catch .permissionDenied(let path) {
            check.summary = "permission denied on \(path)"
            check.fix = "join the 'elohim' group: sudo usermod -aG elohim \(userName(getuid())), then log in again"
            return (check, nil)
        } catch {
            check.summary = "no daemon answers on \(candidates.joined(separator: " or "))"
            check.details["error"] = .string("\(error)")
            return (check, nil)
        }
        defer { connection.close() }
        check.details["path"] = .string(connection.path)
        do {
            let start = monotonicNanoseconds()
            _ = try call(connection, DaemonMethods.ping.name, id: 1)
            let microseconds = (monotonicNanoseconds() - start) / 1000
            let status = try call(connection, DaemonMethods.status.name, id: 2)
            let version = status["daemon_version"]?.stringValue ?? "?"
            let mode = status["mode"]?.stringValue ?? "?"
            let pid = status["pid"]?.intValue ?? 0
            check.status = .ok
            check.summary = "elohimd \(version) answers on \(connection.path) (\(mode) mode, pid \(pid), ping \(microseconds) µs)"
            check.details["daemon_version"] = .string(version)
            check.details["mode"] = .string(mode)
            check.details["pid"] = .int(pid)
            check.details["ping_microseconds"] = .int(microseconds)
            return (check, DaemonFacts(path: connection.path, status: status))
        } catch {
            check.summary = "something listens on \(connection.path) but does not answer daemon.ping: \(error)"
            check.fix = "look at the log (journalctl --user -u elohimd.service) and restart it (systemctl --user restart elohimd.service)"
            return (check, nil)
        }
    }

    /// One request with a 2 s deadline; the result, or the daemon's error as `RPCError`.
    func call(_ connection: WireConnection, _ method: String, id: Int64) throws -> JSONValue {
        let request = RPCRequest(id: .int(id), method: method, params: nil)
        let payload = try connection.call(JSONWriter.bytes(request.json), timeoutMilliseconds: 2000)
        let response = try JSONParser.parse(payload)
        if let error = response["error"] {
            throw RPCError(json: error) ?? ClientError.malformedResponse("error without code/message")
        }
        guard let result = response["result"] else { throw ClientError.malformedResponse("neither result nor error") }
        return result
    }

    /// How to start a daemon that does not answer, given what systemd offers.
    func startFix(_ manager: ServiceManager) -> String {
        switch manager {
        case .unavailable:
            // A socket named with --socket or ELOHIM_SOCKET must be named to the daemon too.
            let userPath = SocketPath.userPath(environment: { environment[$0] })
            let command = candidates.count == 1 && candidates[0] != userPath ? "elohimd --socket \(candidates[0])" : "elohimd"
            return "start it: \(command) (in a terminal, or from your session's autostart); no systemd service manager is available here"
        case .available(let system, let units):
            let scope = system ? "sudo systemctl" : "systemctl --user"
            if units["elohimd.socket"]?["LoadState"] != "loaded" {
                return "install the units (make install, or the .deb), then \(scope) daemon-reload && \(scope) enable --now elohimd.socket"
            }
            if units["elohimd.service"]?["ActiveState"] == "failed" {
                return "see why it failed (\(system ? "journalctl" : "journalctl --user") -u elohimd.service), then \(scope) restart elohimd.socket"
            }
            return "\(scope) enable --now elohimd.socket"
        }
    }

    // MARK: service

    func serviceManager(system: Bool) -> ServiceManager {
        guard let systemctl = findExecutable("systemctl") else {
            return .unavailable(reason: "systemctl not found")
        }
        let units = ["elohimd.socket", "elohimd.service"]
        var arguments = system ? [] : ["--user"]
        arguments += ["show", "--property=LoadState,ActiveState,UnitFileState"] + units
        guard let result = runProcess(systemctl, arguments) else {
            return .unavailable(reason: "cannot run \(systemctl)")
        }
        guard result.status == 0, !result.output.isEmpty else {
            let reason = result.error.isEmpty ? "no \(system ? "system" : "user") service manager" : result.error
            return .unavailable(reason: "systemctl\(system ? "" : " --user"): \(reason)")
        }
        // `systemctl show` prints one block of KEY=VALUE lines per unit, blank-line separated.
        var properties: [String: [String: String]] = [:]
        let blocks = result.output.components(separatedBy: "\n\n")
        for (unit, block) in zip(units, blocks) {
            var values: [String: String] = [:]
            for line in block.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                values[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            properties[unit] = values
        }
        return .available(system: system, units: properties)
    }

    func checkService(_ manager: ServiceManager, facts: DaemonFacts?) -> DoctorCheck {
        var check = DoctorCheck(name: "service", title: "service", status: .ok, critical: false, summary: "")
        switch manager {
        case .unavailable(let reason):
            check.status = .skipped
            check.summary = "not using systemd (\(reason))" + (facts != nil ? "; the daemon runs on its own" : "")
            check.details["manager"] = .null
            return check
        case .available(let system, let units):
            let scope = system ? "sudo systemctl" : "systemctl --user"
            check.details["manager"] = .string(system ? "system" : "user")
            let socket = units["elohimd.socket"] ?? [:]
            let service = units["elohimd.service"] ?? [:]
            for (unit, values) in units {
                check.details[unit] = .object(values.mapValues(JSONValue.string))
            }
            let socketState = socket["ActiveState"] ?? "unknown"
            let serviceState = service["ActiveState"] ?? "unknown"
            let states = "elohimd.socket \(socketState), elohimd.service \(serviceState)"
            if socket["LoadState"] != "loaded" && service["LoadState"] != "loaded" {
                check.status = .warning
                check.summary = "the elohimd units are not installed for the \(system ? "system" : "user") manager"
                    + (facts != nil ? " (the daemon runs outside systemd)" : "")
                check.fix = "install them (make install, or the .deb), then \(scope) daemon-reload && \(scope) enable --now elohimd.socket"
            } else if socketState == "failed" || serviceState == "failed" {
                check.status = .warning
                check.summary = states
                check.fix = "\(system ? "journalctl" : "journalctl --user") -u elohimd.service says why; then \(scope) reset-failed elohimd.service && \(scope) restart elohimd.socket"
            } else if socketState == "active" {
                check.summary = states + (serviceState == "active" ? "" : " (starts on the first connection)")
            } else if serviceState == "active" {
                check.status = .warning
                check.summary = states + ": the daemon runs without its socket unit, so a restart loses the socket"
                check.fix = "\(scope) enable --now elohimd.socket"
            } else {
                check.status = .warning
                check.summary = states + (facts != nil ? " (the daemon that answers was started outside systemd)" : "")
                check.fix = "\(scope) enable --now elohimd.socket"
            }
            return check
        }
    }

    // MARK: data directory

    /// The user-mode default, as the daemon computes it.
    var defaultDataDir: String {
        if let dataHome = environment["XDG_DATA_HOME"], dataHome.hasPrefix("/") { return dataHome + "/elohim" }
        return (environment["HOME"] ?? "/root") + "/.local/share/elohim"
    }

    func checkDataDir(facts: DaemonFacts?) -> DoctorCheck {
        let path = facts?.status["data_dir"]?.stringValue ?? defaultDataDir
        let system = facts?.mode == "system"
        var check = DoctorCheck(name: "data_dir", title: "data dir", status: .failure, critical: true, summary: "")
        check.details["path"] = .string(path)
        check.details["source"] = .string(facts != nil ? "daemon.status" : "default")
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT && facts == nil {
                check.status = .warning
                check.summary = "\(path) does not exist yet; elohimd creates it (mode 0700) when it first starts"
                check.fix = "start the daemon (see the socket check)"
            } else {
                check.summary = "\(path): \(String(cString: strerror(code)))"
                check.fix = code == ENOENT
                    ? "restart the daemon so it recreates \(path)" : "make \(path) reachable: check the permissions of its parent directories"
            }
            return check
        }
        let mode = info.st_mode & 0o7777
        let owner = info.st_uid
        check.details["mode"] = .string(octal(mode))
        check.details["owner_uid"] = .int(Int64(owner))
        check.details["owner"] = .string(userName(owner))
        guard info.st_mode & S_IFMT == S_IFDIR else {
            check.summary = "\(path) is not a directory"
            check.fix = "move it out of the way (mv \(path) \(path).old) and restart the daemon"
            return check
        }
        let expectedOwner: String? = system ? "elohim" : nil
        if let expectedOwner {
            if userName(owner) != expectedOwner {
                check.summary = "\(path) is owned by \(userName(owner)), not by the '\(expectedOwner)' system user"
                check.fix = "sudo chown -R \(expectedOwner):\(expectedOwner) \(path)"
                return check
            }
        } else if owner != geteuid() {
            check.summary = "\(path) is owned by \(userName(owner)) (uid \(owner)), not by you (\(userName(geteuid())))"
            check.fix = "sudo chown -R \(userName(geteuid())): \(path)"
            return check
        }
        if mode != 0o700 {
            var reasons: [String] = []
            if mode & 0o700 != 0o700 { reasons.append("its owner cannot \(mode & 0o200 == 0 ? "write" : "use") it") }
            if mode & 0o077 != 0 { reasons.append("other users can \(mode & 0o022 != 0 ? "change" : "read") it") }
            check.summary = "\(path) has mode \(octal(mode)), expected 0700 (\(reasons.joined(separator: "; ")))"
            check.fix = (system ? "sudo " : "") + "chmod 0700 \(path)"
            return check
        }
        if system && geteuid() != owner {
            check.status = .ok
            check.summary = "\(path) is 0700, owned by \(userName(owner)) (system mode)"
            return check
        }
        // The mode can be right and the directory still unusable: a read-only mount, a full disk.
        var template = Array((path + "/.elohim-doctor-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if descriptor < 0 {
            let code = errno
            check.summary = "cannot create a file in \(path): \(String(cString: strerror(code)))"
            check.fix = code == EROFS
                ? "\(path) is on a read-only file system: point data_dir in elohimd.json at a writable place"
                : code == ENOSPC ? "free some disk space on the file system holding \(path)" : "chmod 0700 \(path) and check that you own it"
            return check
        }
        close(descriptor)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        check.status = .ok
        check.summary = "\(path) is 0700, owned by \(userName(owner)), writable"
        return check
    }

    // MARK: runtimes

    func checkLlamaCpp() -> DoctorCheck {
        var check = DoctorCheck(name: "llama_cpp", title: "llama.cpp", status: .ok, critical: false, summary: "")
        let server = findExecutable("llama-server")
        check.details["llama_server"] = server.map(JSONValue.string) ?? .null
        var module: String?
        if let python = findExecutable("python3") {
            // find_spec does not import the module: no native library is loaded, so it stays fast.
            let script = """
                import importlib.util, importlib.metadata as m, sys
                if importlib.util.find_spec("xllamacpp") is None: sys.exit(1)
                try: print(m.version("xllamacpp"))
                except Exception: print("unknown version")
                """
            if let result = runProcess(python, ["-c", script]), result.status == 0 {
                module = result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        check.details["xllamacpp"] = module.map(JSONValue.string) ?? .null
        switch (server, module) {
        case (let server?, _):
            check.summary = "llama-server at \(server)" + (module.map { ", and the xllamacpp Python module \($0)" } ?? "")
        case (nil, let module?):
            check.summary = "the xllamacpp Python module \(module) (llama.cpp's server from PyPI)"
        case (nil, nil):
            check.status = .warning
            check.summary = "not found: no llama-server on PATH and no xllamacpp Python module"
            check.fix = "pip install xllamacpp (llama.cpp's server as a Python wheel), or build llama.cpp and put llama-server on PATH"
        }
        return check
    }

    func checkOllama(llamaCppAvailable: Bool) -> DoctorCheck {
        var check = DoctorCheck(name: "ollama", title: "ollama", status: .ok, critical: false, summary: "")
        let url = "http://127.0.0.1:11434/api/version"
        check.details["url"] = .string(url)
        switch httpGet(host: (127, 0, 0, 1), port: 11434, path: "/api/version", timeoutMilliseconds: 1000) {
        case .success(let (code, body)):
            let version = (try? JSONParser.parse(body))?["version"]?.stringValue
            check.details["version"] = version.map(JSONValue.string) ?? .null
            if code == 200, let version {
                check.summary = "Ollama \(version) answers on 127.0.0.1:11434"
            } else {
                check.status = .warning
                check.summary = "something on 127.0.0.1:11434 answered HTTP \(code), not Ollama's /api/version"
                check.fix = "stop whatever listens on port 11434, then start Ollama (ollama serve)"
            }
        case .failure(let reason):
            check.status = .warning
            check.details["version"] = .null
            check.summary = "not reachable on 127.0.0.1:11434 (\(reason.text))" + (llamaCppAvailable ? "; optional, llama.cpp is available" : "")
            check.fix = "install Ollama from ollama.com and start it (ollama serve, or its systemd service)"
        }
        return check
    }

    struct ProbeError: Error {
        var text: String
    }

    /// A tiny blocking HTTP/1.0 GET over a POSIX TCP socket, so the CLI needs no networking
    /// library: connect, request and response together take at most `timeoutMilliseconds`.
    func httpGet(host: (UInt8, UInt8, UInt8, UInt8), port: UInt16, path: String, timeoutMilliseconds: Int64) -> Result<(Int, [UInt8]), ProbeError> {
        let deadline = monotonicNanoseconds() / 1_000_000 + timeoutMilliseconds
        func remaining() -> Int32 { Int32(max(0, deadline - monotonicNanoseconds() / 1_000_000)) }
        func failure(_ text: String) -> Result<(Int, [UInt8]), ProbeError> { .failure(ProbeError(text: text)) }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { return failure(String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = (UInt32(host.0) << 24 | UInt32(host.1) << 16 | UInt32(host.2) << 8 | UInt32(host.3)).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if connected != 0 {
            guard errno == EINPROGRESS else { return failure(String(cString: strerror(errno))) }
            var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            guard poll(&poller, 1, remaining()) == 1 else { return failure("no answer within \(timeoutMilliseconds) ms") }
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &length)
            guard code == 0 else { return failure(String(cString: strerror(code))) }
        }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nAccept: application/json\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            var poller = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            guard poll(&poller, 1, remaining()) == 1 else { return failure("no answer within \(timeoutMilliseconds) ms") }
            let count = request[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return failure(String(cString: strerror(errno))) }
            sent += count
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while response.count < 1 << 20 {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, remaining()) == 1 else { return failure("no answer within \(timeoutMilliseconds) ms") }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else {
                if errno == EAGAIN || errno == EINTR { continue }
                return failure(String(cString: strerror(errno)))
            }
            response += buffer[..<count]
        }
        // "HTTP/1.1 200 OK\r\n…\r\n\r\nBODY"
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let headerEnd = (0..<max(0, response.count - 3)).first(where: { Array(response[$0..<$0 + 4]) == separator }) else {
            return failure("not an HTTP response")
        }
        let statusLine = String(decoding: response[..<headerEnd], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let code = Int(parts[1]) else {
            return failure("not an HTTP response")
        }
        return .success((code, Array(response[(headerEnd + 4)...])))
    }

    // MARK: memory

    func checkMemory(facts: DaemonFacts?) -> DoctorCheck {
        var check = DoctorCheck(name: "memory", title: "memory", status: .ok, critical: false, summary: "")
        let meminfo = readFile("/proc/meminfo") ?? ""
        func kilobytes(_ key: String) -> Int64? {
            for line in meminfo.split(separator: "\n") where line.hasPrefix(key + ":") {
                let fields = line.split(separator: " ")
                if fields.count >= 2, let value = Int64(fields[1]) { return value * 1024 }
            }
            return nil
        }
        guard let total = kilobytes("MemTotal"), let available = kilobytes("MemAvailable") else {
            check.status = .warning
            check.summary = "cannot read MemTotal/MemAvailable from /proc/meminfo"
            check.fix = "mount /proc (memory fit checks need it)"
            return check
        }
        check.details["mem_total_bytes"] = .int(total)
        check.details["mem_available_bytes"] = .int(available)
        var summary = "\(Format.bytes(available)) available of \(Format.bytes(total))"
        // The daemon's cgroup is the one that limits models; without a daemon, this process's.
        let pid = facts?.status["pid"]?.intValue
        let owner = pid.map { "elohimd (pid \($0))" } ?? "this shell"
        if let limit = cgroupMemoryLimit(pid: pid) {
            check.details["cgroup"] = .string(limit.cgroup)
            check.details["cgroup_memory_max_bytes"] = .int(limit.max)
            check.details["cgroup_memory_current_bytes"] = limit.current.map(JSONValue.int) ?? .null
            let used = limit.current.map { ", \(Format.bytes($0)) in use" } ?? ""
            summary += "; cgroup limit \(Format.bytes(limit.max)) for \(owner) (memory.max of \(limit.cgroup)\(used))"
        } else {
            check.details["cgroup"] = .null
            check.details["cgroup_memory_max_bytes"] = .null
            summary += "; no cgroup memory limit for \(owner)"
        }
        check.summary = summary
        if available < 1 << 30 {
            check.status = .warning
            check.fix = "close memory-hungry programs: under 1 GiB is available, too little for most models"
        }
        return check
    }

    /// The tightest cgroup v2 `memory.max` on the path from `pid`'s cgroup (or this process's)
    /// up to the root, with that cgroup's `memory.current`; nil when none is set.
    func cgroupMemoryLimit(pid: Int64?) -> (cgroup: String, max: Int64, current: Int64?)? {
        let membership = pid.flatMap { readFile("/proc/\($0)/cgroup") } ?? readFile("/proc/self/cgroup") ?? ""
        guard let line = membership.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else { return nil }
        var cgroup = String(line.dropFirst(3))
        var best: (cgroup: String, max: Int64, current: Int64?)?
        while true {
            let directory = "/sys/fs/cgroup" + (cgroup == "/" ? "" : cgroup)
            if let text = readFile(directory + "/memory.max")?.trimmingCharacters(in: .whitespacesAndNewlines),
                let value = Int64(text), value < best?.max ?? .max
            {
                let current = readFile(directory + "/memory.current").flatMap {
                    Int64($0.trimmingCharacters(in: .whitespacesAndNewlines))
                }
                best = (cgroup, value, current)
            }
            guard cgroup != "/", let slash = cgroup.lastIndex(of: "/") else { break }
            cgroup = slash == cgroup.startIndex ? "/" : String(cgroup[..<slash])
        }
        return best
    }

    // MARK: helpers

    func readFile(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    func findExecutable(_ name: String) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where directory.hasPrefix("/") {
            let candidate = "\(directory)/\(name)"
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// Runs a program to completion; stdout, and the first line of stderr in `error`.
    func runProcess(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String, error: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        // systemctl and python3 print a few lines: stdout first, then stderr, cannot fill a pipe.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let firstError = String(decoding: errorData, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), firstError)
    }

    func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }

    func octal(_ mode: mode_t) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    func monotonicNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
