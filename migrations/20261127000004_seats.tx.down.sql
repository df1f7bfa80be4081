DROP INDEX registrations_photo_key;
--bun:split
DROP INDEX persons_photo_key;
--bun:split
DROP TRIGGER registrations_seats_update{{if .Postgres}} ON registrations{{end}};
--bun:split
DROP TRIGGER registrations_seats_insert{{if .Postgres}} ON registrations{{end}};
--bun:split
{{if .Postgres}}
DROP FUNCTION registrations_seats();
{{else}}
DROP TRIGGER registrations_seats_delete;
{{end}}
--bun:split
ALTER TABLE exam_plans DROP COLUMN seats_taken;
