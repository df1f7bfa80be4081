-- 网上办事大厅 sign-in. portal_links: which portal subject (issuer + sub) an account was linked to at its first
-- portal sign-in; one subject per account and one account per subject, so nobody's account can be taken over by a
-- second portal identity.
CREATE TABLE portal_links (
    id {{.ID}},
    account_id BIGINT NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    linked_at {{.Time}} NOT NULL,
    UNIQUE (issuer, subject)
);
--bun:split
-- The sessions begun through the portal, with the portal's subject and session id (sid), so that the portal's
-- back-channel logout can end them. A row goes with its session.
CREATE TABLE portal_sessions (
    session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    sid TEXT NOT NULL DEFAULT '',
    created_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX portal_sessions_subject ON portal_sessions (issuer, subject);
--bun:split
CREATE INDEX portal_sessions_sid ON portal_sessions (issuer, sid);
