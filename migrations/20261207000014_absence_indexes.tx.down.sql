DROP INDEX scores_absent;
--bun:split
CREATE INDEX scores_absent ON scores (registration_id) WHERE situation = '缺考';
--bun:split
DROP INDEX tickets_absent;
--bun:split
DROP INDEX tickets_plan_absent;
