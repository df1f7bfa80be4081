-- The 操作日志 becomes tamper-evident (SECURITY.md 30). Rows are still inserted unchained by every workflow in its
-- own transaction; the sealer (models.SealAudit) later links the committed rows into one hash chain: chain_seq is
-- the row's place in the chain, prev_hash the hash of the row before it, row_hash = SHA-256(prev_hash ‖ the row).
ALTER TABLE audit_events ADD COLUMN chain_seq BIGINT;
--bun:split
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
--bun:split
ALTER TABLE audit_events ADD COLUMN row_hash TEXT;
--bun:split
CREATE UNIQUE INDEX audit_events_chain_seq ON audit_events (chain_seq);
--bun:split
-- What the sealer looks for: small, because rows stay unsealed only for a few seconds.
CREATE INDEX audit_events_unsealed ON audit_events (id) WHERE chain_seq IS NULL;
--bun:split
-- The head of the chain: one row, the last sealed place and hash. Only the sealer writes it (and locks it, so two
-- server processes never seal at once); verification compares it with the newest row, so rows cut off the end of
-- the log are noticed too.
CREATE TABLE audit_chain (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    last_occurred_at {{.Time}}
);
--bun:split
INSERT INTO audit_chain (id, last_seq, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
--bun:split
-- The append-only rule stays, with one exception: the sealer's one-time setting of the three chain columns from
-- NULL, with nothing else changing. A new row cannot arrive already "sealed".
{{if .Postgres}}
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.occurred_at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE'
        AND OLD.chain_seq IS NULL AND OLD.prev_hash IS NULL AND OLD.row_hash IS NULL
        AND NEW.chain_seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.row_hash IS NOT NULL
        AND (NEW.id, NEW.occurred_at, NEW.account_id, NEW.username, NEW.role, NEW.organization_id, NEW.ip, NEW.event,
             NEW.object, NEW.result, NEW.detail, NEW.request_id)
        IS NOT DISTINCT FROM
            (OLD.id, OLD.occurred_at, OLD.account_id, OLD.username, OLD.role, OLD.organization_id, OLD.ip, OLD.event,
             OLD.object, OLD.result, OLD.detail, OLD.request_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END
$$;
--bun:split
CREATE FUNCTION audit_events_insert_unsealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events: a new row is sealed later, never at insert';
END
$$;
--bun:split
CREATE TRIGGER audit_events_insert_unsealed BEFORE INSERT ON audit_events
    FOR EACH ROW WHEN (NEW.chain_seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.row_hash IS NOT NULL)
    EXECUTE FUNCTION audit_events_insert_unsealed();
{{else}}
DROP TRIGGER audit_events_no_update;
--bun:split
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    WHEN NOT (OLD.chain_seq IS NULL AND OLD.prev_hash IS NULL AND OLD.row_hash IS NULL
        AND NEW.chain_seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.row_hash IS NOT NULL
        AND NEW.id IS OLD.id AND NEW.occurred_at IS OLD.occurred_at AND NEW.account_id IS OLD.account_id
        AND NEW.username IS OLD.username AND NEW.role IS OLD.role AND NEW.organization_id IS OLD.organization_id
        AND NEW.ip IS OLD.ip AND NEW.event IS OLD.event AND NEW.object IS OLD.object AND NEW.result IS OLD.result
        AND NEW.detail IS OLD.detail AND NEW.request_id IS OLD.request_id)
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
--bun:split
CREATE TRIGGER audit_events_insert_unsealed BEFORE INSERT ON audit_events
    WHEN NEW.chain_seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.row_hash IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'audit_events: a new row is sealed later, never at insert');
END;
{{end}}
