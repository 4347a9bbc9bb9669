-- School policy per role: the lifetime, idle timeout and session limit an admin set for
-- a role. A role without a row lives by the configured defaults (SESSION_TTL,
-- SESSION_IDLE_TIMEOUT, MAX_SESSIONS_PER_USER), so an upgrade changes nobody's session.
CREATE TABLE role_policies (
    role                 text PRIMARY KEY CHECK (role IN ('student', 'teacher', 'admin')),
    -- 1 second to 400 days.
    lifetime_seconds     bigint NOT NULL CHECK (lifetime_seconds BETWEEN 1 AND 34560000),
    -- NULL: no idle timeout; otherwise shorter than the lifetime.
    idle_timeout_seconds bigint CHECK (
        idle_timeout_seconds IS NULL
        OR (idle_timeout_seconds >= 1 AND idle_timeout_seconds < lifetime_seconds)
    ),
    max_sessions         integer NOT NULL CHECK (max_sessions BETWEEN 1 AND 1000),
    -- What the role's policy changes ended for good: every session of the role opened
    -- before the first, and every one last seen before the second. A cached copy of such
    -- a session is not believed, whatever the policy says now.
    ended_opened_before  timestamptz,
    ended_seen_before    timestamptz,
    updated_at           timestamptz NOT NULL,
    updated_by           uuid REFERENCES users (id) ON DELETE SET NULL
);
