DROP INDEX payments_batch;
--bun:split
DROP TRIGGER payments_kept{{if .Postgres}} ON payments{{end}};
--bun:split
DROP TRIGGER registrations_paid_kept{{if .Postgres}} ON registrations{{end}};
--bun:split
{{if .Postgres}}
DROP FUNCTION payments_kept();
--bun:split
DROP FUNCTION registrations_paid_kept();
--bun:split
{{end}}
ALTER TABLE registrations DROP COLUMN payment_noticed_at;
--bun:split
ALTER TABLE registrations DROP COLUMN payment_notice_no;
