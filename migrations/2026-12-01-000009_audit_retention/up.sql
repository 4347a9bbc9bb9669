-- The audit trail stays append-only, with one exception: the retention purge may delete
-- events older than the cutoff it declares for its own transaction
-- (`SET LOCAL hallpass.audit_purge_before`). Updates, and deletes of anything younger or
-- without that declaration, are still refused.
CREATE OR REPLACE FUNCTION session_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cutoff text := current_setting('hallpass.audit_purge_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND cutoff IS NOT NULL AND cutoff <> ''
       AND OLD.at < cutoff::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'session_events is append-only';
END;
$$;
