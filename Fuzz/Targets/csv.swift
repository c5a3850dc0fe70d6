// Fuzz target: any bytes as a CSV file, read the way data.import reads it (from a descriptor).
// Every input ends in records or a Problem naming a line ≥ 1; type inference takes every field.
#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var fds: [Int32] = [0, 0]
    guard size <= 60_000, pipe(&fds) == 0 else { return 0 }  // fits the pipe buffer: no reader thread
    _ = write(fds[1], data, size)
    close(fds[1])
    defer { close(fds[0]) }
    var reader = CSVReader(descriptor: fds[0])
    var inference = ColumnTypeInference()
    do {
        while let record = try reader.next() {
            precondition(record.line >= 1 && record.fields.count == record.quoted.count)
            for (field, quoted) in zip(record.fields, record.quoted) { inference.observe(field, quoted: quoted) }
        }
    } catch {
        precondition(error.line >= 1, "a problem without a line")
    }
    return 0
}
