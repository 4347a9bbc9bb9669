DROP TABLE session_cache;
