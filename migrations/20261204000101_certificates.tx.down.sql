DROP TABLE certificate_reminders;
--bun:split
DROP TABLE certificate_history;
--bun:split
DROP TABLE certificates;
--bun:split
ALTER TABLE exam_categories DROP COLUMN number_template;
--bun:split
ALTER TABLE exam_categories DROP COLUMN cert_code;
--bun:split
ALTER TABLE exam_categories DROP COLUMN cert_kind;
