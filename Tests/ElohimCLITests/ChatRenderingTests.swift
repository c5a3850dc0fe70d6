import ElohimProtocol
@testable import ElohimCLI
import Testing

@Suite struct ChatRenderingTests {
    @Test func theMeterShowsTheSeedFormatWithALevelInWords() {
        let plain = Style(color: false)
        let meter = ChatContextMeter(used: 6144, limit: 8192, percent: 75, level: "warn", warning: false)
        #expect(TokenMeterView.line(meter, style: plain) == "[███████████████░░░░░] 6,144 / 8,192 tokens (75%) warn")
        #expect(TokenMeterView.warning(meter, style: plain) == nil)
        let full = ChatContextMeter(used: 7500, limit: 8192, percent: 91.6, level: "critical", warning: true)
        #expect(TokenMeterView.line(full, style: plain).hasSuffix("7,500 / 8,192 tokens (91.6%) critical"))
        #expect(TokenMeterView.warning(full, style: plain)?.contains("91.6% full") == true)
        // Colour: green/yellow/red by level.
        #expect(TokenMeterView.line(full, style: Style(color: true)).contains("\u{1B}[31m"))
        #expect(TokenMeterView.line(meter, style: Style(color: true)).contains("\u{1B}[33m"))
    }

    @Test func repliesCannotDriveTheTerminal() {
        #expect(ChatREPL.printable("a\rb\u{1B}[2Jc\nd\te", terminal: true) == "a\u{FFFD}b\u{FFFD}[2Jc\nd\te")
        #expect(ChatREPL.printable("a\rb", terminal: false) == "a\rb")
    }
}
