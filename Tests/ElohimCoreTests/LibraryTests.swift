import ElohimCore
import ElohimProtocol
import Foundation
import GRDB
import Synchronization
import Testing

@Suite struct LibraryLocalContextTests {
    /// Team rows of the same user, seeded behind the API's back (no method can create one).
    struct TeamRows {
        let document: Int64
        let workflow: Int64
    }

    static func seedTeamRows(_ fixture: LibraryFixture, user: UInt32) throws -> TeamRows {
        try fixture.execute(
            """
            INSERT INTO documents (user_id, team_id, title, content, size_bytes, created_at, updated_at)
            VALUES (?, 'engineering', 'team plan', 'teamsecret roadmap', 18, 't', 't')
            """, [user])
        let document = Int64(try fixture.count("SELECT max(id) FROM documents"))
        try fixture.execute("INSERT INTO document_tags (document_id, tag) VALUES (?, 'shared')", [document])
        try fixture.execute(
            """
            INSERT INTO workflows (user_id, team_id, name, description, steps, step_count, created_at, updated_at)
            VALUES (?, 'engineering', 'daily', 'team workflow', '[{"kind":"template","text":"x"}]', 1, 't', 't')
            """, [user])
        let workflow = Int64(try fixture.count("SELECT max(id) FROM workflows"))
        try fixture.execute(
            """
            INSERT INTO vault_items (user_id, team_id, name, sealed, size_bytes, created_at, updated_at)
            VALUES (?, 'engineering', 'token', x'00112233', 4, 't', 't')
            """, [user])
        return TeamRows(document: document, workflow: workflow)
    }

    static func isNotFound(_ error: any Error) -> Bool {
        (error as? LibraryError)?.reason == .notFound
    }

    @Test func noLocalMethodReturnsUpdatesOrDeletesATeamRow() async throws {
        let fixture = try LibraryFixture()
        let user: UInt32 = 1000
        let local = fixture.store.local(user)
        let mine = try local.createDocument(title: "mine", content: "local words", tags: ["shared"])
        let team = try Self.seedTeamRows(fixture, user: user)
        let teamSnapshot = try fixture.count("SELECT count(*) FROM documents WHERE team_id IS NOT NULL AND title = 'team plan'")
        #expect(teamSnapshot == 1)

        // Documents: never listed, found, searched, changed or removed.
        #expect(try local.listDocuments().documents.map(\.id) == [mine.id])
        #expect(try local.listDocuments(tag: "shared").documents.map(\.id) == [mine.id])
        #expect(try local.searchDocuments("teamsecret").hits.isEmpty)
        #expect(throws: LibraryError.self) { try local.document(team.document) }
        #expect(thrown { try local.updateDocument(team.document, title: "hacked", tags: []) }.map(Self.isNotFound) == true)
        #expect(thrown { try local.appendToDocument(team.document, text: "more") }.map(Self.isNotFound) == true)
        #expect(thrown { try local.deleteDocument(team.document) }.map(Self.isNotFound) == true)
        #expect(try fixture.count("SELECT count(*) FROM documents WHERE id = ? AND title = 'team plan' AND content = 'teamsecret roadmap'", [team.document]) == 1)
        #expect(try fixture.count("SELECT count(*) FROM document_tags WHERE document_id = ?", [team.document]) == 1)

        // Vault: a team item of the same name is invisible; writing that name makes a local one.
        #expect(thrown { try local.vaultItem(named: "token") }.map(Self.isNotFound) == true)
        #expect(thrown { try local.deleteVaultItem(named: "token") }.map(Self.isNotFound) == true)
        _ = try local.putVaultItem(name: "token", value: "local secret")
        #expect(try local.vaultItem(named: "token").value == "local secret")
        #expect(try local.listVaultItems().items.map(\.name) == ["token"])
        _ = try local.deleteVaultItem(named: "token")
        #expect(try fixture.count("SELECT count(*) FROM vault_items WHERE team_id = 'engineering' AND sealed = x'00112233'") == 1)

        // Workflows: by id and by name; the team's name does not block a local one.
        #expect(thrown { try local.workflow(team.workflow) }.map(Self.isNotFound) == true)
        #expect(thrown { try local.workflow(named: "daily") }.map(Self.isNotFound) == true)
        let runner = WorkflowRunner()
        #expect(thrown { try local.updateWorkflow(team.workflow, name: "hacked", runner: runner) }.map(Self.isNotFound) == true)
        #expect(thrown { try local.deleteWorkflow(team.workflow) }.map(Self.isNotFound) == true)
        let daily = try local.createWorkflow(
            name: "daily", description: nil, steps: [["kind": "read_document", "id": .string(String(team.document))]], runner: runner)
        #expect(try local.listWorkflows().workflows.map(\.id) == [daily.id])
        // A workflow step reads through the same layer: the team document stays out of reach.
        let run = try await runner.run(daily, inputs: [:], library: local) { _, _ in }
        #expect(run.status == "failed")
        #expect(run.steps.first?.error?.contains("no local document") == true)
        #expect(try fixture.count("SELECT count(*) FROM workflows WHERE id = ? AND name = 'daily' AND last_run_at IS NULL", [team.workflow]) == 1)

        // Every resource the layer hands out says it is local.
        #expect(try local.listDocuments().documents.allSatisfy { $0.context == .local })
        #expect(try JSONWriter.string(RPCCoding.json(mine.context)) == #"{"kind":"local"}"#)
    }

    @Test func anotherUsersLocalRowsAreInvisibleToo() throws {
        let fixture = try LibraryFixture()
        let alice = fixture.store.local(1000)
        let bob = fixture.store.local(1001)
        let document = try alice.createDocument(title: "alice", content: "private words")
        _ = try alice.putVaultItem(name: "pin", value: "1234")
        #expect(try bob.listDocuments().documents.isEmpty)
        #expect(try bob.searchDocuments("private").hits.isEmpty)
        #expect(thrown { try bob.document(document.id) }.map(Self.isNotFound) == true)
        #expect(thrown { try bob.deleteDocument(document.id) }.map(Self.isNotFound) == true)
        #expect(thrown { try bob.vaultItem(named: "pin") }.map(Self.isNotFound) == true)
        #expect(try alice.document(document.id).title == "alice")
    }
}

@Suite struct LibraryQueryPlanTests {
    /// The SELECT a list call ran, with its values, from the trace.
    static func listStatement<T>(_ fixture: LibraryFixture, _ body: () throws -> T) throws -> String {
        let selects = try fixture.statements(body).statements.filter { $0.hasPrefix("SELECT") }
        #expect(selects.count == 1, "expected one SELECT per list call, got \(selects.map { $0.prefix(120) })")
        return try #require(selects.first)
    }

    @Test func everyListQueryUsesItsPartialIndex() throws {
        let fixture = try LibraryFixture()
        // 5 users × 4000 documents (10% team rows): a full scan would read 20,000 rows.
        for user in UInt32(1000)..<1005 { try fixture.seedDocuments(count: 4000, user: user) }
        try fixture.execute(
            """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
            INSERT INTO workflows (user_id, team_id, name, steps, step_count, created_at, updated_at)
            SELECT 1000 + i % 5, CASE WHEN i % 10 = 0 THEN 'engineering' END, 'wf' || i, '[]', 0, 't', 't' FROM n
            """)
        try fixture.execute(
            """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
            INSERT INTO vault_items (user_id, team_id, name, sealed, size_bytes, created_at, updated_at)
            SELECT 1000 + i % 5, CASE WHEN i % 10 = 0 THEN 'engineering' END, 'item' || i, x'00', 1, 't', 't' FROM n
            """)
        let local = fixture.store.local(1002)
        let cases: [(index: String, sql: String)] = [
            ("idx_documents_local", try Self.listStatement(fixture) { try local.listDocuments(limit: 50) }),
            ("idx_documents_local", try Self.listStatement(fixture) { try local.listDocuments(limit: 50, before: 10_000) }),
            ("idx_documents_local", try Self.listStatement(fixture) { try local.listDocuments(limit: 50, tag: "a") }),
            ("idx_workflows_local", try Self.listStatement(fixture) { try local.listWorkflows(limit: 50) }),
            ("idx_vault_items_local", try Self.listStatement(fixture) { try local.listVaultItems(limit: 50, before: 15_000) }),
        ]
        for (index, sql) in cases {
            let plan = try fixture.plan(sql)
            #expect(plan.contains("USING INDEX \(index)") || plan.contains("USING COVERING INDEX \(index)"), "plan for \(sql):\n\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "the list must not sort:\n\(plan)")
            #expect(!plan.contains("SCAN d\n") && !plan.hasPrefix("SCAN "), "the list must not scan the table:\n\(plan)")
        }
        #expect(try local.listDocuments(limit: 50).documents.count == 50)
    }

    @Test func statementsPerListCallDoNotGrowWithThePageSize() throws {
        let fixture = try LibraryFixture()
        let local = fixture.store.local(1000)
        for index in 0..<120 { _ = try local.createDocument(title: "d\(index)", content: "text \(index)", tags: ["x", "y\(index % 3)"]) }
        for index in 0..<120 { _ = try local.putVaultItem(name: "v\(index)", value: "s") }
        let runner = WorkflowRunner()
        for index in 0..<120 {
            _ = try local.createWorkflow(name: "w\(index)", description: nil, steps: [["kind": "template", "text": "t"]], runner: runner)
        }
        // One call each first: a connection's first FTS5 query loads the index's config once.
        _ = try (local.listDocuments(), local.listVaultItems(), local.listWorkflows(), local.searchDocuments("text"))
        var counts: [String: Set<Int>] = [:]
        for limit in [1, 10, 100, 200] {
            let documents = try fixture.statements { try local.listDocuments(limit: limit) }
            #expect(documents.result.documents.count == min(limit, 120))
            #expect(documents.result.documents.first?.tags.count == 2)
            counts["docs", default: []].insert(documents.statements.count)
            counts["vault", default: []].insert(try fixture.statements { try local.listVaultItems(limit: limit) }.statements.count)
            counts["workflows", default: []].insert(try fixture.statements { try local.listWorkflows(limit: limit) }.statements.count)
            let search = try fixture.statements { try local.searchDocuments("text", limit: limit) }.statements
            counts["search", default: []].insert(search.count)
        }
        for (name, seen) in counts { #expect(seen.count == 1, "\(name): statements per call varied with the page size: \(seen)") }
        // Around GRDB's BEGIN/COMMIT, one SELECT: tags and embedding counts come in the same statement.
        let page = try fixture.statements { try local.listDocuments(limit: 200) }.statements
        #expect(page.filter { $0.hasPrefix("SELECT") }.count == 1, "\(page)")
    }
}

@Suite struct LibraryDocumentTests {
    @Test func pagesCoverEveryDocumentOnceNewestFirst() throws {
        let fixture = try LibraryFixture()
        let local = fixture.store.local(1000)
        let ids = try (0..<23).map { try local.createDocument(title: "d\($0)", content: "c").id }
        var seen: [Int64] = []
        var cursor: Int64?
        repeat {
            let page = try local.listDocuments(limit: 5, before: cursor)
            seen += page.documents.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        #expect(seen == ids.reversed())
    }

    @Test func badInputIsRefusedNamingTheFieldAndNothingIsWritten() throws {
        let fixture = try LibraryFixture()
        let local = fixture.store.local(1000, configuration: .init(maxDocumentBytes: 100))
        #expect(throws: LibraryInputError("title", "must not be empty")) { try local.createDocument(title: "  ", content: "x") }
        #expect(thrown { try local.createDocument(title: "t\nx", content: "x") }.map({ ($0 as? LibraryInputError)?.field == "title" }) == true)
        #expect(thrown { try local.createDocument(title: "t", content: "x", tags: ["a,b"]) }.map({ ($0 as? LibraryInputError)?.field == "tags.0" }) == true)
        #expect(thrown { try local.listDocuments(limit: 0) }.map({ ($0 as? LibraryInputError)?.field == "limit" }) == true)
        let big = thrown { try local.createDocument(title: "big", content: String(repeating: "é", count: 51)) } as? LibraryError
        #expect(big?.reason == .tooLarge && big?.message.contains("102 bytes") == true && big?.message.contains("limit is 100") == true)
        let document = try local.createDocument(title: "small", content: "ok")
        #expect(thrown { try local.updateDocument(document.id, title: "renamed", content: String(repeating: "x", count: 101)) }.map {
            ($0 as? LibraryError)?.reason == .tooLarge
        } == true)
        #expect(try local.document(document.id).title == "small")
        #expect(try fixture.count("SELECT count(*) FROM documents") == 1)
        #expect((thrown { try local.document(999) } as? LibraryError)?.message == "no local document 999; `elohim docs list` shows yours")
    }

    @Test func searchFindsWordsPrefixesAndSurvivesPunctuation() throws {
        let fixture = try LibraryFixture()
        let local = fixture.store.local(1000)
        let notes = try local.createDocument(title: "Meeting notes", content: "We decided to ship the café release on Friday.")
        _ = try local.createDocument(title: "Shopping", content: "milk, eggs")
        #expect(try local.searchDocuments("cafe").hits.map(\.document.id) == [notes.id])
        #expect(try local.searchDocuments("relea*").hits.first?.snippet.contains("[release]") == true)
        #expect(try local.searchDocuments("meeting friday").hits.count == 1)
        #expect(try local.searchDocuments("meeting milk").hits.isEmpty)
        // FTS5 syntax in what a person types is just words, never a syntax error.
        for hostile in ["\"unbalanced", "a OR", "NEAR(", "x:y", "-minus", "AND"] {
            #expect(throws: Never.self, "\(hostile)") { try local.searchDocuments(hostile) }
        }
        for empty in ["   ", "*"] {
            #expect(thrown { try local.searchDocuments(empty) }.map({ ($0 as? LibraryInputError)?.field == "query" }) == true)
        }
        // Edits and deletes keep the index in step.
        _ = try local.updateDocument(notes.id, content: "nothing here")
        #expect(try local.searchDocuments("cafe").hits.isEmpty)
        try local.deleteDocument(notes.id)
        #expect(try local.searchDocuments("meeting").hits.isEmpty)
    }

    @Test func deletedDocumentsLeaveEmbeddingsUntilCleanupRemovesThem() throws {
        let fixture = try LibraryFixture()
        let local = fixture.store.local(1000)
        let kept = try local.createDocument(title: "kept", content: "a")
        let gone = try local.createDocument(title: "gone", content: "b")
        for chunk in 0..<3 { try fixture.store.storeEmbedding(documentID: gone.id, chunk: chunk, model: "m", vector: [1, 2, 3]) }
        try fixture.store.storeEmbedding(documentID: kept.id, chunk: 0, model: "m", vector: [4, 5])
        #expect(try local.document(gone.id).embeddings == 3)
        #expect(try local.listDocuments().documents.map(\.embeddings) == [3, 1])
        try local.deleteDocument(gone.id)
        #expect(try fixture.store.countOrphanEmbeddings() == 3)
        #expect(try fixture.store.deleteOrphanEmbeddings() == 3)
        #expect(try fixture.store.deleteOrphanEmbeddings() == 0)
        #expect(try local.document(kept.id).embeddings == 1)
        // Ids are never reused, so a new document cannot inherit a stale embedding.
        #expect(try local.createDocument(title: "new", content: "c").id > gone.id)
        // The embeddings live in their own file.
        #expect(FileManager.default.fileExists(atPath: fixture.directory + "/embeddings.db"))
        #expect(try fixture.count("SELECT count(*) FROM main.sqlite_master WHERE name = 'document_embeddings'") == 0)
    }
}

@Suite struct VaultTests {
    @Test func theDatabaseFilesAloneRevealNoVaultContent() throws {
        let fixture = try LibraryFixture()
        let local = fixture.store.local(1000)
        let secret = "correct-horse-battery-staple-8f3a"
        _ = try local.putVaultItem(name: "wifi", value: secret)
        #expect(try local.vaultItem(named: "wifi").value == secret)
        for name in ["elohim.db", "elohim.db-wal", "embeddings.db", "embeddings.db-wal"] {
            let bytes = FileManager.default.contents(atPath: fixture.directory + "/" + name) ?? Data()
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(name) holds the secret in clear")
        }
        let key = try FileManager.default.attributesOfItem(atPath: fixture.directory + "/vault.key")
        #expect((key[.posixPermissions] as? Int) == 0o600)
        #expect((key[.size] as? Int) == 32)
    }

    @Test func aDifferentKeyCannotOpenItemsAndSaysSo() throws {
        let fixture = try LibraryFixture()
        _ = try fixture.store.local(1000).putVaultItem(name: "api", value: "v")
        let other = LibraryStore(database: fixture.database.writer, cipher: VaultCipher(keyBytes: Array(repeating: 7, count: 32)))
        #expect(thrown { try other.local(1000).vaultItem(named: "api") }.map {
            ($0 as? LibraryError)?.message.contains("cannot be decrypted with this vault key") == true
        } == true)
    }

    @Test func aSealedValueMovedToAnotherNameDoesNotOpen() throws {
        let fixture = try LibraryFixture()
        let local = fixture.store.local(1000)
        _ = try local.putVaultItem(name: "a", value: "alpha")
        _ = try local.putVaultItem(name: "b", value: "beta")
        try fixture.execute("UPDATE vault_items SET sealed = (SELECT sealed FROM vault_items WHERE name = 'a') WHERE name = 'b'")
        #expect(throws: LibraryError.self) { try local.vaultItem(named: "b") }
    }

    @Test func aLooseKeyFileIsRefused() throws {
        let fixture = try LibraryFixture()
        chmod(fixture.directory + "/vault.key", 0o644)
        #expect(thrown { try VaultCipher.loadOrCreate(path: fixture.directory + "/vault.key") }.map {
            ($0 as? LibraryError)?.message.contains("chmod 600") == true
        } == true)
    }
}

/// A step another area could plug in: proves the runner needs nothing but the protocol.
struct UppercaseStep: WorkflowStep {
    let kind = "uppercase"
    let fields = [WorkflowStepField("text")]
    let requiredPermissions: Set<String> = ["engine.query"]

    func run(_ input: WorkflowStepInput) async throws -> WorkflowStepOutput {
        WorkflowStepOutput(text: input.required("text").uppercased(), detail: ["length": .int(Int64(input.required("text").count))])
    }
}

@Suite struct WorkflowTests {
    @Test func stepsRunInOrderPassingOutputsAndReportingProgress() async throws {
        let fixture = try LibraryFixture()
        let local = fixture.store.local(1000)
        _ = try local.createDocument(title: "Ideas", content: "solar kettle")
        let runner = WorkflowRunner()
        runner.register(UppercaseStep())
        let steps: [JSONValue] = [
            ["kind": "search_documents", "query": "{{input.topic}}"],
            ["kind": "template", "text": "Report on {{input.topic}}:\n{{steps.1}}"],
            ["kind": "uppercase", "text": "{{previous}}"],
            ["kind": "write_document", "title": "Report {{input.topic}}", "content": "{{steps.3}}", "tags": "report, auto"],
            ["kind": "append_document", "id": "{{steps.4}}", "text": "\n-- end"],
        ]
        #expect(try runner.validate(steps) == ["docs.read", "docs.write", "engine.query"])
        let workflow = try local.createWorkflow(name: "report", description: "daily", steps: steps, runner: runner)
        let events = Mutex<[String]>([])
        let result = try await runner.run(workflow, inputs: ["topic": "solar"], library: local) { type, data in
            events.withLock { $0.append("\(type):\(data["index"]?.intValue.map(String.init) ?? "-"):\(data["status"]?.stringValue ?? "-")") }
        }
        #expect(result.status == "succeeded")
        #expect(result.steps.map(\.status) == Array(repeating: "succeeded", count: 5))
        let written = try #require(result.steps[3].detail["document_id"]?.intValue)
        let report = try local.document(written)
        #expect(report.title == "Report solar")
        #expect(report.tags == ["auto", "report"])
        #expect(report.content.hasPrefix("REPORT ON SOLAR:\n"))
        #expect(report.content.contains("IDEAS"))
        #expect(report.content.hasSuffix("\n-- end"))
        #expect(
            events.withLock { $0 } == [
                "workflow.started:-:-", "workflow.step:1:succeeded", "workflow.step:2:succeeded", "workflow.step:3:succeeded",
                "workflow.step:4:succeeded", "workflow.step:5:succeeded", "workflow.finished:-:succeeded",
            ])
        #expect(try local.workflow(workflow.id).lastRunStatus == "succeeded")
    }

    @Test func aFailingStepEndsTheRunAndLaterStepsAreSkipped() async throws {
        let fixture = try LibraryFixture()
        let local = fixture.store.local(1000)
        let runner = WorkflowRunner()
        let workflow = try local.createWorkflow(
            name: "broken", description: nil,
            steps: [
                ["kind": "template", "text": "not-a-number"], ["kind": "read_document", "id": "{{previous}}"],
                ["kind": "write_document", "title": "never", "content": "x"],
            ], runner: runner)
        let result = try await runner.run(workflow, inputs: [:], library: local) { _, _ in }
        #expect(result.status == "failed")
        #expect(result.steps.map(\.status) == ["succeeded", "failed", "skipped"])
        #expect(result.error?.contains("step 2 (read_document)") == true)
        #expect(try local.listDocuments().documents.isEmpty)
        #expect(try local.workflow(named: "broken").lastRunStatus == "failed")
    }

    @Test func badStepsAreRefusedWhenSavedNamingTheField() throws {
        let fixture = try LibraryFixture()
        let local = fixture.store.local(1000)
        let runner = WorkflowRunner()
        func field(_ steps: [JSONValue]) -> String? {
            do {
                _ = try local.createWorkflow(name: "x", description: nil, steps: steps, runner: runner)
                return nil
            } catch {
                return (error as? LibraryInputError)?.field
            }
        }
        #expect(field([]) == "steps")
        #expect(field(["text"]) == "steps.1")
        #expect(field([["kind": "teleport"]]) == "steps.1.kind")
        #expect(field([["kind": "template"]]) == "steps.1.text")
        #expect(field([["kind": "template", "text": "x", "colour": "red"]]) == "steps.1.colour")
        #expect(field([["kind": "template", "text": 5]]) == "steps.1.text")
        #expect(field([["kind": "template", "text": "{{steps.1}}"]]) == "steps.1.text")
        #expect(field([["kind": "template", "text": "{{previous}}"]]) == "steps.1.text")
        #expect(field([["kind": "template", "text": "{{input.a"]]) == "steps.1.text")
        #expect(field([["kind": "template", "text": "{{env.HOME}}"]]) == "steps.1.text")
        #expect(try local.listWorkflows().workflows.isEmpty)
        _ = try local.createWorkflow(name: "x", description: nil, steps: [["kind": "template", "text": "ok"]], runner: runner)
        #expect(thrown { try local.createWorkflow(name: "x", description: nil, steps: [["kind": "template", "text": "ok"]], runner: runner) }.map {
            ($0 as? LibraryError)?.reason == .conflict
        } == true)
    }

    @Test func missingInputsAreNamedBeforeAnyStepRuns() async throws {
        let fixture = try LibraryFixture()
        let local = fixture.store.local(1000)
        let runner = WorkflowRunner()
        let workflow = try local.createWorkflow(
            name: "needs", description: nil,
            steps: [["kind": "write_document", "title": "{{input.title}}", "content": "{{input.body}}"]], runner: runner)
        var failure: (any Error)?
        do { _ = try await runner.run(workflow, inputs: ["title": "t"], library: local) { _, _ in } } catch { failure = error }
        #expect((failure as? LibraryInputError) == LibraryInputError("inputs", "needs 'body' (the steps use {{input.…}})"))
        #expect(try local.listDocuments().documents.isEmpty)
    }
}

/// The error `body` throws, or nil when it returns.
func thrown<T>(_ body: () throws -> T) -> (any Error)? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
