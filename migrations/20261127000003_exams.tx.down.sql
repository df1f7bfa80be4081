DROP TABLE registrations;
--bun:split
DROP TABLE exam_plans;
--bun:split
DROP TABLE exam_categories;
