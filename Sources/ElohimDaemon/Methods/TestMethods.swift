import ElohimCore
import ElohimProtocol

extension MethodTable {
    /// The JSON-RPC 2.0 specification's example methods (`subtract`, `sum`, `update`,
    /// `notify_hello`, `notify_sum`, `get_data`) plus `test.sleep`, so that end-to-end tests can
    /// replay the specification's examples and hold requests in flight. Registered only when
    /// `enable_test_methods` is on; they never appear in a normal daemon.
    mutating func registerTestMethods(audit: AuditWriter? = nil) {
        // `test.audit` records one event the way a real method does; `test.audit_off` does the
        // same work without recording: the benchmark compares the two in one run.
        for (name, records) in [("test.audit", true), ("test.audit_off", false)] {
            registerRaw(name: name, summary: "Benchmark: a call that \(records ? "writes" : "skips") an audit event.", access: .open) { context, _ in
                let event = AuditEvent("bench.call", action: "call", actor: context.auditActor, resourceType: "bench")
                if records { audit?.record(event) }
                return ["ok": true]
            }
        }
        registerRaw(name: "subtract", summary: "Spec example: minuend − subtrahend.", access: .open) { _, params in
            let minuend: JSONValue?
            let subtrahend: JSONValue?
            switch params {
            case .array(let values)?:
                minuend = values.count > 0 ? values[0] : nil
                subtrahend = values.count > 1 ? values[1] : nil
            case .object(let members)?:
                minuend = members["minuend"]
                subtrahend = members["subtrahend"]
            default:
                minuend = nil
                subtrahend = nil
            }
            guard let left = minuend?.intValue, let right = subtrahend?.intValue else {
                throw RPCError.invalidParams("subtract takes two integers (minuend, subtrahend)")
            }
            return .int(left - right)
        }
        registerRaw(name: "sum", summary: "Spec example: the sum of the params.", access: .open) { _, params in
            .int((params?.arrayValue ?? []).compactMap(\.intValue).reduce(0, +))
        }
        registerRaw(name: "get_data", summary: "Spec example.", access: .open) { _, _ in ["hello", 5] }
        for name in ["update", "notify_hello", "notify_sum"] {
            registerRaw(name: name, summary: "Spec example notification target.", access: .open) { _, _ in .null }
        }
        registerRaw(name: "test.sleep", summary: "Holds the request for `ms` milliseconds.", access: .open) { _, params in
            let milliseconds = params?["ms"]?.intValue ?? 100
            guard (0...60_000).contains(milliseconds) else {
                throw RPCError.invalidParams("ms must be 0 to 60000", field: "ms")
            }
            try await Task.sleep(for: .milliseconds(milliseconds))
            return ["slept_ms": .int(milliseconds)]
        }
    }
}
