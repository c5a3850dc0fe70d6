// elohim-status: the status-bar helper. Foundation-free (ElohimWire + json-c) so that a bar
// spawning it every few seconds pays a few milliseconds, not a Foundation start-up.
import CJSONC
import ElohimWire

#if canImport(Glibc)
import Glibc
#endif

enum OutputFormat: String, CaseIterable {
    case plain, waybar
}

struct Options {
    var format = OutputFormat.plain
    var socket: String?
}

func printError(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

func usage() -> Never {
    let text = """
        usage: elohim-status [--format plain|waybar] [--socket PATH]
          Prints the daemon's state in one line for a status bar; prints an offline line
          and exits 0 when the daemon is not running.

        """
    printError(text)
    exit(2)
}

func parse(_ arguments: [String]) -> Options {
    var options = Options()
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        switch argument {
        case "--format", "--socket":
            guard index + 1 < arguments.count else { usage() }
            let value = arguments[index + 1]
            if argument == "--socket" {
                options.socket = value
            } else {
                guard let format = OutputFormat(rawValue: value) else { usage() }
                options.format = format
            }
            index += 2
        case "-h", "--help":
            usage()
        default:
            printError("elohim-status: unknown argument '\(argument)'\n")
            usage()
        }
    }
    return options
}

/// The daemon's answer to `daemon.status`, or nil when it is unreachable.
func fetchStatus(candidates: [String]) -> (pid: Int64, uptime: Double)? {
    guard let connection = try? WireConnection.connect(candidates: candidates) else { return nil }
    defer { connection.close() }
    let request = #"{"jsonrpc":"2.0","id":1,"method":"daemon.status"}"#
    guard let payload = try? connection.call(Array(request.utf8), timeoutMilliseconds: 2000) else { return nil }
    let text = String(decoding: payload, as: UTF8.self)
    guard let document = json_tokener_parse(text) else { return nil }
    defer { json_object_put(document) }
    var result: OpaquePointer?
    guard json_object_object_get_ex(document, "result", &result) != 0, let result else { return nil }
    var pid: OpaquePointer?
    var uptime: OpaquePointer?
    _ = json_object_object_get_ex(result, "pid", &pid)
    _ = json_object_object_get_ex(result, "uptime_seconds", &uptime)
    return (json_object_get_int64(pid), json_object_get_double(uptime))
}

/// Escapes a string for a JSON line.
func quoted(_ text: String) -> String {
    guard let object = json_object_new_string(text) else { return "\"\"" }
    defer { json_object_put(object) }
    return String(cString: json_object_to_json_string_ext(object, JSON_C_TO_STRING_PLAIN))
}

let options = parse(Array(CommandLine.arguments.dropFirst()))
let status = fetchStatus(candidates: SocketPath.candidates(explicit: options.socket))
switch (options.format, status) {
case (.plain, let status?):
    print("[Local] elohimd up (pid \(status.pid))")
case (.plain, nil):
    print("[Local] elohimd offline")
case (.waybar, let status?):
    let tooltip = quoted("elohimd pid \(status.pid), up \(Int(status.uptime)) s")
    print(#"{"text":"[Local] ●","alt":"idle","tooltip":\#(tooltip),"class":"idle","percentage":0}"#)
case (.waybar, nil):
    print(#"{"text":"[Local] ○","alt":"offline","tooltip":"elohimd is not running","class":"offline","percentage":0}"#)
}
