-- 岗位/工种: the managed list exam plans choose from.
CREATE TABLE exam_categories (
    id {{.ID}},
    name TEXT NOT NULL UNIQUE,
    sort_order INTEGER NOT NULL DEFAULT 0,
    active BOOLEAN NOT NULL DEFAULT TRUE
);
--bun:split
INSERT INTO exam_categories (name, sort_order) VALUES
    ('施工员-土建', 10), ('施工员-装饰装修', 11), ('施工员-市政', 12), ('施工员-设备安装', 13),
    ('质量员-土建', 20), ('质量员-装饰装修', 21), ('质量员-市政', 22), ('质量员-设备安装', 23),
    ('安全员', 30), ('材料员', 40), ('机械员', 41), ('劳务员', 42), ('资料员', 43), ('标准员', 44),
    ('特种作业-建筑电工', 50), ('特种作业-建筑架子工', 51), ('特种作业-建筑起重信号司索工', 52),
    ('特种作业-建筑起重机械司机', 53), ('特种作业-建筑焊工', 54);
--bun:split
-- 考试计划.
CREATE TABLE exam_plans (
    id {{.ID}},
    name TEXT NOT NULL,
    category_id BIGINT NOT NULL REFERENCES exam_categories (id),
    level TEXT NOT NULL DEFAULT '',
    registration_starts_at {{.Time}} NOT NULL,
    registration_ends_at {{.Time}} NOT NULL,
    exam_at {{.Time}} NOT NULL,
    fee_cents INTEGER NOT NULL DEFAULT 0,
    capacity INTEGER NOT NULL DEFAULT 0,          -- 0: no limit
    min_years_of_work INTEGER NOT NULL DEFAULT 0,
    min_education TEXT NOT NULL DEFAULT '',
    photo_min_bytes INTEGER NOT NULL DEFAULT 0,
    photo_max_bytes INTEGER NOT NULL DEFAULT 61440,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed', 'examined', 'published')),
    notes TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
--bun:split
CREATE INDEX exam_plans_status ON exam_plans (status, registration_ends_at);
--bun:split
-- 报名: one person for one plan, at most once (re-registering after a rejection reuses the row).
CREATE TABLE registrations (
    id {{.ID}},
    plan_id BIGINT NOT NULL REFERENCES exam_plans (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    channel TEXT NOT NULL CHECK (channel IN ('self', 'enterprise', 'training')),
    organization_id BIGINT REFERENCES organizations (id),  -- the organization that registered the person
    account_id BIGINT REFERENCES accounts (id),             -- who submitted it
    employer_name TEXT NOT NULL DEFAULT '',
    employer_code TEXT NOT NULL DEFAULT '',
    work_start_date {{.Time}},
    years_of_work INTEGER NOT NULL DEFAULT 0,
    resume TEXT NOT NULL DEFAULT '',                        -- JSON list of {period, employer, post}
    employer_opinion TEXT NOT NULL DEFAULT '',
    photo_key TEXT NOT NULL DEFAULT '',
    batch_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'submitted'
        CHECK (status IN ('submitted', 'approved', 'rejected', 'paid', 'ticketed', 'scored', 'passed', 'failed')),
    reject_reason TEXT NOT NULL DEFAULT '',
    paid_at {{.Time}},
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (plan_id, person_id)
);
--bun:split
CREATE INDEX registrations_organization ON registrations (organization_id, plan_id);
--bun:split
CREATE INDEX registrations_person ON registrations (person_id);
--bun:split
CREATE INDEX registrations_batch ON registrations (batch_id);
