public import ElohimProtocol
import GRDB

/// Why the daemon's storage could not be used.
public struct StorageError: DomainError, CustomStringConvertible {
    private enum Code: Sendable { case notWritable, notADirectory, full, corrupt }
    private let code: Code
    /// The file or directory concerned.
    public let path: String
    private let underlying: String

    public static func notWritable(_ path: String, _ underlying: String) -> StorageError {
        StorageError(code: .notWritable, path: path, underlying: underlying)
    }
    public static func notADirectory(_ path: String) -> StorageError {
        StorageError(code: .notADirectory, path: path, underlying: "")
    }
    public static func full(_ path: String) -> StorageError {
        StorageError(code: .full, path: path, underlying: "")
    }
    public static func corrupt(_ path: String, _ underlying: String) -> StorageError {
        StorageError(code: .corrupt, path: path, underlying: underlying)
    }

    public var reason: ApplicationErrorReason {
        code == .full ? .storageFull : .failed
    }

    public var message: String {
        switch code {
        case .notWritable:
            return "the data directory \(path) is not writable (\(underlying)); fix its ownership or permissions, or pick another with --data-dir"
        case .notADirectory:
            return "\(path) exists but is not a directory; move it away or pick another data directory with --data-dir"
        case .full:
            return "the disk holding \(path) is full; free some space and retry"
        case .corrupt:
            return "the database \(path) cannot be opened (\(underlying)); restore it from a backup or move it away"
        }
    }

    public var detail: [String: JSONValue] { ["path": .string(path)] }
    public var description: String { message }
}

extension StorageError {
    /// The storage error behind a raw database error, when it is one the user can act on: a
    /// full disk anywhere in the daemon's files is `storage_full`, whichever area hit it.
    public static func classify(_ error: any Error) -> StorageError? {
        let code: Int32
        if let error = error as? DatabaseError {
            code = error.resultCode.primaryResultCode.rawValue
        } else if let error = error as? SQLiteConnection.Failure {
            code = error.primary
        } else {
            return nil
        }
        switch code {
        case ResultCode.SQLITE_FULL.rawValue: return .full("the data directory")
        case ResultCode.SQLITE_READONLY.rawValue: return .notWritable("the data directory", "read-only")
        default: return nil
        }
    }
}
