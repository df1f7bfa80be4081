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
--bun:split
-- 人员调入申请: an organization asks to have a person employed elsewhere, or with their own account, among its
-- people; the person or their current employer decides (SECURITY.md 28). Status: pending → accepted / declined /
-- withdrawn, through models.JoinTransitions (each move also in status_changes).
CREATE TABLE join_requests (
    id {{.ID}},
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'withdrawn')),
    requested_by BIGINT REFERENCES accounts (id),
    decided_by BIGINT REFERENCES accounts (id),
    decided_at {{.Time}},
    reason TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
--bun:split
CREATE UNIQUE INDEX join_requests_one_pending ON join_requests (organization_id, person_id) WHERE status = 'pending';
--bun:split
CREATE INDEX join_requests_person ON join_requests (person_id, status);
