DROP TABLE portal_sessions;
--bun:split
DROP TABLE portal_links;
