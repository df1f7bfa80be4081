-- 审核 → 缴费 → 考务编排 → 准考证 → 签到 (LIFECYCLE §4–5). A registration's states become the registry's:
--   submitted 待初审 (an enterprise named by it must confirm) → unit_confirmed 已初审 → [accepted 已受理, when the plan
--   has a 受理 step] → approved 已审核 → [paid 已缴费, when the plan charges] → ticketed 已放号 → scored/passed/failed;
--   returned 退回修改 (edit and resubmit, or withdraw), withdrawn 已撤回, forfeited 视为放弃 (unpaid after 缴费截止).
-- A registration takes a place of its plan unless withdrawn or forfeited (a returned one may come back).
{{if .Postgres}}
ALTER TABLE registrations DROP CONSTRAINT registrations_status_check;
--bun:split
UPDATE registrations SET status = 'returned' WHERE status = 'rejected';
--bun:split
ALTER TABLE registrations ADD CONSTRAINT registrations_status_check CHECK (status IN ('submitted', 'unit_confirmed',
    'accepted', 'approved', 'returned', 'withdrawn', 'paid', 'forfeited', 'ticketed', 'scored', 'passed', 'failed'));
--bun:split
ALTER TABLE registrations ADD COLUMN unit_org_id BIGINT REFERENCES organizations (id);
--bun:split
CREATE OR REPLACE FUNCTION registrations_seats_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM registrations_seats_apply((SELECT COALESCE(jsonb_object_agg(plan_id, n), '{}') FROM
        (SELECT plan_id, COUNT(*) AS n FROM new_rows WHERE status NOT IN ('withdrawn', 'forfeited') GROUP BY plan_id) x));
    RETURN NULL;
END
$$;
--bun:split
CREATE OR REPLACE FUNCTION registrations_seats_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM registrations_seats_apply((SELECT COALESCE(jsonb_object_agg(plan_id, -n), '{}') FROM
        (SELECT plan_id, COUNT(*) AS n FROM old_rows WHERE status NOT IN ('withdrawn', 'forfeited') GROUP BY plan_id) x));
    RETURN NULL;
END
$$;
--bun:split
CREATE OR REPLACE FUNCTION registrations_seats_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM registrations_seats_apply((SELECT COALESCE(jsonb_object_agg(plan_id, n), '{}') FROM
        (SELECT plan_id, SUM(d) AS n FROM (
            SELECT plan_id, 1 AS d FROM new_rows WHERE status NOT IN ('withdrawn', 'forfeited')
            UNION ALL
            SELECT plan_id, -1 AS d FROM old_rows WHERE status NOT IN ('withdrawn', 'forfeited')) c
         GROUP BY plan_id) x));
    RETURN NULL;
END
$$;
{{else}}
-- SQLite cannot change a CHECK constraint: the table is rebuilt (nothing references it), with its indexes and triggers.
CREATE TABLE registrations_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id BIGINT NOT NULL REFERENCES exam_plans (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    channel TEXT NOT NULL CHECK (channel IN ('self', 'enterprise', 'training')),
    organization_id BIGINT REFERENCES organizations (id),
    account_id BIGINT REFERENCES accounts (id),
    employer_name TEXT NOT NULL DEFAULT '',
    employer_code TEXT NOT NULL DEFAULT '',
    work_start_date TIMESTAMP,
    years_of_work INTEGER NOT NULL DEFAULT 0,
    resume TEXT NOT NULL DEFAULT '',
    employer_opinion TEXT NOT NULL DEFAULT '',
    photo_key TEXT NOT NULL DEFAULT '',
    batch_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'submitted'
        CHECK (status IN ('submitted', 'unit_confirmed', 'accepted', 'approved', 'returned', 'withdrawn', 'paid',
            'forfeited', 'ticketed', 'scored', 'passed', 'failed')),
    reject_reason TEXT NOT NULL DEFAULT '',
    paid_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    unit_org_id BIGINT REFERENCES organizations (id),
    UNIQUE (plan_id, person_id)
);
--bun:split
INSERT INTO registrations_new (id, plan_id, person_id, channel, organization_id, account_id, employer_name,
    employer_code, work_start_date, years_of_work, resume, employer_opinion, photo_key, batch_id, status,
    reject_reason, paid_at, created_at, updated_at, version)
SELECT id, plan_id, person_id, channel, organization_id, account_id, employer_name, employer_code, work_start_date,
    years_of_work, resume, employer_opinion, photo_key, batch_id,
    CASE status WHEN 'rejected' THEN 'returned' ELSE status END, reject_reason, paid_at, created_at, updated_at, version
FROM registrations;
--bun:split
DROP TABLE registrations;
--bun:split
ALTER TABLE registrations_new RENAME TO registrations;
--bun:split
CREATE INDEX registrations_organization ON registrations (organization_id, plan_id);
--bun:split
CREATE INDEX registrations_person ON registrations (person_id);
--bun:split
CREATE INDEX registrations_photo_key ON registrations (photo_key) WHERE photo_key <> '';
--bun:split
CREATE TRIGGER registrations_seats_insert AFTER INSERT ON registrations WHEN NEW.status NOT IN ('withdrawn', 'forfeited')
BEGIN
    UPDATE exam_plans SET seats_taken = seats_taken + 1 WHERE id = NEW.plan_id;
    SELECT RAISE(ABORT, 'exam plan is full') FROM exam_plans WHERE id = NEW.plan_id AND capacity > 0 AND seats_taken > capacity;
END;
--bun:split
CREATE TRIGGER registrations_seats_delete AFTER DELETE ON registrations WHEN OLD.status NOT IN ('withdrawn', 'forfeited')
BEGIN
    UPDATE exam_plans SET seats_taken = seats_taken - 1 WHERE id = OLD.plan_id;
END;
--bun:split
CREATE TRIGGER registrations_seats_update AFTER UPDATE OF status, plan_id ON registrations
    WHEN OLD.status <> NEW.status OR OLD.plan_id <> NEW.plan_id
BEGIN
    UPDATE exam_plans SET seats_taken = seats_taken - 1 WHERE id = OLD.plan_id AND OLD.status NOT IN ('withdrawn', 'forfeited');
    UPDATE exam_plans SET seats_taken = seats_taken + 1 WHERE id = NEW.plan_id AND NEW.status NOT IN ('withdrawn', 'forfeited');
    SELECT RAISE(ABORT, 'exam plan is full') FROM exam_plans
        WHERE id = NEW.plan_id AND NEW.status NOT IN ('withdrawn', 'forfeited') AND capacity > 0 AND seats_taken > capacity;
END;
{{end}}
--bun:split
UPDATE exam_plans SET seats_taken = (SELECT COUNT(*) FROM registrations r
    WHERE r.plan_id = exam_plans.id AND r.status NOT IN ('withdrawn', 'forfeited'));
--bun:split
-- Registrations filed before this migration had no 单位确认 step: they are past it.
UPDATE registrations SET status = 'unit_confirmed' WHERE status = 'submitted';
--bun:split
CREATE INDEX registrations_plan_status ON registrations (plan_id, status);
--bun:split
CREATE INDEX registrations_unit ON registrations (unit_org_id, status) WHERE unit_org_id IS NOT NULL;
--bun:split
-- Per plan: an optional 受理 step before 审核, 缴费截止 (when the plan charges), the plan's number in its exam year
-- (准考证号 = YY + this (3) + sequence (4), given at 放号) and when 放号 locked the arrangement.
ALTER TABLE exam_plans ADD COLUMN acceptance_step BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE exam_plans ADD COLUMN payment_deadline {{.Time}};
--bun:split
ALTER TABLE exam_plans ADD COLUMN number_in_year INTEGER NOT NULL DEFAULT 0;
--bun:split
ALTER TABLE exam_plans ADD COLUMN released_at {{.Time}};
--bun:split
-- 考务人员 (proctor): an account an admin creates for 签到 at given 考点 and days.
{{if .Postgres}}
ALTER TABLE accounts DROP CONSTRAINT accounts_role_check;
--bun:split
ALTER TABLE accounts ADD CONSTRAINT accounts_role_check CHECK (role IN ('practitioner', 'enterprise', 'training', 'admin', 'proctor'));
{{else}}
-- SQLite cannot alter a CHECK constraint, and accounts is referenced everywhere (no rebuild): the documented
-- writable_schema edit widens the list in place; nothing stored changes.
PRAGMA writable_schema = ON;
--bun:split
UPDATE sqlite_schema SET sql = replace(sql, '''training'', ''admin'')', '''training'', ''admin'', ''proctor'')')
    WHERE type = 'table' AND name = 'accounts';
--bun:split
PRAGMA writable_schema = OFF;
{{end}}
--bun:split
-- Where an account is told of things besides its 消息 (email, mobile for SMS); both optional.
ALTER TABLE accounts ADD COLUMN email TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE accounts ADD COLUMN mobile TEXT NOT NULL DEFAULT '';
--bun:split
-- Counters per scope and year (the plan's number in the year; later certificate serials), taken inside the
-- transaction that uses them.
CREATE TABLE yearly_counters (
    scope TEXT NOT NULL,
    year INTEGER NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (scope, year)
);
--bun:split
-- Secrets the servers share (e.g. the key that signs 准考证 QR tokens), made once, kept in the database so that every
-- server process agrees.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at {{.Time}} NOT NULL
);
--bun:split
-- 消息: an account's message centre. Rows are written in the transaction of the event they tell of.
CREATE TABLE messages (
    id {{.ID}},
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    kind TEXT NOT NULL,              -- returned, approved, payment_notice, ticket_ready, …
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',   -- a path on this site
    created_at {{.Time}} NOT NULL,
    read_at {{.Time}}
);
--bun:split
CREATE INDEX messages_account ON messages (account_id, id);
--bun:split
-- Email and SMS to send: written with the message, sent by a background job with retries.
CREATE TABLE outbox (
    id {{.ID}},
    message_id BIGINT REFERENCES messages (id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    next_attempt_at {{.Time}} NOT NULL,
    created_at {{.Time}} NOT NULL,
    sent_at {{.Time}}
);
--bun:split
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);
--bun:split
-- 缴费: one row per payment confirmed (by hand or from the bank's reconciliation file).
CREATE TABLE payments (
    id {{.ID}},
    registration_id BIGINT NOT NULL REFERENCES registrations (id),
    amount_cents INTEGER NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('manual', 'bank')),
    trade_no TEXT NOT NULL DEFAULT '',  -- 交易流水号 (bank); unique when given
    paid_on {{.Time}} NOT NULL,
    batch_no TEXT NOT NULL DEFAULT '',
    account_id BIGINT REFERENCES accounts (id),
    created_at {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX payments_registration ON payments (registration_id);
--bun:split
CREATE UNIQUE INDEX payments_trade_no ON payments (trade_no) WHERE trade_no <> '';
--bun:split
-- 考点: a place with rooms.
CREATE TABLE exam_sites (
    id {{.ID}},
    name TEXT NOT NULL UNIQUE,
    address TEXT NOT NULL,
    contact_name TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    room_count INTEGER NOT NULL,
    capacity INTEGER NOT NULL,        -- 容纳人数, all rooms together
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
--bun:split
-- The subjects of a plan, with their times (the ticket lists them).
CREATE TABLE exam_subjects (
    id {{.ID}},
    plan_id BIGINT NOT NULL REFERENCES exam_plans (id),
    name TEXT NOT NULL,
    starts_at {{.Time}} NOT NULL,
    ends_at {{.Time}} NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0
);
--bun:split
CREATE INDEX exam_subjects_plan ON exam_subjects (plan_id, sort_order);
--bun:split
-- 考场 of a plan at a 考点: number, capacity, times; first/last 准考证号 once numbers are given.
CREATE TABLE exam_rooms (
    id {{.ID}},
    plan_id BIGINT NOT NULL REFERENCES exam_plans (id),
    site_id BIGINT NOT NULL REFERENCES exam_sites (id),
    room_no TEXT NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    starts_at {{.Time}} NOT NULL,
    ends_at {{.Time}} NOT NULL,
    first_ticket_no TEXT NOT NULL DEFAULT '',
    last_ticket_no TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (plan_id, site_id, room_no)
);
--bun:split
-- A draw of a plan's candidates over its rooms: the seed makes it reproducible and auditable.
CREATE TABLE draws (
    id {{.ID}},
    plan_id BIGINT NOT NULL REFERENCES exam_plans (id),
    seed TEXT NOT NULL,                -- hex, from crypto/rand
    spread_organizations BOOLEAN NOT NULL,
    candidates INTEGER NOT NULL,
    batch_no TEXT NOT NULL,
    account_id BIGINT REFERENCES accounts (id),
    drawn_at {{.Time}} NOT NULL,
    cancelled_at {{.Time}}             -- 取消放号
);
--bun:split
CREATE INDEX draws_plan ON draws (plan_id, id);
--bun:split
-- 准考证: a candidate's room, seat and number; 签到 and 缺考 on exam day.
CREATE TABLE tickets (
    registration_id BIGINT PRIMARY KEY REFERENCES registrations (id),
    plan_id BIGINT NOT NULL REFERENCES exam_plans (id),
    room_id BIGINT NOT NULL REFERENCES exam_rooms (id),
    draw_id BIGINT NOT NULL REFERENCES draws (id),
    seat_no INTEGER NOT NULL,
    ticket_no TEXT NOT NULL UNIQUE,    -- 准考证号, 9 digits
    checked_in_at {{.Time}},
    checked_in_by BIGINT REFERENCES accounts (id),
    absent BOOLEAN NOT NULL DEFAULT FALSE,  -- 缺考: set after the exam for whoever did not check in
    UNIQUE (room_id, seat_no)
);
--bun:split
CREATE INDEX tickets_plan ON tickets (plan_id, ticket_no);
--bun:split
-- 考务人员: which 考点 and days an account may check candidates in at.
CREATE TABLE proctor_scopes (
    id {{.ID}},
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    site_id BIGINT NOT NULL REFERENCES exam_sites (id),
    day TEXT NOT NULL,                 -- YYYY-MM-DD, Beijing time
    UNIQUE (account_id, site_id, day)
);
