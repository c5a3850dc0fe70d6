import Foundation
import Testing

@testable import ElohimCore

/// Every input the `csv` fuzz target keeps (Fuzz/corpus/csv) and every input it once failed on
/// (Fuzz/regressions/csv), through the same checks as the target, without the sanitizer build:
/// a fixed crasher stays fixed in the ordinary test run. (The `gguf` target's seeds are
/// generated model files; `test_models.py` replays them through the daemon's model inventory.)
@Suite struct FuzzCorpusTests {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func inputs(_ target: String) -> [String] {
        ["corpus/\(target)", "regressions/\(target)"].flatMap { directory in
            ((try? FileManager.default.contentsOfDirectory(atPath: fuzz.appendingPathComponent(directory).path)) ?? [])
                .map { directory + "/" + $0 }
        }.sorted()
    }

    @Test func theCorpusIsThere() {
        #expect(Self.inputs("csv").count >= 3)
    }

    /// Records or a Problem naming a line ≥ 1; type inference takes every field.
    @Test(arguments: inputs("csv"))
    func csvInputsEndInRecordsOrAProblemWithALine(_ name: String) throws {
        let descriptor = open(Self.fuzz.appendingPathComponent(name).path, O_RDONLY)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        var reader = CSVReader(descriptor: descriptor)
        var inference = ColumnTypeInference()
        do {
            while let record = try reader.next() {
                #expect(record.line >= 1 && record.fields.count == record.quoted.count)
                for (field, quoted) in zip(record.fields, record.quoted) { inference.observe(field, quoted: quoted) }
            }
        } catch {
            #expect(error.line >= 1)
        }
    }
}
