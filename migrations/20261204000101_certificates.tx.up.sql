-- 证书 (LIFECYCLE §1–3, 7). Each 岗位 says which kind of certificate it leads to, its code, and its number template:
-- 安管 (A, B, C1, C2, C3), 特种作业 (工种 01 … 99) or 职业技能; a 岗位 without a kind issues none (八大员 are legacy).
ALTER TABLE exam_categories ADD COLUMN cert_kind TEXT NOT NULL DEFAULT '';  -- '', safety, special, skill
--bun:split
ALTER TABLE exam_categories ADD COLUMN cert_code TEXT NOT NULL DEFAULT '';
--bun:split
-- The template: literal text, {Y} for the 4-digit year of issue, {N:n} for the year's serial in n digits.
ALTER TABLE exam_categories ADD COLUMN number_template TEXT NOT NULL DEFAULT '';
--bun:split
UPDATE exam_categories SET cert_kind = 'safety', cert_code = 'C3', number_template = '京建安C3（{Y}）{N:7}' WHERE name = '安全员';
--bun:split
UPDATE exam_categories SET cert_kind = 'special', cert_code = '01', number_template = '京A01{Y}{N:6}' WHERE name = '特种作业-建筑电工';
--bun:split
UPDATE exam_categories SET cert_kind = 'special', cert_code = '02', number_template = '京A02{Y}{N:6}' WHERE name = '特种作业-建筑架子工';
--bun:split
UPDATE exam_categories SET cert_kind = 'special', cert_code = '04', number_template = '京A04{Y}{N:6}' WHERE name = '特种作业-建筑起重信号司索工';
--bun:split
UPDATE exam_categories SET cert_kind = 'special', cert_code = '05', number_template = '京A05{Y}{N:6}' WHERE name = '特种作业-建筑起重机械司机';
--bun:split
UPDATE exam_categories SET cert_kind = 'special', cert_code = '99', number_template = '京A99{Y}{N:6}' WHERE name = '特种作业-建筑焊工';
--bun:split
-- A certificate: the fields of LIFECYCLE §7 copied at issue (the person's record may change later; the certificate
-- says what was certified), its validity state (status, guarded by the transition table), the last business, a lock,
-- and the token the public verification page is reached by (random, never the number).
CREATE TABLE certificates (
    id {{.ID}},
    number TEXT NOT NULL UNIQUE,                 -- 证书编号
    license_id TEXT UNIQUE,                      -- 电子证照标识 (none for 职业技能: no national type code)
    person_id BIGINT NOT NULL REFERENCES persons (id),
    registration_id BIGINT UNIQUE REFERENCES registrations (id),
    category_id BIGINT NOT NULL REFERENCES exam_categories (id),
    kind TEXT NOT NULL CHECK (kind IN ('safety', 'special', 'skill')),
    code TEXT NOT NULL,
    post_name TEXT NOT NULL,                     -- 岗位名称 as printed
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    birth_date {{.Time}},
    id_number TEXT NOT NULL,
    employer_name TEXT NOT NULL,
    employer_code TEXT NOT NULL,
    organization_id BIGINT REFERENCES organizations (id),   -- the employer, when registered here
    training_org_id BIGINT REFERENCES organizations (id),   -- 培训点 (the institution that registered the person)
    training_org_name TEXT NOT NULL DEFAULT '',
    duty TEXT NOT NULL DEFAULT '',               -- 职务
    title TEXT NOT NULL DEFAULT '',              -- 技术职称
    authority TEXT NOT NULL,                     -- 发证机关
    first_issued_on {{.Time}} NOT NULL,          -- 初次发证日期
    issued_on {{.Time}} NOT NULL,                -- 发证日期 (= 有效期起 at issue)
    valid_from {{.Time}} NOT NULL,
    valid_until {{.Time}},                       -- NULL: 职业技能, 当前有效证书
    status TEXT NOT NULL DEFAULT 'valid'
        CHECK (status IN ('valid', 'suspended', 'annulled', 'revoked', 'cancelled', 'expired', 'transferred_out')),
    status_reason TEXT NOT NULL DEFAULT '',
    status_changed_at {{.Time}},
    business TEXT NOT NULL DEFAULT 'first'
        CHECK (business IN ('first', 'renewal', 'change', 'transfer_in', 'reissue')),
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    locked_until {{.Time}},
    lock_reason TEXT NOT NULL DEFAULT '',
    photo_key TEXT NOT NULL DEFAULT '',
    batch_no TEXT NOT NULL DEFAULT '',           -- the 批号 (ZSFF…) it was issued in
    verify_token TEXT NOT NULL UNIQUE,
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
--bun:split
CREATE INDEX certificates_person ON certificates (person_id);
--bun:split
CREATE INDEX certificates_organization ON certificates (organization_id);
--bun:split
CREATE INDEX certificates_training_org ON certificates (training_org_id);
--bun:split
CREATE INDEX certificates_valid_until ON certificates (status, valid_until);
--bun:split
CREATE INDEX certificates_name ON certificates (name);
--bun:split
CREATE INDEX certificates_id_number ON certificates (id_number);
--bun:split
-- Every old version of a certificate, written before it changes, with the 操作类型 (LIFECYCLE §3), who and why.
-- A re-issued version keeps its verify token here, so an old printout's QR still resolves (and says 已换发).
CREATE TABLE certificate_history (
    id {{.ID}},
    certificate_id BIGINT NOT NULL REFERENCES certificates (id),
    version INTEGER NOT NULL,
    operation TEXT NOT NULL,                     -- 新发, 延续, 暂扣, 过期失效, 注销, 暂扣发还, 其他, 变更 …
    number TEXT NOT NULL,
    license_id TEXT,
    employer_name TEXT NOT NULL,
    issued_on {{.Time}} NOT NULL,
    valid_from {{.Time}} NOT NULL,
    valid_until {{.Time}},
    status TEXT NOT NULL,
    status_reason TEXT NOT NULL,
    business TEXT NOT NULL,
    locked BOOLEAN NOT NULL,
    verify_token TEXT UNIQUE,                    -- set only for a superseded version (换发)
    account_id BIGINT REFERENCES accounts (id),
    reason TEXT NOT NULL DEFAULT '',
    batch_no TEXT NOT NULL DEFAULT '',
    changed_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX certificate_history_certificate ON certificate_history (certificate_id, id);
--bun:split
-- 到期提醒 sent: one row per certificate, 有效期止 and lead time (90, 30, 7 days), so each is sent once, and a renewed
-- certificate (a new 有效期止) is reminded again.
CREATE TABLE certificate_reminders (
    certificate_id BIGINT NOT NULL REFERENCES certificates (id),
    valid_until {{.Time}} NOT NULL,
    days INTEGER NOT NULL,
    sent_at {{.Time}} NOT NULL,
    PRIMARY KEY (certificate_id, valid_until, days)
);
