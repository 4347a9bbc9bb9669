ALTER TABLE user_sessions DROP COLUMN shared_device;
