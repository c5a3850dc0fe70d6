import ElohimProtocol

/// One callable method: its declaration and a type-erased handler.
///
/// A class, so that looking a method up per request retains one object rather than each of
/// its strings, arrays and closures (with a thread per connection on two cores, every shared
/// reference count is a cache line the cores pass back and forth).
public final class MethodEntry: Sendable {
    public let name: String
    public let summary: String
    public let access: Access
    public let fields: [ParamField]
    public let resultSchema: JSONValue
    /// Decodes params, runs the handler and returns the encoded result.
    let invoke: nonisolated(nonsending) @Sendable (RequestContext, JSONValue?) async throws -> [UInt8]
    /// The same, called directly, when the handler never suspends (it was registered as a
    /// synchronous closure): the connection's thread answers without creating a task. It
    /// appends the encoded result to the response the dispatcher has begun, so a result that
    /// writes itself is not copied into the envelope afterwards.
    let invokeNow: (@Sendable (RequestContext, JSONValue?, inout [UInt8]) throws -> Void)?

    init(
        name: String, summary: String, access: Access, fields: [ParamField], resultSchema: JSONValue,
        invoke: nonisolated(nonsending) @escaping @Sendable (RequestContext, JSONValue?) async throws -> [UInt8],
        invokeNow: (@Sendable (RequestContext, JSONValue?, inout [UInt8]) throws -> Void)?
    ) {
        self.name = name
        self.summary = summary
        self.access = access
        self.fields = fields
        self.resultSchema = resultSchema
        self.invoke = invoke
        self.invokeNow = invokeNow
    }
}

/// Every method the daemon serves, looked up by name. Built once at start, then read-only.
///
/// `register` has four overloads, chosen by the compiler from the handler and its result:
/// a handler written without `await` is registered as synchronous (`MethodEntry.invokeNow`),
/// and a `JSONWritable` result skips Codable. Neither costs a check per call.
public struct MethodTable: Sendable {
    public private(set) var entries: [String: MethodEntry] = [:]

    public init() {}

    /// Registers a typed handler for `spec`. Registering a name twice is a programming error.
    public mutating func register<Params, Result>(
        _ spec: MethodSpec<Params, Result>,
        _ handler: nonisolated(nonsending) @escaping @Sendable (RequestContext, Params) async throws -> Result
    ) {
        let decode = Self.paramsDecoder(for: spec)
        add(spec, invoke: { context, raw in try RPCCoding.encode(try await handler(context, try decode(raw))) })
    }

    public mutating func register<Params, Result: JSONWritable>(
        _ spec: MethodSpec<Params, Result>,
        _ handler: nonisolated(nonsending) @escaping @Sendable (RequestContext, Params) async throws -> Result
    ) {
        let decode = Self.paramsDecoder(for: spec)
        add(spec, invoke: { context, raw in RPCCoding.encode(try await handler(context, try decode(raw))) })
    }

    public mutating func register<Params, Result>(
        _ spec: MethodSpec<Params, Result>,
        _ handler: @escaping @Sendable (RequestContext, Params) throws -> Result
    ) {
        let decode = Self.paramsDecoder(for: spec)
        add(spec, now: { context, raw, output in output.append(contentsOf: try RPCCoding.encode(try handler(context, try decode(raw)))) })
    }

    public mutating func register<Params, Result: JSONWritable>(
        _ spec: MethodSpec<Params, Result>,
        _ handler: @escaping @Sendable (RequestContext, Params) throws -> Result
    ) {
        let decode = Self.paramsDecoder(for: spec)
        add(spec, now: { context, raw, output in try handler(context, try decode(raw)).writeJSON(into: &output) })
    }

    /// Turns the params as they arrived into `Params`, naming the bad field on failure.
    private static func paramsDecoder<Params, Result>(
        for spec: MethodSpec<Params, Result>
    ) -> @Sendable (JSONValue?) throws -> Params {
        let fields = Params.fields
        // Decided once here, not per request: a dynamic cast costs a runtime conformance lookup.
        let noParams = NoParams() as? Params
        return { raw in
            let named = try namedParams(raw, fields: fields)
            // Nothing to decode for NoParams; namedParams already refused any field.
            if let none = noParams { return none }
            do {
                return try RPCCoding.decode(Params.self, from: named)
            } catch let error as RPCCoding.FieldError {
                throw RPCError.invalidParams(error.detail, field: error.field)
            }
        }
    }

    private mutating func add<Params, Result>(
        _ spec: MethodSpec<Params, Result>,
        invoke: nonisolated(nonsending) @escaping @Sendable (RequestContext, JSONValue?) async throws -> [UInt8]
    ) {
        add(
            MethodEntry(
                name: spec.name, summary: spec.summary, access: spec.access, fields: Params.fields,
                resultSchema: spec.resultSchema, invoke: invoke, invokeNow: nil))
    }

    private mutating func add<Params, Result>(
        _ spec: MethodSpec<Params, Result>,
        now: @escaping @Sendable (RequestContext, JSONValue?, inout [UInt8]) throws -> Void
    ) {
        let invoke: nonisolated(nonsending) @Sendable (RequestContext, JSONValue?) async throws -> [UInt8] = { context, raw in
            var output: [UInt8] = []
            try now(context, raw, &output)
            return output
        }
        add(
            MethodEntry(
                name: spec.name, summary: spec.summary, access: spec.access, fields: Params.fields,
                resultSchema: spec.resultSchema, invoke: invoke, invokeNow: now))
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
                invoke: { context, raw in JSONWriter.bytes(try await handler(context, raw)) }, invokeNow: nil
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
