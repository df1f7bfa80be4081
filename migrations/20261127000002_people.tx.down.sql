DROP INDEX persons_name;
--bun:split
DROP TABLE training_people;
--bun:split
ALTER TABLE persons DROP COLUMN employer_code;
--bun:split
ALTER TABLE persons DROP COLUMN employer_name;
