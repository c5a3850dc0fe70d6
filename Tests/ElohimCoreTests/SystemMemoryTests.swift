import ElohimCore
import Foundation
import Testing

@Suite struct SystemMemoryTests {
    static func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/memory/\(name)").path
    }

    @Test func bareMeminfoGivesTheHostFigures() throws {
        let memory = try SystemMemoryReader(root: Self.fixture("bare")).read()
        #expect(memory.totalBytes == 8_000_000 * 1024)
        #expect(memory.availableBytes == 6_000_000 * 1024)
        #expect(memory.totalSource == "meminfo")
        #expect(memory.cgroupLimitBytes == nil)
    }

    @Test func capturedV1HierarchyWithoutALimitKeepsTheHostFigures() throws {
        let memory = try SystemMemoryReader(root: Self.fixture("v1-hybrid-captured")).read()
        #expect(memory.totalBytes == 24_684_084 * 1024)
        #expect(memory.availableBytes == 23_384_052 * 1024)
        #expect(memory.cgroupPath == "/process_api/ccd22c735745ec9fdaea0a62f502cd75")
        #expect(memory.cgroupLimitBytes == nil)
    }

    @Test func aV2ContainerLimitWinsAndPageCacheCountsAsFree() throws {
        let memory = try SystemMemoryReader(root: Self.fixture("v2-container")).read()
        #expect(memory.totalBytes == 8 << 30)
        #expect(memory.totalSource == "cgroup")
        // 8 GiB limit − (3 GiB current − 1 GiB inactive file cache) = 6 GiB.
        #expect(memory.availableBytes == 6 << 30)
        #expect(memory.availableSource == "cgroup")
        #expect(memory.hostTotalBytes == 24_684_084 * 1024)
    }

    @Test func anAncestorSliceLimitAppliesToTheService() throws {
        let memory = try SystemMemoryReader(root: Self.fixture("v2-nested-slice")).read()
        #expect(memory.cgroupPath?.hasSuffix("/elohimd.service") == true)
        #expect(memory.totalBytes == 4 << 30)
        // user-1000.slice: 4 GiB − (3 GiB − 0.5 GiB inactive) = 1.5 GiB.
        #expect(memory.availableBytes == 3 << 29)
    }

    @Test func aMissingProcIsAClearError() {
        #expect(throws: SystemMemoryError.self) { try SystemMemoryReader(root: "/nonexistent-root").read() }
    }

    @Test func theLiveSystemReadsSensibly() throws {
        let memory = try SystemMemoryReader().read()
        #expect(memory.totalBytes > 0)
        #expect(memory.availableBytes <= memory.totalBytes)
    }
}
