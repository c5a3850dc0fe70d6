import ElohimProtocol

/// One callable method: its declaration and a type-erased handler.
public struct MethodEntry: Sendable {
    public let name: String
    public let summary: String
    public let access: Access
    public let fields: [ParamField]
    public let resultSchema: JSONValue
    /// Decodes params, runs the handler and returns the encoded result.
    let invoke: @Sendable (RequestContext, JSONValue?) async throws -> [UInt8]
}

/// Every method the daemon serves, looked up by name. Built once at start, then read-only.
public struct MethodTable: Sendable {
    public private(set) var entries: [String: MethodEntry] = [:]

    public init() {}

    /// Registers a typed handler for `spec`. Registering a name twice is a programming error.
    public mutating func register<Params, Result>(
        _ spec: MethodSpec<Params, Result>,
        _ handler: @escaping @Sendable (RequestContext, Params) async throws -> Result
    ) {
        let fields = Params.fields
        // Decided once here, not per request: a dynamic cast costs a runtime conformance lookup.
        let noParams = NoParams() as? Params
        add(
            MethodEntry(
                name: spec.name, summary: spec.summary, access: spec.access, fields: fields,
                resultSchema: spec.resultSchema,
                invoke: { context, raw in
                    let named = try Self.namedParams(raw, fields: fields)
                    let params: Params
                    if let none = noParams {
                        // Nothing to decode; namedParams already refused any field.
                        params = none
                    } else {
                        do {
                            params = try RPCCoding.decode(Params.self, from: named)
                        } catch let error as RPCCoding.FieldError {
                            throw RPCError.invalidParams(error.detail, field: error.field)
                        }
                    }
                    return try RPCCoding.encode(try await handler(context, params))
                }
            )
        )
    }

    /// Registers a handler that takes params as they arrived (positional or named) and returns
    /// any JSON: for the JSON-RPC specification's own examples, whose params are variadic.
    public mutating func registerRaw(
        name: String, summary: String, access: Access,
        _ handler: @escaping @Sendable (RequestContext, JSONValue?) async throws -> JSONValue
    ) {
        add(
            MethodEntry(
                name: name, summary: summary, access: access, fields: [], resultSchema: Schema.any,
                invoke: { context, raw in JSONWriter.bytes(try await handler(context, raw)) }
            )
        )
    }

    private mutating func add(_ entry: MethodEntry) {
        precondition(entries[entry.name] == nil, "method \(entry.name) registered twice")
        entries[entry.name] = entry
    }

    /// The entry for `name`, if any.
    public subscript(name: String) -> MethodEntry? { entries[name] }

    /// Turns positional params into named ones and refuses fields the method does not declare,
    /// so a typo (`sesion_id`) is an error rather than a silently ignored value.
    static func namedParams(_ raw: JSONValue?, fields: [ParamField]) throws -> JSONValue {
        let names = fields.map(\.name)
        switch raw {
        case nil:
            try requirePresent([:], fields: fields)
            return [:]
        case .array(let values)?:
            guard values.count <= names.count else {
                throw RPCError.invalidParams(
                    "this method takes at most \(names.count) positional params (\(names.joined(separator: ", "))), got \(values.count)")
            }
            let members = Dictionary(uniqueKeysWithValues: zip(names, values))
            try requirePresent(members, fields: fields)
            return .object(members)
        case .object(let members)?:
            for key in members.keys.sorted() where !names.contains(key) {
                let known = names.isEmpty ? "this method takes no params" : "known fields: \(names.joined(separator: ", "))"
                throw RPCError.invalidParams("unknown field '\(key)' (\(known))", field: key)
            }
            try requirePresent(members, fields: fields)
            return .object(members)
        case let other?:
            throw RPCError.invalidParams("params must be an array or an object, got \(other.typeName)")
        }
    }

    /// A field declared required must be given, even when `null` is one of its values
    /// (`chat.set_model`'s `model`): leaving it out is an error, not a silent default.
    private static func requirePresent(_ members: [String: JSONValue], fields: [ParamField]) throws {
        for field in fields where field.required && members[field.name] == nil {
            throw RPCError.invalidParams("missing required field '\(field.name)'", field: field.name)
        }
    }
}
