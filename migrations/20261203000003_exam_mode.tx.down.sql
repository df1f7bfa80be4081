ALTER TABLE exam_plans DROP COLUMN exam_mode;
