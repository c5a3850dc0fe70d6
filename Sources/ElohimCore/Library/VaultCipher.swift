import Crypto
import ElohimProtocol
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Seals vault values with AES-256-GCM under a key kept in its own file (0600, beside the
/// databases, never inside them): the database alone reveals no vault content.
///
/// Each value is bound to its owner and name as associated data, so a sealed value copied
/// onto another row (another user's, another name) fails to open rather than leaking.
public struct VaultCipher: Sendable {
    // Raw bytes: `SymmetricKey` is not `Sendable`; making one per call costs a copy of 32 bytes.
    private let keyBytes: [UInt8]

    /// A cipher with a given 32-byte key (tests).
    public init(keyBytes: [UInt8]) {
        precondition(keyBytes.count == 32, "AES-256 needs a 32-byte key")
        self.keyBytes = keyBytes
    }

    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// Loads the key from `path`, creating a fresh random one (mode 0600, exclusively, never
    /// through a symlink) when the file does not exist.
    /// - Throws: `LibraryError` when the file is not ours, is readable by others, or is damaged.
    public static func loadOrCreate(path: String) throws -> VaultCipher {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if descriptor < 0 && errno == ENOENT {
            return VaultCipher(keyBytes: try create(path: path))
        }
        guard descriptor >= 0 else {
            throw LibraryError(.failed, "cannot open the vault key \(path): \(String(cString: strerror(errno)))", detail: ["path": .string(path)])
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw LibraryError(.failed, "the vault key \(path) is not a regular file; move it away", detail: ["path": .string(path)])
        }
        guard info.st_uid == geteuid(), info.st_mode & 0o077 == 0 else {
            throw LibraryError(
                .failed,
                "the vault key \(path) must belong to uid \(geteuid()) with mode 0600 (it is \(String(info.st_mode & 0o777, radix: 8))); fix it with chmod 600",
                detail: ["path": .string(path)])
        }
        var bytes = [UInt8](repeating: 0, count: 64)
        let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count == 32 else {
            throw LibraryError(
                .failed, "the vault key \(path) is damaged (\(count) bytes, expected 32); restore it from a backup",
                detail: ["path": .string(path)])
        }
        return VaultCipher(keyBytes: Array(bytes[0..<32]))
    }

    private static func create(path: String) throws -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LibraryError(.failed, "cannot create the vault key \(path): \(String(cString: strerror(errno)))", detail: ["path": .string(path)])
        }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == 32, fsync(descriptor) == 0 else {
            unlink(path)
            throw LibraryError(.failed, "cannot write the vault key \(path): \(String(cString: strerror(errno)))", detail: ["path": .string(path)])
        }
        return bytes
    }

    /// Nonce, ciphertext and tag in one blob.
    func seal(_ value: String, owner: UInt32, name: String) throws -> Data {
        let box = try AES.GCM.seal(Data(value.utf8), using: key, authenticating: Self.associatedData(owner, name))
        guard let combined = box.combined else { throw LibraryError(.failed, "AES-GCM produced no output") }
        return combined
    }

    func unseal(_ sealed: Data, owner: UInt32, name: String) throws -> String {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            let plain = try AES.GCM.open(box, using: key, authenticating: Self.associatedData(owner, name))
            guard let text = String(data: plain, encoding: .utf8) else { throw LibraryError(.failed, "not UTF-8") }
            return text
        } catch {
            throw LibraryError(
                .failed,
                "the vault item '\(name)' cannot be decrypted with this vault key (was vault.key replaced?); restore the key or delete the item",
                detail: ["name": .string(name)])
        }
    }

    private static func associatedData(_ owner: UInt32, _ name: String) -> Data {
        Data("elohim-vault-v1\u{0}\(owner)\u{0}\(name)".utf8)
    }
}
