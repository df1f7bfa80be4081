-- 成绩 (LIFECYCLE §6). A score is one candidate's result in one subject, imported from the registry's 成绩模版: the
-- 客观题 and 主观题 parts and their total in tenths of a point, and the 考试情况 (anything but 正常 scores 0). The
-- batch_no is the import's 批号 (CJDR…): re-importing a subject replaces its rows under a new one.
CREATE TABLE scores (
    registration_id BIGINT NOT NULL REFERENCES registrations (id),
    subject_id BIGINT NOT NULL REFERENCES exam_subjects (id),
    plan_id BIGINT NOT NULL REFERENCES exam_plans (id),
    objective_tenths INTEGER NOT NULL CHECK (objective_tenths >= 0),
    subjective_tenths INTEGER NOT NULL CHECK (subjective_tenths >= 0),
    total_tenths INTEGER NOT NULL CHECK (total_tenths = objective_tenths + subjective_tenths),
    situation TEXT NOT NULL CHECK (situation IN ('正常', '违纪', '替考', '缺考')),
    batch_no TEXT NOT NULL,
    imported_at {{.Time}} NOT NULL,
    imported_by BIGINT REFERENCES accounts (id),
    PRIMARY KEY (registration_id, subject_id),
    CHECK (situation = '正常' OR total_tenths = 0)
);
--bun:split
CREATE INDEX scores_plan ON scores (plan_id, subject_id);
--bun:split
-- 合格线 of a subject, in tenths; a subject without a row has the default (60, 特种作业 实操 70).
CREATE TABLE pass_lines (
    subject_id BIGINT PRIMARY KEY REFERENCES exam_subjects (id),
    plan_id BIGINT NOT NULL REFERENCES exam_plans (id),
    line_tenths INTEGER NOT NULL CHECK (line_tenths >= 0),
    updated_at {{.Time}} NOT NULL,
    updated_by BIGINT REFERENCES accounts (id)
);
--bun:split
-- 成绩发布 of a plan: published (the lines locked, 合格/不合格 announced) under a 批号 CJFB…, or reopened by an
-- admin with a reason. No row: never published.
CREATE TABLE result_releases (
    plan_id BIGINT PRIMARY KEY REFERENCES exam_plans (id),
    published_at {{.Time}},
    published_by BIGINT REFERENCES accounts (id),
    batch_no TEXT NOT NULL DEFAULT '',
    reopened_at {{.Time}},
    reopened_by BIGINT REFERENCES accounts (id),
    reopen_reason TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1
);
