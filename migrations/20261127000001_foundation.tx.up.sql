-- Organizations (单位): enterprises and training institutions.
CREATE TABLE organizations (
    id {{.ID}},
    kind TEXT NOT NULL CHECK (kind IN ('enterprise', 'training')),
    name TEXT NOT NULL,
    credit_code TEXT UNIQUE,          -- 统一社会信用代码, 18 chars (GB 32100)
    org_code TEXT UNIQUE,             -- 组织机构代码, 9 chars (GB 11714); derived from credit_code when that is given
    contact_name TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
--bun:split
-- People (人员): practitioners, whether or not they have an account.
CREATE TABLE persons (
    id {{.ID}},
    id_number TEXT NOT NULL UNIQUE,   -- 身份证号, 18 chars (GB 11643)
    name TEXT NOT NULL,
    gender TEXT NOT NULL DEFAULT '',  -- 男 / 女, derived from id_number
    birth_date {{.Time}},             -- derived from id_number
    education TEXT NOT NULL DEFAULT '',
    major TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    organization_id BIGINT REFERENCES organizations (id),
    work_start_date {{.Time}},
    photo_key TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
--bun:split
CREATE INDEX persons_organization_id ON persons (organization_id);
--bun:split
-- Accounts (用户): who signs in, as what, for whom.
CREATE TABLE accounts (
    id {{.ID}},
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('practitioner', 'enterprise', 'training', 'admin')),
    display_name TEXT NOT NULL DEFAULT '',
    person_id BIGINT REFERENCES persons (id),
    organization_id BIGINT REFERENCES organizations (id),
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until {{.Time}},
    password_changed_at {{.Time}} NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    last_login_at {{.Time}},
    last_login_ip TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL,
    updated_at {{.Time}} NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
--bun:split
CREATE INDEX accounts_person_id ON accounts (person_id);
--bun:split
CREATE INDEX accounts_organization_id ON accounts (organization_id);
--bun:split
-- Server-side sessions: the cookie holds only the random id, so signing out, a password change or disabling an
-- account revokes a session by deleting its row.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    data TEXT NOT NULL DEFAULT '',
    signed_in_at {{.Time}} NOT NULL,
    last_seen_at {{.Time}} NOT NULL,
    expires_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX sessions_account_id ON sessions (account_id);
--bun:split
CREATE INDEX sessions_expires_at ON sessions (expires_at);
--bun:split
-- Failed sign-ins counted by something other than an account: an unknown login name or a client address.
CREATE TABLE login_throttles (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    last_failure_at {{.Time}} NOT NULL,
    locked_until {{.Time}}
);
--bun:split
-- Image captchas (4 digits), kept in the database so any server process can check an answer.
CREATE TABLE captchas (
    id TEXT PRIMARY KEY,
    digits TEXT NOT NULL,
    expires_at {{.Time}} NOT NULL
);
--bun:split
-- The audit log (操作日志): append-only.
CREATE TABLE audit_events (
    id {{.ID}},
    occurred_at {{.Time}} NOT NULL,
    account_id BIGINT,
    username TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT '',
    organization_id BIGINT,
    ip TEXT NOT NULL DEFAULT '',
    event TEXT NOT NULL,
    object TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    request_id TEXT NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at);
--bun:split
CREATE INDEX audit_events_account_id ON audit_events (account_id, occurred_at);
--bun:split
CREATE INDEX audit_events_event ON audit_events (event, occurred_at);
--bun:split
-- The database itself refuses to change an audit row, or to delete one younger than 180 days.
{{if .Postgres}}
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.occurred_at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END
$$;
--bun:split
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
{{else}}
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
--bun:split
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    WHEN julianday(OLD.occurred_at) > julianday('now', '-180 days')
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
{{end}}
