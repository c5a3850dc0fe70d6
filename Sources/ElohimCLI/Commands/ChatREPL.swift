import ElohimProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The interactive chat: a header with the title, model and token meter, streamed replies,
/// and slash commands.
struct ChatREPL {
    let client: DaemonClient
    let style: Style
    var session: ChatSessionInfo?

    init(client: DaemonClient, style: Style) {
        self.client = client
        self.style = style
    }

    /// Writes without a newline and flushes, so streamed pieces appear as they come.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Model text for a terminal: control characters other than newline and tab (a carriage
    /// return, an escape sequence) are shown as `�` so a reply cannot redraw or reprogram the
    /// terminal. Piped output stays byte-exact for scripts.
    static func printable(_ text: String, terminal: Bool = isatty(STDOUT_FILENO) == 1) -> String {
        guard terminal else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let control = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            scalars.append(control && scalar != "\n" && scalar != "\t" ? "\u{FFFD}" : scalar)
        }
        return String(scalars)
    }

    mutating func run(session id: Int64?, model: String?) throws {
        if let id {
            try open(id)
        } else {
            try create(model: model)
        }
        say(style.dim("Type a message; /help lists commands, /quit (or Ctrl-D) leaves."))
        while true {
            Self.write(style.blue("you> "))
            guard let line = readLine(strippingNewline: true) else {
                say("")
                return
            }
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            do {
                if text.hasPrefix("/") {
                    if try !command(text) { return }
                } else {
                    try send(text)
                }
            } catch let error as RPCError {
                say(style.red("error: \(error.message)"))
            }
        }
    }

    /// Runs a slash command; false means leave.
    private mutating func command(_ text: String) throws -> Bool {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case "/quit", "/exit", "/q":
            return false
        case "/new":
            try create(model: nil)
        case "/sessions":
            let result = try RPCCoding.decode(
                ChatListResult.self, from: try client.callRaw(ChatMethods.list.name, params: ["limit": 20]))
            say(Self.sessionTable(result.sessions, style: style))
            say(style.dim("(elohim chat --session ID continues one)"))
        case "/tokens":
            for line in Self.tokenLines(try tokenCount(), style: style) { say(line) }
        case "/model":
            guard let session else { return true }
            if argument.isEmpty {
                say("model: \(session.model ?? "(none)")\(session.activeModel == nil ? " (the default)" : "")")
                return true
            }
            let raw = try Self.setModel(client, session: session.id, name: argument, force: false, style: style)
            self.session = try RPCCoding.decode(ChatSessionInfo.self, from: raw)
            say("model: \(self.session?.model ?? "(none)")\(self.session?.activeModel == nil ? " (the default)" : "")")
        case "/help":
            say("/model NAME   use NAME for this session      /model reset   back to the default model")
            say("/tokens       prompt vs completion totals     /sessions      your sessions")
            say("/new          start a new session             /quit          leave")
        default:
            say(style.yellow("unknown command \(parts[0]); /help lists them"))
        }
        return true
    }

    private mutating func open(_ id: Int64) throws {
        let raw = try client.callRaw(ChatMethods.get.name, params: ["session_id": .int(id), "limit": 1])
        session = try RPCCoding.decode(ChatSessionInfo.self, from: raw["session"] ?? .null)
        try header()
    }

    private mutating func create(model: String?) throws {
        var params: [String: JSONValue] = [:]
        if let model { params["model"] = .string(model) }
        session = try RPCCoding.decode(ChatSessionInfo.self, from: try client.callRaw(ChatMethods.create.name, params: .object(params)))
        try header()
    }

    private func header() throws {
        guard let session else { return }
        say(style.bold("Session \(session.id): \(session.title)") + " · model \(session.model ?? "(none — /model NAME)")")
        let count = try tokenCount()
        say(TokenMeterView.line(count.context, style: style))
        if let warning = TokenMeterView.warning(count.context, style: style) { say(warning) }
    }

    private func tokenCount() throws -> ChatTokenCount {
        try RPCCoding.decode(
            ChatTokenCount.self, from: try client.callRaw(ChatMethods.tokenCount.name, params: ["session_id": .int(session?.id ?? 0)]))
    }

    private mutating func send(_ text: String) throws {
        guard let id = session?.id else { return }
        var started = false
        let style = self.style
        let raw = try client.callRaw(ChatMethods.send.name, params: ["session_id": .int(id), "content": .string(text)]) {
            method, params in
            guard method == ChatMethods.deltaMethod, let delta = params["delta"]?.stringValue else { return }
            if !started {
                started = true
                Self.write(style.green("ai> "))
            }
            Self.write(Self.printable(delta))
        }
        let result = try RPCCoding.decode(ChatSendResult.self, from: raw)
        if !started { Self.write(style.green("ai> ") + Self.printable(result.message.content)) }
        say("")
        for line in Self.afterReply(result, style: style) { say(line) }
    }

    /// What follows a reply: dropped turns, the meter, the 90 % warning.
    static func afterReply(_ result: ChatSendResult, style: Style) -> [String] {
        var lines: [String] = []
        if result.droppedTurns > 0 {
            lines.append(style.yellow("(\(result.droppedTurns) oldest turns were left out to fit \(result.model)'s context)"))
        }
        lines.append(style.dim("\(result.model) · ") + TokenMeterView.line(result.tokens.context, style: style))
        if let warning = TokenMeterView.warning(result.tokens.context, style: style) { lines.append(warning) }
        return lines
    }

    static func tokenLines(_ count: ChatTokenCount, style: Style) -> [String] {
        var lines = [
            "session \(count.sessionId) · model \(count.model ?? "(none)")",
            TokenMeterView.line(count.context, style: style),
            TokenMeterView.breakdown(count),
        ]
        if let warning = TokenMeterView.warning(count.context, style: style) { lines.append(warning) }
        return lines
    }

    static func sessionTable(_ sessions: [ChatSessionInfo], style: Style, archived: Bool = false) -> String {
        var table = Table(["ID", "CONTEXT", "TITLE", "MODEL", "MESSAGES", "LAST ACTIVITY"] + (archived ? ["ARCHIVED"] : []))
        for session in sessions {
            table.add(
                [
                    "\(session.id)", "[\(session.context == "local" ? "Local" : session.context)]", session.title,
                    session.model ?? "-", "\(session.messageCount)", session.lastActivity,
                ] + (archived ? [session.archivedAt ?? "-"] : []))
        }
        return table.render(style: style)
    }

    /// `chat.set_model`, asking "Load anyway?" when the model fails the fit check (unless forced).
    static func setModel(_ client: DaemonClient, session: Int64, name: String, force: Bool, style: Style) throws -> JSONValue {
        let model: JSONValue = name == "reset" ? .null : .string(name)
        var params: [String: JSONValue] = ["session_id": .int(session), "model": model]
        if force { params["force"] = true }
        do {
            return try client.callRaw(ChatMethods.setModel.name, params: .object(params))
        } catch let error as RPCError where error.data?["reason"]?.stringValue == "memory_limit" && !force {
            say(style.yellow(error.message))
            guard Prompt.confirm("Load anyway?") else { throw CLIFailure.usage("model not changed") }
            params["force"] = true
            return try client.callRaw(ChatMethods.setModel.name, params: .object(params))
        }
    }
}
