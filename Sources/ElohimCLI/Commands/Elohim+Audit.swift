import ArgumentParser
import ElohimProtocol
import ElohimWire
import Foundation

extension Elohim {
    /// `elohim audit`: the audit log for admins.
    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Read the audit log (newest first), follow it, or verify its hash chain.",
            subcommands: [Log.self, Verify.self, Export.self],
            defaultSubcommand: Log.self)

        struct Log: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "log", abstract: "List audit events with filters.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "Only this account's events (uid).") var user: String?
            @Option(help: "Only this event type, e.g. permission.granted.") var event: String?
            @Option(help: "Only this resource type.") var resourceType: String?
            @Option(help: "Only this resource id.") var resource: String?
            @Option(help: "Events at or after this ISO 8601 time.") var since: String?
            @Option(help: "Events before this ISO 8601 time.") var until: String?
            @Option(help: "Page size (1-1000).") var limit: Int = 50
            @Option(help: "Continue after this cursor (printed at the end of a page).") var before: Int64?
            @Flag(help: "Keep printing new events as they are committed.") var follow = false

            func run() throws {
                var params: [String: JSONValue] = ["limit": .int(Int64(limit))]
                for (key, value) in [
                    ("user_id", user), ("event_type", event), ("resource_type", resourceType), ("resource_id", resource),
                    ("since", since), ("until", until),
                ] {
                    if let value { params[key] = .string(value) }
                }
                if let before { params["before"] = .int(before) }
                let client = try global.connect()
                defer { client.connection.close() }
                do {
                    let raw = try client.callRaw(AuditMethods.log.name, params: .object(params))
                    let page = try RPCCoding.decode(AuditLogResult.self, from: raw)
                    if global.json && !follow {
                        return say(JSONWriter.string(raw))
                    }
                    print(events: page.events.reversed(), header: true)
                    if let cursor = page.nextCursor, !follow {
                        say(global.style.dim("more: elohim audit --before \(cursor)"))
                    }
                    guard follow else { return }
                    _ = try client.callRaw(EventMethods.subscribe.name, params: ["topics": ["audit"]])
                    while true {
                        let message = try JSONParser.parse(try client.connection.receive())
                        guard message["method"] == .string(EventMethods.notificationMethod), let data = message["params"]?["data"] else { continue }
                        let entry = try RPCCoding.decode(AuditEntry.self, from: data)
                        if matches(entry) { print(events: [entry], header: false) }
                    }
                } catch let error as RPCError {
                    throw CLIFailure.daemon(error)
                }
            }

            func matches(_ entry: AuditEntry) -> Bool {
                (user == nil || entry.userId == user) && (event == nil || entry.eventType == event)
                    && (resourceType == nil || entry.resourceType == resourceType) && (resource == nil || entry.resourceId == resource)
            }

            func print(events: [AuditEntry], header: Bool) {
                if global.json {
                    for entry in events { say((try? JSONWriter.string(RPCCoding.json(entry))) ?? "{}") }
                    return
                }
                var table = Table(["ID", "TIME", "USER", "EVENT", "RESOURCE", "ACTION", "DETAILS"])
                for entry in events {
                    let resource = [entry.resourceType, entry.resourceId].compactMap { $0 }.joined(separator: ":")
                    table.add([
                        "\(entry.id)", entry.timestamp, entry.userId ?? "daemon", entry.eventType, resource.orDash, entry.action,
                        JSONWriter.string(entry.details),
                    ])
                }
                let text = table.render(style: global.style)
                say(header ? text : text.split(separator: "\n").dropFirst().joined(separator: "\n"))
                fflush(nil)  // nil flushes every stream: each followed event must reach a pipe at once
            }
        }

        struct Export: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "export",
                abstract: "Founder only: write every audit row (oldest first, with prev_hash) as JSON Lines.",
                discussion: "The first line holds the anchor hash the oldest row chains from. Unlock founder rights first with `elohim founder verify`.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "Write here (created 0600, must not exist) instead of standard output.") var output: String?

            func run() throws {
                var lines: [String] = []
                var count = 0
                try global.withClient { client in
                    var after: Int64?
                    repeat {
                        var params: [String: JSONValue] = ["limit": 1000]
                        if let after { params["after"] = .int(after) }
                        let page = try RPCCoding.decode(
                            AuditExportResult.self, from: try client.callRaw(AuditMethods.export.name, params: .object(params)))
                        if lines.isEmpty { lines.append(JSONWriter.string(["anchor_hash": .string(page.anchorHash)])) }
                        for row in page.rows { lines.append(JSONWriter.string(try RPCCoding.json(row))) }
                        count += page.rows.count
                        after = page.nextAfter
                    } while after != nil
                }
                let text = lines.joined(separator: "\n") + "\n"
                guard let output else { return print(text, terminator: "") }
                let descriptor = open(output, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else {
                    throw CLIFailure.usage("cannot create \(output): \(String(cString: strerror(errno))) (it must not exist yet)")
                }
                defer { close(descriptor) }
                let bytes = Array(text.utf8)
                guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
                    throw CLIFailure.usage("could not write all of \(output): \(String(cString: strerror(errno)))")
                }
                FileHandle.standardError.write(Data("exported \(count) audit rows to \(output)\n".utf8))
            }
        }

        struct Verify: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "verify", abstract: "Walk the hash chain and report the first tampered row.")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let raw = try global.withClient { try $0.callRaw(AuditMethods.verify.name, params: nil) }
                let result = try RPCCoding.decode(AuditVerifyResult.self, from: raw)
                if global.json {
                    say(JSONWriter.string(raw))
                } else if result.ok {
                    say("\(global.style.green("ok")): \(result.rowsChecked) rows, hash chain intact")
                } else {
                    say("\(global.style.red("BROKEN")) at row \(result.firstBrokenId.map(String.init) ?? "?"): \(result.problem ?? "")")
                }
                if !result.ok { throw ExitCode(1) }
            }
        }
    }
}
