-- 证书申请 (issue 13, LIFECYCLE §8–10): 续期, 变更 and 进京 applications share one table and one state machine,
-- 填报中 → 待单位确认 → 已申请 → 已受理 → 已审核 → 已决定, with 退回修改 at every step, 不予通过 (with a reason) from the
-- registry's steps, and 已撤回 by the applicant before the registry takes it. Columns a kind does not use stay empty.
CREATE TABLE cert_applications (
    id {{.ID}},
    kind TEXT NOT NULL CHECK (kind IN ('renewal', 'change', 'transfer_in')),
    change_type TEXT NOT NULL DEFAULT '',        -- 变更类型 (change only): inside, leave, cancel, replace, rename
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'unit_pending', 'applied', 'accepted', 'reviewed', 'decided', 'rejected', 'returned', 'withdrawn')),
    batch_no TEXT NOT NULL DEFAULT '',           -- 申请批号 (XQSQ, BGSQ, JJSQ …) of the last submission
    certificate_id BIGINT REFERENCES certificates (id),      -- the certificate concerned (renewal, change)
    new_certificate_id BIGINT REFERENCES certificates (id),  -- the certificate a decision issued (transfer-in)
    person_id BIGINT REFERENCES persons (id),
    organization_id BIGINT REFERENCES organizations (id),    -- the employer whose confirmation it waits for
    filed_by BIGINT NOT NULL REFERENCES accounts (id),
    filed_by_org BIGINT REFERENCES organizations (id),
    -- the values applied for (change: 变更后; transfer-in: the person and employer in Beijing)
    name TEXT NOT NULL DEFAULT '',
    gender TEXT NOT NULL DEFAULT '',
    birth_date {{.Time}},
    id_number TEXT NOT NULL DEFAULT '',
    employer_name TEXT NOT NULL DEFAULT '',
    employer_code TEXT NOT NULL DEFAULT '',
    photo_key TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    duty TEXT NOT NULL DEFAULT '',               -- 职务
    title TEXT NOT NULL DEFAULT '',              -- 技术职称
    contract_type TEXT NOT NULL DEFAULT '',      -- 聘用企业承诺: 合同类型
    contract_from {{.Time}},
    contract_to {{.Time}},
    -- the values before (change: 变更前, copied from the certificate when filed)
    before_name TEXT NOT NULL DEFAULT '',
    before_gender TEXT NOT NULL DEFAULT '',
    before_birth_date {{.Time}},
    before_id_number TEXT NOT NULL DEFAULT '',
    before_employer_name TEXT NOT NULL DEFAULT '',
    before_employer_code TEXT NOT NULL DEFAULT '',
    -- the certificate from another province (transfer-in)
    category_id BIGINT REFERENCES exam_categories (id),      -- 岗位
    cert_number TEXT NOT NULL DEFAULT '',
    authority TEXT NOT NULL DEFAULT '',          -- 发证机关
    first_issued_on {{.Time}},                   -- 发证日期 (初次)
    valid_from {{.Time}},
    valid_until {{.Time}},
    orig_employer TEXT NOT NULL DEFAULT '',      -- 原聘用单位
    source TEXT NOT NULL DEFAULT '',             -- platform (picked from the national outgoing list) or manual
    source_license_id TEXT NOT NULL DEFAULT '',  -- the original's 证照标识 (关联证照标识)
    note TEXT NOT NULL DEFAULT '',               -- the applicant's note
    reason TEXT NOT NULL DEFAULT '',             -- the last 退回修改 or 不予通过 reason
    submitted_at {{.Time}},
    decided_at {{.Time}},
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
--bun:split
CREATE INDEX cert_applications_status ON cert_applications (status, kind, updated_at);
--bun:split
CREATE INDEX cert_applications_certificate ON cert_applications (certificate_id, status);
--bun:split
CREATE INDEX cert_applications_person ON cert_applications (person_id);
--bun:split
CREATE INDEX cert_applications_organization ON cert_applications (organization_id, status);
--bun:split
CREATE INDEX cert_applications_filed_by_org ON cert_applications (filed_by_org);
--bun:split
CREATE INDEX cert_applications_cert_number ON cert_applications (cert_number);
