-- Keys the server generates once when they are not configured (SESSION_SECRET), shared by
-- every instance and kept across restarts so issued cookies stay readable.
CREATE TABLE server_keys (
    name       text PRIMARY KEY,
    secret     bytea NOT NULL CHECK (octet_length(secret) >= 64),
    created_at timestamptz NOT NULL DEFAULT now()
);
