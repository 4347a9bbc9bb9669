//! School policy per role: each role's session lifetime, idle timeout and limit of
//! sessions per person. **Permissions:** every handler here takes [`AdminSession`]: 401
//! without a session, 403 `forbidden` for students and teachers; changing a policy also
//! needs a recently proved password (403 `reauthentication_required`).

use actix_web::web;
use chrono::Utc;
use hallpass_shared::{
    ErrorBody, PolicyEffect, PolicyEffectQuery, PolicyList, PolicySettings, Role, RolePolicyView,
};

use super::responses::{AdminRefusals, BodyRefusals, QueryRefusals, SensitiveAdminRefusals};
use crate::{
    auth::extract::{AdminSession, RequestClient},
    domain::policies::admin as policies,
    error::ApiError,
    state::AppState,
};

/// `GET /api/admin/policies`: every role's policy; a role no admin set lives by the
/// configured defaults (`is_default`).
#[utoipa::path(
    get,
    path = "/api/admin/policies",
    tag = "admin",
    responses(
        (status = 200, description = "One policy per role", body = PolicyList),
        AdminRefusals
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn list_policies(
    state: web::Data<AppState>,
    _admin: AdminSession,
) -> Result<web::Json<PolicyList>, ApiError> {
    let policies = policies::list(&state.domain).await?;
    Ok(web::Json(PolicyList { policies }))
}

/// `PUT /api/admin/policies/{role}`: sets the role's policy, in force on every instance at
/// once. Live sessions of the role older than the new lifetime, or unused longer than the
/// new idle timeout, end now (`session_expired`); a lower limit ends the oldest sessions
/// beyond it at their owner's next sign-in. Audited as `policy_changed`.
#[tracing::instrument(skip_all, fields(role = %role))]
#[utoipa::path(
    put,
    path = "/api/admin/policies/{role}",
    tag = "admin",
    params(("role" = Role, Path, description = "student, teacher or admin")),
    request_body = PolicySettings,
    responses(
        (status = 200, description = "The role's policy as stored", body = RolePolicyView),
        SensitiveAdminRefusals,
        BodyRefusals,
        (status = 404, description = "`not_found`: no such role", body = ErrorBody),
        (status = 422, description = "`validation`: lifetime 1 second to 400 days; idle timeout null or shorter than the lifetime; max_sessions 1 to 1000", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn set_policy(
    state: web::Data<AppState>,
    AdminSession(admin): AdminSession,
    RequestClient(client): RequestClient,
    role: web::Path<Role>,
    body: web::Json<PolicySettings>,
) -> Result<web::Json<RolePolicyView>, ApiError> {
    let (role, settings) = (*role, body.into_inner());
    let policy = state
        .to_completion(move |domain| async move {
            policies::change(&domain, &admin, role, settings, &client, Utc::now()).await
        })
        .await?;
    tracing::info!("a role's session policy changed");
    Ok(web::Json(policy))
}

/// `GET /api/admin/policies/{role}/effect?lifetime_seconds=&idle_timeout_seconds=&max_sessions=`:
/// what saving these settings would do now, to say it before saving; nothing changes.
#[utoipa::path(
    get,
    path = "/api/admin/policies/{role}/effect",
    tag = "admin",
    params(("role" = Role, Path, description = "student, teacher or admin"), PolicyEffectQuery),
    responses(
        (status = 200, description = "Sessions that would end at once, and users over the limit", body = PolicyEffect),
        AdminRefusals,
        QueryRefusals,
        (status = 404, description = "`not_found`: no such role", body = ErrorBody),
        (status = 422, description = "`validation`: the settings break a rule (as for `PUT`)", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn policy_effect(
    state: web::Data<AppState>,
    _admin: AdminSession,
    role: web::Path<Role>,
    query: web::Query<PolicyEffectQuery>,
) -> Result<web::Json<PolicyEffect>, ApiError> {
    let settings = PolicySettings::from(query.into_inner());
    let effect = policies::effect(&state.domain, *role, &settings, Utc::now()).await?;
    Ok(web::Json(effect))
}
