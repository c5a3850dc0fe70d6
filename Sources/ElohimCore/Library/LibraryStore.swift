import Foundation
import ElohimProtocol
public import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// Documents, vault items and workflows in the main database, plus `embeddings.db` attached
/// to every connection as `embeddings`.
///
/// Everything a user does goes through `local(_:)`, whose methods are built on `LocalScope`;
/// the store itself only offers daemon-wide maintenance (orphaned embeddings).
public struct LibraryStore: Sendable {
    /// Knobs, with their defaults.
    public struct Configuration: Sendable, Equatable {
        /// The largest document content accepted, in UTF-8 bytes. Default 1 MiB.
        public var maxDocumentBytes: Int = 1024 * 1024

        public init(maxDocumentBytes: Int = 1024 * 1024) {
            self.maxDocumentBytes = maxDocumentBytes
        }
    }

    /// The schema name `embeddings.db` is attached under.
    public static let embeddingsSchema = "embeddings"

    let database: DatabasePool
    let cipher: VaultCipher

    /// A store on `database`, which must have been opened with `attachEmbeddings(path:)`.
    public init(database: DatabasePool, cipher: VaultCipher) {
        self.database = database
        self.cipher = cipher
    }

    /// The caller's local library.
    public func local(_ userID: UInt32, configuration: Configuration = Configuration()) -> LocalLibrary {
        LocalLibrary(database: database, cipher: cipher, scope: LocalScope(userID: userID), configuration: configuration)
    }

    /// Creates `embeddings.db` at `path` (0600, WAL) with its schema if needed.
    public static func prepareEmbeddings(path: String) throws {
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(5)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.inTransaction {
                if try !db.tableExists("document_embeddings") {
                    try db.execute(sql: LibrarySchema.embeddings)
                }
                return .commit
            }
        }
        try queue.close()
        for suffix in ["", "-wal", "-shm"] { chmod(path + suffix, 0o600) }
    }

    /// The `prepare` hook for `AppDatabase.open` that attaches `embeddings.db` to each connection.
    public static func attachEmbeddings(path: String) -> @Sendable (Database) throws -> Void {
        { db in try db.execute(sql: "ATTACH DATABASE ? AS \(embeddingsSchema)", arguments: [path]) }
    }

    /// Removes embeddings whose document no longer exists (deleted documents leave theirs
    /// behind on purpose: a delete stays one cheap statement). For the cleanup job.
    /// - Returns: the number of embedding rows removed.
    public func deleteOrphanEmbeddings() throws -> Int {
        try database.write { db in
            try db.execute(
                sql: """
                    DELETE FROM \(Self.embeddingsSchema).document_embeddings
                    WHERE document_id NOT IN (SELECT id FROM main.documents)
                    """)
            return db.changesCount
        }
    }

    /// Embedding rows whose document no longer exists (what `deleteOrphanEmbeddings` would remove; for dry runs).
    public func countOrphanEmbeddings() throws -> Int {
        try database.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM \(Self.embeddingsSchema).document_embeddings
                    WHERE document_id NOT IN (SELECT id FROM main.documents)
                    """) ?? 0
        }
    }

    /// Stores one chunk's vector for a document (any context; the embedding area calls this).
    public func storeEmbedding(documentID: Int64, chunk: Int, model: String, vector: [Float]) throws {
        let blob = vector.withUnsafeBytes { Data($0) }
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO \(Self.embeddingsSchema).document_embeddings
                        (document_id, chunk, model, dimensions, vector, created_at) VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [documentID, chunk, model, vector.count, blob, Timestamp.now()])
        }
    }
}
