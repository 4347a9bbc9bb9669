UPDATE server_keys SET name = 'session_cookie' WHERE name = 'retired_session_cookie';
DROP TABLE cookie_key_fingerprint;
