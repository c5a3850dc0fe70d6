import ElohimProtocol

/// Builds the OpenRPC 1.2 document from the method table, so the description can never drift
/// from what is served. `Protocol/elohim.openrpc.json` is this document, committed; a test
/// checks the two are identical.
enum OpenRPCDocument {
    static func make(from table: MethodTable) -> JSONValue {
        let methods: [JSONValue] = table.entries.keys.sorted().compactMap { name in
            guard let entry = table[name] else { return nil }
            let params: [JSONValue] = entry.fields.map { field in
                ["name": .string(field.name), "summary": .string(field.summary), "required": .bool(field.required), "schema": field.schema]
            }
            return [
                "name": .string(entry.name),
                "summary": .string(entry.summary),
                "paramStructure": "either",
                "params": .array(params),
                "result": ["name": .string(entry.name.replacingDots() + "_result"), "schema": entry.resultSchema],
                "x-permission": .string(entry.access.description),
            ]
        }
        let errors: [JSONValue] = ApplicationErrorReason.allCases.map { reason in
            ["code": .int(Int64(reason.code)), "message": .string(reason.rawValue), "data": ["reason": .string(reason.rawValue)]]
        }
        return [
            "openrpc": "1.2.6",
            "info": [
                "title": "elohimd",
                "version": .string(ProtocolVersion.current),
                "description": "The ElohimOS daemon: length-prefixed JSON-RPC 2.0 over a Unix socket. See Protocol/PROTOCOL.md.",
            ],
            "methods": .array(methods),
            "components": ["x-application-errors": .array(errors)],
        ]
    }
}

extension String {
    fileprivate func replacingDots() -> String {
        String(map { $0 == "." ? "_" : $0 })
    }
}
