-- Where a session was opened (from GEOIP_DB, when set), the name its owner gave it, and
-- whether it was a sign-in from a device the account had not used in 90 days.
ALTER TABLE user_sessions
    ADD COLUMN country text CHECK (country ~ '^[A-Z]{2}$'),
    ADD COLUMN region text CHECK (char_length(region) <= 200),
    ADD COLUMN city text CHECK (char_length(city) <= 200),
    ADD COLUMN name text CHECK (char_length(name) BETWEEN 1 AND 40),
    ADD COLUMN new_device boolean NOT NULL DEFAULT false,
    -- When the owner answered "was this you?" (either way); null while unanswered.
    ADD COLUMN new_device_answered_at timestamptz,
    ADD CHECK (new_device OR new_device_answered_at IS NULL);

-- The sign-in events carry the place and the new-device mark too: the trail outlives
-- the sessions (the purge deletes expired ones).
ALTER TABLE session_events
    ADD COLUMN country text CHECK (country ~ '^[A-Z]{2}$'),
    ADD COLUMN region text CHECK (char_length(region) <= 200),
    ADD COLUMN city text CHECK (char_length(city) <= 200),
    ADD COLUMN new_device boolean NOT NULL DEFAULT false;

-- What each account has signed in from, and when last: a sign-in whose platform
-- (device kind, browser family, OS family, country) or device cookie is not here, or was
-- last seen more than 90 days ago, is a new device. Kept apart from user_sessions, whose
-- rows the purge deletes once expired. `fingerprint` is `platform|…` or `cookie|<hash>`.
CREATE TABLE known_devices (
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    fingerprint  text NOT NULL CHECK (char_length(fingerprint) <= 300),
    last_seen_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, fingerprint)
);
-- The purge forgets devices unseen for 90 days.
CREATE INDEX known_devices_last_seen_at_idx ON known_devices (last_seen_at);

-- Sessions opened before this migration count as known: without this, every existing
-- account's next sign-in would be flagged. Browser and OS families are the names without
-- their trailing version (as `domain::sessions::devices` computes them); these sessions
-- have no country.
INSERT INTO known_devices (user_id, fingerprint, last_seen_at)
SELECT user_id,
       'platform|' || device || '|' || regexp_replace(browser, ' [0-9][^ ]*$', '')
           || '|' || regexp_replace(os, ' [0-9][^ ]*$', '') || '|',
       max(last_seen_at)
FROM user_sessions
WHERE last_seen_at > now() - interval '90 days'
GROUP BY 1, 2;
