-- A new device is not known at once: it is learned when the owner answers "yes, that
-- was me", or a week after the sign-in unless they answered "no", which forgets it.
-- `learned_at` is when a device starts to count as known; `pending_on` is the
-- new-device session whose answer it waits for (null once learned). Every device known
-- before this migration stays known.
ALTER TABLE known_devices
    ADD COLUMN learned_at timestamptz,
    ADD COLUMN pending_on uuid REFERENCES user_sessions (id) ON DELETE SET NULL;
UPDATE known_devices SET learned_at = last_seen_at;
ALTER TABLE known_devices ALTER COLUMN learned_at SET NOT NULL;
-- An answer finds the devices waiting on its session.
CREATE INDEX known_devices_pending_on_idx ON known_devices (pending_on)
    WHERE pending_on IS NOT NULL;
