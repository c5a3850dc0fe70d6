import ArgumentParser
import ElohimProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Elohim {
    /// `elohim chat …`: talk to local models in your own sessions.
    struct Chat: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "chat",
            abstract: "Chat with local models: an interactive session by default.",
            subcommands: [
                Interactive.self, Send.self, List.self, Show.self, New.self, Rename.self, Delete.self, Model.self, Tokens.self,
                Restore.self,
            ],
            defaultSubcommand: Interactive.self)

        struct Interactive: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "open",
                abstract: "Chat interactively (the default): replies stream as they are written.",
                discussion: """
                    Commands inside the chat: /model NAME, /model reset, /tokens, /sessions, /new, /help, /quit.
                    """)
            @OptionGroup var global: GlobalOptions
            @Option(help: "Continue this session (default: start a new one).") var session: Int64?
            @Option(help: "The model for a new session (default: the configured default).") var model: String?

            func run() throws {
                try global.withClient { client in
                    var repl = ChatREPL(client: client, style: global.style)
                    try repl.run(session: session, model: model)
                }
            }
        }

        struct Send: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "send",
                abstract: "Send one message to a session and print the reply as it streams ('-' reads the message from stdin).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The session id.") var session: Int64
            @Argument(help: "The message.") var text: String

            func run() throws {
                let content = text == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : text
                let style = global.style
                let json = global.json
                let raw = try global.withClient { client in
                    try client.callRaw(
                        ChatMethods.send.name, params: ["session_id": .int(session), "content": .string(content)]
                    ) { method, params in
                        guard !json, method == ChatMethods.deltaMethod, let delta = params["delta"]?.stringValue else { return }
                        ChatREPL.write(ChatREPL.printable(delta))
                    }
                }
                if json { return say(JSONWriter.string(raw)) }
                let result = try RPCCoding.decode(ChatSendResult.self, from: raw)
                ChatREPL.write("\n")
                for line in ChatREPL.afterReply(result, style: style) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "Your chat sessions, most recently active first.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "At most this many (1–500).") var limit: Int = 100
            @Option(help: "Skip this many (for the next page).") var offset: Int = 0
            @Flag(help: "List your archived sessions (idle too long); `elohim chat restore ID` brings one back.") var archived = false

            func run() throws {
                var params: [String: JSONValue] = ["limit": .int(Int64(limit)), "offset": .int(Int64(offset))]
                if archived { params["archived"] = true }
                let raw = try global.withClient { try $0.callRaw(ChatMethods.list.name, params: .object(params)) }
                if global.json { return say(JSONWriter.string(raw)) }
                let result = try RPCCoding.decode(ChatListResult.self, from: raw)
                if archived && result.total == 0 { return say("no archived sessions") }
                say(ChatREPL.sessionTable(result.sessions, style: global.style, archived: archived))
                if result.total > offset + result.sessions.count {
                    say(global.style.dim("(\(result.sessions.count) of \(result.total) shown; --offset \(offset + result.sessions.count) for more)"))
                }
            }
        }

        struct Restore: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "restore", abstract: "Bring an archived session and its messages back.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The archived session's id (from `elohim chat list --archived`).") var session: Int64

            func run() throws {
                let raw = try global.withClient { try $0.callRaw(ChatMethods.restore.name, params: ["session_id": .int(session)]) }
                if global.json { return say(JSONWriter.string(raw)) }
                let info = try RPCCoding.decode(ChatSessionInfo.self, from: raw)
                say("restored session \(info.id): \(info.title) (\(info.messageCount) messages)")
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "show", abstract: "A session's messages (the newest page; --before pages back).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The session id.") var session: Int64
            @Option(help: "Messages per page (1–500).") var limit: Int = 50
            @Option(help: "Only messages older than this id (the 'older' hint of the previous page).") var before: Int64?

            func run() throws {
                var params: [String: JSONValue] = ["session_id": .int(session), "limit": .int(Int64(limit))]
                if let before { params["before"] = .int(before) }
                let raw = try global.withClient { try $0.callRaw(ChatMethods.get.name, params: .object(params)) }
                if global.json { return say(JSONWriter.string(raw)) }
                let result = try RPCCoding.decode(ChatGetResult.self, from: raw)
                let style = global.style
                say(style.bold("Session \(result.session.id): \(result.session.title)") + " · model \(result.session.model ?? "(none)")")
                if let older = result.nextBefore { say(style.dim("(older messages: --before \(older))")) }
                for message in result.messages {
                    let who = message.role == "user" ? style.blue("you") : style.green(message.model ?? message.role)
                    say("\(who) \(style.dim("#\(message.id) \(message.createdAt)"))")
                    say(ChatREPL.printable(message.content))
                    if message.droppedTurns > 0 {
                        say(style.dim("(\(message.droppedTurns) oldest turns left out to fit the context)"))
                    }
                    say("")
                }
            }
        }

        struct New: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "new", abstract: "Start a session and print its id.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "A title.") var title: String?
            @Option(help: "The session's model (default: follow the configured default).") var model: String?

            func run() throws {
                var params: [String: JSONValue] = [:]
                if let title { params["title"] = .string(title) }
                if let model { params["model"] = .string(model) }
                let raw = try global.withClient { try $0.callRaw(ChatMethods.create.name, params: .object(params)) }
                if global.json { return say(JSONWriter.string(raw)) }
                let session = try RPCCoding.decode(ChatSessionInfo.self, from: raw)
                say("session \(session.id): \(session.title) · model \(session.model ?? "(none)")")
            }
        }

        struct Rename: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a session.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The session id.") var session: Int64
            @Argument(help: "The new title.") var title: String

            func run() throws {
                let raw = try global.withClient {
                    try $0.callRaw(ChatMethods.rename.name, params: ["session_id": .int(session), "title": .string(title)])
                }
                if global.json { return say(JSONWriter.string(raw)) }
                let info = try RPCCoding.decode(ChatSessionInfo.self, from: raw)
                say("session \(info.id) is now '\(info.title)'")
            }
        }

        struct Delete: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a session and all its messages.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The session id.") var session: Int64
            @Flag(help: "Do not ask for confirmation.") var yes = false

            func run() throws {
                if !yes {
                    guard isatty(STDIN_FILENO) == 1 else {
                        throw CLIFailure.usage("deleting needs confirmation; pass --yes in scripts")
                    }
                    guard Prompt.confirm("Delete session \(session) and all its messages?") else { return say("nothing deleted") }
                }
                let raw = try global.withClient { try $0.callRaw(ChatMethods.delete.name, params: ["session_id": .int(session)]) }
                if global.json { return say(JSONWriter.string(raw)) }
                let result = try RPCCoding.decode(ChatDeleteResult.self, from: raw)
                say("deleted session \(result.sessionId) (\(result.deletedMessages) messages)")
            }
        }

        struct Model: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "model",
                abstract: "Show or set a session's model; 'reset' returns it to the default.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The session id.") var session: Int64
            @Argument(help: "A model name, or 'reset'. Omit to show the current one.") var name: String?
            @Flag(help: "Switch even if the model fails the memory fit check (no question asked).") var force = false

            func run() throws {
                let style = global.style
                let json = global.json
                try global.withClient { client in
                    let raw: JSONValue
                    if let name {
                        raw = try ChatREPL.setModel(client, session: session, name: name, force: force, style: style)
                    } else {
                        raw = try client.callRaw(ChatMethods.get.name, params: ["session_id": .int(session), "limit": 1])["session"] ?? .null
                    }
                    if json { return say(JSONWriter.string(raw)) }
                    let info = try RPCCoding.decode(ChatSessionInfo.self, from: raw)
                    let source = info.activeModel == nil ? " (the default)" : ""
                    say("session \(info.id) uses \(info.model ?? "no model")\(source)")
                }
            }
        }

        struct Tokens: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "tokens", abstract: "The session's token meter and prompt/completion breakdown.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The session id.") var session: Int64

            func run() throws {
                let raw = try global.withClient {
                    try $0.callRaw(ChatMethods.tokenCount.name, params: ["session_id": .int(session)])
                }
                if global.json { return say(JSONWriter.string(raw)) }
                let count = try RPCCoding.decode(ChatTokenCount.self, from: raw)
                for line in ChatREPL.tokenLines(count, style: global.style) { say(line) }
            }
        }
    }
}
