DROP TABLE join_requests;
--bun:split
DROP TABLE person_changes;
--bun:split
ALTER TABLE persons DROP COLUMN employer_may_edit;
