// elohim-cleanup-bench: how long the temp reaper takes over many files. Creates N files
// (default 100 000) named like the daemon's in a private directory on /tmp's file system,
// then times a dry run (scan only: fstatat each, nothing opened) and a real run (open,
// flock, re-check, unlinkat each) with the reaper's clock 8 days ahead, so every file is old
// by every timestamp (ctime cannot be backdated). Prints one JSON line.
import ElohimCore
import ElohimProtocol
import Foundation

let count = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 100_000
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
print(
    #"{"files":\#(count),"create_ms":\#(Int(milliseconds(created))),"dry_run_ms":\#(Int(milliseconds(dryTime))),"dry_run_would_remove":\#(dry.removed),"run_ms":\#(Int(milliseconds(realTime))),"removed":\#(real.removed),"files_per_s":\#(Int(Double(real.removed) / (milliseconds(realTime) / 1000)))}"#
)
