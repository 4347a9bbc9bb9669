-- One slice of the audit trail for bench/scale.sh (events :first_event to :last_event of
-- :events, spread evenly over the last 365 days; the caller loads slices in parallel,
-- with the table's indexes and keys dropped, and rebuilds them after): run by psql with
--   -v events=N -v first_event=N -v last_event=N
-- after seed.sql. One kind per event by weight; heavy@district.test has 1 in 500.
\set ON_ERROR_STOP on
SET synchronous_commit = off;

\ir common.sql

-- Ids are random-looking but derived from n (md5): gen_random_uuid() asks the kernel
-- for randomness each time, which made it a third of the load's time.
INSERT INTO session_events (id, at, user_id, session_id, kind, ip_address, user_agent, detail)
SELECT md5('event-' || n)::uuid,
       now() - (n * (365 * 86400) / :events) * interval '1 second',
       CASE WHEN n % 500 = 0 THEN (SELECT id FROM users WHERE email = 'heavy@district.test') ELSE u.id END,
       md5('session-' || n / 4)::uuid,
       kinds.kind, '10.' || n % 200 || '.' || n % 250 || '.' || n % 199, p.user_agent, kinds.detail::jsonb
FROM generate_series(:first_event::bigint, :last_event) AS n
JOIN numbered u ON u.k = 1 + (n * 104729) % :user_count
JOIN platforms p ON p.k = n % 5
JOIN (VALUES (0, 'login_succeeded', '{"via":"login"}'), (1, 'session_created', '{"via":"login"}'),
             (2, 'login_succeeded', '{"via":"login"}'), (3, 'session_created', '{"via":"login"}'),
             (4, 'session_revoked', '{"reason":"logout"}'), (5, 'session_revoked', '{"reason":"user"}'),
             (6, 'login_failed', '{"reason":"wrong_password"}'), (7, 'session_expired', '{}'),
             (8, 'validation_failed', '{"reason":"revoked"}'), (9, 'password_changed', '{"revoked":2}'))
     AS kinds (slot, kind, detail) ON kinds.slot = n % 10;
