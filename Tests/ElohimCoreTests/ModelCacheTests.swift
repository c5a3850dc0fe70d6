import ElohimCore
import Foundation
import Testing

@Suite struct ModelCacheTests {
    /// A minimal llama GGUF: 2 layers, 4 heads, 2 KV heads, 64 wide, one F16 tensor.
    static func tinyModel() -> [UInt8] {
        var b = GGUFBuilder()
        b.header(tensors: 1, kvs: 6)
        b.kvString("general.architecture", "llama")
        b.kvU32("llama.block_count", 2)
        b.kvU32("llama.attention.head_count", 4)
        b.kvU32("llama.attention.head_count_kv", 2)
        b.kvU32("llama.embedding_length", 64)
        b.kvU32("llama.context_length", 2048)
        b.tensor("token_embd.weight", dims: [64, 100], type: 1, offset: 0)
        b.padData(dataBytes: 64 * 100 * 2)
        return b.bytes
    }

    @Test func estimateCountsKVCacheFromHeadsAndContext() throws {
        let info = ModelInfo(file: try GGUFReader().read(GGUFBytes(Self.tinyModel())), path: "/m/tiny.gguf")
        #expect(info.headCountKV == [2, 2])
        #expect(info.keyLength == 16)
        let estimate = MemoryEstimator().estimate(info, context: 1000)
        #expect(estimate.context == 1024)  // rounded up to 256 cells like llama.cpp
        #expect(estimate.kvCacheBytes == 1024 * 2 * 2 * (16 + 16) * 2)
        #expect(estimate.weightsBytes == 12_800)
        #expect(estimate.totalBytes == estimate.weightsBytes + estimate.kvCacheBytes + estimate.computeBytes + estimate.runtimeBytes)
        #expect(MemoryEstimator().estimate(info).context == 2048)
    }

    @Test func fitRuleIsHalfOfAvailable() throws {
        let info = ModelInfo(file: try GGUFReader().read(GGUFBytes(Self.tinyModel())), path: "/m/tiny.gguf")
        let estimate = MemoryEstimator().estimate(info, context: 2048)
        func memory(available: UInt64) -> SystemMemory {
            SystemMemory(
                totalBytes: 1 << 40, availableBytes: available, totalSource: "meminfo", availableSource: "meminfo",
                hostTotalBytes: 1 << 40, hostAvailableBytes: available, cgroupLimitBytes: nil, cgroupPath: nil)
        }
        #expect(FitCheck().check(info, estimate: estimate, memory: memory(available: estimate.totalBytes * 2)).fits)
        let tight = FitCheck().check(info, estimate: estimate, memory: memory(available: estimate.totalBytes * 2 - 1))
        #expect(!tight.fits)
        #expect(tight.warning?.hasPrefix("This model (") == true)
        #expect(tight.warning?.hasSuffix("Loading may cause system slowdown.") == true)
    }

    @Test func cacheIsKeyedBySizeAndMtimeAndPrunesStaleEntries() throws {
        let directory = try AppDatabaseTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = try AppDatabase.open(path: directory + "/elohim.db")
        let cache = ModelCache(database: database.writer)
        let models = directory + "/models"
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
        let path = models + "/tiny.gguf"
        _ = FileManager.default.createFile(atPath: path, contents: Data(Self.tinyModel()))
        let inventory = ModelInventory(configuration: .init(directories: [models]), cache: cache)
        #expect(inventory.list().map(\.name) == ["tiny"])
        #expect(try cache.count() == 1)
        #expect(try inventory.resolve("tiny").blockCount == 2)
        #expect(try cache.pruneStale() == 0)
        // Changed file: the entry is stale; a removed file too.
        _ = FileManager.default.createFile(atPath: path, contents: Data(Self.tinyModel() + [0, 0]))
        #expect(try cache.pruneStale() == 1)
        _ = inventory.list()
        try FileManager.default.removeItem(atPath: path)
        #expect(try cache.pruneStale() == 1)
        #expect(try cache.count() == 0)
        #expect(throws: ModelError.self) { try inventory.resolve("tiny") }
    }
}
