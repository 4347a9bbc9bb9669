DROP TABLE known_devices;
ALTER TABLE session_events
    DROP COLUMN country, DROP COLUMN region, DROP COLUMN city, DROP COLUMN new_device;
ALTER TABLE user_sessions
    DROP COLUMN country, DROP COLUMN region, DROP COLUMN city, DROP COLUMN name,
    DROP COLUMN new_device, DROP COLUMN new_device_answered_at;
