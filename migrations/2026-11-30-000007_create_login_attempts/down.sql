DROP FUNCTION login_attempt(text[], integer[], bigint, bigint, bigint, integer);
DROP TABLE login_attempts;
