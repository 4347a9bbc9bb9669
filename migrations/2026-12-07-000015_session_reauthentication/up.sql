-- When the session's owner last proved the password by re-authenticating; null means at
-- the session's opening, which is always a proof (a sign-in, a password change, or the
-- sign-in that minted the cookie `ensure` records). Nullable, so adding it rewrites no
-- row of a large table.
ALTER TABLE user_sessions ADD COLUMN authenticated_at timestamptz;
