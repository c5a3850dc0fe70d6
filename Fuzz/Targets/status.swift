// Fuzz target: elohim-status's handling of what a daemon sends. Any bytes, parsed by json-c the
// way the helper parses a frame, are taken as the poll's batch reply, as the subscription's
// answer and as an event; every resulting state is rendered in every format. A rendering is one
// line (i3blocks one-shot: three), and the JSON formats must parse — whatever the strings hold.
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStatus(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let document = Document(Array(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    let value = document.value
    var polled = BarState()
    polled.online = true
    polled.update(batchReply: value)
    var followed = BarState()
    followed.online = true
    followed.update(subscribeReply: value)
    _ = refusedTopic(in: value, count: 3)
    var evented = followed
    _ = evented.apply(event: value)
    let now = 1_800_000_000.0
    for state in [polled, followed, evented] {
        for format in OutputFormat.allCases {
            for following in [false, true] {
                checkRendering(Renderer(format: format, following: following).render(state, now: now), format, following)
            }
        }
    }
    if let text = value.string { _ = relative(text, now: now) }
    return 0
}

func checkRendering(_ output: String, _ format: OutputFormat, _ following: Bool) {
    let lines = output.split(separator: "\n", omittingEmptySubsequences: false).count
    precondition(lines == (format == .i3blocks && !following ? 3 : 1), "\(format) output has \(lines) lines: \(output)")
    if format == .waybar || format == .i3bar || (format == .i3blocks && following) {
        precondition(Document(Array(output.utf8)) != nil, "\(format) output is not JSON: \(output)")
    }
}
