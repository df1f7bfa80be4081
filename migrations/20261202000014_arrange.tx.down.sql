DROP INDEX exam_rooms_site;
--bun:split
ALTER TABLE draws DROP COLUMN cancel_reason;
--bun:split
DROP INDEX draws_live;
