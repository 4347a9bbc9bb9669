ALTER TABLE user_sessions DROP COLUMN authenticated_at;
