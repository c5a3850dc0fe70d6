// elohim-cleanup-bench: how long the temp reaper takes over many files. Creates N files
// (default 100 000) named like the daemon's in a private directory on /tmp's file system,
// then times a dry run (scan only: fstatat each, nothing opened) and a real run (open,
// flock, re-check, unlinkat each) with the reaper's clock 8 days ahead, so every file is old
// by every timestamp (ctime cannot be backdated).
//
// Then chat archiving: a fresh main database (all migrations) with S sessions (default
// 100 000) idle since 2020, each with 3 messages, written directly; times the chat_archive
// task's dry run (two counts) and real run (500 sessions per transaction, counts checked
// before each commit). Prints one JSON line. Arguments: [files] [sessions] (0 skips a part).
import ElohimCore
import ElohimProtocol
import Foundation
import GRDB

let arguments = CommandLine.arguments.dropFirst().map { Int($0) }
let count = (arguments.first ?? nil) ?? 100_000
let sessionCount = (arguments.dropFirst().first ?? nil) ?? 100_000
let messagesPerSession = 3
let directory = "/tmp/elohim-cleanup-bench-\(getpid())"
guard mkdir(directory, 0o700) == 0 else { fatalError("cannot create \(directory)") }
defer { try? FileManager.default.removeItem(atPath: directory) }

let createStart = ContinuousClock.now
for index in 0..<count {
    let descriptor = open(directory + "/elohimos_\(index)", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { fatalError("create failed at \(index)") }
    close(descriptor)
}
let created = ContinuousClock.now - createStart

var configuration = TempFileReaper.Configuration()
configuration.directory = directory
let later = Date().addingTimeInterval(8 * 86_400)
let reaper = TempFileReaper(configuration: configuration, now: { later })

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

let dryStart = ContinuousClock.now
let dry = try reaper.reap(dryRun: true)
let dryTime = ContinuousClock.now - dryStart
let realStart = ContinuousClock.now
let real = try reaper.reap(dryRun: false)
let realTime = ContinuousClock.now - realStart
let archive = try await benchmarkArchiving(sessions: sessionCount, directory: directory)
print(
    #"{"files":\#(count),"create_ms":\#(Int(milliseconds(created))),"dry_run_ms":\#(Int(milliseconds(dryTime))),"dry_run_would_remove":\#(dry.removed),"run_ms":\#(Int(milliseconds(realTime))),"removed":\#(real.removed),"files_per_s":\#(Int(Double(real.removed) / (milliseconds(realTime) / 1000))),\#(archive)}"#
)

/// Seeds and archives `sessions` idle sessions; returns the JSON members of the result.
func benchmarkArchiving(sessions: Int, directory: String) async throws -> String {
    guard sessions > 0 else { return #""sessions":0"# }
    let database = try AppDatabase.open(path: directory + "/elohim.db")
    let old = "2020-01-01T00:00:00.000Z"
    let seedStart = ContinuousClock.now
    try await database.writer.write { db in
        let session = try db.makeStatement(
            sql: "INSERT INTO chat_sessions (id, user_id, title, created_at, updated_at, last_activity) VALUES (?, 1000, ?, ?, ?, ?)")
        let message = try db.makeStatement(
            sql: "INSERT INTO chat_messages (session_id, role, content, model, prompt_tokens, completion_tokens, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        for id in 1...sessions {
            try session.execute(arguments: [id, "session \(id)", old, old, old])
            for turn in 0..<messagesPerSession {
                let reply = turn % 2 == 1
                try message.execute(arguments: [
                    id, reply ? "assistant" : "user", "message \(turn) of session \(id), a sentence or two of chat text", reply ? "tiny" : nil,
                    reply ? 120 : nil, reply ? 40 : nil, old,
                ])
            }
        }
    }
    let seeded = ContinuousClock.now - seedStart
    let task = ChatArchiveTask(store: ChatStore(database: database.writer))
    let dryStart = ContinuousClock.now
    let dry = try await task.run(dryRun: true)
    let dryTime = ContinuousClock.now - dryStart
    let runStart = ContinuousClock.now
    let run = try await task.run(dryRun: false)
    let runTime = ContinuousClock.now - runStart
    guard run.removed == sessions, run.errors.isEmpty else { fatalError("archived \(run.removed) of \(sessions): \(run.errors)") }
    return #""sessions":\#(sessions),"messages":\#(run.alsoRemoved?["messages"] ?? 0),"batch_size":\#(task.configuration.batchSize),"seed_ms":\#(Int(milliseconds(seeded))),"archive_dry_run_ms":\#(Int(milliseconds(dryTime))),"archive_dry_run_would_archive":\#(dry.removed),"archive_ms":\#(Int(milliseconds(runTime))),"archived":\#(run.removed),"sessions_per_s":\#(Int(Double(run.removed) / (milliseconds(runTime) / 1000)))"#
}
