import ElohimWire
import Foundation

/// A real `elohimd` process on a temporary socket, for end-to-end tests.
final class DaemonProcess {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    let directory: String
    let socketPath: String
    let process = Process()

    /// Starts the daemon and waits until its socket answers.
    init(arguments: [String] = ["--enable-test-methods"]) throws {
        directory = "/tmp/ehs-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        socketPath = directory + "/elohimd.sock"
        let binary = ProcessInfo.processInfo.environment["ELOHIMD_BIN"]
            ?? Self.root.appendingPathComponent(".build/debug/elohimd").path
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--socket", socketPath, "--data-dir", directory + "/data", "--log-level", "warning"] + arguments
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let connection = try? WireConnection.connect(path: socketPath) {
                connection.close()
                return
            }
            guard process.isRunning else { break }
            usleep(20_000)
        }
        stop()
        throw DaemonDidNotStart(binary: binary)
    }

    func connect() throws -> WireConnection {
        try WireConnection.connect(path: socketPath)
    }

    /// SIGTERM, wait, and remove the temporary directory; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
        return process.terminationStatus
    }

    deinit { stop() }
}

struct DaemonDidNotStart: Error, CustomStringConvertible {
    let binary: String
    var description: String { "elohimd did not start (\(binary)); build it first with `swift build`" }
}
