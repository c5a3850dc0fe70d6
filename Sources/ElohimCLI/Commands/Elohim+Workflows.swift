import ArgumentParser
import ElohimProtocol
import ElohimWire
import Foundation

/// A workflow named on the command line: all digits = its id, anything else = its name.
struct WorkflowRef: ExpressibleByArgument {
    let params: [String: JSONValue]

    init?(argument: String) {
        if let id = Int64(argument), id > 0 {
            params = ["id": .int(id)]
        } else if !argument.isEmpty {
            params = ["name": .string(argument)]
        } else {
            return nil
        }
    }
}

extension Elohim {
    /// `elohim workflows …`: stored step sequences the daemon runs.
    struct Workflows: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "workflows",
            abstract: "Your local workflows: named sequences of steps the daemon runs, with progress.",
            discussion: """
                Steps are JSON objects: {"kind": "template", "text": "…"}, {"kind": "write_document", "title": "…", \
                "content": "…", "tags": "a,b"}, {"kind": "append_document", "id": "…", "text": "…"}, \
                {"kind": "read_document", "id": "…"}, {"kind": "search_documents", "query": "…", "limit": "5"}. \
                Text fields may use {{input.NAME}} (elohim workflows run --input NAME=VALUE), {{steps.N}} \
                (step N's output) and {{previous}}.
                """,
            subcommands: [List.self, Show.self, Create.self, Update.self, Delete.self, Run.self],
            defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List workflows, newest first, with their last run.")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var page: PageOptions

            func run() throws {
                guard let result = try global.fetch(WorkflowsMethods.list.name, .object(page.params), as: WorkflowsListResult.self) else {
                    return
                }
                var table = Table(["CONTEXT", "ID", "NAME", "STEPS", "LAST RUN", "DESCRIPTION"])
                for workflow in result.workflows {
                    let last = workflow.lastRunAt.map { "\(workflow.lastRunStatus ?? "?") \($0)" } ?? "never"
                    table.add([Badge.text(workflow.context), "\(workflow.id)", workflow.name, "\(workflow.stepCount)", last, workflow.description.orDash])
                }
                say(Badge.render(table, contexts: result.workflows.map(\.context), style: global.style))
                global.morePages(result.nextCursor, command: "elohim workflows list")
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a workflow and its steps.", aliases: ["get"])
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The workflow's id or name.") var workflow: WorkflowRef

            func run() throws {
                guard let workflow = try global.fetch(WorkflowsMethods.get.name, .object(workflow.params), as: Workflow.self) else { return }
                let badge = Badge.colored(Badge.text(workflow.context), workflow.context, style: global.style)
                say("\(badge) #\(workflow.id) \(global.style.bold(workflow.name))  \(workflow.stepCount) steps")
                if !workflow.description.isEmpty { say(workflow.description) }
                for (offset, step) in workflow.steps.enumerated() { say("  \(offset + 1). \(JSONWriter.string(step))") }
            }
        }

        /// Steps from --steps or --steps-file, checked to be a JSON array.
        struct StepOptions: ParsableArguments {
            @Option(help: "The steps as a JSON array.") var steps: String?
            @Option(help: "Read the steps (a JSON array) from this file (- = standard input).") var stepsFile: String?

            func read() throws -> JSONValue? {
                guard let text = try TextInput.read(inline: steps, path: stepsFile, what: "the steps") else { return nil }
                let value: JSONValue
                do {
                    value = try JSONParser.parse(text)
                } catch {
                    throw CLIFailure.usage("the steps are not valid JSON: \(error)")
                }
                guard case .array = value else { throw CLIFailure.usage("the steps must be a JSON array of step objects") }
                return value
            }
        }

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "create", abstract: "Store a workflow (its steps are checked first).")
            @OptionGroup var global: GlobalOptions
            @Option(help: "A name, unique among your workflows.") var name: String
            @Option(help: "What it is for.") var description: String?
            @OptionGroup var stepOptions: StepOptions

            func run() throws {
                guard let steps = try stepOptions.read() else { throw CLIFailure.usage("give the steps with --steps JSON or --steps-file PATH") }
                var params: [String: JSONValue] = ["name": .string(name), "steps": steps]
                if let description { params["description"] = .string(description) }
                guard let workflow = try global.fetch(WorkflowsMethods.create.name, .object(params), as: Workflow.self) else { return }
                say("\(Badge.colored(Badge.text(workflow.context), workflow.context, style: global.style)) created workflow #\(workflow.id) '\(workflow.name)' (\(workflow.stepCount) steps)")
            }
        }

        struct Update: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a workflow's name, description or steps.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The workflow's id.") var id: Int64
            @Option(help: "New name.") var name: String?
            @Option(help: "New description.") var description: String?
            @OptionGroup var stepOptions: StepOptions

            func run() throws {
                var params: [String: JSONValue] = ["id": .int(id)]
                if let name { params["name"] = .string(name) }
                if let description { params["description"] = .string(description) }
                if let steps = try stepOptions.read() { params["steps"] = steps }
                guard params.count > 1 else { throw CLIFailure.usage("nothing to change: give --name, --description, --steps or --steps-file") }
                guard let workflow = try global.fetch(WorkflowsMethods.update.name, .object(params), as: Workflow.self) else { return }
                say("updated workflow #\(workflow.id) '\(workflow.name)'")
            }
        }

        struct Delete: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a workflow.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The workflow's id or name.") var workflow: WorkflowRef

            func run() throws {
                guard let result = try global.fetch(WorkflowsMethods.delete.name, .object(workflow.params), as: DeletedResult.self) else {
                    return
                }
                say("deleted workflow #\(result.id)")
            }
        }

        struct Run: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "run",
                abstract: "Run a workflow now, printing each step's progress on standard error; exit 1 if a step fails.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The workflow's id or name.") var workflow: WorkflowRef
            @Option(name: .customLong("input"), help: "NAME=VALUE for {{input.NAME}} (repeat).") var inputs: [String] = []

            func run() throws {
                var values: [String: JSONValue] = [:]
                for input in inputs {
                    guard let equals = input.firstIndex(of: "="), equals != input.startIndex else {
                        throw CLIFailure.usage("--input wants NAME=VALUE, got '\(input)'")
                    }
                    values[String(input[..<equals])] = .string(String(input[input.index(after: equals)...]))
                }
                var params = workflow.params
                params["inputs"] = .object(values)
                let raw = try global.withClient { client in try Self.runFollowing(client, params: .object(params), quiet: global.json) }
                let result = try RPCCoding.decode(WorkflowRunResult.self, from: raw)
                if global.json {
                    say(JSONWriter.string(raw))
                } else {
                    let style = global.style
                    var table = Table(["STEP", "KIND", "STATUS", "OUTPUT"])
                    for step in result.steps {
                        let output = step.error ?? step.output.map { $0.split(separator: "\n").first.map(String.init) ?? "" } ?? ""
                        table.add(["\(step.index)", step.kind, step.status, String(output.prefix(80))])
                    }
                    say("\(Badge.colored(Badge.text(result.context), result.context, style: style)) workflow '\(result.name)' \(result.status == "succeeded" ? style.green("succeeded") : style.red("failed")) (\(result.runId))")
                    say(table.render(style: style))
                }
                if result.status != "succeeded" { throw ExitCode(1) }
            }

            /// Subscribes to the `library` topic (if allowed) so steps can be shown as they end,
            /// then runs the workflow on the same connection.
            static func runFollowing(_ client: DaemonClient, params: JSONValue, quiet: Bool) throws -> JSONValue {
                let following = !quiet && (try? client.callRaw(EventMethods.subscribe.name, params: ["topics": ["library"]])) != nil
                guard following else { return try client.callRaw(WorkflowsMethods.run.name, params: params) }
                let id: Int64 = 1_000_000
                try client.connection.send(JSONWriter.bytes(RPCRequest(id: .int(id), method: WorkflowsMethods.run.name, params: params).json))
                var runID: String?
                var answer: JSONValue?
                var finished = false
                // Events travel beside the response, so the answer can overtake the last ones:
                // after it, keep reading (briefly) until this run's `workflow.finished`.
                while true {
                    let payload: [UInt8]
                    if let answer {
                        guard let next = try? client.connection.receive(timeoutMilliseconds: 2000) else { return answer }
                        payload = next
                    } else {
                        payload = try client.connection.receive()
                    }
                    let message = try JSONParser.parse(payload)
                    if message["id"] == .int(id) {
                        if let error = message["error"] { throw RPCError(json: error) ?? ClientError.malformedResponse("bad error") }
                        guard let result = message["result"] else { throw ClientError.malformedResponse("neither result nor error") }
                        if finished { return result }
                        answer = result
                        runID = runID ?? result["run_id"]?.stringValue
                        continue
                    }
                    guard let data = message["params"]?["data"], message["params"]?["type"]?.stringValue?.hasPrefix("workflow.") == true
                    else { continue }
                    // Our run is the one that started on this connection's request; lock onto its id.
                    if runID == nil, message["params"]?["type"] == "workflow.started", data["user_id"]?.intValue == Int64(getuid()) {
                        runID = data["run_id"]?.stringValue
                    }
                    guard data["run_id"]?.stringValue == runID else { continue }
                    if message["params"]?["type"] == "workflow.finished" {
                        if let answer { return answer }
                        finished = true
                    }
                    guard message["params"]?["type"] == "workflow.step" else { continue }
                    let index = data["index"]?.intValue ?? 0
                    let count = data["step_count"]?.intValue ?? 0
                    let error = data["error"]?.stringValue.map { ": \($0)" } ?? ""
                    FileHandle.standardError.write(
                        Data("step \(index)/\(count) \(data["kind"]?.stringValue ?? "?"): \(data["status"]?.stringValue ?? "?")\(error)\n".utf8))
                }
            }
        }
    }
}
