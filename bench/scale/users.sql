-- A district's accounts for bench/scale.sh, written at native speed: run by psql with
--   -v users=N -v hash=PHC
-- on a migrated database holding only the admin, whose password hash every generated
-- account shares (so any of them logs in with the admin's password): N-2 students and
-- teachers (1 in 50), and heavy@district.test, who gets 1,000 sessions (sessions.sql)
-- and 1 in 500 of the audit events (events.sql).
\set ON_ERROR_STOP on
SET synchronous_commit = off;

INSERT INTO users (email, name, role, password_hash, created_at, updated_at)
SELECT 'user' || n || '@school' || n % 40 || '.district.test',
       (ARRAY['Alice', 'Bruno', 'Chloé', 'David', 'Emma', 'Farid', 'Gabriel', 'Hana', 'Inès', 'Jules',
              'Karim', 'Léa', 'Manon', 'Nathan', 'Oscar', 'Paul', 'Quentin', 'Rose', 'Sacha', 'Yasmine'])[1 + n % 20]
           || ' ' || (ARRAY['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Petit'])[1 + (n / 20) % 6],
       CASE WHEN n % 50 = 0 THEN 'teacher' ELSE 'student' END,
       :'hash',
       now() - n * interval '1 minute',
       now() - n * interval '1 minute'
FROM generate_series(1, :users - 2) AS n;
INSERT INTO users (email, name, role, password_hash)
VALUES ('heavy@district.test', 'Heavy User', 'teacher', :'hash');
