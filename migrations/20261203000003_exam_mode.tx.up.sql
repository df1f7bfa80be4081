-- 考试方式 of a plan (LIFECYCLE §4–5): 机考 (the theory exam, on computers at a 考点), 实操 (the practical exam, a
-- separate ticket for those who passed the theory) or 网考 (online). It chooses the 准考证's variant and the 签到 rules;
-- every plan so far was a 机考.
ALTER TABLE exam_plans ADD COLUMN exam_mode TEXT NOT NULL DEFAULT 'computer'
    CHECK (exam_mode IN ('computer', 'practical', 'online'));
