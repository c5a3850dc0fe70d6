import ElohimProtocol
import CCrypt

#if canImport(Glibc)
import Glibc
#endif

/// The founder password, hashed with yescrypt through libxcrypt (the system's maintained,
/// memory-hard KDF; the same one `/etc/shadow` uses on Debian). Never hand-rolled.
public enum FounderPassword {
    /// The shortest password accepted.
    public static let minimumLength = 8
    /// The longest: hashing cost should not be a way to stall the daemon.
    public static let maximumBytes = 1024

    /// Checks a new password against the policy; returns the problem, or nil when fine.
    public static func problem(with password: String) -> String? {
        if password.count < minimumLength { return "the founder password must have at least \(minimumLength) characters" }
        if password.utf8.count > maximumBytes { return "the founder password must be at most \(maximumBytes) bytes" }
        if password.utf8.contains(0) { return "the founder password must not contain NUL characters" }
        return nil
    }

    /// A yescrypt hash (`$y$…`) of `password` with a fresh random salt.
    public static func hash(_ password: String) throws(AccountsError) -> String {
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        // count 0 = libxcrypt's default cost for yescrypt; nil rbytes = salt from the OS.
        let generated = crypt_gensalt_rn("$y$", 0, nil, 0, &setting, Int32(setting.count))
        guard generated != nil else {
            throw AccountsError(.failed, "could not generate a password salt (libxcrypt: \(String(cString: strerror(errno))))")
        }
        let salt = String(decoding: setting.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let hashed = run(password, setting: salt) else {
            throw AccountsError(.failed, "could not hash the password (libxcrypt: \(String(cString: strerror(errno))))")
        }
        return hashed
    }

    /// True when `password` matches `hash`. The comparison takes the same time wherever the
    /// first difference is.
    public static func verify(_ password: String, hash: String) -> Bool {
        guard password.utf8.count <= maximumBytes, let candidate = run(password, setting: hash) else { return false }
        let left = Array(candidate.utf8)
        let right = Array(hash.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    private static func run(_ password: String, setting: String) -> String? {
        let size = MemoryLayout<crypt_data>.size
        let data = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer {
            // The scratch area held the password: wipe it before giving it back.
            data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            data.deallocate()
        }
        data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        guard let output = crypt_rn(password, setting, data, Int32(size)) else { return nil }
        let result = String(cString: output)
        // libxcrypt signals failure with a string starting with '*'.
        return result.hasPrefix("*") ? nil : result
    }
}
