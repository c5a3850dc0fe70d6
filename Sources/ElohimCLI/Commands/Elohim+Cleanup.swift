import ArgumentParser
import ElohimProtocol
import Foundation

extension Elohim {
    /// `elohim cleanup`: the nightly cleanup job, run now or inspected.
    struct Cleanup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cleanup",
            abstract: "Run the cleanup job now (stale temp files, old sessions, orphans), or see its schedule and history.",
            subcommands: [Run.self, Status.self, History.self],
            defaultSubcommand: Run.self)

        struct Run: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the cleanup now and print what it removed.")
            @OptionGroup var global: GlobalOptions
            @Flag(help: "Report what would be removed; remove nothing.") var dryRun = false

            func run() throws {
                let raw = try global.withClient { client in
                    try client.callRaw(CleanupMethods.run.name, params: dryRun ? ["dry_run": true] : nil)
                }
                if global.json { return say(JSONWriter.string(raw)) }
                let result = try RPCCoding.decode(CleanupRunResult.self, from: raw)
                say(CleanupView(style: global.style).summary(result))
                say(CleanupView(style: global.style).tasks(result.tasks))
            }
        }

        struct Status: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the schedule, the last run and the next one.")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let raw = try global.withClient { client in
                    try client.callRaw(CleanupMethods.status.name, params: ["history": 0])
                }
                if global.json { return say(JSONWriter.string(raw)) }
                let status = try RPCCoding.decode(CleanupStatusResult.self, from: raw)
                let view = CleanupView(style: global.style)
                say("schedule  daily at \(status.time) (\(status.timeZone))" + (status.running ? ", " + global.style.yellow("running now") : ""))
                say("next run  " + (status.nextRun ?? "-") + (status.catchUp ? " (catching up a missed run)" : ""))
                say("last run  " + (status.lastRun.map(view.summary) ?? "never"))
            }
        }

        struct History: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "history", abstract: "List recent cleanup runs, newest first.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "How many runs (0-100).") var limit: Int = 10

            func run() throws {
                let raw = try global.withClient { client in
                    try client.callRaw(CleanupMethods.status.name, params: ["history": .int(Int64(limit))])
                }
                if global.json { return say(JSONWriter.string(raw["history"] ?? [])) }
                let status = try RPCCoding.decode(CleanupStatusResult.self, from: raw)
                var table = Table(["ID", "STARTED", "TRIGGER", "STATUS", "FILES", "FREED", "SESSIONS", "MESSAGES", "ORPHANS", "MS"])
                for run in status.history {
                    table.add([
                        run.id.map { "\($0)" } ?? "-", run.startedAt, run.trigger, run.status, "\(run.filesDeleted)/\(run.filesScanned)",
                        Format.bytes(run.bytesFreed), "\(run.sessionsArchived)", "\(run.messagesArchived)", "\(run.orphansRemoved)", "\(Int(run.durationMs))",
                    ])
                }
                say(status.history.isEmpty ? "no cleanup runs yet" : table.render(style: global.style))
            }
        }
    }
}

/// Human renderings of cleanup runs.
struct CleanupView {
    let style: Style

    func summary(_ run: CleanupRunResult) -> String {
        let verb = run.dryRun ? "would delete" : "deleted"
        let state = run.status == "ok" ? style.green(run.status) : style.yellow(run.status)
        return "\(run.startedAt) \(run.trigger)\(run.dryRun ? " (dry run)" : ""): \(state); \(verb) \(run.filesDeleted) of "
            + "\(run.filesScanned) files (\(Format.bytes(run.bytesFreed))), \(run.sessionsArchived) sessions (\(run.messagesArchived) messages) archived, "
            + "\(run.orphansRemoved) orphans removed, \(Int(run.durationMs)) ms"
    }

    func tasks(_ tasks: [CleanupTaskStats]) -> String {
        var table = Table(["TASK", "SCANNED", "REMOVED", "FREED", "KEPT", "ERRORS"])
        for task in tasks {
            let kept = task.kept.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            table.add([
                task.name, "\(task.scanned) \(task.unit)", "\(task.removed)", Format.bytes(task.bytesFreed), kept.isEmpty ? "-" : kept,
                task.errors.isEmpty ? "-" : task.errors.joined(separator: "; "),
            ])
        }
        return table.render(style: style)
    }
}
