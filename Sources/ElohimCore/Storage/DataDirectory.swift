#if canImport(Glibc)
import Glibc
#endif

/// Creates and checks the directories the daemon keeps state in: 0700, owned by us, writable.
public enum DataDirectory {
    /// Creates `path` (and missing parents) with mode 0700, then proves it is writable.
    /// - Throws: `StorageError` naming the path when it is not a directory or not writable.
    public static func prepare(_ path: String) throws(StorageError) {
        var components: [Substring] = []
        for component in path.split(separator: "/") {
            components.append(component)
            let partial = "/" + components.joined(separator: "/")
            if mkdir(partial, 0o700) != 0 && errno != EEXIST {
                throw .notWritable(partial, String(cString: strerror(errno)))
            }
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .notWritable(path, String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw .notADirectory(path) }
        // access(2) says yes to root even on a read-only mount, so try creating a file for real.
        let probe = path + "/.elohimd-write-probe"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .notWritable(path, String(cString: strerror(errno))) }
        close(descriptor)
        unlink(probe)
    }
}
