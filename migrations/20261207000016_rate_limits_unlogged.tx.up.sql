-- The token buckets of the rate limits are written on every sign-in attempt, lookup and 报名表: on PostgreSQL they
-- need no WAL (no flush at each commit, nothing to replicate). After a crash PostgreSQL empties an unlogged table,
-- which for these buckets means every budget starts full again, as after a day without requests. SQLite keeps its
-- table as it is.
{{if .Postgres}}ALTER TABLE rate_limits SET UNLOGGED{{end}}
