-- What sessions.sql and events.sql pick from: users by number, and platforms.

-- Users by number, to pick them from generated series.
CREATE TEMP TABLE numbered AS
SELECT row_number() OVER (ORDER BY id) AS k, id FROM users WHERE role <> 'admin';
CREATE UNIQUE INDEX ON numbered (k);
ANALYZE numbered;
SELECT count(*) AS user_count FROM numbered \gset

-- Platforms the sessions and events come from.
CREATE TEMP TABLE platforms (k int, user_agent text, device text, browser text, os text);
INSERT INTO platforms VALUES
 (0, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'pc', 'Chrome 131.0.0.0', 'Windows 10'),
 (1, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 'pc', 'Safari 17.5', 'Mac OSX 10.15.7'),
 (2, 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'smartphone', 'Safari 17.5', 'iPhone 17.5'),
 (3, 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'pc', 'Chrome 131.0.0.0', 'ChromeOS'),
 (4, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'pc', 'Firefox 133.0', 'Windows 10');
