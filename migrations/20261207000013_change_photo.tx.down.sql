DROP INDEX cert_applications_before_photo_key;
--bun:split
DROP INDEX cert_applications_photo_key;
--bun:split
DROP INDEX certificates_photo_key;
--bun:split
ALTER TABLE certificates DROP COLUMN source_license_id;
--bun:split
ALTER TABLE certificates DROP COLUMN source_number;
--bun:split
ALTER TABLE cert_applications DROP COLUMN before_photo_key;
