-- 我的下载: a large document made in the background (a DocumentTask) for the account that asked, kept in the blob
-- store until the account downloads it. The job runner (river) carries the work; this row is what the account sees.
CREATE TABLE downloads (
    id {{.ID}},
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    task TEXT NOT NULL,                  -- the DocumentTask's name
    label TEXT NOT NULL,                 -- its Chinese name when asked
    params TEXT NOT NULL DEFAULT '{}',   -- JSON object of strings
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    filename TEXT NOT NULL DEFAULT '',
    blob_key TEXT NOT NULL DEFAULT '',
    size BIGINT NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL,
    finished_at {{.Time}}
);
--bun:split
CREATE INDEX downloads_account ON downloads (account_id, id);
--bun:split
-- The unread count in every page's header: one index range per request.
CREATE INDEX messages_unread ON messages (account_id) WHERE read_at IS NULL;
