import Foundation
import Testing

@testable import ElohimCore

/// Every input the `gguf` and `csv` fuzz targets keep (Fuzz/corpus/TARGET) and every input they
/// once failed on (Fuzz/regressions/TARGET), through the same checks as the targets, without the
/// sanitizer build: a fixed crasher stays fixed in the ordinary test run.
@Suite struct FuzzCorpusTests {
    static let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func inputs(_ target: String) -> [String] {
        ["corpus/\(target)", "regressions/\(target)"].flatMap { directory in
            ((try? FileManager.default.contentsOfDirectory(atPath: fuzz.appendingPathComponent(directory).path)) ?? [])
                .map { directory + "/" + $0 }
        }.sorted()
    }

    @Test func theCorporaAreThere() {
        #expect(Self.inputs("gguf").count >= 3)
        #expect(Self.inputs("csv").count >= 3)
    }

    /// A GGUFFile or a GGUFError, never a trap; the seeds written by the `gguf` package parse
    /// (the header-only cut of a real model stops at its tensor data: `truncated`).
    @Test(arguments: inputs("gguf"))
    func ggufInputsEndInAFileOrAnError(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: Self.fuzz.appendingPathComponent(name)))
        do {
            let file = try GGUFReader().read(GGUFBytes(bytes))
            _ = String(describing: file)
            #expect(!name.contains("header"), "\(name) was cut before its tensor data yet parsed")
        } catch {
            #expect(!error.message.isEmpty)
            #expect(!name.hasPrefix("corpus/") || name.contains("header"), "\(name): \(error.message)")
        }
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
