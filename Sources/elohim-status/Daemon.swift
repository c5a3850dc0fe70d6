// Talking to elohimd: one batch for the one-shot poll, a subscription for --follow.
import ElohimWire

#if canImport(Glibc)
import Glibc
#endif

/// `engine.status` and `slots.list` in one batch (one round trip). A method the daemon does
/// not have (or will not answer for this user) leaves its part out.
func fetchState(candidates: [String]) -> BarState {
    var state = BarState()
    guard let connection = try? WireConnection.connect(candidates: candidates) else { return state }
    defer { connection.close() }
    let request = #"[{"jsonrpc":"2.0","id":1,"method":"engine.status"},{"jsonrpc":"2.0","id":2,"method":"slots.list"}]"#
    guard let payload = try? connection.call(Array(request.utf8), timeoutMilliseconds: 2000) else { return state }
    state.online = true
    guard let document = Document(payload) else { return state }
    state.update(batchReply: document.value)
    return state
}

/// `--follow`: subscribe, print a line per change, reconnect with backoff when the daemon goes.
struct Follower {
    let candidates: [String]
    let renderer: Renderer
    private static let topics = ["daemon", "engine", "slots"]

    func run() -> Never {
        var backoff = 0.25
        var lastLine: String?
        var printedOffline = false
        while true {
            if let connection = try? WireConnection.connect(candidates: candidates) {
                backoff = 0.25
                printedOffline = false
                follow(connection, lastLine: &lastLine)
                connection.close()
            }
            if !printedOffline {
                let line = renderer.render(BarState(), now: wallNow())
                emit(line, last: &lastLine)
                printedOffline = true
            }
            sleepSeconds(backoff)
            backoff = min(backoff * 2, 10)
        }
    }

    /// Prints `line` unless it is the one already shown.
    func emit(_ line: String, last: inout String?) {
        guard line != last else { return }
        let isFirst = last == nil
        last = line
        writeOut(renderer.format == .i3bar && !isFirst ? "," + line : line)
    }

    /// Subscribes (leaving out topics this daemon does not have) and prints until it closes.
    func follow(_ connection: WireConnection, lastLine: inout String?) {
        var state = BarState()
        state.online = true
        var topics = Self.topics
        var subscribed = false
        while !topics.isEmpty {
            let list = topics.map { "\"\($0)\"" }.joined(separator: ",")
            let request = #"{"jsonrpc":"2.0","id":1,"method":"events.subscribe","params":{"topics":["# + list + "]}}"
            guard let payload = try? connection.call(Array(request.utf8), timeoutMilliseconds: 5000),
                let document = Document(payload)
            else { return }
            let response = document.value
            if !response["error"].isNull {
                // "unknown topic" or "needs permission" name the offending topic's index.
                guard let index = refusedTopic(in: response, count: topics.count) else { break }
                topics.remove(at: index)
                continue
            }
            state.update(subscribeReply: response)
            subscribed = true
            break
        }
        if !subscribed {
            // No events for us: show what a poll shows, then wait for the daemon to go away.
            state = fetchState(candidates: [connection.path])
        }
        emit(renderer.render(state, now: wallNow()), last: &lastLine)
        while true {
            // Blocks in poll/read until the daemon sends something or closes: no busy loop.
            guard let payload = try? connection.receive(), let document = Document(payload) else { return }
            guard state.apply(event: document.value) else { continue }
            emit(renderer.render(state, now: wallNow()), last: &lastLine)
        }
    }
}

func sleepSeconds(_ seconds: Double) {
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}
