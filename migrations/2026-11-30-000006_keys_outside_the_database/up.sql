-- The cookie keys come from SESSION_SECRET, never from the database: whoever could read a
-- key here could mint cookies. The database keeps only a fingerprint of the newest key,
-- so that an instance configured with unrelated keys refuses to start.
CREATE TABLE cookie_key_fingerprint (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    fingerprint bytea NOT NULL CHECK (octet_length(fingerprint) = 32),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The key earlier versions generated is retired as of this upgrade: it still opens the
-- cookies it sealed, for sessions that are recorded (never to record one), and is
-- dropped once SESSION_TTL has passed.
UPDATE server_keys
SET name = 'retired_session_cookie', created_at = now()
WHERE name = 'session_cookie';
