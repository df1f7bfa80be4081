-- 考务编排: a plan has at most one live draw (取消放号 marks it cancelled; the next 放号 draws anew), so two
-- 放号 at once can never both stand; why a draw was cancelled is kept with it.
CREATE UNIQUE INDEX draws_live ON draws (plan_id) WHERE cancelled_at IS NULL;
--bun:split
ALTER TABLE draws ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
--bun:split
-- The rooms of a 考点 (its 考场数量 and 容纳人数 bound them).
CREATE INDEX exam_rooms_site ON exam_rooms (site_id, plan_id);
