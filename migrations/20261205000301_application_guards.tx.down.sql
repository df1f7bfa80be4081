DROP INDEX cert_applications_one_transfer;
--bun:split
DROP INDEX cert_applications_one_open;
