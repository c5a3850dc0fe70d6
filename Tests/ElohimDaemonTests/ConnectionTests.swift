@testable import ElohimDaemon
import ElohimProtocol
import ElohimWire
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ConnectionTests {
    /// A frame much larger than the socket buffer goes out in many partial `sendmsg` calls;
    /// the reader gets the length prefix and every byte of the payload, in order.
    @Test func aFrameLargerThanTheSocketBufferArrivesWhole() throws {
        var ends: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0)
        let (writeEnd, readEnd) = (ends[0], ends[1])
        defer { close(readEnd) }
        let payload = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let connection = Connection(descriptor: writeEnd, id: 1, peer: PeerIdentity(uid: 0, gid: 0, pid: 0))
        let writer = Thread {
            _ = connection.write(payload)
            _ = connection.write(Array("{}".utf8))
            close(writeEnd)
        }
        writer.start()
        var decoder = FrameDecoder(maximumPayload: 4 << 20)
        var frames: [[UInt8]] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            chunk.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            while let frame = try decoder.next() { frames.append(frame) }
        }
        #expect(frames.count == 2)
        #expect(frames.first == payload)
        #expect(frames.last == Array("{}".utf8))
    }
}
