-- Accounts, roles, sessions, API tokens, break-glass grants, and the audit trail.

CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username TEXT COLLATE "C" NOT NULL UNIQUE,
    staff_id BIGINT REFERENCES staff (id),
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL,
    totp_secret TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    version BIGINT NOT NULL CHECK (version >= 1)
);
CREATE UNIQUE INDEX users_staff ON users (staff_id) WHERE staff_id IS NOT NULL;

CREATE TABLE role_assignments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('family-court-adviser', 'family-support-worker',
        'practice-supervisor', 'service-manager', 'business-support', 'hr',
        'performance-and-strategy', 'quality-auditor', 'board-member', 'system-administrator')),
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('national', 'region', 'area', 'team')),
    -- The region, service area or team; 0 for national.
    scope_id BIGINT NOT NULL,
    UNIQUE (user_id, role, scope_kind, scope_id)
);

CREATE TABLE recovery_codes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- Reset codes an administrator issues: the holder sets their own password
-- with one, so no administrator ever chooses or knows it (ASVS 6.4.6).
CREATE TABLE password_resets (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX password_resets_user ON password_resets (user_id);

CREATE TABLE sessions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    stage TEXT NOT NULL CHECK (stage IN ('second-factor', 'enrol', 'complete')),
    pending_totp_secret TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE break_glass_grants (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    record_type TEXT NOT NULL,
    record_id BIGINT NOT NULL,
    reason TEXT NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX break_glass_user ON break_glass_grants (user_id, expires_at);
CREATE INDEX break_glass_record ON break_glass_grants (record_type, record_id);

-- The audit trail. seq comes from audit_head inside the writing
-- transaction, so it has no gaps: a missing number means a deleted entry.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor_user_id BIGINT,
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
);
CREATE INDEX audit_events_record ON audit_events (record_type, record_id, seq);
CREATE INDEX audit_events_actor ON audit_events (actor_username, at);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_failed_sign_ins ON audit_events (action, client_ip, at);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- The newest entry's number and hash: each append updates this one row,
-- whose row lock makes concurrent appends take turns.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
