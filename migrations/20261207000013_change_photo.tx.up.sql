-- 京内变更 of 照片: the application keeps the photo it replaces (变更前) beside the new one (photo_key, 变更后), so
-- the 申请表 still shows both after the decision has put the new photo on the certificate.
ALTER TABLE cert_applications ADD COLUMN before_photo_key TEXT NOT NULL DEFAULT '';
--bun:split
-- 证书进京: the Beijing certificate keeps the original's 证书编号 and 电子证照标识 (关联证照标识, LIFECYCLE §10).
ALTER TABLE certificates ADD COLUMN source_number TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE certificates ADD COLUMN source_license_id TEXT NOT NULL DEFAULT '';
--bun:split
-- A stored photo is deleted only when nothing names it (models.BlobInUse): certificates and applications now do.
CREATE INDEX certificates_photo_key ON certificates (photo_key) WHERE photo_key <> '';
--bun:split
CREATE INDEX cert_applications_photo_key ON cert_applications (photo_key) WHERE photo_key <> '';
--bun:split
CREATE INDEX cert_applications_before_photo_key ON cert_applications (before_photo_key) WHERE before_photo_key <> '';
