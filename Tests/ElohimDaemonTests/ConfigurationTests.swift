@testable import ElohimDaemon
import Foundation
import Testing

@Suite struct ConfigurationTests {
    func withFile(_ text: String, _ body: (String) throws -> Void) throws {
        let path = NSTemporaryDirectory() + "elohimd-\(UUID().uuidString.prefix(8)).json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    @Test func defaultsNeedNoFile() throws {
        let configuration = try DaemonConfiguration.load(overrides: .init(), environment: ["HOME": "/nonexistent-home"])
        #expect(configuration.configPath == nil)
        #expect(configuration.maxFrameBytes == 4 * 1024 * 1024)
        #expect(configuration.resolvedDataDir(environment: ["HOME": "/h"]) == "/h/.local/share/elohim")
        #expect(configuration.resolvedSocketPath(environment: ["XDG_RUNTIME_DIR": "/run/user/7"]) == "/run/user/7/elohim/elohimd.sock")
    }

    @Test func anUnknownKeyIsNamedWithItsFile() throws {
        try withFile(#"{"log_level":"debug","max_frame_byte":10}"#) { path in
            var overrides = DaemonConfiguration.Overrides()
            overrides.configPath = path
            #expect(throws: ConfigurationError.self) { try DaemonConfiguration.load(overrides: overrides, environment: [:]) }
            do {
                _ = try DaemonConfiguration.load(overrides: overrides, environment: [:])
            } catch let error as ConfigurationError {
                #expect(error.key == "max_frame_byte")
                #expect(error.source == path)
            }
        }
    }

    @Test func laterSourcesWin() throws {
        try withFile(#"{"log_level":"debug","max_frame_bytes":65536}"#) { path in
            var overrides = DaemonConfiguration.Overrides()
            overrides.configPath = path
            overrides.logLevel = "error"
            let configuration = try DaemonConfiguration.load(
                overrides: overrides, environment: ["ELOHIMD_MAX_FRAME_BYTES": "131072", "ELOHIMD_LOG_LEVEL": "trace"])
            #expect(configuration.maxFrameBytes == 131_072)
            #expect(configuration.logLevel == "error")
            #expect(configuration.configPath == path)
        }
    }

    @Test func badValuesAreRefusedWithTheKey() throws {
        for (text, key) in [
            (#"{"max_frame_bytes":"big"}"#, "max_frame_bytes"), (#"{"log_level":"loud"}"#, "log_level"),
            (#"{"data_dir":"relative/dir"}"#, "data_dir"), (#"[1]"#, "(file)"), ("{", "(file)"),
        ] {
            try withFile(text) { path in
                var overrides = DaemonConfiguration.Overrides()
                overrides.configPath = path
                do {
                    _ = try DaemonConfiguration.load(overrides: overrides, environment: [:])
                    Issue.record("accepted \(text)")
                } catch let error as ConfigurationError {
                    #expect(error.key == key)
                }
            }
        }
    }

    @Test func aNamedFileThatIsMissingIsAnError() {
        var overrides = DaemonConfiguration.Overrides()
        overrides.configPath = "/nonexistent/elohimd.json"
        #expect(throws: ConfigurationError.self) { try DaemonConfiguration.load(overrides: overrides, environment: [:]) }
    }
}
