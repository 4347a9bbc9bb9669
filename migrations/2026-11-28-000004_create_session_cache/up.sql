-- Backing store of SESSION_CACHE=postgres. UNLOGGED: not crash-safe and not replicated,
-- which is fine for a cache (losing it loses no session) and makes writes cheap.
CREATE UNLOGGED TABLE session_cache (
    key        text PRIMARY KEY,
    value      jsonb NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX session_cache_expires_at_idx ON session_cache (expires_at);
