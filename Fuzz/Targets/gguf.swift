// Fuzz target: any bytes as a GGUF file. The reader must answer with a GGUFFile or a
// GGUFError, within its caps: no crash, no trap, no allocation the input's size does not bound.
import ElohimProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGGUF(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let file = try GGUFReader().read(GGUFBytes(bytes))
        // Whatever parsed must be self-consistent enough to describe.
        _ = String(describing: file)
    } catch {
        _ = error.message
    }
    return 0
}
