DROP TABLE proctor_scopes;
--bun:split
DROP TABLE tickets;
--bun:split
DROP TABLE draws;
--bun:split
DROP TABLE exam_rooms;
--bun:split
DROP TABLE exam_subjects;
--bun:split
DROP TABLE exam_sites;
--bun:split
DROP TABLE payments;
--bun:split
DROP TABLE outbox;
--bun:split
DROP TABLE messages;
--bun:split
DROP TABLE server_secrets;
--bun:split
DROP TABLE yearly_counters;
--bun:split
ALTER TABLE accounts DROP COLUMN mobile;
--bun:split
ALTER TABLE accounts DROP COLUMN email;
--bun:split
ALTER TABLE exam_plans DROP COLUMN released_at;
--bun:split
ALTER TABLE exam_plans DROP COLUMN number_in_year;
--bun:split
ALTER TABLE exam_plans DROP COLUMN payment_deadline;
--bun:split
ALTER TABLE exam_plans DROP COLUMN acceptance_step;
--bun:split
DROP INDEX registrations_unit;
--bun:split
DROP INDEX registrations_plan_status;
--bun:split
-- The earlier states cannot hold the new ones: everything before 已审核 goes back to submitted, the rest to the
-- nearest old state.
UPDATE registrations SET status = CASE
    WHEN status IN ('unit_confirmed', 'accepted') THEN 'submitted'
    WHEN status IN ('returned', 'withdrawn', 'forfeited') THEN 'rejected'
    ELSE status END;
--bun:split
{{if .Postgres}}
ALTER TABLE registrations DROP CONSTRAINT registrations_status_check;
--bun:split
ALTER TABLE registrations ADD CONSTRAINT registrations_status_check
    CHECK (status IN ('submitted', 'approved', 'rejected', 'paid', 'ticketed', 'scored', 'passed', 'failed'));
--bun:split
ALTER TABLE registrations DROP COLUMN unit_org_id;
--bun:split
DELETE FROM accounts WHERE role = 'proctor';
--bun:split
ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
--bun:split
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check CHECK (role IN ('practitioner', 'enterprise', 'training', 'admin'));
--bun:split
CREATE OR REPLACE FUNCTION registrations_seats_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM registrations_seats_apply((SELECT COALESCE(jsonb_object_agg(plan_id, n), '{}') FROM
        (SELECT plan_id, COUNT(*) AS n FROM new_rows WHERE status <> 'rejected' GROUP BY plan_id) x));
    RETURN NULL;
END
$$;
--bun:split
CREATE OR REPLACE FUNCTION registrations_seats_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM registrations_seats_apply((SELECT COALESCE(jsonb_object_agg(plan_id, -n), '{}') FROM
        (SELECT plan_id, COUNT(*) AS n FROM old_rows WHERE status <> 'rejected' GROUP BY plan_id) x));
    RETURN NULL;
END
$$;
--bun:split
CREATE OR REPLACE FUNCTION registrations_seats_update() RETURNS trigger LANGUAGE plpgsql AS $$
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
{{else}}
DROP TRIGGER registrations_seats_update;
--bun:split
CREATE TRIGGER registrations_seats_update AFTER UPDATE OF status, plan_id ON registrations
    WHEN OLD.status <> NEW.status OR OLD.plan_id <> NEW.plan_id
BEGIN
    UPDATE exam_plans SET seats_taken = seats_taken - 1 WHERE id = OLD.plan_id AND OLD.status <> 'rejected';
    UPDATE exam_plans SET seats_taken = seats_taken + 1 WHERE id = NEW.plan_id AND NEW.status <> 'rejected';
    SELECT RAISE(ABORT, 'exam plan is full') FROM exam_plans
        WHERE id = NEW.plan_id AND NEW.status <> 'rejected' AND capacity > 0 AND seats_taken > capacity;
END;
--bun:split
DROP TRIGGER registrations_seats_insert;
--bun:split
CREATE TRIGGER registrations_seats_insert AFTER INSERT ON registrations WHEN NEW.status <> 'rejected'
BEGIN
    UPDATE exam_plans SET seats_taken = seats_taken + 1 WHERE id = NEW.plan_id;
    SELECT RAISE(ABORT, 'exam plan is full') FROM exam_plans WHERE id = NEW.plan_id AND capacity > 0 AND seats_taken > capacity;
END;
--bun:split
DROP TRIGGER registrations_seats_delete;
--bun:split
CREATE TRIGGER registrations_seats_delete AFTER DELETE ON registrations WHEN OLD.status <> 'rejected'
BEGIN
    UPDATE exam_plans SET seats_taken = seats_taken - 1 WHERE id = OLD.plan_id;
END;
{{end}}
