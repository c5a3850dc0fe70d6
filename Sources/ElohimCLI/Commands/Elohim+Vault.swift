import ArgumentParser
import ElohimProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Elohim {
    /// `elohim vault …`: local secrets, encrypted at rest.
    struct Vault: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "vault",
            abstract: "Your local vault: small secrets stored encrypted (AES-GCM) by the daemon.",
            subcommands: [List.self, Put.self, Get.self, Delete.self],
            defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List vault items (names and sizes, never values).")
            @OptionGroup var global: GlobalOptions
            @OptionGroup var page: PageOptions

            func run() throws {
                guard let result = try global.fetch(VaultMethods.list.name, .object(page.params), as: VaultListResult.self) else { return }
                var table = Table(["CONTEXT", "ID", "NAME", "SIZE", "UPDATED"])
                for item in result.items {
                    table.add([Badge.text(item.context), "\(item.id)", item.name, Format.bytes(item.sizeBytes), item.updatedAt])
                }
                say(Badge.render(table, contexts: result.items.map(\.context), style: global.style))
                global.morePages(result.nextCursor, command: "elohim vault list")
            }
        }

        struct Put: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "put",
                abstract: "Store a secret under a name (replacing it); the value is read from standard input unless --file is given.",
                discussion: "There is deliberately no --value option: a value on the command line is visible to other users in ps.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The item's name.") var name: String
            @Option(help: "Read the value from this UTF-8 file (- = standard input).") var file: String?

            func run() throws {
                var value: String
                if file == nil && isatty(STDIN_FILENO) == 1 {
                    value = try Prompt.secret("value for '\(name)' (not echoed): ")
                } else {
                    value = try TextInput.read(inline: nil, path: file ?? "-", what: "the value") ?? ""
                    // `echo secret | elohim vault put x` should store "secret", not "secret\n".
                    if file == nil, value.hasSuffix("\n") { value.removeLast() }
                }
                let params: JSONValue = ["name": .string(name), "value": .string(value)]
                guard let item = try global.fetch(VaultMethods.put.name, params, as: VaultItemSummary.self) else { return }
                say("\(Badge.colored(Badge.text(item.context), item.context, style: global.style)) stored '\(item.name)' (\(Format.bytes(item.sizeBytes)), encrypted)")
            }
        }

        struct Get: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "get", abstract: "Print a secret's value (only the value, for scripts).")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The item's name.") var name: String

            func run() throws {
                guard let item = try global.fetch(VaultMethods.get.name, ["name": .string(name)], as: VaultItem.self) else { return }
                say(item.value)
            }
        }

        struct Delete: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a vault item.")
            @OptionGroup var global: GlobalOptions
            @Argument(help: "The item's name.") var name: String

            func run() throws {
                guard try global.fetch(VaultMethods.delete.name, ["name": .string(name)], as: DeletedResult.self) != nil else { return }
                say("deleted vault item '\(name)'")
            }
        }
    }
}
