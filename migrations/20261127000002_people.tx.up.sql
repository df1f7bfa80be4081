-- 工作单位 as the person typed it, for employers not registered in the system (a registered one is organization_id).
ALTER TABLE persons ADD COLUMN employer_name TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE persons ADD COLUMN employer_code TEXT NOT NULL DEFAULT '';
--bun:split
-- The people a training institution registered or trains (a person may be with several institutions).
CREATE TABLE training_people (
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    created_at {{.Time}} NOT NULL,
    PRIMARY KEY (organization_id, person_id)
);
--bun:split
CREATE INDEX training_people_person_id ON training_people (person_id);
--bun:split
CREATE INDEX persons_name ON persons (name);
