-- 缺考率 (统计) over a million registrations reads indexes only: the tickets of each plan with their check-in 缺考
-- (tickets_plan_absent), and the 缺考 scores (scores_absent, now with their plan) whose ticket check-in did not mark
-- (tickets_absent): each read in index order, never the tables.
CREATE INDEX tickets_plan_absent ON tickets (plan_id, absent);
--bun:split
CREATE INDEX tickets_absent ON tickets (registration_id) WHERE absent;
--bun:split
DROP INDEX scores_absent;
--bun:split
CREATE INDEX scores_absent ON scores (registration_id, plan_id) WHERE situation = '缺考';
