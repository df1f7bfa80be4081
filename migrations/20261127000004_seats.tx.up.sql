-- 名额: every plan counts its places taken (registrations not rejected) in seats_taken, kept by triggers on
-- registrations so that no code path can forget it; the same triggers refuse a registration beyond the capacity
-- (0: no limit). Checking capacity is then O(1) instead of a count over the plan's registrations.
ALTER TABLE exam_plans ADD COLUMN seats_taken INTEGER NOT NULL DEFAULT 0;
--bun:split
UPDATE exam_plans SET seats_taken = (SELECT COUNT(*) FROM registrations r WHERE r.plan_id = exam_plans.id AND r.status <> 'rejected');
--bun:split
{{if .Postgres}}
CREATE FUNCTION registrations_seats() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status <> 'rejected' THEN
        UPDATE exam_plans SET seats_taken = seats_taken - 1 WHERE id = OLD.plan_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status <> 'rejected' THEN
        UPDATE exam_plans SET seats_taken = seats_taken + 1 WHERE id = NEW.plan_id;
        IF EXISTS (SELECT 1 FROM exam_plans WHERE id = NEW.plan_id AND capacity > 0 AND seats_taken > capacity) THEN
            RAISE EXCEPTION 'exam plan is full';
        END IF;
    END IF;
    RETURN NULL;
END
$$;
--bun:split
CREATE TRIGGER registrations_seats_insert AFTER INSERT OR DELETE ON registrations
    FOR EACH ROW EXECUTE FUNCTION registrations_seats();
--bun:split
CREATE TRIGGER registrations_seats_update AFTER UPDATE OF status, plan_id ON registrations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.plan_id <> NEW.plan_id)
    EXECUTE FUNCTION registrations_seats();
{{else}}
CREATE TRIGGER registrations_seats_insert AFTER INSERT ON registrations WHEN NEW.status <> 'rejected'
BEGIN
    UPDATE exam_plans SET seats_taken = seats_taken + 1 WHERE id = NEW.plan_id;
    SELECT RAISE(ABORT, 'exam plan is full') FROM exam_plans WHERE id = NEW.plan_id AND capacity > 0 AND seats_taken > capacity;
END;
--bun:split
CREATE TRIGGER registrations_seats_delete AFTER DELETE ON registrations WHEN OLD.status <> 'rejected'
BEGIN
    UPDATE exam_plans SET seats_taken = seats_taken - 1 WHERE id = OLD.plan_id;
END;
--bun:split
CREATE TRIGGER registrations_seats_update AFTER UPDATE OF status, plan_id ON registrations
    WHEN OLD.status <> NEW.status OR OLD.plan_id <> NEW.plan_id
BEGIN
    UPDATE exam_plans SET seats_taken = seats_taken - 1 WHERE id = OLD.plan_id AND OLD.status <> 'rejected';
    UPDATE exam_plans SET seats_taken = seats_taken + 1 WHERE id = NEW.plan_id AND NEW.status <> 'rejected';
    SELECT RAISE(ABORT, 'exam plan is full') FROM exam_plans
        WHERE id = NEW.plan_id AND NEW.status <> 'rejected' AND capacity > 0 AND seats_taken > capacity;
END;
{{end}}
--bun:split
-- A registration may share its person's photo (the file is kept while anything names it): these find the names.
CREATE INDEX persons_photo_key ON persons (photo_key) WHERE photo_key <> '';
--bun:split
CREATE INDEX registrations_photo_key ON registrations (photo_key) WHERE photo_key <> '';
