//! The audit trail: building events and reading them back a page at a time.
//!
//! Events are written in the same transaction as the change they
//! record; `detail` never holds a token, a password or a cookie.

mod facts;

use chrono::DateTime;
use hallpass_shared::{
    EventKind, EventQuery, Page, PageQuery, SessionEventView, SessionId, UserId,
};
use serde_json::{Value, json};

use crate::{
    Client, Domain, Error, Ports, Result,
    model::{AuditEvent, EventCursor, EventFilter, Session},
    pagination,
    ports::{Queries as _, Store as _},
};

pub fn event(
    kind: EventKind,
    user_id: Option<UserId>,
    session_id: Option<SessionId>,
    client: Option<&Client>,
    detail: Value,
) -> AuditEvent {
    AuditEvent {
        user_id,
        session_id,
        kind,
        ip_address: client.map(Client::ip),
        user_agent: client.map(|client| client.user_agent().to_owned()),
        detail,
        location: None,
        new_device: false,
    }
}

/// One `session_revoked` event per revoked session, with its reason; `by` is who did it
/// (the user themself, an admin).
pub fn revocations(
    sessions: &[Session],
    by: Option<UserId>,
    client: Option<&Client>,
) -> Vec<AuditEvent> {
    sessions
        .iter()
        .map(|session| {
            event(
                EventKind::SessionRevoked,
                Some(session.user_id),
                Some(session.id),
                client,
                json!({ "reason": session.revoked_reason, "by": by }),
            )
        })
        .collect()
}

/// One page of `user_id`'s own events, newest first.
pub async fn list_own<P: Ports>(
    domain: &Domain<P>,
    user_id: UserId,
    query: &PageQuery,
) -> Result<Page<SessionEventView>> {
    let own = EventFilter {
        user_id: Some(user_id),
        ..EventFilter::default()
    };
    list(domain, &own, query.limit, query.cursor.as_deref()).await
}

/// One page of the whole trail matching an admin's filters, newest first.
pub async fn list_all<P: Ports>(
    domain: &Domain<P>,
    query: EventQuery,
) -> Result<Page<SessionEventView>> {
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from >= to
    {
        return Err(Error::Invalid("from must be before to".into()));
    }
    let filter = EventFilter {
        user_id: query.user_id,
        session_id: query.session_id,
        kind: query.kind,
        from: query.from,
        to: query.to,
    };
    list(domain, &filter, query.limit, query.cursor.as_deref()).await
}

async fn list<P: Ports>(
    domain: &Domain<P>,
    filter: &EventFilter,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<Page<SessionEventView>> {
    let limit = pagination::limit(limit)?;
    let scope = format!("events|{filter:?}");
    let after = cursor
        .map(|raw| pagination::decode(&scope, raw).and_then(|position| parse_position(&position)))
        .transpose()?;
    let mut conn = domain.store.connect().await?;
    // One extra row tells whether another page exists.
    let rows = conn.events(filter, after, i64::from(limit) + 1).await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, &scope, |recorded| {
        format!("{}.{}", recorded.at.timestamp_micros(), recorded.id)
    });
    Ok(Page {
        items: rows.into_iter().map(facts::view).collect(),
        next_cursor,
        total: None,
        more_than_total: false,
    })
}

fn parse_position(position: &str) -> Result<EventCursor> {
    let parsed = position.split_once('.').and_then(|(micros, id)| {
        Some(EventCursor {
            at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            id: id.parse().ok()?,
        })
    });
    parsed.ok_or(Error::ForeignCursor)
}
