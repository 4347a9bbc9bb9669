-- The admin's users table shows each user's last sign-in and sorts by it, or by name.
-- last_sign_in_at is written by every sign-in; existing users take theirs from the audit
-- trail (events older than AUDIT_RETENTION are gone, so a user unseen since then reads
-- "never", as does one who never signed in).
ALTER TABLE users ADD COLUMN last_sign_in_at timestamptz;

UPDATE users
SET last_sign_in_at = signed_in.at
FROM (
    SELECT user_id, max(at) AS at
    FROM session_events
    WHERE kind = 'login_succeeded' AND user_id IS NOT NULL
    GROUP BY user_id
) AS signed_in
WHERE signed_in.user_id = users.id;

-- Keyset pages in each order the table offers: a deep page starts at its cursor. The
-- last-sign-in order puts "never" last as the earliest time there is, so that one index
-- covers it (a cursor on NULLs would need an OR the index cannot bound).
CREATE INDEX users_name_idx ON users (name, id);
CREATE INDEX users_last_sign_in_idx
    ON users ((coalesce(last_sign_in_at, '-infinity'::timestamptz)) DESC, id);
