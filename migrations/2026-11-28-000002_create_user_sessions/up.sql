-- One row per login session. The token itself is never stored: `token_hash` is the hex
-- SHA-256 of it, unique so that `ensure` can insert-if-absent without a race.
-- Revoked rows stay as tombstones until `expires_at`, so a revoked token can never be
-- re-created; the purge job deletes expired rows.
CREATE TABLE user_sessions (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash     text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    ip_address     text NOT NULL,
    user_agent     text NOT NULL CHECK (char_length(user_agent) <= 512),
    device         text NOT NULL,
    browser        text NOT NULL,
    os             text NOT NULL,
    is_active      boolean NOT NULL DEFAULT true,
    created        timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    revoked_reason text CHECK (revoked_reason IN
        ('logout', 'user', 'others', 'admin', 'password_change', 'user_deactivated', 'session_limit')),
    CHECK (expires_at > created),
    CHECK (is_active = (revoked_at IS NULL)),
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);

-- "My active sessions, newest first" and the per-user session limit.
CREATE INDEX user_sessions_user_active_idx ON user_sessions (user_id, created DESC) WHERE is_active;
-- The purge job.
CREATE INDEX user_sessions_expires_at_idx ON user_sessions (expires_at);
