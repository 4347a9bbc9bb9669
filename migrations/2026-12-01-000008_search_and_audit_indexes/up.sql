-- Indexes for the admin's lists at district scale (the query-plan test checks that no
-- request scans users, user_sessions or session_events sequentially).

-- The user list is ordered by (email, id) and resumes after a cursor.
CREATE INDEX users_email_id_idx ON users (email, id);

-- User search is a case-insensitive substring of the email or the name (ILIKE '%…%'):
-- trigram indexes serve it. pg_trgm ships with PostgreSQL and is a trusted extension:
-- the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_email_trgm_idx ON users USING gin (email gin_trgm_ops);
CREATE INDEX users_name_trgm_idx ON users USING gin (name gin_trgm_ops);

-- The audit trail filtered by kind, newest first.
CREATE INDEX session_events_kind_at_idx ON session_events (kind, at DESC, id DESC);
