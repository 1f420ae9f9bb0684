-- Accounts, roles, sessions, API tokens, break-glass grants, and the audit trail.
-- Times are UTC as fixed-width ISO 8601 text (YYYY-MM-DDTHH:MM:SS.ffffffZ), which sorts in time order.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    staff_id INTEGER REFERENCES staff (id),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    totp_secret TEXT,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1)
) STRICT;
CREATE UNIQUE INDEX users_staff ON users (staff_id) WHERE staff_id IS NOT NULL;

CREATE TABLE role_assignments (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('family-court-adviser', 'family-support-worker',
        'practice-supervisor', 'service-manager', 'business-support', 'hr',
        'performance-and-strategy', 'quality-auditor', 'board-member', 'system-administrator')),
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('national', 'region', 'area', 'team')),
    -- The region, service area or team; 0 for national.
    scope_id INTEGER NOT NULL,
    UNIQUE (user_id, role, scope_kind, scope_id)
) STRICT;

CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at TEXT
) STRICT;
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- Reset codes an administrator issues: the holder sets their own password
-- with one, so no administrator ever chooses or knows it (ASVS 6.4.6).
CREATE TABLE password_resets (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
) STRICT;
CREATE INDEX password_resets_user ON password_resets (user_id);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    -- 'second-factor': password checked, code still needed;
    -- 'enrol': must set up a second factor before anything else; 'complete'.
    stage TEXT NOT NULL CHECK (stage IN ('second-factor', 'enrol', 'complete')),
    -- A second-factor secret being set up, until it is confirmed.
    pending_totp_secret TEXT,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE break_glass_grants (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    record_type TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    reason TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX break_glass_user ON break_glass_grants (user_id, expires_at);
CREATE INDEX break_glass_record ON break_glass_grants (record_type, record_id);

-- The audit trail. seq comes from audit_head inside the writing
-- transaction, so it has no gaps: a missing number means a deleted entry.
CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_user_id INTEGER,
    actor_username TEXT NOT NULL,
    actor_role TEXT,
    actor_scope TEXT,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied')),
    record_type TEXT,
    record_id TEXT,
    request_id TEXT,
    client_ip TEXT,
    reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
) STRICT;
CREATE INDEX audit_events_record ON audit_events (record_type, record_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_username, at);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_failed_sign_ins ON audit_events (action, client_ip, at);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

-- The newest entry's number and hash: each append updates this one row,
-- which also makes concurrent appends take turns.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
