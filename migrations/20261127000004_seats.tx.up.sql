-- 名额: every plan counts its places taken (registrations not rejected) in seats_taken, kept by triggers on
-- registrations so that no code path can forget it; the same triggers refuse a registration beyond the capacity
-- (0: no limit). Checking capacity is then O(1) instead of a count over the plan's registrations.
ALTER TABLE exam_plans ADD COLUMN seats_taken INTEGER NOT NULL DEFAULT 0;
--bun:split
UPDATE exam_plans SET seats_taken = (SELECT COUNT(*) FROM registrations r WHERE r.plan_id = exam_plans.id AND r.status <> 'rejected');
--bun:split
{{if .Postgres}}
-- Statement-level triggers (with the changed rows as tables), so a batch of 10,000 rows updates each plan once.
CREATE FUNCTION registrations_seats_apply(deltas jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    UPDATE exam_plans p SET seats_taken = p.seats_taken + (d.value)::int
        FROM jsonb_each_text(deltas) d WHERE p.id = (d.key)::bigint AND (d.value)::int <> 0;
    IF EXISTS (SELECT 1 FROM exam_plans p, jsonb_each_text(deltas) d
               WHERE p.id = (d.key)::bigint AND (d.value)::int > 0 AND p.capacity > 0 AND p.seats_taken > p.capacity) THEN
        RAISE EXCEPTION 'exam plan is full';
    END IF;
END
$$;
--bun:split
CREATE FUNCTION registrations_seats_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM registrations_seats_apply((SELECT COALESCE(jsonb_object_agg(plan_id, n), '{}') FROM
        (SELECT plan_id, COUNT(*) AS n FROM new_rows WHERE status <> 'rejected' GROUP BY plan_id) x));
    RETURN NULL;
END
$$;
--bun:split
CREATE FUNCTION registrations_seats_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM registrations_seats_apply((SELECT COALESCE(jsonb_object_agg(plan_id, -n), '{}') FROM
        (SELECT plan_id, COUNT(*) AS n FROM old_rows WHERE status <> 'rejected' GROUP BY plan_id) x));
    RETURN NULL;
END
$$;
--bun:split
CREATE FUNCTION registrations_seats_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM registrations_seats_apply((SELECT COALESCE(jsonb_object_agg(plan_id, n), '{}') FROM
        (SELECT plan_id, SUM(d) AS n FROM (
            SELECT plan_id, 1 AS d FROM new_rows WHERE status <> 'rejected'
            UNION ALL
            SELECT plan_id, -1 AS d FROM old_rows WHERE status <> 'rejected') c
         GROUP BY plan_id) x));
    RETURN NULL;
END
$$;
--bun:split
CREATE TRIGGER registrations_seats_insert AFTER INSERT ON registrations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registrations_seats_insert();
--bun:split
CREATE TRIGGER registrations_seats_delete AFTER DELETE ON registrations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION registrations_seats_delete();
--bun:split
CREATE TRIGGER registrations_seats_update AFTER UPDATE ON registrations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registrations_seats_update();
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
--bun:split
-- Nothing looks registrations up by batch_id; the index only slowed every insert (10,000 at a time on import).
DROP INDEX registrations_batch;
