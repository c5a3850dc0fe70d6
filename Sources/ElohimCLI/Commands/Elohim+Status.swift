import ArgumentParser
import ElohimProtocol
import Foundation

extension Elohim {
    /// `elohim status`: is the daemon up, and what is it doing.
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the daemon's state: version, uptime, socket, data and clients.")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let status = try global.withClient { client in
                (try client.callRaw(DaemonMethods.status.name, params: nil))
            }
            if global.json {
                say(JSONWriter.string(status))
                return
            }
            let decoded = try RPCCoding.decode(DaemonStatus.self, from: status)
            say(StatusView(status: decoded, style: global.style).render())
        }
    }
}

/// The human rendering of `daemon.status`.
struct StatusView {
    let status: DaemonStatus
    let style: Style

    func render() -> String {
        let badge = style.green("[Local]")
        let socket = status.socketPath + (status.socketActivated ? " (socket-activated)" : "")
        let rows: [(String, String)] = [
            ("state", "\(style.green("running")), up \(Format.duration(seconds: status.uptimeSeconds)) (\(status.mode) daemon)"),
            ("pid", "\(status.pid)"),
            ("socket", socket),
            ("data", "\(status.dataDir) (database \(Format.bytes(status.databaseSizeBytes)))"),
            ("config", status.configPath ?? "(built-in defaults)"),
            ("clients", "\(status.connections) connected, \(Format.grouped(status.requestsServed)) requests served"),
        ]
        var lines = ["\(badge) \(style.bold("ElohimOS"))  elohimd \(status.daemonVersion) (protocol \(status.protocolVersion))"]
        for (label, value) in rows {
            lines.append("  " + label.padding(toLength: 8, withPad: " ", startingAt: 0) + " " + value)
        }
        return lines.joined(separator: "\n")
    }
}
