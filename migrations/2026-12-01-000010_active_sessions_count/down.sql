CREATE INDEX user_sessions_expires_at_idx ON user_sessions (expires_at);
DROP INDEX user_sessions_expires_at_active_idx;
