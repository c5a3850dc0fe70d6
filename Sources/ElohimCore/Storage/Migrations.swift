public import GRDB

/// Every schema change, in order. Shipped migrations are frozen: add a new one, never edit.
public enum Migrations {
    /// The main database's migrator.
    public static var main: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_daemon_meta") { db in
            try db.execute(
                sql: """
                    CREATE TABLE daemon_meta (
                        key TEXT PRIMARY KEY NOT NULL,
                        value TEXT NOT NULL,
                        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                    ) STRICT;
                    """
            )
        }
        return migrator
    }
}
