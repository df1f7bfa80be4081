DROP INDEX messages_unread;
--bun:split
DROP TABLE downloads;
