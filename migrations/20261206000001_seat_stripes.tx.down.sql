ALTER TABLE exam_plans ADD COLUMN seats_taken INTEGER NOT NULL DEFAULT 0;
--bun:split
UPDATE exam_plans SET seats_taken = (SELECT COALESCE(SUM(taken), 0) FROM plan_seats s WHERE s.plan_id = exam_plans.id);
--bun:split
{{if .Postgres}}
DROP TRIGGER registrations_seats_insert ON registrations;
--bun:split
DROP TRIGGER registrations_seats_delete ON registrations;
--bun:split
DROP TRIGGER registrations_seats_update ON registrations;
--bun:split
DROP TRIGGER exam_plans_seats_insert ON exam_plans;
--bun:split
DROP TRIGGER exam_plans_seats_update ON exam_plans;
--bun:split
DROP FUNCTION exam_plans_seats();
--bun:split
DROP FUNCTION registrations_seats();
--bun:split
DROP FUNCTION plan_seats_move(bigint, int);
--bun:split
DROP FUNCTION plan_seats_spread(bigint, int);
--bun:split
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
        (SELECT plan_id, COUNT(*) AS n FROM new_rows WHERE status NOT IN ('withdrawn', 'forfeited') GROUP BY plan_id) x));
    RETURN NULL;
END
$$;
--bun:split
CREATE FUNCTION registrations_seats_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM registrations_seats_apply((SELECT COALESCE(jsonb_object_agg(plan_id, -n), '{}') FROM
        (SELECT plan_id, COUNT(*) AS n FROM old_rows WHERE status NOT IN ('withdrawn', 'forfeited') GROUP BY plan_id) x));
    RETURN NULL;
END
$$;
--bun:split
CREATE FUNCTION registrations_seats_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM registrations_seats_apply((SELECT COALESCE(jsonb_object_agg(plan_id, n), '{}') FROM
        (SELECT plan_id, SUM(d) AS n FROM (
            SELECT plan_id, 1 AS d FROM new_rows WHERE status NOT IN ('withdrawn', 'forfeited')
            UNION ALL
            SELECT plan_id, -1 AS d FROM old_rows WHERE status NOT IN ('withdrawn', 'forfeited')) c
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
DROP TRIGGER registrations_seats_insert;
--bun:split
DROP TRIGGER registrations_seats_delete;
--bun:split
DROP TRIGGER registrations_seats_update;
--bun:split
DROP TRIGGER exam_plans_seats_insert;
--bun:split
DROP TRIGGER exam_plans_seats_update;
--bun:split
CREATE TRIGGER registrations_seats_insert AFTER INSERT ON registrations WHEN NEW.status NOT IN ('withdrawn', 'forfeited')
BEGIN
    UPDATE exam_plans SET seats_taken = seats_taken + 1 WHERE id = NEW.plan_id;
    SELECT RAISE(ABORT, 'exam plan is full') FROM exam_plans WHERE id = NEW.plan_id AND capacity > 0 AND seats_taken > capacity;
END;
--bun:split
CREATE TRIGGER registrations_seats_delete AFTER DELETE ON registrations WHEN OLD.status NOT IN ('withdrawn', 'forfeited')
BEGIN
    UPDATE exam_plans SET seats_taken = seats_taken - 1 WHERE id = OLD.plan_id;
END;
--bun:split
CREATE TRIGGER registrations_seats_update AFTER UPDATE OF status, plan_id ON registrations
    WHEN OLD.status <> NEW.status OR OLD.plan_id <> NEW.plan_id
BEGIN
    UPDATE exam_plans SET seats_taken = seats_taken - 1 WHERE id = OLD.plan_id AND OLD.status NOT IN ('withdrawn', 'forfeited');
    UPDATE exam_plans SET seats_taken = seats_taken + 1 WHERE id = NEW.plan_id AND NEW.status NOT IN ('withdrawn', 'forfeited');
    SELECT RAISE(ABORT, 'exam plan is full') FROM exam_plans
        WHERE id = NEW.plan_id AND NEW.status NOT IN ('withdrawn', 'forfeited') AND capacity > 0 AND seats_taken > capacity;
END;
{{end}}
--bun:split
DROP TABLE plan_seats;
