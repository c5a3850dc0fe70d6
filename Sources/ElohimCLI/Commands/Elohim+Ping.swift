import ArgumentParser
import ElohimProtocol

#if canImport(Glibc)
import Glibc
#endif

extension Elohim {
    /// `elohim ping`: round-trip time to the daemon.
    struct Ping: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ping", abstract: "Check that the daemon answers, and how fast.")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (result, microseconds) = try global.withClient { client in
                let start = Self.now()
                let result = try client.callRaw(DaemonMethods.ping.name, params: nil)
                return (result, (Self.now() - start) / 1000)
            }
            if global.json {
                say(JSONWriter.string(result))
            } else {
                say("pong from \(global.candidates.count == 1 ? global.candidates[0] : "elohimd") in \(microseconds) µs")
            }
        }

        static func now() -> Int64 {
            var time = timespec()
            clock_gettime(CLOCK_MONOTONIC, &time)
            return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
        }
    }
}
