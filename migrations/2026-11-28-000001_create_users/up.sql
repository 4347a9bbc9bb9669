-- People who can log in. Emails are unique case-insensitively; the application stores
-- them lower-cased and the index enforces it regardless.
CREATE TABLE users (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email                text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
    name                 text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    role                 text NOT NULL CHECK (role IN ('student', 'teacher', 'admin')),
    password_hash        text NOT NULL,
    is_active            boolean NOT NULL DEFAULT true,
    -- Sessions created before this instant are dead (password change, "revoke all").
    sessions_valid_after timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
