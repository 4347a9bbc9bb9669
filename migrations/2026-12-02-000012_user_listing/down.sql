DROP INDEX users_last_sign_in_idx;
DROP INDEX users_name_idx;
ALTER TABLE users DROP COLUMN last_sign_in_at;
