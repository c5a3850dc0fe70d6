import ArgumentParser
import ElohimProtocol
import Foundation

extension Elohim {
    /// `elohim perms`: the effective-permissions view.
    struct Perms: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "perms",
            abstract: "Show your effective permissions: granted or denied, and why.")

        @OptionGroup var global: GlobalOptions

        @Option(help: "Only permissions whose key contains this text.")
        var filter: String?

        @Option(help: "Only this category (chat, docs, vault, workflows, models, engine, admin, founder, daemon, events).")
        var category: String?

        @Option(help: "Another account's uid (needs admin.manage_users).")
        var uid: UInt32?

        func run() throws {
            let raw = try global.withClient { client in
                try client.callRaw(AuthMethods.effectivePermissions.name, params: uid.map { ["uid": .int(Int64($0))] })
            }
            var result = try RPCCoding.decode(EffectivePermissionsResult.self, from: raw)
            result.permissions = result.permissions.filter { entry in
                (filter.map { entry.key.localizedCaseInsensitiveContains($0) } ?? true)
                    && (category.map { entry.category == $0 } ?? true)
            }
            if global.json {
                say(JSONWriter.string(try RPCCoding.json(result)))
                return
            }
            say(PermissionsView(result: result, style: global.style).render())
        }
    }
}

/// The seed's permissions screen, in a terminal.
struct PermissionsView {
    let result: EffectivePermissionsResult
    let style: Style

    func render() -> String {
        let name = result.userName.map { "\($0) (uid \(result.uid))" } ?? "uid \(result.uid)"
        var lines = [
            "Current user: \(style.bold(name)) — role \(result.role)",
            "Team context: \(style.green("[Local]")) (no team)",
            "",
            "Effective permissions:",
        ]
        let regular = result.permissions.filter { $0.category != "founder" }
        let founder = result.permissions.filter { $0.category == "founder" }
        for entry in regular { lines.append(row(entry)) }
        if !founder.isEmpty {
            lines.append("")
            lines.append("Founder rights (separate; unlocked by the founder password):")
            for entry in founder { lines.append(row(entry)) }
            let state: String
            if result.founder.elevated {
                state = style.green("unlocked") + " for \(result.founder.remainingSeconds ?? 0) s more"
            } else if result.founder.isFounder {
                state = "locked — run `elohim founder verify` to unlock them for 5 minutes"
            } else {
                state = "not the founder"
            }
            lines.append("  status: \(state)")
        }
        lines.append("")
        lines.append("Role baseline: \(result.role) (\(result.roleBaseline.count) permissions)")
        lines.append("Permission model: \(result.docs)")
        return lines.joined(separator: "\n")
    }

    private func row(_ entry: PermissionEntry) -> String {
        let mark = entry.granted ? "✅" : "❌"
        let word = entry.granted ? style.green("granted") : style.red("denied ")
        let why: String
        switch entry.source {
        case "role_baseline": why = "role baseline"
        case "grant": why = "granted to this account"
        case "revoke": why = "revoked from this account"
        case "founder_elevation": why = "founder elevation"
        default: why = entry.key == "founder.all" ? "requires password" : "not in role"
        }
        let key = entry.key.padding(toLength: 22, withPad: " ", startingAt: 0)
        return "  \(mark) \(key) \(word)  \(style.dim(why.padding(toLength: 25, withPad: " ", startingAt: 0)))  \(entry.summary)"
    }
}
