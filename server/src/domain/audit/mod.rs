//! The audit trail: building events and reading them back a page at a time.
//!
//! Events are written in the same transaction as the change they
//! record; `detail` never holds a token, a password or a cookie.

mod facts;

use chrono::DateTime;
use hallpass_shared::{
    EventKind, EventQuery, Page, PageQuery, RevokedReason, SessionEventView, SessionId, UserId,
};
use serde_json::{Value, json};

use super::{Client, Domain, Error, Result, pagination};
use crate::db::{
    events::{self, EventCursor, EventFilter, NewEvent},
    sessions::SessionRow,
    stored::Stored,
};

pub fn event(
    kind: EventKind,
    user_id: Option<UserId>,
    session_id: Option<SessionId>,
    client: Option<&Client>,
    detail: Value,
) -> NewEvent {
    NewEvent {
        user_id: user_id.map(Into::into),
        session_id: session_id.map(Into::into),
        kind: Stored(kind),
        ip_address: client.map(Client::ip),
        user_agent: client.map(|client| client.user_agent().to_owned()),
        detail,
        country: None,
        region: None,
        city: None,
        new_device: false,
    }
}

/// One `session_revoked` event per revoked row, with the row's reason; `by` is who did
/// it (the user themself, an admin).
pub fn revocations(
    rows: &[SessionRow],
    by: Option<UserId>,
    client: Option<&Client>,
) -> Vec<NewEvent> {
    rows.iter()
        .map(|row| {
            let reason: Option<RevokedReason> = row.revoked_reason.map(|reason| reason.0);
            event(
                EventKind::SessionRevoked,
                Some(row.user_id),
                Some(row.id),
                client,
                json!({ "reason": reason, "by": by }),
            )
        })
        .collect()
}

/// One page of `user_id`'s own events, newest first.
pub async fn list_own(
    domain: &Domain,
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
pub async fn list_all(domain: &Domain, query: EventQuery) -> Result<Page<SessionEventView>> {
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

async fn list(
    domain: &Domain,
    filter: &EventFilter,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<Page<SessionEventView>> {
    let limit = pagination::limit(limit)?;
    let scope = format!("events|{filter:?}");
    let after = cursor
        .map(|raw| pagination::decode(&scope, raw).and_then(|position| parse_position(&position)))
        .transpose()?;
    let mut conn = domain.db.get().await?;
    // One extra row tells whether another page exists.
    let rows = events::list(&mut conn, filter, after, i64::from(limit) + 1).await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, &scope, |listed| {
        format!("{}.{}", listed.event.at.timestamp_micros(), listed.event.id)
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
