//! The `session_events` table: the append-only audit trail.

use chrono::{DateTime, Utc};
use diesel::{
    dsl::AsSelect,
    pg::Pg,
    prelude::*,
    query_builder::{Query, QueryFragment, QueryId},
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hallpass_core::model::{AuditEvent, EventCursor, EventFilter, RecordedEvent};
use hallpass_shared::{EventId, EventKind, SessionId, UserId};
use uuid::Uuid;

use super::{
    schema::{session_events, users},
    sessions::Place,
    stored::Stored,
};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = session_events, check_for_backend(Pg))]
pub struct EventRow {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub user_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub kind: Stored<EventKind>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub detail: serde_json::Value,
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub new_device: bool,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = session_events)]
pub struct NewEvent {
    pub user_id: Option<Uuid>,
    pub session_id: Option<Uuid>,
    pub kind: Stored<EventKind>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub detail: serde_json::Value,
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub new_device: bool,
}

impl From<&AuditEvent> for NewEvent {
    fn from(event: &AuditEvent) -> Self {
        let Place {
            country,
            region,
            city,
        } = event.location.clone().into();
        Self {
            user_id: event.user_id.map(Uuid::from),
            session_id: event.session_id.map(Uuid::from),
            kind: Stored(event.kind),
            ip_address: event.ip_address.clone(),
            user_agent: event.user_agent.clone(),
            detail: event.detail.clone(),
            country,
            region,
            city,
            new_device: event.new_device,
        }
    }
}

diesel::alias!(users as actors: Actors);

/// `detail.by` of an event done by someone (an admin, or the user themself), as a uuid.
fn done_by() -> diesel::expression::SqlLiteral<diesel::sql_types::Nullable<diesel::sql_types::Uuid>>
{
    diesel::dsl::sql("(session_events.detail->>'by')::uuid")
}

/// An event with its user's email and the email and name of whoever did it, as listings
/// return it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(check_for_backend(Pg))]
pub struct ListedEvent {
    #[diesel(embed)]
    pub event: EventRow,
    #[diesel(select_expression = users::email.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<users::email>)]
    pub user_email: Option<String>,
    #[diesel(select_expression = actors.field(users::email).nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<diesel::query_source::AliasedField<Actors, users::email>>)]
    pub actor_email: Option<String>,
    #[diesel(select_expression = actors.field(users::name).nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<diesel::query_source::AliasedField<Actors, users::name>>)]
    pub actor_name: Option<String>,
}

impl From<ListedEvent> for RecordedEvent {
    fn from(listed: ListedEvent) -> Self {
        let row = listed.event;
        let location = Place {
            country: row.country,
            region: row.region,
            city: row.city,
        }
        .location();
        Self {
            id: EventId(row.id),
            at: row.at,
            event: AuditEvent {
                user_id: row.user_id.map(UserId),
                session_id: row.session_id.map(SessionId),
                kind: row.kind.0,
                ip_address: row.ip_address,
                user_agent: row.user_agent,
                detail: row.detail,
                location,
                new_device: row.new_device,
            },
            user_email: listed.user_email,
            actor_email: listed.actor_email,
            actor_name: listed.actor_name,
        }
    }
}

/// Deletes up to `batch` events older than `cutoff`, oldest first, from `from` on (the
/// previous batch's resume point), declaring the cutoff to the append-only trigger for
/// this transaction only. Returns how many went and where the next batch resumes (see
/// [`SessionRow::purge_expired`](super::sessions::SessionRow::purge_expired) for why).
pub async fn purge_before(
    conn: &mut AsyncPgConnection,
    cutoff: DateTime<Utc>,
    from: Option<DateTime<Utc>>,
    batch: i64,
) -> QueryResult<(usize, Option<DateTime<Utc>>)> {
    use diesel::sql_types::{BigInt, Nullable, Text, Timestamptz};
    use diesel_async::AsyncConnection as _;

    #[derive(QueryableByName)]
    struct Deleted {
        #[diesel(sql_type = Timestamptz)]
        at: DateTime<Utc>,
    }

    let deleted: Vec<Deleted> = conn
        .transaction(async move |conn| {
            diesel::sql_query("SELECT set_config('hallpass.audit_purge_before', $1, true)")
                .bind::<Text, _>(cutoff.to_rfc3339())
                .execute(conn)
                .await?;
            diesel::sql_query(
                "DELETE FROM session_events WHERE id IN \
                 (SELECT id FROM session_events \
                  WHERE at < $1 AND ($2::timestamptz IS NULL OR at >= $2) \
                  ORDER BY at LIMIT $3) \
                 RETURNING at",
            )
            .bind::<Timestamptz, _>(cutoff)
            .bind::<Nullable<Timestamptz>, _>(from)
            .bind::<BigInt, _>(batch)
            .load(conn)
            .await
        })
        .await?;
    let resume = deleted.iter().map(|row| row.at).max().or(from);
    Ok((deleted.len(), resume))
}

/// When `owner` renamed session `id` since `since`, oldest first, at most `limit` (read
/// through the user's own events: `session_events_user_at_idx`).
pub async fn renames_since(
    conn: &mut AsyncPgConnection,
    id: SessionId,
    owner: UserId,
    since: DateTime<Utc>,
    limit: i64,
) -> QueryResult<Vec<DateTime<Utc>>> {
    session_events::table
        .filter(session_events::user_id.eq(owner.0))
        .filter(session_events::at.gt(since))
        .filter(session_events::session_id.eq(id.0))
        .filter(session_events::kind.eq(Stored(EventKind::SessionRenamed)))
        .select(session_events::at)
        .order(session_events::at.asc())
        .limit(limit)
        .load(conn)
        .await
}

pub async fn insert_all(conn: &mut AsyncPgConnection, events: &[NewEvent]) -> QueryResult<usize> {
    if events.is_empty() {
        return Ok(0);
    }
    diesel::insert_into(session_events::table)
        .values(events)
        .execute(conn)
        .await
}

/// Matching events, newest first, `limit` of them after `cursor`, each with its user's
/// email.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &EventFilter,
    cursor: Option<EventCursor>,
    limit: i64,
) -> QueryResult<Vec<ListedEvent>> {
    listing(filter, cursor, limit).load(conn).await
}

/// [`list`]'s query (public, like every query a request runs, so a test can check its
/// plan).
pub fn listing(
    filter: &EventFilter,
    cursor: Option<EventCursor>,
    limit: i64,
) -> impl Query<SqlType = AsSelect<ListedEvent, Pg>> + QueryFragment<Pg> + QueryId + Send + 'static
{
    let mut query = session_events::table
        .left_join(users::table)
        .left_join(actors.on(actors.field(users::id).nullable().eq(done_by())))
        .order((session_events::at.desc(), session_events::id.desc()))
        .limit(limit)
        .select(ListedEvent::as_select())
        .into_boxed();
    if let Some(user_id) = filter.user_id {
        query = query.filter(session_events::user_id.eq(user_id.0));
    }
    if let Some(session_id) = filter.session_id {
        query = query.filter(session_events::session_id.eq(session_id.0));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(session_events::kind.eq(Stored(kind)));
    }
    if let Some(from) = filter.from {
        query = query.filter(session_events::at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(session_events::at.lt(to));
    }
    if let Some(EventCursor {
        at,
        id: EventId(id),
    }) = cursor
    {
        // `at <= cursor` bounds the index scan, so a deep page starts where the cursor
        // points instead of filtering every newer row; the rest of the condition only
        // settles ties on `at`.
        query = query
            .filter(session_events::at.le(at))
            .filter(session_events::at.lt(at).or(session_events::id.lt(id)));
    }
    query
}
