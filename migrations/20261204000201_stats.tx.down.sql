DROP INDEX scores_stats;
--bun:split
DROP INDEX registrations_stats;
