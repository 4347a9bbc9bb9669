-- The active-sessions gauge counts unexpired active sessions every METRICS_REFRESH on
-- every instance. With the purge's index on expires_at alone that count read the table
-- (about 300 ms of both cores at a million sessions, measured by bench/scale.sh); with
-- is_active carried in the index it is an index-only scan, and the purge still uses it.
CREATE INDEX user_sessions_expires_at_active_idx ON user_sessions (expires_at) INCLUDE (is_active);
DROP INDEX user_sessions_expires_at_idx;
