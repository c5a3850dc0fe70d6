import ElohimProtocol
import Foundation
public import GRDB
import Synchronization

/// Founder rights: who the founder is, password checks with throttling, and time-limited
/// elevation (like sudo's timestamp).
///
/// Failed attempts are counted per uid in the database, so restarting the daemon does not
/// reset the throttle. After the n-th consecutive failure the next attempt is refused until
/// `base × 2^(n-1)` has passed (capped); a success clears the count.
public final class FounderGate: Sendable {
    public struct Configuration: Sendable {
        /// How long a successful verification unlocks founder rights. Default 5 minutes.
        public var elevationDuration: Duration = .seconds(300)
        /// The delay after the first failure; it doubles with each further one. Default 1 s.
        public var throttleBase: Duration = .seconds(1)
        /// The longest delay. Default 15 minutes.
        public var throttleCap: Duration = .seconds(900)

        public init() {}
    }

    /// What a verification did.
    public enum Outcome: Sendable, Equatable {
        case elevated(until: Date)
        /// Wrong password: the consecutive failure count, and how long until the next try.
        case wrongPassword(failures: Int, retryAfter: Duration)
        /// Too early after a failure: nothing was checked.
        case throttled(retryAfter: Duration)
    }

    private let database: DatabasePool
    private let configuration: Configuration
    private let now: @Sendable () -> Date
    private let elevations = ReadMostly<[UInt32: Date]>([:])

    public init(database: DatabasePool, configuration: Configuration = .init(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.configuration = configuration
        self.now = now
    }

    /// The founder's uid, once setup has run.
    public func founderUID() throws -> UInt32? {
        try database.read { db in try UInt32.fetchOne(db, sql: "SELECT uid FROM founder WHERE id = 1") }
    }

    /// Checks `password` for `uid` and elevates on success.
    public func verify(uid: UInt32, password: String) throws -> Outcome {
        let row = try database.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT f.uid, f.password_hash, a.failures, a.last_failure_at
                    FROM founder f LEFT JOIN founder_attempts a ON a.uid = ?
                    WHERE f.id = 1
                    """,
                arguments: [uid])
        }
        guard let row else {
            throw AccountsError(.failed, "there is no founder yet; run `elohim setup` first")
        }
        let founder: UInt32 = row["uid"]
        guard founder == uid else {
            throw AccountsError(.forbidden, "only the founder (uid \(founder)) can unlock founder rights", detail: ["founder_uid": .int(Int64(founder))])
        }
        let failures: Int = row["failures"] ?? 0
        let current = now()
        if failures > 0, let last: Double = row["last_failure_at"] {
            let allowedAt = Date(timeIntervalSince1970: last).addingTimeInterval(delay(after: failures).inSeconds)
            if current < allowedAt {
                return .throttled(retryAfter: .milliseconds(Int64((allowedAt.timeIntervalSince(current) * 1000).rounded(.up))))
            }
        }
        let hash: String = row["password_hash"]
        if FounderPassword.verify(password, hash: hash) {
            try database.write { db in try db.execute(sql: "DELETE FROM founder_attempts WHERE uid = ?", arguments: [uid]) }
            let until = current.addingTimeInterval(configuration.elevationDuration.inSeconds)
            elevations.write { $0[uid] = until }
            return .elevated(until: until)
        }
        let count = failures + 1
        try database.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO founder_attempts (uid, failures, last_failure_at) VALUES (?, ?, ?)",
                arguments: [uid, count, current.timeIntervalSince1970])
        }
        return .wrongPassword(failures: count, retryAfter: delay(after: count))
    }

    /// When `uid`'s founder rights expire, or nil when it has none now.
    public func elevatedUntil(_ uid: UInt32) -> Date? {
        guard let until = elevations.read({ $0[uid] }) else { return nil }
        guard until <= now() else { return until }
        elevations.write { elevations in
            if let stored = elevations[uid], stored <= now() { elevations[uid] = nil }
        }
        return nil
    }

    /// Drops `uid`'s founder rights before they expire (`elohim founder drop`).
    public func drop(_ uid: UInt32) {
        _ = elevations.write { $0.removeValue(forKey: uid) }
    }

    /// The wait after `failures` consecutive failures.
    public func delay(after failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let factor = 1 << min(failures - 1, 20)
        return min(configuration.throttleBase * factor, configuration.throttleCap)
    }

}
