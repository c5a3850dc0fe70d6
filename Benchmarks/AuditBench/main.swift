// elohim-audit-bench: the AuditWriter's sustained capacity on this machine.
// A producer keeps the queue fed (without overflowing it) while the writer service commits
// batches to a real audit.db; prints one JSON line with events committed per second.
import ElohimCore
import ElohimProtocol
import Foundation
import Logging

let seconds = Double(CommandLine.arguments.dropFirst().first ?? "") ?? 3
let directory = NSTemporaryDirectory() + "elohim-audit-bench-\(getpid())"
try DataDirectory.prepare(directory)
defer { try? FileManager.default.removeItem(atPath: directory) }

let store = try AuditStore(path: directory + "/audit.db")
let writer = try AuditWriter(store: store, logger: Logger(label: "bench"))
let service = Task { try await writer.run() }
let actor = AuditActor(uid: 1000, pid: 4242, clientName: "bench", clientVersion: "1")
let start = Date()
var produced = 0
while Date().timeIntervalSince(start) < seconds {
    if writer.backlog < 20_000 {
        for _ in 0..<1000 {
            produced += 1
            writer.record(
                AuditEvent(
                    "bench.event", action: "write", actor: actor, resourceType: "bench", resourceID: String(produced),
                    details: ["n": .int(Int64(produced)), "note": "a typical small details object"]))
        }
    } else {
        try await Task.sleep(for: .milliseconds(1))
    }
}
// Stopping the service commits what is still queued; the clock stops when it has.
service.cancel()
_ = await service.result
let elapsed = Date().timeIntervalSince(start)
let verification = try store.verify()
let committed = verification.rowsChecked

// The writer's own cost, free of the producer and of scheduling: queue a batch-sized burst
// with no service running, then commit it on this thread and read this thread's CPU clock.
func threadCPUSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
var flushCPU = 0.0
var flushed = 0
for round in 0..<20 {
    for number in 0..<AuditWriter.Configuration().batchSize {
        writer.record(
            AuditEvent(
                "bench.event", action: "write", actor: actor, resourceType: "bench", resourceID: String(number),
                details: ["n": .int(Int64(number)), "note": "a typical small details object"]))
    }
    let before = threadCPUSeconds()
    writer.flush()
    if round > 0 {  // the first round warms the statement cache
        flushCPU += threadCPUSeconds() - before
        flushed += AuditWriter.Configuration().batchSize
    }
}
print(
    #"{"events":\#(committed),"produced":\#(produced),"seconds":\#(String(format: "%.3f", elapsed)),"events_per_s":\#(Int(Double(committed) / elapsed)),"chain_ok":\#(verification.ok),"flush_cpu_us_per_event":\#(String(format: "%.2f", flushCPU * 1e6 / Double(flushed)))}"#
)
