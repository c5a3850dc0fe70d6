// Small helpers over json-c: reading the daemon's answers and writing output lines.
import CJSONC

/// A parsed JSON document (owns the json-c reference) and views into it.
final class Document {
    let root: OpaquePointer?

    init?(_ bytes: [UInt8]) {
        var bytes = bytes
        bytes.append(0)
        let parsed: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { json_tokener_parse($0) }
        }
        guard let parsed else { return nil }
        root = parsed
    }

    deinit { json_object_put(root) }

    var value: Value { Value(object: root) }
}

/// A borrowed json-c value (valid while its `Document` lives).
struct Value {
    let object: OpaquePointer?

    subscript(key: String) -> Value {
        var member: OpaquePointer?
        guard let object, json_object_get_type(object) == json_type_object,
            json_object_object_get_ex(object, key, &member) != 0
        else { return Value(object: nil) }
        return Value(object: member)
    }

    var isNull: Bool { object == nil || json_object_get_type(object) == json_type_null }
    var isObject: Bool { object != nil && json_object_get_type(object) == json_type_object }

    var string: String? {
        guard let object, json_object_get_type(object) == json_type_string else { return nil }
        return String(cString: json_object_get_string(object))
    }

    var int: Int64? {
        guard let object, json_object_get_type(object) == json_type_int || json_object_get_type(object) == json_type_double
        else { return nil }
        return json_object_get_int64(object)
    }

    var double: Double? {
        guard let object, json_object_get_type(object) == json_type_int || json_object_get_type(object) == json_type_double
        else { return nil }
        return json_object_get_double(object)
    }

    var array: [Value] {
        guard let object, json_object_get_type(object) == json_type_array else { return [] }
        return (0..<json_object_array_length(object)).map { Value(object: json_object_array_get_idx(object, $0)) }
    }
}

/// A JSON object being written, members in insertion order.
struct ObjectWriter {
    private var members: [String] = []

    mutating func add(_ key: String, _ text: String) { members.append(quoted(key) + ":" + quoted(text)) }
    mutating func add(_ key: String, _ number: Int) { members.append(quoted(key) + ":" + String(number)) }
    mutating func add(_ key: String, _ flag: Bool) { members.append(quoted(key) + ":" + (flag ? "true" : "false")) }

    var text: String { "{" + members.joined(separator: ",") + "}" }
}

/// `text` as a JSON string literal.
func quoted(_ text: String) -> String {
    guard let object = json_object_new_string(text) else { return "\"\"" }
    defer { json_object_put(object) }
    return String(cString: json_object_to_json_string_ext(object, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE))
}
