-- 统计 (issue 12): 合格率 by plan and by organization read the registrations with a published outcome
-- (status passed/failed); this index serves them, and registrations by status, without reading the table.
CREATE INDEX registrations_stats ON registrations (status, plan_id, organization_id);
--bun:split
-- 合格率 by subject reads every published score: this covering index lets it count them without the table.
CREATE INDEX scores_stats ON scores (plan_id, subject_id, situation, total_tenths);
