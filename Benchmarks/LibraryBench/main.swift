// elohim-library-bench DIR [DOCUMENTS] [CALLS]: seeds DIR (a data directory) with DOCUMENTS
// documents (default 100,000; every 10th a team row, two tags each) for this process's uid,
// unless it already holds them, then times `LocalLibrary.listDocuments(limit: 50)` CALLS
// times (default 5,000) at cursors spread over the whole range, counting SQL statements per
// call with the trace hook. Prints one JSON line. `elohim-bench library` drives it and then
// measures the same call through a real daemon on DIR.
import ElohimCore
import ElohimProtocol
import Foundation
import GRDB
import Synchronization

let arguments = CommandLine.arguments.dropFirst()
guard let directory = arguments.first else {
    FileHandle.standardError.write(Data("usage: elohim-library-bench DIR [DOCUMENTS] [CALLS]\n".utf8))
    exit(2)
}
let documents = arguments.dropFirst().first.flatMap { Int($0) } ?? 100_000
let calls = arguments.dropFirst(2).first.flatMap { Int($0) } ?? 5000
let user = geteuid()

try DataDirectory.prepare(directory)
let embeddingsPath = directory + "/embeddings.db"
try LibraryStore.prepareEmbeddings(path: embeddingsPath)
let statements = Atomic<Int>(0)
let attach = LibraryStore.attachEmbeddings(path: embeddingsPath)
let database = try AppDatabase.open(path: directory + "/elohim.db") { db in
    try attach(db)
    db.trace(options: .statement) { _ in statements.add(1, ordering: .relaxed) }
}
let store = LibraryStore(database: database.writer, cipher: try VaultCipher.loadOrCreate(path: directory + "/vault.key"))

let existing = try database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM documents") ?? 0 }
let seedStart = Date()
if existing < documents {
    try database.writer.write { db in
        for index in existing..<documents {
            try db.execute(
                sql: """
                    INSERT INTO documents (user_id, team_id, title, content, size_bytes, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    user, index % 10 == 0 ? "engineering" : nil, "Document \(index)", "Body of document \(index): notes and ideas.",
                    40, "2026-11-30T00:00:00Z", "2026-11-30T00:00:00Z",
                ])
            let id = db.lastInsertedRowID
            try db.execute(sql: "INSERT INTO document_tags (document_id, tag) VALUES (?, 'bench'), (?, ?)", arguments: [id, id, "t\(index % 7)"])
        }
    }
}
let seedSeconds = Date().timeIntervalSince(seedStart)

let local = store.local(user)
let maxID = try database.writer.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM documents") ?? 0 }
var generator = SystemRandomNumberGenerator()
var samples: [Double] = []
samples.reserveCapacity(calls)
// This thread's CPU time too: on a shared, loaded machine the wall-clock tail is mostly
// waiting for a CPU; the CPU time is what the call itself costs.
var cpuSamples: [Double] = []
func threadCPUms() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) * 1000 + Double(spec.tv_nsec) / 1e6
}
var perCall = Set<Int>()
var teamRowsSeen = 0
for call in 0..<(calls + 200) {
    // The first page half the time (the common case), a random later page otherwise.
    let before: Int64? = call % 2 == 0 ? nil : Int64.random(in: 100...max(100, maxID), using: &generator)
    let countBefore = statements.load(ordering: .relaxed)
    let cpuStart = threadCPUms()
    let start = ContinuousClock.now
    let page = try local.listDocuments(limit: 50, before: before)
    let elapsed = ContinuousClock.now - start
    let cpu = threadCPUms() - cpuStart
    guard call >= 200 else { continue }  // warm-up
    cpuSamples.append(cpu)
    perCall.insert(statements.load(ordering: .relaxed) - countBefore)
    samples.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
    teamRowsSeen += page.documents.filter { $0.context != .local }.count
    precondition(page.documents.allSatisfy { $0.tags.count == 2 }, "tags missing")
}
samples.sort()
let sorted = samples
let sortedCPU = cpuSamples.sorted()
func percentile(_ p: Double, _ values: [Double] = sorted) -> Double { values[min(values.count - 1, Int(Double(values.count) * p))] }
let plan = try database.writer.read { db in
    try Row.fetchAll(
        db,
        sql: "EXPLAIN QUERY PLAN SELECT id FROM documents AS d WHERE d.user_id = ? AND d.team_id IS NULL ORDER BY d.id DESC LIMIT 51",
        arguments: [user]
    ).map { $0["detail"] as String }.joined(separator: "; ")
}
print(
    #"{"documents":\#(documents),"calls":\#(samples.count),"seed_seconds":\#(String(format: "%.2f", seedSeconds)),"p50_ms":\#(String(format: "%.4f", percentile(0.5))),"p99_ms":\#(String(format: "%.4f", percentile(0.99))),"max_ms":\#(String(format: "%.4f", sorted.last ?? 0)),"cpu_p50_ms":\#(String(format: "%.4f", percentile(0.5, sortedCPU))),"cpu_p99_ms":\#(String(format: "%.4f", percentile(0.99, sortedCPU))),"statements_per_call":\#(perCall.sorted()),"team_rows_returned":\#(teamRowsSeen),"plan":"\#(plan)","user_id":\#(user)}"#
)
