// @generated automatically by Diesel CLI.

diesel::table! {
    cookie_key_fingerprint (singleton) {
        singleton -> Bool,
        fingerprint -> Bytea,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    known_devices (user_id, fingerprint) {
        user_id -> Uuid,
        fingerprint -> Text,
        last_seen_at -> Timestamptz,
        learned_at -> Timestamptz,
        pending_on -> Nullable<Uuid>,
    }
}

diesel::table! {
    login_attempts (key) {
        key -> Text,
        count -> Int4,
        locked_until -> Timestamptz,
        forgotten_at -> Timestamptz,
    }
}

diesel::table! {
    role_policies (role) {
        role -> Text,
        lifetime_seconds -> Int8,
        idle_timeout_seconds -> Nullable<Int8>,
        max_sessions -> Int4,
        ended_opened_before -> Nullable<Timestamptz>,
        ended_seen_before -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
        updated_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    server_keys (name) {
        name -> Text,
        secret -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    session_cache (key) {
        key -> Text,
        value -> Jsonb,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    session_events (id) {
        id -> Uuid,
        at -> Timestamptz,
        user_id -> Nullable<Uuid>,
        session_id -> Nullable<Uuid>,
        kind -> Text,
        ip_address -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        detail -> Jsonb,
        country -> Nullable<Text>,
        region -> Nullable<Text>,
        city -> Nullable<Text>,
        new_device -> Bool,
    }
}

diesel::table! {
    user_sessions (id) {
        id -> Uuid,
        user_id -> Uuid,
        token_hash -> Text,
        ip_address -> Text,
        user_agent -> Text,
        device -> Text,
        browser -> Text,
        os -> Text,
        is_active -> Bool,
        created -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_reason -> Nullable<Text>,
        country -> Nullable<Text>,
        region -> Nullable<Text>,
        city -> Nullable<Text>,
        name -> Nullable<Text>,
        new_device -> Bool,
        new_device_answered_at -> Nullable<Timestamptz>,
        authenticated_at -> Nullable<Timestamptz>,
        shared_device -> Bool,
    }
}

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        is_active -> Bool,
        sessions_valid_after -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        last_sign_in_at -> Nullable<Timestamptz>,
        must_change_password -> Bool,
    }
}

diesel::joinable!(known_devices -> user_sessions (pending_on));
diesel::joinable!(known_devices -> users (user_id));
diesel::joinable!(role_policies -> users (updated_by));
diesel::joinable!(session_events -> users (user_id));
diesel::joinable!(user_sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    cookie_key_fingerprint,
    known_devices,
    login_attempts,
    role_policies,
    server_keys,
    session_cache,
    session_events,
    user_sessions,
    users,
);
