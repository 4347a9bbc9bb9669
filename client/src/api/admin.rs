//! The admin console's calls: users, anyone's sessions, the audit trail, role policies.

use gloo_net::http::Method;
use hallpass_shared::{
    CreateUser, EventQuery, ListedUser, Page, PolicyEffect, PolicyList, PolicySettings,
    RevokeOthersResponse, Role, RolePolicyView, SessionEventView, SessionList, SetPassword,
    UpdateUser, UserQuery, UserView, paths,
};
use hallpass_shared::{SessionId, UserId};

use crate::time::iso;

use super::{ApiError, call, call_empty, get};

pub async fn users(query: &UserQuery) -> Result<Page<ListedUser>, ApiError> {
    let mut pairs = Vec::new();
    push(&mut pairs, "q", query.q.clone());
    push(&mut pairs, "role", query.role);
    push(&mut pairs, "active", query.active);
    push(&mut pairs, "sort", query.sort);
    push(&mut pairs, "limit", query.limit);
    push(&mut pairs, "cursor", query.cursor.clone());
    get(paths::ADMIN_USERS, &pairs).await
}

pub async fn create_user(user: &CreateUser) -> Result<UserView, ApiError> {
    call(Method::POST, paths::ADMIN_USERS, Some(user)).await
}

pub async fn update_user(id: UserId, change: &UpdateUser) -> Result<UserView, ApiError> {
    call(Method::PATCH, &paths::admin_user(id), Some(change)).await
}

/// Gives the user a new password, which signs out every session of theirs.
pub async fn set_user_password(
    id: UserId,
    password: &SetPassword,
) -> Result<RevokeOthersResponse, ApiError> {
    call(
        Method::POST,
        &paths::admin_user_password(id),
        Some(password),
    )
    .await
}

pub async fn user_sessions(id: UserId) -> Result<SessionList, ApiError> {
    get(&paths::admin_user_sessions(id), &[]).await
}

pub async fn revoke_session(id: SessionId) -> Result<(), ApiError> {
    call_empty(Method::DELETE, &paths::admin_session(id), None::<&()>).await
}

pub async fn revoke_user_sessions(id: UserId) -> Result<RevokeOthersResponse, ApiError> {
    call(
        Method::POST,
        &paths::admin_revoke_user_sessions(id),
        None::<&()>,
    )
    .await
}

pub async fn events(query: &EventQuery) -> Result<Page<SessionEventView>, ApiError> {
    let mut pairs = Vec::new();
    push(&mut pairs, "user_id", query.user_id);
    push(&mut pairs, "session_id", query.session_id);
    push(&mut pairs, "kind", query.kind.map(|kind| kind.as_str()));
    push(&mut pairs, "from", query.from.map(iso));
    push(&mut pairs, "to", query.to.map(iso));
    push(&mut pairs, "limit", query.limit);
    push(&mut pairs, "cursor", query.cursor.clone());
    get(paths::ADMIN_EVENTS, &pairs).await
}

pub async fn policies() -> Result<PolicyList, ApiError> {
    get(paths::ADMIN_POLICIES, &[]).await
}

pub async fn set_policy(role: Role, settings: &PolicySettings) -> Result<RolePolicyView, ApiError> {
    call(Method::PUT, &paths::admin_policy(role), Some(settings)).await
}

/// What saving `settings` as `role`'s policy would do now.
pub async fn policy_effect(role: Role, settings: PolicySettings) -> Result<PolicyEffect, ApiError> {
    let mut pairs = Vec::new();
    push(
        &mut pairs,
        "lifetime_seconds",
        Some(settings.lifetime_seconds),
    );
    push(
        &mut pairs,
        "idle_timeout_seconds",
        settings.idle_timeout_seconds,
    );
    push(&mut pairs, "max_sessions", Some(settings.max_sessions));
    get(&paths::admin_policy_effect(role), &pairs).await
}

fn push(pairs: &mut Vec<(&'static str, String)>, key: &'static str, value: Option<impl ToString>) {
    if let Some(value) = value {
        pairs.push((key, value.to_string()));
    }
}
