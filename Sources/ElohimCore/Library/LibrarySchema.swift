/// The library's tables. `v4` is the frozen `v4_library` migration of the main database;
/// `embeddings` is the schema of `embeddings.db`, a separate file.
enum LibrarySchema {
    /// Documents, their tags and full-text index, workflows and vault items. `team_id` NULL
    /// means local; the partial `*_local` indexes serve every local query (see `LocalScope`).
    /// Ids are AUTOINCREMENT so a deleted document's id is never reused: an embedding left
    /// behind in `embeddings.db` can never attach itself to a newer document.
    static let v4 = """
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL,
            team_id TEXT,
            title TEXT NOT NULL,
            content TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX idx_documents_local ON documents(user_id) WHERE team_id IS NULL;
        CREATE INDEX idx_documents_team ON documents(team_id) WHERE team_id IS NOT NULL;

        CREATE TABLE document_tags (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (document_id, tag)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX idx_document_tags_tag ON document_tags(tag, document_id);

        CREATE VIRTUAL TABLE documents_fts USING fts5(
            title, content, content = 'documents', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts(rowid, title, content) VALUES (new.id, new.title, new.content);
        END;
        CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, content) VALUES ('delete', old.id, old.title, old.content);
        END;
        CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, content ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, content) VALUES ('delete', old.id, old.title, old.content);
            INSERT INTO documents_fts(rowid, title, content) VALUES (new.id, new.title, new.content);
        END;

        CREATE TABLE workflows (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL,
            team_id TEXT,
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            steps TEXT NOT NULL,
            step_count INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            last_run_at TEXT,
            last_run_status TEXT
        ) STRICT;
        CREATE INDEX idx_workflows_local ON workflows(user_id) WHERE team_id IS NULL;
        CREATE UNIQUE INDEX idx_workflows_local_name ON workflows(user_id, name) WHERE team_id IS NULL;

        CREATE TABLE vault_items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_id INTEGER NOT NULL,
            team_id TEXT,
            name TEXT NOT NULL,
            sealed BLOB NOT NULL,
            size_bytes INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX idx_vault_items_local ON vault_items(user_id) WHERE team_id IS NULL;
        CREATE UNIQUE INDEX idx_vault_items_local_name ON vault_items(user_id, name) WHERE team_id IS NULL;
        """

    /// `embeddings.db`: chunks' vectors per document. No foreign key can cross files, so a
    /// deleted document leaves its rows here until `LibraryStore.deleteOrphanEmbeddings()`.
    static let embeddings = """
        CREATE TABLE document_embeddings (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL,
            chunk INTEGER NOT NULL,
            model TEXT NOT NULL,
            dimensions INTEGER NOT NULL,
            vector BLOB NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (document_id, model, chunk)
        ) STRICT;
        """
}
