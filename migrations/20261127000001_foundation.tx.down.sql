{{if .Postgres}}
DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events;
--bun:split
DROP FUNCTION IF EXISTS audit_events_append_only();
--bun:split
{{end}}
DROP TABLE audit_events;
--bun:split
DROP TABLE captchas;
--bun:split
DROP TABLE login_throttles;
--bun:split
DROP TABLE sessions;
--bun:split
DROP TABLE accounts;
--bun:split
DROP TABLE persons;
--bun:split
DROP TABLE organizations;
