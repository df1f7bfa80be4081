-- A photo that went through the pipeline on a 报名表 that could not be saved yet (an error elsewhere, or a 核对
-- button): kept for the account that uploaded it, so the form need not ask for the file again. Swept after a day.
CREATE TABLE photo_uploads (
    photo_key TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX photo_uploads_created ON photo_uploads (created_at);
