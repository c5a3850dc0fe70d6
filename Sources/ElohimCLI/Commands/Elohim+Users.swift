import ArgumentParser
import ElohimProtocol
import Foundation

extension Elohim {
    /// `elohim users …`: accounts for OS uids.
    struct Users: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "users",
            abstract: "Manage accounts: who may use the daemon, with which role and overrides.",
            subcommands: [List.self, Add.self, SetRole.self, Grant.self, Revoke.self, Reset.self, Remove.self],
            defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List accounts.")
            @OptionGroup var global: GlobalOptions

            func run() throws {
                let raw = try global.withClient { try $0.callRaw(UsersMethods.list.name, params: nil) }
                if global.json { return say(JSONWriter.string(raw)) }
                let accounts = try RPCCoding.decode(UsersListResult.self, from: raw).accounts
                var table = Table(["UID", "USER", "ROLE", "GRANTS", "REVOKES", "FOUNDER", "CREATED"])
                for account in accounts {
                    table.add([
                        "\(account.uid)", account.userName ?? "-", account.role, account.grants.joined(separator: ",").orDash,
                        account.revokes.joined(separator: ",").orDash, account.isFounder ? "yes" : "", account.createdAt,
                    ])
                }
                say(table.render(style: global.style))
            }
        }

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add", abstract: "Create an account for an OS uid.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The OS uid (see `id -u NAME`).") var uid: UInt32
            @Option(help: "super_admin, admin, member or guest.") var role: String = "member"

            func run() throws {
                try global.show(UsersMethods.add.name, ["uid": .int(Int64(uid)), "role": .string(role)])
            }
        }

        struct SetRole: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "set-role", abstract: "Change an account's role.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The account's uid.") var uid: UInt32
            @Argument(help: "super_admin, admin, member or guest.") var role: String

            func run() throws {
                try global.show(UsersMethods.setRole.name, ["uid": .int(Int64(uid)), "role": .string(role)])
            }
        }

        struct Grant: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "grant", abstract: "Grant a permission on top of the role.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The account's uid.") var uid: UInt32
            @Argument(help: "A permission key (see `elohim perms`).") var permission: String

            func run() throws {
                try global.show(UsersMethods.grant.name, ["uid": .int(Int64(uid)), "permission": .string(permission)])
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a permission the role would give.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The account's uid.") var uid: UInt32
            @Argument(help: "A permission key.") var permission: String

            func run() throws {
                try global.show(UsersMethods.revoke.name, ["uid": .int(Int64(uid)), "permission": .string(permission)])
            }
        }

        struct Reset: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "reset", abstract: "Remove a grant or revoke: the role decides again.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The account's uid.") var uid: UInt32
            @Argument(help: "A permission key.") var permission: String

            func run() throws {
                try global.show(UsersMethods.reset.name, ["uid": .int(Int64(uid)), "permission": .string(permission)])
            }
        }

        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "remove", abstract: "Delete an account.")
            @OptionGroup var global: GlobalOptions
            @Option(help: "The account's uid.") var uid: UInt32

            func run() throws {
                try global.show(UsersMethods.remove.name, ["uid": .int(Int64(uid))])
            }
        }
    }
}

extension GlobalOptions {
    /// Calls `method` and prints the account it returns.
    func show(_ method: String, _ params: JSONValue) throws {
        let raw = try withClient { try $0.callRaw(method, params: params) }
        if json { return say(JSONWriter.string(raw)) }
        let account = try RPCCoding.decode(AccountInfo.self, from: raw)
        let name = account.userName.map { " (\($0))" } ?? ""
        say("uid \(account.uid)\(name): role \(account.role); grants \(account.grants.joined(separator: ", ").orDash); revokes \(account.revokes.joined(separator: ", ").orDash)")
    }
}

extension String {
    var orDash: String { isEmpty ? "-" : self }
}
