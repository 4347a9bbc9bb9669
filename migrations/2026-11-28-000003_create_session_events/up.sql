-- The audit trail. Append-only: a trigger refuses UPDATE and DELETE.
-- `session_id` has no foreign key on purpose: events outlive purged sessions.
CREATE TABLE session_events (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    user_id    uuid REFERENCES users (id),
    session_id uuid,
    kind       text NOT NULL,
    ip_address text,
    user_agent text CHECK (char_length(user_agent) <= 512),
    detail     jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX session_events_at_idx ON session_events (at DESC, id DESC);
CREATE INDEX session_events_user_at_idx ON session_events (user_id, at DESC, id DESC);

CREATE FUNCTION session_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'session_events is append-only';
END;
$$;

CREATE TRIGGER session_events_append_only
    BEFORE UPDATE OR DELETE ON session_events
    FOR EACH ROW EXECUTE FUNCTION session_events_append_only();
