import ElohimCore
import ElohimProtocol
import Foundation
import Testing

/// Builds GGUF bytes by hand, so each test can break exactly one thing.
struct GGUFBuilder {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func string(_ s: String) {
        u64(UInt64(s.utf8.count))
        bytes += Array(s.utf8)
    }
    mutating func header(version: UInt32 = 3, tensors: UInt64, kvs: UInt64) {
        bytes += Array("GGUF".utf8)
        u32(version)
        u64(tensors)
        u64(kvs)
    }
    mutating func kvString(_ key: String, _ value: String) {
        string(key)
        u32(8)
        string(value)
    }
    mutating func kvU32(_ key: String, _ value: UInt32) {
        string(key)
        u32(4)
        u32(value)
    }
    mutating func tensor(_ name: String, dims: [UInt64], type: UInt32, offset: UInt64) {
        string(name)
        u32(UInt32(dims.count))
        for d in dims { u64(d) }
        u32(type)
        u64(offset)
    }
    mutating func padData(alignment: Int = 32, dataBytes: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
        bytes += [UInt8](repeating: 0, count: dataBytes)
    }
}

@Suite struct GGUFReaderTests {
    func read(_ builder: GGUFBuilder, _ configuration: GGUFReader.Configuration = .init()) throws(GGUFError) -> GGUFFile {
        try GGUFReader(configuration: configuration).read(GGUFBytes(builder.bytes))
    }

    func failure(_ builder: GGUFBuilder, _ configuration: GGUFReader.Configuration = .init()) -> GGUFError? {
        do {
            _ = try read(builder, configuration)
            return nil
        } catch {
            return error
        }
    }

    /// A valid file: every scalar type, a nested array, a string array, two tensors.
    func validFile() -> GGUFBuilder {
        var b = GGUFBuilder()
        b.header(tensors: 2, kvs: 6)
        b.kvString("general.architecture", "llama")
        b.kvU32("llama.block_count", 2)
        b.string("scalars")
        b.u32(9); b.u32(12); b.u64(1); b.u64(0x4009_21FB_5444_2D18)  // [f64 pi]
        b.string("nested")
        b.u32(9); b.u32(9); b.u64(2)  // array of 2 arrays
        b.u32(5); b.u64(2); b.u32(UInt32(bitPattern: -1)); b.u32(7)  // [i32 -1, 7]
        b.u32(7); b.u64(1); b.u8(1)  // [true]
        b.string("tokens")
        b.u32(9); b.u32(8); b.u64(3); b.string("<unk>"); b.string("<s>"); b.string("</s>")
        b.string("flag")
        b.u32(7); b.u8(0)
        b.tensor("a", dims: [64, 2], type: 1, offset: 0)  // F16: 256 bytes
        b.tensor("b", dims: [64], type: 8, offset: 256)  // Q8_0: 2 blocks = 68 bytes
        b.padData(dataBytes: 256 + 68)
        return b
    }

    @Test func readsEveryValueTypeNestedArraysAndTensorInfos() throws {
        let file = try read(validFile())
        #expect(file.version == 3)
        #expect(file["general.architecture"] == .string("llama"))
        #expect(file["llama.block_count"]?.integer == 2)
        #expect(file["scalars"]?.array?.elements == [.float64(Double.pi)])
        let nested = try #require(file["nested"]?.array)
        #expect(nested.count == 2)
        #expect(nested.elements[0].array?.elements == [.int32(-1), .int32(7)])
        #expect(nested.elements[1].array?.elements == [.bool(true)])
        #expect(file["tokens"]?.array?.elements.compactMap(\.string) == ["<unk>", "<s>", "</s>"])
        #expect(file["flag"] == .bool(false))
        #expect(file.tensors.map(\.name) == ["a", "b"])
        #expect(file.tensors[0].byteCount == 256)
        #expect(file.tensors[1].type.name == "Q8_0")
        #expect(file.tensors[1].byteCount == 68)
        #expect(file.tensorBytes == 324)
        #expect(file.parameterCount == 192)
        #expect(file.dataOffset % 32 == 0)
    }

    @Test func longArraysKeepTheirCountButNotTheirElements() throws {
        var configuration = GGUFReader.Configuration()
        configuration.keptArrayElements = 2
        let file = try read(validFile(), configuration)
        let tokens = try #require(file["tokens"]?.array)
        #expect(tokens.count == 3)
        #expect(tokens.elements.isEmpty)
        #expect(file["flag"] == .bool(false))  // parsing continued at the right place
    }

    @Test func wrongMagicIsRefused() {
        var b = validFile()
        b.bytes[0] = UInt8(ascii: "X")
        let error = failure(b)
        #expect(error?.kind == .badMagic)
        #expect(error?.offset == 0)
        #expect(error?.message.contains("does not start with GGUF") == true)
    }

    @Test func versionOneAndBigEndianAreNamed() {
        var v1 = GGUFBuilder()
        v1.header(version: 1, tensors: 0, kvs: 0)
        #expect(failure(v1)?.message.contains("version 1") == true)
        var big = GGUFBuilder()
        big.header(version: UInt32(3).byteSwapped, tensors: 0, kvs: 0)
        #expect(failure(big)?.message.contains("big-endian") == true)
    }

    @Test func everyTruncationIsACleanError() {
        let full = validFile().bytes
        // Every prefix of the file fails with truncated (or, for the first 4 bytes, bad magic).
        for length in 0..<full.count {
            let error = failure(GGUFBuilder(bytes: Array(full[0..<length])))
            #expect(error?.kind == (length < 4 ? .badMagic : .truncated), "prefix \(length): \(String(describing: error))")
        }
    }

    @Test func hugeTensorAndMetadataCountsAreRefusedBeforeAllocating() {
        var tensors = GGUFBuilder()
        tensors.header(tensors: UInt64.max, kvs: 0)
        #expect(failure(tensors)?.kind == .limitExceeded)
        var kvs = GGUFBuilder()
        kvs.header(tensors: 0, kvs: 60_000)  // under the cap, but the file has no room for them
        let error = failure(kvs)
        #expect(error?.kind == .truncated)
        #expect(error?.offset == 16)
    }

    @Test func absurdStringAndArrayLengthsAreRefused() {
        var key = GGUFBuilder()
        key.header(tensors: 0, kvs: 1)
        key.u64(UInt64.max)  // key length
        key.bytes += [UInt8](repeating: 0, count: 64)
        let keyError = failure(key)
        #expect(keyError?.kind == .limitExceeded)
        #expect(keyError?.offset == 24)

        var value = GGUFBuilder()
        value.header(tensors: 0, kvs: 1)
        value.string("k")
        value.u32(8)
        value.u64(1 << 40)
        #expect(failure(value)?.kind == .limitExceeded)

        var array = GGUFBuilder()
        array.header(tensors: 0, kvs: 1)
        array.string("k")
        array.u32(9); array.u32(8); array.u64(UInt64.max / 2)
        #expect(failure(array)?.kind == .limitExceeded)

        var deep = GGUFBuilder()
        deep.header(tensors: 0, kvs: 1)
        deep.string("k")
        deep.u32(9)
        for _ in 0..<10 { deep.u32(9); deep.u64(1) }
        deep.bytes += [UInt8](repeating: 0, count: 64)
        #expect(failure(deep)?.message.contains("nested deeper") == true)
    }

    @Test func totalMetadataBytesAreCapped() {
        var configuration = GGUFReader.Configuration()
        configuration.maxMetadataBytes = 64
        #expect(failure(validFile(), configuration)?.kind == .limitExceeded)
    }

    @Test func badValuesAndTensorsAreNamed() {
        var boolean = GGUFBuilder()
        boolean.header(tensors: 0, kvs: 1)
        boolean.string("flag"); boolean.u32(7); boolean.u8(2)
        #expect(failure(boolean)?.message.contains("flag: a boolean is 2") == true)

        var type = GGUFBuilder()
        type.header(tensors: 0, kvs: 1)
        type.string("k"); type.u32(99)
        #expect(failure(type)?.message.contains("unknown value type 99") == true)

        var duplicate = GGUFBuilder()
        duplicate.header(tensors: 0, kvs: 2)
        duplicate.kvU32("k", 1); duplicate.kvU32("k", 2)
        #expect(failure(duplicate)?.message.contains("appears twice") == true)

        var dims = GGUFBuilder()
        dims.header(tensors: 1, kvs: 0)
        dims.tensor("t", dims: [1, 1, 1, 1, 1], type: 0, offset: 0)
        #expect(failure(dims)?.message.contains("5 dimensions") == true)

        var blocks = GGUFBuilder()
        blocks.header(tensors: 1, kvs: 0)
        blocks.tensor("t", dims: [33], type: 8, offset: 0)
        #expect(failure(blocks)?.kind == .invalidTensor)

        var unknown = GGUFBuilder()
        unknown.header(tensors: 1, kvs: 0)
        unknown.tensor("t", dims: [4], type: 200, offset: 0)
        #expect(failure(unknown)?.message.contains("unknown type 200") == true)

        var overflow = GGUFBuilder()
        overflow.header(tensors: 1, kvs: 0)
        overflow.tensor("t", dims: [1 << 40, 1 << 40], type: 0, offset: 0)
        #expect(failure(overflow)?.message.contains("impossible dimension") == true)

        var alignment = GGUFBuilder()
        alignment.header(tensors: 0, kvs: 1)
        alignment.kvU32("general.alignment", 48)
        #expect(failure(alignment)?.message.contains("power of two") == true)
    }

    @Test func tensorDataPastTheEndIsATruncatedFile() {
        var b = GGUFBuilder()
        b.header(tensors: 1, kvs: 0)
        b.tensor("t", dims: [1024], type: 0, offset: 0)
        b.padData(dataBytes: 100)
        let error = failure(b)
        #expect(error?.kind == .truncated)
        #expect(error?.message.contains("incomplete") == true)
    }

    @Test func readsFromAFileAndNamesThePathInErrors() throws {
        let path = NSTemporaryDirectory() + "gguf-\(UUID().uuidString.prefix(8)).gguf"
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(validFile().bytes))
        let file = try GGUFReader().read(path: path)
        #expect(file.tensors.count == 2)
        let info = ModelInfo(file: file, path: path)
        #expect(info.architecture == "llama")
        #expect(info.blockCount == 2)

        _ = FileManager.default.createFile(atPath: path, contents: Data("not a model".utf8))
        #expect(throws: GGUFError.self) { try GGUFReader().read(path: path) }
        do {
            _ = try GGUFReader().read(path: path)
        } catch {
            #expect(error.message.contains(path))
            #expect(error.reason == .invalidModel)
        }
        #expect(throws: GGUFError.self) { try GGUFReader().read(path: "/dev/zero") }
        #expect(throws: GGUFError.self) { try GGUFReader().read(path: path + ".missing") }
    }
}
