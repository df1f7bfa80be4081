CREATE INDEX registrations_batch ON registrations (batch_id);
--bun:split
DROP INDEX registrations_photo_key;
--bun:split
DROP INDEX persons_photo_key;
--bun:split
{{if .Postgres}}
DROP TRIGGER registrations_seats_update ON registrations;
--bun:split
DROP TRIGGER registrations_seats_delete ON registrations;
--bun:split
DROP TRIGGER registrations_seats_insert ON registrations;
--bun:split
DROP FUNCTION registrations_seats_update();
--bun:split
DROP FUNCTION registrations_seats_delete();
--bun:split
DROP FUNCTION registrations_seats_insert();
--bun:split
DROP FUNCTION registrations_seats_apply(jsonb);
{{else}}
DROP TRIGGER registrations_seats_update;
--bun:split
DROP TRIGGER registrations_seats_delete;
--bun:split
DROP TRIGGER registrations_seats_insert;
{{end}}
--bun:split
ALTER TABLE exam_plans DROP COLUMN seats_taken;
