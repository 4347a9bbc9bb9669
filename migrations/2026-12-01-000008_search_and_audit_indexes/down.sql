DROP INDEX session_events_kind_at_idx;
DROP INDEX users_name_trgm_idx;
DROP INDEX users_email_trgm_idx;
DROP INDEX users_email_id_idx;
