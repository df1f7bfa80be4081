DROP INDEX join_requests_pending;
