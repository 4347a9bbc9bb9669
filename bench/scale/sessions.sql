-- A district's sessions for bench/scale.sh: run by psql with
--   -v sessions=N < minted.csv
-- after users.sql. N rows: the minted ones (the sessions whose cookies the benchmark
-- presents, active; standard input holds token_hash,user_id,cookie lines), 999 more of
-- heavy's (its 1,000th is minted), and the rest over the last 30 days, 30% of them
-- revoked or idle since they were created.
\set ON_ERROR_STOP on
SET synchronous_commit = off;

\ir common.sql

CREATE TEMP TABLE minted (token_hash text, user_id uuid, cookie text);
\copy minted FROM pstdin WITH (FORMAT csv)
SELECT count(*) AS minted_count FROM minted \gset

INSERT INTO user_sessions (user_id, token_hash, ip_address, user_agent, device, browser, os,
                           created, last_seen_at, expires_at)
SELECT m.user_id, m.token_hash, '10.20.' || row_number() OVER () % 250 || '.7', p.user_agent,
       p.device, p.browser, p.os, now(), now(), now() + interval '30 days'
FROM minted m JOIN platforms p ON p.k = 0;

INSERT INTO user_sessions (user_id, token_hash, ip_address, user_agent, device, browser, os,
                           created, last_seen_at, expires_at)
SELECT u.id, encode(sha256(('heavy-' || n)::bytea), 'hex'), '10.30.' || n % 250 || '.9',
       p.user_agent, p.device, p.browser, p.os,
       now() - n * interval '40 minutes', now() - n * interval '1 minute',
       now() - n * interval '40 minutes' + interval '30 days'
FROM generate_series(1, 999) AS n
JOIN users u ON u.email = 'heavy@district.test'
JOIN platforms p ON p.k = n % 5;

-- The rest: n % 10 < 7 active, 7 and 8 revoked, 9 idle since created.
INSERT INTO user_sessions (user_id, token_hash, ip_address, user_agent, device, browser, os,
                           is_active, created, last_seen_at, expires_at, revoked_at, revoked_reason)
SELECT u.id, encode(sha256(('session-' || n)::bytea), 'hex'),
       '10.' || n % 200 || '.' || n % 250 || '.' || n % 199,
       p.user_agent, p.device, p.browser, p.os,
       n % 10 NOT IN (7, 8),
       created, CASE WHEN n % 10 = 9 THEN created ELSE greatest(created, now() - interval '1 hour') END,
       created + interval '30 days',
       CASE WHEN n % 10 IN (7, 8) THEN created + interval '1 hour' END,
       CASE WHEN n % 10 IN (7, 8) THEN (ARRAY['logout', 'user', 'others', 'admin', 'password_change'])[1 + n % 5] END
FROM (
    SELECT n, now() - (n * (30 * 86400 - 7200) / :sessions) * interval '1 second' - interval '1 hour' AS created
    FROM generate_series(1, :sessions::bigint - 999 - :minted_count) AS n
) AS s
JOIN numbered u ON u.k = 1 + (n * 7919) % :user_count
JOIN platforms p ON p.k = n % 5;
