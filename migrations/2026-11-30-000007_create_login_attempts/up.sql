-- Login attempt counters when the session cache is PostgreSQL (see server/src/throttle).
-- UNLOGGED: losing them in a crash only forgets some failed attempts.
CREATE UNLOGGED TABLE login_attempts (
    key          text PRIMARY KEY,
    count        integer NOT NULL DEFAULT 0,
    locked_until timestamptz NOT NULL DEFAULT '-infinity',
    forgotten_at timestamptz NOT NULL
);
CREATE INDEX login_attempts_forgotten_at ON login_attempts (forgotten_at);

-- Takes an attempt's slot on every key unless one is locked, atomically, in one call.
-- Returns the milliseconds to wait, 0 when the attempt was counted. Rows are locked in
-- key order, so concurrent attempts on overlapping keys cannot deadlock.
CREATE FUNCTION login_attempt(
    keys text[], limits integer[], base_ms bigint, cap_ms bigint, memory_ms bigint,
    max_doublings integer
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    wait_ms bigint;
    counted integer;
BEGIN
    INSERT INTO login_attempts (key, forgotten_at)
    SELECT k, now() FROM unnest(keys) AS k ORDER BY k
    ON CONFLICT (key) DO NOTHING;
    PERFORM 1 FROM login_attempts WHERE key = ANY (keys) ORDER BY key FOR UPDATE;
    UPDATE login_attempts SET count = 0, locked_until = '-infinity'
    WHERE key = ANY (keys) AND forgotten_at <= now();
    SELECT coalesce(max(ceil(extract(epoch FROM locked_until - now()) * 1000)), 0)::bigint
    INTO wait_ms
    FROM login_attempts WHERE key = ANY (keys) AND locked_until > now();
    IF wait_ms > 0 THEN
        RETURN wait_ms;
    END IF;
    FOR i IN 1 .. coalesce(array_length(keys, 1), 0) LOOP
        UPDATE login_attempts
        SET count = count + 1, forgotten_at = now() + memory_ms * interval '1 millisecond'
        WHERE key = keys[i]
        RETURNING count INTO counted;
        IF counted >= limits[i] THEN
            UPDATE login_attempts
            SET locked_until = now() + least(
                base_ms * power(2, least(counted - limits[i], max_doublings)), cap_ms
            ) * interval '1 millisecond'
            WHERE key = keys[i];
        END IF;
    END LOOP;
    RETURN 0;
END
$$;
