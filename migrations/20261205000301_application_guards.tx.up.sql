-- 证书申请 rules the database holds too, so two filings at the same moment cannot both pass the checks: a
-- certificate has at most one application in progress (续期 or 变更), and a 证书编号 from another province at most
-- one 进京 application in progress or approved.
CREATE UNIQUE INDEX cert_applications_one_open ON cert_applications (certificate_id)
    WHERE certificate_id IS NOT NULL AND status IN ('draft', 'unit_pending', 'applied', 'accepted', 'reviewed', 'returned');
--bun:split
CREATE UNIQUE INDEX cert_applications_one_transfer ON cert_applications (cert_number)
    WHERE kind = 'transfer_in' AND status IN ('draft', 'unit_pending', 'applied', 'accepted', 'reviewed', 'returned', 'decided');
