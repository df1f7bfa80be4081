CREATE INDEX persons_organization_id ON persons (organization_id);
--bun:split
DROP INDEX persons_organization_name;
