@testable import ElohimCLI
import ElohimProtocol
import Testing

@Suite struct BadgeTests {
    static let team = ResourceContext(kind: "team", teamName: "Engineering")

    static func documents(_ contexts: [ResourceContext]) -> [DocumentSummary] {
        contexts.enumerated().map { index, context in
            DocumentSummary(
                id: Int64(index + 1), title: "doc \(index + 1)", tags: ["a", "b"], sizeBytes: 2048, embeddings: 0,
                createdAt: "2026-11-30T00:00:00Z", updatedAt: "2026-11-30T00:00:00Z", context: context)
        }
    }

    @Test func rowsCarryTheirBadgeInWordsWithoutColour() {
        let lines = Elohim.Docs.table(Self.documents([.local, Self.team]), style: Style(color: false)).split(separator: "\n")
        #expect(lines[1].hasPrefix("[Local]" + String(repeating: " ", count: 14) + "1   doc 1  a,b"))
        #expect(lines[2].hasPrefix("[Team: Engineering]  2   doc 2  a,b"))
        #expect(!lines.joined().contains("\u{1B}["))
    }

    @Test func localIsGreenAndTeamIsBlueWithTheWordsKept() {
        let text = Elohim.Docs.table(Self.documents([.local, Self.team]), style: Style(color: true))
        #expect(text.contains("\u{1B}[32m[Local]" + String(repeating: " ", count: 12) + "\u{1B}[0m"))
        #expect(text.contains("\u{1B}[34m[Team: Engineering]\u{1B}[0m"))
    }

    @Test func theWireFormOfALocalContextIsExactlyKindLocal() throws {
        #expect(JSONWriter.string(try RPCCoding.json(ResourceContext.local)) == #"{"kind":"local"}"#)
        #expect(JSONWriter.string(try RPCCoding.json(Self.team)) == #"{"kind":"team","team_name":"Engineering"}"#)
        #expect(try RPCCoding.decode(ResourceContext.self, from: ["kind": "local"]) == .local)
    }
}
