-- Rate limits kept in the database, so that every server process spends from one budget (sign-in attempts, ID-number
-- lookups, the portal's callbacks …): one token bucket per budget and client, refilled by time. at_us is the time of
-- the last spend in microseconds since the Unix epoch, so both databases do the same arithmetic.
CREATE TABLE rate_limits (
	key    TEXT PRIMARY KEY,
	tokens DOUBLE PRECISION NOT NULL,
	at_us  BIGINT NOT NULL
);
CREATE INDEX rate_limits_at ON rate_limits (at_us);
