ALTER TABLE tickets DROP COLUMN absent_batch_no;
