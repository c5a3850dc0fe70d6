import ArgumentParser
import ElohimProtocol
import Foundation

extension GlobalOptions {
    /// Calls `method`; with `--json` prints the raw result and returns nil, else decodes it.
    func fetch<T: Decodable>(_ method: String, _ params: JSONValue, as type: T.Type) throws -> T? {
        let raw = try withClient { try $0.callRaw(method, params: params) }
        if json {
            say(JSONWriter.string(raw))
            return nil
        }
        return try RPCCoding.decode(T.self, from: raw)
    }

    /// The `more: …` hint under a page that has a next one.
    func morePages(_ cursor: Int64?, command: String) {
        if let cursor { say(style.dim("more: \(command) --before \(cursor)")) }
    }
}

/// Page options every library list takes.
struct PageOptions: ParsableArguments {
    @Option(help: "Page size (1-200).") var limit: Int = 50
    @Option(help: "Continue after this cursor (printed at the end of a page).") var before: Int64?

    var params: [String: JSONValue] {
        var params: [String: JSONValue] = ["limit": .int(Int64(limit))]
        if let before { params["before"] = .int(before) }
        return params
    }
}

extension Elohim {
    /// `elohim docs …`: local documents.
    struct Docs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "docs",
            abstract: "Your local documents: create, list, show, edit, delete and full-text search.",
            subcommands: [List.self, Show.self, Create.self, Update.self, Delete.self, Search.self],
            defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List documents, newest first, with their context badge.")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var page: PageOptions
            @Option(help: "Only documents with this tag.") var tag: String?

            func run() throws {
                var params = page.params
                if let tag { params["tag"] = .string(tag) }
                guard let result = try global.fetch(DocsMethods.list.name, .object(params), as: DocsListResult.self) else { return }
                say(Docs.table(result.documents, style: global.style))
                global.morePages(result.nextCursor, command: "elohim docs list")
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show",
                abstract: "Print a document: a header line with its badge, then its content.", aliases: ["get"])
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The document's id.") var id: Int64
            @Flag(help: "Print only the content (for pipes).") var contentOnly = false

            func run() throws {
                guard let document = try global.fetch(DocsMethods.get.name, ["id": .int(id)], as: Document.self) else { return }
                if !contentOnly {
                    let badge = Badge.colored(Badge.text(document.context), document.context, style: global.style)
                    let tags = document.tags.isEmpty ? "" : "  tags: \(document.tags.joined(separator: ", "))"
                    say("\(badge) #\(document.id) \(global.style.bold(document.title))  \(Format.bytes(document.sizeBytes))\(tags)")
                    say(global.style.dim("created \(document.createdAt), updated \(document.updatedAt)"))
                    say("")
                }
                print(document.content, terminator: document.content.hasSuffix("\n") ? "" : "\n")
            }
        }

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "create",
                abstract: "Create a document from --content, a file (--file, - for standard input) or piped input.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The title.") var title: String
            @Option(help: "The content as text.") var content: String?
            @Option(help: "Read the content from this UTF-8 file (- = standard input).") var file: String?
            @Option(name: .customLong("tag"), help: "A tag (repeat for more).") var tags: [String] = []

            func run() throws {
                guard let text = try TextInput.read(inline: content, path: file, what: "the content", stdinFallback: true) else {
                    throw CLIFailure.usage("give the content with --content TEXT, --file PATH, or pipe it in")
                }
                let params: JSONValue = ["title": .string(title), "content": .string(text), "tags": .array(tags.map { .string($0) })]
                guard let document = try global.fetch(DocsMethods.create.name, params, as: Document.self) else { return }
                say("\(Badge.colored(Badge.text(document.context), document.context, style: global.style)) created document #\(document.id) \"\(document.title)\" (\(Format.bytes(document.sizeBytes)))")
            }
        }

        struct Update: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "update", abstract: "Change a document's title, content or tags.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The document's id.") var id: Int64
            @Option(help: "New title.") var title: String?
            @Option(help: "New content as text.") var content: String?
            @Option(help: "Read new content from this UTF-8 file (- = standard input).") var file: String?
            @Option(name: .customLong("tag"), help: "Replace the tags with these (repeat).") var tags: [String] = []
            @Flag(help: "Remove every tag.") var clearTags = false

            func run() throws {
                var params: [String: JSONValue] = ["id": .int(id)]
                if let title { params["title"] = .string(title) }
                if let text = try TextInput.read(inline: content, path: file, what: "the content") { params["content"] = .string(text) }
                if clearTags || !tags.isEmpty { params["tags"] = .array(tags.map { .string($0) }) }
                guard params.count > 1 else { throw CLIFailure.usage("nothing to change: give --title, --content, --file, --tag or --clear-tags") }
                guard let document = try global.fetch(DocsMethods.update.name, .object(params), as: Document.self) else { return }
                say("\(Badge.colored(Badge.text(document.context), document.context, style: global.style)) updated document #\(document.id) \"\(document.title)\"")
            }
        }

        struct Delete: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a document.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The document's id.") var id: Int64

            func run() throws {
                guard try global.fetch(DocsMethods.delete.name, ["id": .int(id)], as: DeletedResult.self) != nil else { return }
                say("deleted document #\(id)")
            }
        }

        struct Search: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "search", abstract: "Full-text search over titles and content, best first.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "Words to find (all must match; word* matches a prefix).") var words: [String]
            @Option(help: "At most this many hits (1-200).") var limit: Int = 20

            func run() throws {
                let params: JSONValue = ["query": .string(words.joined(separator: " ")), "limit": .int(Int64(limit))]
                guard let result = try global.fetch(DocsMethods.search.name, params, as: DocsSearchResult.self) else { return }
                var table = Table(["CONTEXT", "ID", "TITLE", "MATCH"])
                for hit in result.hits {
                    table.add([Badge.text(hit.document.context), "\(hit.document.id)", hit.document.title, hit.snippet.replacingOccurrences(of: "\n", with: " ")])
                }
                say(Badge.render(table, contexts: result.hits.map(\.document.context), style: global.style))
                if result.hits.isEmpty { say(global.style.dim("no matches")) }
            }
        }

        static func table(_ documents: [DocumentSummary], style: Style) -> String {
            var table = Table(["CONTEXT", "ID", "TITLE", "TAGS", "SIZE", "EMBEDDED", "UPDATED"])
            for document in documents {
                table.add([
                    Badge.text(document.context), "\(document.id)", document.title, document.tags.joined(separator: ",").orDash,
                    Format.bytes(document.sizeBytes), document.embeddings > 0 ? "\(document.embeddings) chunks" : "no",
                    document.updatedAt,
                ])
            }
            return Badge.render(table, contexts: documents.map(\.context), style: style)
        }
    }
}
