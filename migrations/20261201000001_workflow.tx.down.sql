DROP TABLE status_changes;
--bun:split
DROP TABLE batch_numbers;
