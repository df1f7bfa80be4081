{{if .Postgres}}
DROP TRIGGER audit_events_insert_unsealed ON audit_events;
--bun:split
DROP FUNCTION audit_events_insert_unsealed();
--bun:split
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.occurred_at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END
$$;
{{else}}
DROP TRIGGER audit_events_insert_unsealed;
--bun:split
DROP TRIGGER audit_events_no_update;
--bun:split
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
{{end}}
--bun:split
DROP TABLE audit_chain;
--bun:split
DROP INDEX audit_events_unsealed;
--bun:split
DROP INDEX audit_events_chain_seq;
--bun:split
ALTER TABLE audit_events DROP COLUMN row_hash;
--bun:split
ALTER TABLE audit_events DROP COLUMN prev_hash;
--bun:split
ALTER TABLE audit_events DROP COLUMN chain_seq;
