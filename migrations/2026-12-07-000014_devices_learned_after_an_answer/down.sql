ALTER TABLE known_devices DROP COLUMN pending_on, DROP COLUMN learned_at;
