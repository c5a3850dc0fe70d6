import ArgumentParser
import ElohimProtocol

extension Elohim {
    /// `elohim call METHOD [JSON]`: the raw escape hatch to any method.
    struct Call: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "call",
            abstract: "Call any method with raw JSON params and print the raw result.",
            discussion: "Example: elohim call daemon.hello '{\"client_name\":\"me\"}'. `elohim call rpc.discover` lists every method."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The method, e.g. daemon.status.")
        var method: String

        @Argument(help: "Params as a JSON object (named) or array (positional).")
        var params: String?

        func run() throws {
            var parsed: JSONValue?
            if let params {
                do {
                    parsed = try JSONParser.parse(params)
                } catch {
                    throw CLIFailure.usage("PARAMS is not valid JSON (\(error)); quote it, e.g. '{\"key\": 1}'")
                }
                switch parsed {
                case .object?, .array?: break
                default: throw CLIFailure.usage("PARAMS must be a JSON object or array, got \(parsed!.typeName)")
                }
            }
            let result = try global.withClient { client in try client.callRaw(method, params: parsed) }
            say(global.json ? JSONWriter.string(result) : JSONWriter.pretty(result).trimmingTrailingNewline())
        }
    }
}

extension String {
    func trimmingTrailingNewline() -> String {
        hasSuffix("\n") ? String(dropLast()) : self
    }
}
