@testable import ElohimCLI
import ElohimProtocol
import Foundation
import Testing

@Suite struct PerfViewTests {
    static func status(_ light: String, error: EngineStatus.Failure? = nil) -> EngineStatus {
        EngineStatus(
            status: light, queueDepth: 4, lastActivity: "2026-11-30T23:12:49.903Z",
            queue: .init(pending: 3, inFlight: 1, avgWaitMs: 120), workers: 2, throughputPerMin: 42, p50Ms: 3.1, p95Ms: 12,
            error: error)
    }

    @Test func theSeedsQueueStatusBoxAndTheLightInWords() {
        let now = Date(timeIntervalSince1970: 1_796_080_379.903)  // 10 s after last_activity
        let text = PerfView(engine: Self.status("processing"), slots: nil, style: Style(color: false), now: now).render()
        #expect(text.contains("🟡 processing"))
        #expect(text.contains("│ Pending: 3 queries      │"))
        #expect(text.contains("│ In Flight: 1            │"))
        #expect(text.contains("│ Avg Wait: 120ms         │"))
        #expect(text.contains("(10s ago)"))
        #expect(!text.contains("Hot slots RAM"))
        let failing = PerfView(
            engine: Self.status("error", error: .init(message: "disk I/O error", at: "2026-11-30T23:12:49.903Z")), slots: nil,
            style: Style(color: false)
        ).render()
        #expect(failing.contains("🔴 error: disk I/O error"))
        #expect(PerfView(engine: Self.status("idle"), slots: nil, style: Style(color: false)).render().contains("🟢 idle"))
    }

    @Test func theHotSlotMeterReadsTheSlotsListContract() {
        let gib: Int64 = 1 << 30
        let slots: JSONValue = [
            "slots": [
                ["slot": 1, "model": "a.gguf", "state": "ready", "estimate_bytes": .int(6 * gib)],
                ["slot": 2, "model": nil, "state": "empty", "estimate_bytes": nil],
            ],
            "used_bytes": .int(6 * gib), "total_bytes": .int(24 * gib), "limit_bytes": .int(18 * gib), "percent": 25.0,
        ]
        let text = PerfView(engine: Self.status("idle"), slots: slots, style: Style(color: false)).render()
        #expect(text.contains("Hot slots RAM  [█████░░░░░░░░░░░░░░░] 25.0% 6.0 GiB of 24.0 GiB (limit 18.0 GiB) · 1 slot in use"), "\(text)")
    }
}
