-- Stored files in the database, for PostgreSQL deployments of more than one server process (the local folder stays
-- the SQLite default): a blob is its row in blobs, written last, and its content in chunks of 256 KiB, so that no
-- statement moves a whole file and a reader holds one chunk at a time.
CREATE TABLE blobs (
	key        TEXT PRIMARY KEY,
	size       BIGINT NOT NULL,
	created_at {{.Time}} NOT NULL
);
CREATE TABLE blob_chunks (
	key  TEXT NOT NULL,
	seq  INTEGER NOT NULL,
	data {{if .Postgres}}BYTEA{{else}}BLOB{{end}} NOT NULL,
	PRIMARY KEY (key, seq)
);
