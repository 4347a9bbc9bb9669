-- Sessions opened on a shared computer ("This is a shared computer" at sign-in): the
-- cookie ends with the browser and the session after SHARED_DEVICE_IDLE unused. A
-- constant default: adding it rewrites no row.
ALTER TABLE user_sessions ADD COLUMN shared_device boolean NOT NULL DEFAULT false;
