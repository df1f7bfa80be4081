-- A person's data belongs to the person (SECURITY.md 28). employer_may_edit: the person (in their own account)
-- allows their employer to keep their record.
ALTER TABLE persons ADD COLUMN employer_may_edit BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
-- Every change of a person's master data: which field, old and new value, by whom, when. Rows are only inserted,
-- in the transaction of the change itself.
CREATE TABLE person_changes (
    id {{.ID}},
    person_id BIGINT NOT NULL REFERENCES persons (id),
    field TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    account_id BIGINT REFERENCES accounts (id),
    changed_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX person_changes_person ON person_changes (person_id, id);
