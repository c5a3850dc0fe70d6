#if canImport(Glibc)
import Glibc
#endif

/// A value read by every request and changed rarely (accounts, founder rights, settings), behind
/// a reader-writer lock.
///
/// `Mutex` on Linux is a priority-inheriting futex: when it is contended, every waiter goes into
/// the kernel. With a thread per connection, 32 clients calling `daemon.status` contended on the
/// account cache's `Mutex` hard enough to lose three quarters of the throughput; readers of a
/// `pthread_rwlock_t` share it without a system call.
public final class ReadMostly<Value: Sendable>: @unchecked Sendable {
    // `lock` guards `value`.
    private var value: Value
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    public init(_ value: Value) {
        self.value = value
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        pthread_rwlock_init(lock, nil)
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    public func read<Result>(_ body: (Value) throws -> Result) rethrows -> Result {
        pthread_rwlock_rdlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body(value)
    }

    public func write<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body(&value)
    }

    /// A copy of the value.
    public var current: Value { read { $0 } }
}

/// A mutex for a tiny critical section that many threads enter at once (the audit queue's
/// append): glibc's adaptive mutex spins briefly before it sleeps, where `Mutex` (a
/// priority-inheriting futex on Linux) enters the kernel on every contended lock. With 32
/// connections recording audit events, `Mutex` there cost 30 µs of system time per request.
public final class AdaptiveMutex<Value: Sendable>: @unchecked Sendable {
    // `lock` guards `value`.
    private var value: Value
    private let lock: UnsafeMutablePointer<pthread_mutex_t>

    public init(_ value: Value) {
        self.value = value
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_mutex_t())
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, 3)  // PTHREAD_MUTEX_ADAPTIVE_NP (a _GNU_SOURCE name)
        pthread_mutex_init(lock, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return try body(&value)
    }
}
