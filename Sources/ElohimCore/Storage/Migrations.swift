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
        migrator.registerMigration("v2_accounts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE accounts (
                        uid INTEGER PRIMARY KEY NOT NULL,
                        role TEXT NOT NULL CHECK (role IN ('super_admin', 'admin', 'member', 'guest')),
                        created_at TEXT NOT NULL,
                        created_by INTEGER
                    ) STRICT;
                    CREATE TABLE account_permissions (
                        uid INTEGER NOT NULL REFERENCES accounts(uid) ON DELETE CASCADE,
                        permission TEXT NOT NULL,
                        effect TEXT NOT NULL CHECK (effect IN ('grant', 'revoke')),
                        PRIMARY KEY (uid, permission)
                    ) STRICT;
                    CREATE TABLE founder (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        uid INTEGER NOT NULL,
                        password_hash TEXT NOT NULL,
                        created_at TEXT NOT NULL
                    ) STRICT;
                    -- Failed founder verifications per uid; wall-clock seconds so throttling survives restarts.
                    CREATE TABLE founder_attempts (
                        uid INTEGER PRIMARY KEY NOT NULL,
                        failures INTEGER NOT NULL,
                        last_failure_at REAL NOT NULL
                    ) STRICT;
                    CREATE TABLE setup (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        completed_at TEXT NOT NULL,
                        completed_by INTEGER NOT NULL,
                        default_model TEXT
                    ) STRICT;
                    """
            )
        }
        migrator.registerMigration("v3_models") { db in
            try db.execute(
                sql: """
                    -- Parsed GGUF facts, valid while the file keeps its size and mtime.
                    CREATE TABLE model_cache (
                        path TEXT PRIMARY KEY NOT NULL,
                        size INTEGER NOT NULL,
                        mtime REAL NOT NULL,
                        info TEXT NOT NULL,
                        scanned_at TEXT NOT NULL
                    ) STRICT;
                    CREATE TABLE hot_slots (
                        slot INTEGER PRIMARY KEY NOT NULL CHECK (slot >= 1),
                        model TEXT NOT NULL,
                        path TEXT NOT NULL,
                        context INTEGER NOT NULL,
                        estimate_bytes INTEGER NOT NULL,
                        assigned_at TEXT NOT NULL,
                        assigned_by INTEGER
                    ) STRICT;
                    """
            )
        }
        migrator.registerMigration("v4_library") { db in
            try db.execute(sql: LibrarySchema.v4)
        }
        migrator.registerMigration("v5_chat_sessions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE chat_sessions (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_id INTEGER NOT NULL,
                        team_id TEXT,
                        title TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        last_activity TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX chat_sessions_local_by_user ON chat_sessions (user_id, last_activity DESC) WHERE team_id IS NULL;
                    -- tokens: the content's own token count (for trimming history without re-tokenizing).
                    -- context_limit, dropped_turns: the model's n_ctx and the turns left out, for replies.
                    CREATE TABLE chat_messages (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        session_id INTEGER NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
                        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
                        content TEXT NOT NULL,
                        model TEXT,
                        prompt_tokens INTEGER,
                        completion_tokens INTEGER,
                        tokens INTEGER,
                        context_limit INTEGER,
                        dropped_turns INTEGER NOT NULL DEFAULT 0,
                        created_at TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX chat_messages_by_session ON chat_messages (session_id, id);
                    """
            )
        }
        migrator.registerMigration("v6_chat_active_model") { db in
            try db.execute(sql: "ALTER TABLE chat_sessions ADD COLUMN active_model TEXT")
        }
        migrator.registerMigration("v7_cleanup") { db in
            try db.execute(
                sql: """
                    -- Completed cleanup runs (dry runs are not stored); the newest is the schedule's "last run".
                    CREATE TABLE cleanup_runs (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'catch_up', 'manual')),
                        started_at TEXT NOT NULL,
                        finished_at TEXT NOT NULL,
                        duration_ms REAL NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('ok', 'partial')),
                        stats TEXT NOT NULL
                    ) STRICT;
                    """
            )
        }
        migrator.registerMigration("v8_chat_archive") { db in
            try db.execute(
                sql: """
                    -- Sessions idle past chat_archive_after_days, moved here by the cleanup's chat_archive
                    -- task with their messages (same columns and ids as chat_sessions / chat_messages).
                    CREATE TABLE archived_sessions (
                        id INTEGER PRIMARY KEY,
                        user_id INTEGER NOT NULL,
                        team_id TEXT,
                        title TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        last_activity TEXT NOT NULL,
                        active_model TEXT,
                        archived_at TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX archived_sessions_by_user ON archived_sessions (user_id, last_activity DESC);
                    CREATE TABLE archived_messages (
                        id INTEGER PRIMARY KEY,
                        session_id INTEGER NOT NULL REFERENCES archived_sessions(id) ON DELETE CASCADE,
                        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
                        content TEXT NOT NULL,
                        model TEXT,
                        prompt_tokens INTEGER,
                        completion_tokens INTEGER,
                        tokens INTEGER,
                        context_limit INTEGER,
                        dropped_turns INTEGER NOT NULL DEFAULT 0,
                        created_at TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX archived_messages_by_session ON archived_messages (session_id, id);
                    -- The nightly scan for idle sessions, in (last_activity, id) order.
                    CREATE INDEX chat_sessions_by_last_activity ON chat_sessions (last_activity);
                    """
            )
        }
        return migrator
    }
}
