//! User lifecycle rules: creating accounts (CLI and admins), admins listing and changing
//! users (deactivation ends every session of the user).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use hallpass_shared::{
    CreateUser, EventKind, ListedUser, Page, RevokedReason, Role, SetPassword, UpdateUser, UserId,
    UserQuery, UserSort, UserView, validate,
};
use secrecy::{ExposeSecret as _, SecretString};
use serde_json::json;

use crate::{
    Client, Domain, Error, Ports, Result, audit,
    model::{ChosenBy, NewUser, Session, SortKey, User, UserChanges, UserCursor, UserFilter},
    pagination, password,
    policies::{Holders, RolePolicies},
    ports::{Queries, SessionCache as _, Store as _},
    sessions::{CurrentSession, reauth, uncache_and_count_revoked},
    text,
};

/// A request to create an account, before validation.
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: SecretString,
}

impl NewAccount {
    /// Field rules ([`text`], `hallpass_shared::validate`), in the words the API answers
    /// with; the name as it is stored.
    pub fn validate(&self) -> Result<String> {
        let field =
            |name: &str, invalid: validate::Invalid| Error::Invalid(format!("{name}: {invalid}"));
        text::email(&self.email).map_err(|invalid| field("email", invalid))?;
        let name = text::name(&self.name).map_err(|invalid| field("name", invalid))?;
        validate::password(self.password.expose_secret())
            .map_err(|invalid| field("password", invalid))?;
        Ok(name)
    }
}

/// Creates an account; 409 when the email is taken (case-insensitively).
pub async fn create(conn: &mut impl Queries, account: NewAccount) -> Result<User> {
    let name = account.validate()?;
    let email = validate::normalize_email(&account.email);
    let password_hash = password::hash(account.password).await?;
    let new = NewUser {
        email: email.clone(),
        name,
        role: account.role,
        password_hash,
    };
    conn.insert_user(&new).await.map_err(|error| match error {
        Error::Conflict(_) => Error::Conflict(format!("a user with email {email} already exists")),
        other => other,
    })
}

/// Creates the account, or resets an existing one with that email to these values.
pub async fn create_or_reset(conn: &mut impl Queries, account: NewAccount) -> Result<User> {
    let name = account.validate()?;
    let email = validate::normalize_email(&account.email);
    match conn.user_by_email(&email).await? {
        Some(existing) => {
            let password_hash = password::hash(account.password).await?;
            conn.reset_user(existing.id, &name, account.role, &password_hash, Utc::now())
                .await
        }
        None => create(conn, account).await,
    }
}

/// The user list counts its matches up to this many; beyond, it says "more than".
pub const COUNT_CAP: u64 = 1_000;

/// One page of users in the order asked (email by default), each with their last sign-in
/// and open sessions, and the number of matches (up to [`COUNT_CAP`]).
pub async fn list<P: Ports>(domain: &Domain<P>, query: &UserQuery) -> Result<Page<ListedUser>> {
    let limit = pagination::limit(query.limit)?;
    let search = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if search.is_some_and(|q| q.chars().count() > validate::EMAIL_MAX_CHARS) {
        return Err(Error::Invalid("q is too long".into()));
    }
    if search.is_some_and(|q| q.chars().any(char::is_control)) {
        return Err(Error::Invalid(
            "q: control characters are not allowed".into(),
        ));
    }
    let filter = UserFilter {
        search: search.map(str::to_owned),
        role: query.role,
        active: query.active,
    };
    let sort = query.sort.unwrap_or_default();
    let scope = format!("users|{filter:?}|{sort}");
    let after = query
        .cursor
        .as_deref()
        .map(|raw| {
            pagination::decode(&scope, raw).and_then(|position| parse_position(&position, sort))
        })
        .transpose()?;
    let mut conn = domain.store.connect().await?;
    let counted = conn.count_users_up_to(&filter, COUNT_CAP as i64).await? as u64;
    let users = conn
        .list_users(&filter, sort, after.as_ref(), i64::from(limit) + 1)
        .await?;
    let (users, next_cursor) = pagination::finish(users, limit, &scope, |user| {
        format!("{}{}", user.id, position_key(&SortKey::of(user, sort)))
    });
    let ids: Vec<UserId> = users.iter().map(|user| user.id).collect();
    let counts: HashMap<UserId, i64> = conn
        .live_session_counts(&ids, Utc::now())
        .await?
        .into_iter()
        .collect();
    let listed = |user: &User| {
        let sessions = counts.get(&user.id).copied().unwrap_or(0).unsigned_abs();
        ListedUser::new(UserView::from(user), user.last_sign_in_at, sessions)
    };
    Ok(Page {
        items: users.iter().map(listed).collect(),
        next_cursor,
        total: Some(counted.min(COUNT_CAP)),
        more_than_total: counted > COUNT_CAP,
    })
}

/// The key part of a position: the email or name as it is, a sign-in as microseconds
/// (empty for "never").
fn position_key(key: &SortKey) -> String {
    match key {
        SortKey::Email(text) | SortKey::Name(text) => text.clone(),
        SortKey::LastSignIn(at) => at
            .map(|at| at.timestamp_micros().to_string())
            .unwrap_or_default(),
    }
}

/// Positions read `{uuid}{key}`: the id has a fixed length, the key of the order `sort`
/// follows (see [`position_key`]).
fn parse_position(position: &str, sort: UserSort) -> Result<UserCursor> {
    let parsed = position
        .get(..36)
        .zip(position.get(36..))
        .and_then(|(id, key)| {
            let after = match sort {
                UserSort::Email => SortKey::Email(key.to_owned()),
                UserSort::Name => SortKey::Name(key.to_owned()),
                UserSort::LastSignIn if key.is_empty() => SortKey::LastSignIn(None),
                UserSort::LastSignIn => {
                    SortKey::LastSignIn(Some(DateTime::from_timestamp_micros(key.parse().ok()?)?))
                }
            };
            Some(UserCursor {
                id: id.parse().ok()?,
                after,
            })
        });
    parsed.ok_or(Error::ForeignCursor)
}

/// An admin creates an account; audited as `user_created`.
pub async fn create_by_admin<P: Ports>(
    domain: &Domain<P>,
    admin: &CurrentSession,
    request: CreateUser,
    client: &Client,
) -> Result<UserView> {
    let account = NewAccount {
        email: request.email,
        name: request.name,
        role: request.role,
        password: request.password.into(),
    };
    let by = admin.user.id;
    let mut tx = domain.store.begin().await?;
    let outcome = async {
        let user = create(&mut tx, account).await?;
        let detail = json!({ "by": by, "role": user.role });
        let event = audit::event(
            EventKind::UserCreated,
            Some(user.id),
            None,
            Some(client),
            detail,
        );
        tx.record(&[event]).await?;
        Ok::<_, Error>(user)
    }
    .await;
    let user = tx.finish(outcome).await?;
    Ok(UserView::from(&user))
}

/// An admin changes a user's name, email, role, active flag or demand for a new
/// password, with a recently proved password (see [`reauth`]). Deactivation ends every
/// session of the user in the same transaction; a role change moves the user's sessions
/// to the new role's policy; any change drops the user's cached sessions so the very
/// next request sees it. Refuses (409 `last_admin`) to leave no
/// active admin.
pub async fn update<P: Ports>(
    domain: &Domain<P>,
    admin: &CurrentSession,
    id: UserId,
    request: UpdateUser,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<UserView> {
    let changes = validated_changes(request)?;
    reauth::require_recent_proof(domain, admin, now).await?;
    let by = admin.user.id;
    let mut tx = domain.store.begin().await?;
    let roles = &domain.policy.roles;
    let outcome = apply_update(&mut tx, id, &changes, roles, by, client, now).await;
    let (user, revoked, live) = tx.finish(outcome).await?;
    // Cached entries carry the role and name: fence the live ones too, so that no request
    // that read the user before this change can cache what it read.
    uncache_and_count_revoked(domain, &revoked).await;
    let live: Vec<_> = live.iter().map(|session| session.token_hash).collect();
    domain.cache.fence(&live).await;
    Ok(UserView::from(&user))
}

/// The steps of [`update`]'s transaction: the user as changed, the sessions it revoked,
/// and the sessions still live.
async fn apply_update(
    tx: &mut impl Queries,
    id: UserId,
    changes: &UserChanges,
    roles: &RolePolicies,
    by: UserId,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<(User, Vec<Session>, Vec<Session>)> {
    // Lock the admins before the target, always in that order (no deadlock).
    let admins = tx.lock_active_admins().await?;
    let before = tx.lock_user(id).await?.ok_or(Error::NotFound)?;
    if removes_an_admin(&before, changes) && admins <= 1 {
        return Err(Error::LastAdmin);
    }
    let after = tx
        .update_user(id, changes, now)
        .await
        .map_err(|error| match error {
            Error::Conflict(_) => Error::Conflict(format!(
                "a user with email {} already exists",
                changes.email.as_deref().unwrap_or_default()
            )),
            other => other,
        })?;
    let deactivated = before.is_active && !after.is_active;
    let revoked = if deactivated {
        tx.revoke_sessions_of(id, None, RevokedReason::UserDeactivated, now)
            .await?
    } else {
        Vec::new()
    };
    // Read before the new role's policy ends any: each is fenced, ended or not.
    let live = tx.live_sessions_of(id, now, None).await?;
    if before.role != after.role {
        // The user now lives by the new role's policy: what it ends, ends for good.
        let policy = roles.of(after.role);
        tx.end_sessions_beyond(Holders::User(id), &policy, now)
            .await?;
    }
    let mut log = vec![audit::event(
        event_kind(&before, &after),
        Some(id),
        None,
        Some(client),
        change_detail(by, &before, &after),
    )];
    log.extend(audit::revocations(&revoked, Some(by), Some(client)));
    tx.record(&log).await?;
    Ok((after, revoked, live))
}

/// An admin gives a user a new password, with a recently proved password of their own
/// (see [`reauth`]): every session of theirs ends at once (the
/// browsers are told their password was changed), and the change is audited as
/// `password_changed` done `by` the admin, with how many sessions it signed out. Returns
/// that count; 404 for an unknown user, 422 for a password that breaks the rules.
pub async fn set_password<P: Ports>(
    domain: &Domain<P>,
    admin: &CurrentSession,
    id: UserId,
    request: SetPassword,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<u64> {
    validate::password(&request.password)
        .map_err(|invalid| Error::Invalid(format!("password: {invalid}")))?;
    reauth::require_recent_proof(domain, admin, now).await?;
    let password_hash = password::hash(request.password.into()).await?;
    let by = admin.user.id;
    let mut tx = domain.store.begin().await?;
    let outcome = async {
        tx.set_password(id, &password_hash, ChosenBy::Admin, now)
            .await?
            .ok_or(Error::NotFound)?;
        let revoked = tx
            .revoke_sessions_of(id, None, RevokedReason::PasswordChange, now)
            .await?;
        let detail = json!({ "by": by, "signed_out": revoked.len() });
        let mut log = vec![audit::event(
            EventKind::PasswordChanged,
            Some(id),
            None,
            Some(client),
            detail,
        )];
        log.extend(audit::revocations(&revoked, Some(by), Some(client)));
        tx.record(&log).await?;
        Ok::<_, Error>(revoked)
    }
    .await;
    let revoked = tx.finish(outcome).await?;
    uncache_and_count_revoked(domain, &revoked).await;
    Ok(revoked.len() as u64)
}

fn validated_changes(request: UpdateUser) -> Result<UserChanges> {
    if request == UpdateUser::default() {
        return Err(Error::Invalid(
            "nothing to change: give name, email, role, is_active or must_change_password".into(),
        ));
    }
    let name = request
        .name
        .as_deref()
        .map(text::name)
        .transpose()
        .map_err(|invalid| Error::Invalid(format!("name: {invalid}")))?;
    if let Some(email) = &request.email {
        text::email(email).map_err(|invalid| Error::Invalid(format!("email: {invalid}")))?;
    }
    Ok(UserChanges {
        name,
        email: request.email.as_deref().map(validate::normalize_email),
        role: request.role,
        is_active: request.is_active,
        must_change_password: request.must_change_password,
    })
}

/// Would this change take an active admin away (demotion or deactivation)?
fn removes_an_admin(before: &User, changes: &UserChanges) -> bool {
    let admin_now = before.role == Role::Admin && before.is_active;
    let demoted = changes.role.is_some_and(|role| role != Role::Admin);
    let deactivated = changes.is_active == Some(false);
    admin_now && (demoted || deactivated)
}

fn event_kind(before: &User, after: &User) -> EventKind {
    match (before.is_active, after.is_active) {
        (true, false) => EventKind::UserDeactivated,
        (false, true) => EventKind::UserReactivated,
        _ => EventKind::UserUpdated,
    }
}

fn change_detail(by: UserId, before: &User, after: &User) -> serde_json::Value {
    let mut detail = json!({ "by": by });
    if before.name != after.name {
        detail["name"] = json!({ "from": before.name, "to": after.name });
    }
    if before.email != after.email {
        detail["email"] = json!({ "from": before.email, "to": after.email });
    }
    if before.role != after.role {
        detail["role"] = json!({ "from": before.role, "to": after.role });
    }
    if before.is_active != after.is_active {
        detail["is_active"] = json!(after.is_active);
    }
    if before.must_change_password != after.must_change_password {
        detail["must_change_password"] = json!(after.must_change_password);
    }
    detail
}

#[cfg(test)]
mod tests;
