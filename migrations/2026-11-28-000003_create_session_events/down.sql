DROP TABLE session_events;
DROP FUNCTION session_events_append_only();
