{{if .Postgres}}ALTER TABLE rate_limits SET LOGGED{{end}}
