-- 批号: one number for every record handled in one batch action (LIFECYCLE §2: 4-letter kind + 8-digit serial).
-- The serial is this table's id, global across kinds; the row says who took it and when.
CREATE TABLE batch_numbers (
    id {{.ID}},
    kind TEXT NOT NULL CHECK (length(kind) = 4),
    account_id BIGINT REFERENCES accounts (id),
    created_at {{.Time}} NOT NULL
);
--bun:split
-- Every status change of a record made through a transition table: what moved, from and to, by whom, in which
-- batch, with what reason. Rows are only ever inserted.
CREATE TABLE status_changes (
    id {{.ID}},
    record_kind TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    batch_no TEXT NOT NULL DEFAULT '',
    account_id BIGINT REFERENCES accounts (id),
    reason TEXT NOT NULL DEFAULT '',
    changed_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX status_changes_record ON status_changes (record_kind, record_id, id);
--bun:split
CREATE INDEX status_changes_batch ON status_changes (batch_no) WHERE batch_no <> '';
