import ElohimProtocol

#if canImport(Glibc)
import Glibc
#endif

/// `struct ucred` from <sys/socket.h> (Glibc's module hides it behind _GNU_SOURCE): same layout.
struct KernelCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

extension PeerIdentity {
    /// Reads `SO_PEERCRED` from an accepted connection: the kernel's word on who connected,
    /// which no client can forge.
    static func read(from descriptor: Int32) -> PeerIdentity? {
        var credentials = KernelCredentials()
        var size = socklen_t(MemoryLayout<KernelCredentials>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0 else { return nil }
        return PeerIdentity(uid: credentials.uid, gid: credentials.gid, pid: credentials.pid)
    }

    /// The login name of `uid` from the password database, when there is one.
    static func userName(of uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else {
            return nil
        }
        return String(cString: name)
    }
}
