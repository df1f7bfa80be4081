DROP INDEX registrations_stats;
