-- 统计 (issue 12): 合格率 by plan and by organization read the registrations with a published outcome
-- (status passed/failed); this index serves them, and registrations by status, without reading the table.
CREATE INDEX registrations_stats ON registrations (status, plan_id, organization_id);
