// elohim-status: the status-bar helper. Foundation-free (ElohimWire + json-c) so that a bar
// spawning it every few seconds pays a few milliseconds, not a Foundation start-up.
import ElohimWire

#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var format = OutputFormat.plain
    var socket: String?
    var follow = false
}

func writeOut(_ text: String) {
    // One write per line, straight to the descriptor: nothing sits in a buffer while a bar waits.
    var bytes = Array((text + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeMutableBytes { write(STDOUT_FILENO, $0.baseAddress! + offset, $0.count - offset) }
        if written < 0 {
            if errno == EINTR { continue }
            exit(errno == EPIPE ? 0 : 1)  // the bar went away
        }
        offset += written
    }
}

func printError(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

let usageText = """
    usage: elohim-status [--format waybar|i3blocks|polybar|i3bar|plain] [--follow] [--socket PATH]

    Prints elohimd's state for a status bar: the [Local] badge, the engine light
    (🟢 idle, 🟡 processing, 🔴 error) and the hot slots' share of RAM.
      --format F    output format (default plain); waybar prints one JSON object
                    (text, alt, tooltip, class, percentage), i3bar the JSON block protocol
      --follow      keep running: one line per change, from the daemon's events (no polling);
                    an offline line when the daemon stops, then reconnects
      --socket P    the daemon's socket (default: $ELOHIM_SOCKET, then the usual paths)
    When the daemon is not running it prints an offline state and exits 0.
    Click action for bars: elohim perf --watch in a terminal (see contrib/README.md).

    """

func usage(exitCode: Int32) -> Never {
    if exitCode == 0 {
        writeOut(String(usageText.dropLast()))
    } else {
        printError(usageText)
    }
    exit(exitCode)
}

func parse(_ arguments: [String]) -> Options {
    var options = Options()
    var index = 0
    while index < arguments.count {
        var argument = arguments[index]
        var value: String?
        if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
            value = String(argument[argument.index(after: equals)...])
            argument = String(argument[..<equals])
        }
        switch argument {
        case "--format", "--socket":
            if value == nil {
                guard index + 1 < arguments.count else {
                    printError("elohim-status: \(argument) needs a value\n")
                    usage(exitCode: 2)
                }
                index += 1
                value = arguments[index]
            }
            if argument == "--socket" {
                options.socket = value
            } else {
                guard let format = OutputFormat(rawValue: value!) else {
                    printError("elohim-status: unknown format '\(value!)'\n")
                    usage(exitCode: 2)
                }
                options.format = format
            }
        case "--follow" where value == nil:
            options.follow = true
        case "-h", "--help":
            usage(exitCode: 0)
        default:
            printError("elohim-status: unknown argument '\(arguments[index])'\n")
            usage(exitCode: 2)
        }
        index += 1
    }
    return options
}

let options = parse(Array(CommandLine.arguments.dropFirst()))
signal(SIGPIPE, SIG_IGN)
let candidates = SocketPath.candidates(explicit: options.socket)
let renderer = Renderer(format: options.format, following: options.follow)

if options.format == .i3bar {
    writeOut(#"{"version":1}"#)
    writeOut("[")
}
if options.follow {
    Follower(candidates: candidates, renderer: renderer).run()
} else {
    let state = fetchState(candidates: candidates)
    writeOut(renderer.render(state, now: wallNow()))
    if options.format == .i3bar { writeOut("]") }
}
