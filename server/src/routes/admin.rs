//! Admin oversight: users, any user's sessions, the whole audit trail.
//! **Permissions:** every handler here takes [`AdminSession`]: 401 without a session,
//! 403 `forbidden` for students and teachers.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use hallpass_shared::ErrorBody;

use super::responses::{AdminRefusals, BodyRefusals, QueryRefusals, SensitiveAdminRefusals};
use hallpass_shared::{
    CreateUser, EventQuery, ListedUser, Page, RevokeOthersResponse, SessionEventView, SessionId,
    SessionList, SetPassword, UpdateUser, UserId, UserQuery, UserView,
};

use crate::{
    auth::extract::{AdminSession, RequestClient},
    domain::{audit, sessions::admin as sessions, users},
    error::ApiError,
    state::AppState,
};

/// `GET /api/admin/users?q=&role=&active=&sort=&limit=&cursor=`: search by email or name,
/// filter by role and status, order by email, name or last sign-in; keyset-paginated, with
/// a total. Each user comes with their last sign-in and number of open sessions.
#[utoipa::path(
    get,
    path = "/api/admin/users",
    tag = "admin",
    params(UserQuery),
    responses(
        (status = 200, description = "Users in the order asked, each with their last sign-in and open sessions, with the total number of matches", body = Page<ListedUser>),
        AdminRefusals,
        QueryRefusals,
        (status = 422, description = "`validation`: a field breaks a rule", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn list_users(
    state: web::Data<AppState>,
    _admin: AdminSession,
    query: web::Query<UserQuery>,
) -> Result<web::Json<Page<ListedUser>>, ApiError> {
    Ok(web::Json(users::list(&state.domain, &query).await?))
}

/// `POST /api/admin/users`: 201 with the new user; 409 when the email is taken.
#[tracing::instrument(skip_all)]
#[utoipa::path(
    post,
    path = "/api/admin/users",
    tag = "admin",
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = UserView),
        AdminRefusals,
        BodyRefusals,
        (status = 409, description = "`conflict`: the email is taken", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn create_user(
    state: web::Data<AppState>,
    AdminSession(admin): AdminSession,
    RequestClient(client): RequestClient,
    body: web::Json<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    let user = users::create_by_admin(&state.domain, &admin, body.into_inner(), &client).await?;
    tracing::info!(user.id = %user.id, "admin {} created user {}", admin.user.id, user.id);
    Ok(HttpResponse::Created().json(user))
}

/// `PATCH /api/admin/users/{id}`: name, role, `is_active` (deactivation ends every session).
#[tracing::instrument(skip_all, fields(user.id = %id))]
#[utoipa::path(
    patch,
    path = "/api/admin/users/{id}",
    tag = "admin",
    params(("id" = Uuid, Path, description = "User id")), request_body = UpdateUser,
    responses(
        (status = 200, description = "Updated", body = UserView),
        SensitiveAdminRefusals,
        BodyRefusals,
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`last_admin`: no active admin would remain", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn update_user(
    state: web::Data<AppState>,
    AdminSession(admin): AdminSession,
    RequestClient(client): RequestClient,
    id: web::Path<UserId>,
    body: web::Json<UpdateUser>,
) -> Result<web::Json<UserView>, ApiError> {
    let (id, change) = (*id, body.into_inner());
    let user = state
        .to_completion(move |domain| async move {
            users::update(&domain, &admin, id, change, &client, Utc::now()).await
        })
        .await?;
    Ok(web::Json(user))
}

/// `GET /api/admin/users/{id}/sessions`: the user's active sessions, newest first.
#[utoipa::path(
    get,
    path = "/api/admin/users/{id}/sessions",
    tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The user's active sessions, newest first", body = SessionList),
        AdminRefusals,
        (status = 404, description = "`not_found`", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn list_user_sessions(
    state: web::Data<AppState>,
    AdminSession(admin): AdminSession,
    id: web::Path<UserId>,
) -> Result<web::Json<SessionList>, ApiError> {
    let sessions = sessions::list_of_user(&state.domain, &admin, *id, Utc::now()).await?;
    Ok(web::Json(SessionList { sessions }))
}

/// `POST /api/admin/users/{id}/revoke-sessions`: ends every session of the user.
#[tracing::instrument(skip_all, fields(user.id = %id))]
#[utoipa::path(
    post,
    path = "/api/admin/users/{id}/revoke-sessions",
    tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "How many sessions were revoked", body = RevokeOthersResponse),
        SensitiveAdminRefusals,
        (status = 404, description = "`not_found`", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn revoke_user_sessions(
    state: web::Data<AppState>,
    AdminSession(admin): AdminSession,
    RequestClient(client): RequestClient,
    id: web::Path<UserId>,
) -> Result<web::Json<RevokeOthersResponse>, ApiError> {
    let id = *id;
    let revoked = state
        .to_completion(move |domain| async move {
            sessions::revoke_all_of_user(&domain, &admin, id, &client, Utc::now()).await
        })
        .await?;
    Ok(web::Json(RevokeOthersResponse { revoked }))
}

/// `POST /api/admin/users/{id}/password`: gives the user a new password and ends every
/// session of theirs (each browser is told its password was changed).
#[tracing::instrument(skip_all, fields(user.id = %id))]
#[utoipa::path(
    post,
    path = "/api/admin/users/{id}/password",
    tag = "admin",
    params(("id" = Uuid, Path, description = "User id")),
    request_body = SetPassword,
    responses(
        (status = 200, description = "Set; how many sessions were signed out", body = RevokeOthersResponse),
        SensitiveAdminRefusals,
        BodyRefusals,
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 422, description = "`validation`: the password breaks a rule (10 to 256 characters)", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn set_user_password(
    state: web::Data<AppState>,
    AdminSession(admin): AdminSession,
    RequestClient(client): RequestClient,
    id: web::Path<UserId>,
    body: web::Json<SetPassword>,
) -> Result<web::Json<RevokeOthersResponse>, ApiError> {
    let (id, body) = (*id, body.into_inner());
    let revoked = state
        .to_completion(move |domain| async move {
            users::set_password(&domain, &admin, id, body, &client, Utc::now()).await
        })
        .await?;
    Ok(web::Json(RevokeOthersResponse { revoked }))
}

/// `DELETE /api/admin/sessions/{id}`: ends any user's session.
#[tracing::instrument(skip_all, fields(session.id = %id))]
#[utoipa::path(
    delete,
    path = "/api/admin/sessions/{id}",
    operation_id = "admin_revoke_session",
    tag = "admin",
    params(("id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 204, description = "Revoked"),
        SensitiveAdminRefusals,
        (status = 404, description = "`not_found`", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn revoke_session(
    state: web::Data<AppState>,
    AdminSession(admin): AdminSession,
    RequestClient(client): RequestClient,
    id: web::Path<SessionId>,
) -> Result<HttpResponse, ApiError> {
    let id = *id;
    state
        .to_completion(move |domain| async move {
            sessions::revoke_any(&domain, &admin, id, &client, Utc::now()).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/admin/events?user_id=&session_id=&kind=&from=&to=&limit=&cursor=`: the
/// audit trail, newest first.
#[utoipa::path(
    get,
    path = "/api/admin/events",
    tag = "admin",
    params(EventQuery),
    responses(
        (status = 200, description = "Audit events, newest first", body = Page<SessionEventView>),
        AdminRefusals,
        QueryRefusals,
        (status = 422, description = "`validation`: a field breaks a rule", body = ErrorBody)
    ),
    security(("session_cookie" = []), ("bearer_token" = []))
)]
pub async fn list_events(
    state: web::Data<AppState>,
    _admin: AdminSession,
    query: web::Query<EventQuery>,
) -> Result<web::Json<Page<SessionEventView>>, ApiError> {
    let page = audit::list_all(&state.domain, query.into_inner()).await?;
    Ok(web::Json(page))
}
