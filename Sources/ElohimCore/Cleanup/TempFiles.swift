import ElohimProtocol
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's own temporary files: `/tmp/elohimos_XXXXXX` (directory and prefix
/// configurable), created with `mkstemp` — `O_EXCL`, mode 0600, a name nobody could guess
/// — so another user cannot plant a file or a symlink where the daemon writes. `TempFileReaper`
/// removes the ones left behind.
public struct TempFiles: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Where temporary files go. Default `/tmp`.
        public var directory = "/tmp"
        /// What every name starts with; the reaper only considers names with it. Default `elohimos_`.
        public var prefix = "elohimos_"
        public init() {}
    }

    public let configuration: Configuration

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// A new, empty file, open for reading and writing (close-on-exec). The caller owns the
    /// descriptor and removes the file when done; the reaper takes what a crash leaves.
    public func createFile() throws(TempFileError) -> (descriptor: Int32, path: String) {
        var template = Array((configuration.directory + "/" + configuration.prefix + "XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw TempFileError(directory: configuration.directory, errno: errno) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (descriptor, path)
    }

    /// A new, empty directory, mode 0700.
    public func createDirectory() throws(TempFileError) -> String {
        var template = Array((configuration.directory + "/" + configuration.prefix + "XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard created != nil else { throw TempFileError(directory: configuration.directory, errno: errno) }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// A temporary file could not be created.
public struct TempFileError: DomainError, CustomStringConvertible {
    public let directory: String
    public let errno: Int32

    public var reason: ApplicationErrorReason { errno == ENOSPC ? .storageFull : .failed }
    public var message: String {
        "cannot create a temporary file in \(directory): \(String(cString: strerror(errno))) — check that it exists and is writable, or set cleanup_temp_dir"
    }
    public var description: String { message }
}
