//! The audit trail: building events and reading them back a page at a time.
//!
//! Events are written in the same transaction as the change they
//! record; `detail` never holds a token, a password or a cookie.

use chrono::DateTime;
use hallpass_shared::{EventKind, Page, RevokedReason, SessionEventView};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    auth::extract::ClientInfo,
    db::{
        events::{self, EventCursor, EventFilter, NewEvent},
        sessions::SessionRow,
        stored::Stored,
    },
    domain::pagination,
    error::ApiError,
    state::AppState,
};

pub fn event(
    kind: EventKind,
    user_id: Option<Uuid>,
    session_id: Option<Uuid>,
    client: Option<&ClientInfo>,
    detail: Value,
) -> NewEvent {
    NewEvent {
        user_id,
        session_id,
        kind: Stored(kind),
        ip_address: client.map(ClientInfo::ip),
        user_agent: client.map(ClientInfo::user_agent),
        detail,
    }
}

/// One `session_revoked` event per revoked row, with the row's reason; `by` is who did
/// it (the user themself, an admin).
pub fn revocations(
    rows: &[SessionRow],
    by: Option<Uuid>,
    client: Option<&ClientInfo>,
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

/// One page of the audit trail matching `filter`, newest first.
pub async fn list(
    state: &AppState,
    filter: &EventFilter,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<Page<SessionEventView>, ApiError> {
    let limit = pagination::limit(limit)?;
    let scope = format!("events|{filter:?}");
    let after = cursor
        .map(|raw| pagination::decode(&scope, raw).and_then(|position| parse_position(&position)))
        .transpose()?;
    let mut conn = state.db.get().await?;
    // One extra row tells whether another page exists.
    let rows = events::list(&mut conn, filter, after, i64::from(limit) + 1).await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, &scope, |listed| {
        format!("{}.{}", listed.event.at.timestamp_micros(), listed.event.id)
    });
    Ok(Page {
        items: rows.into_iter().map(SessionEventView::from).collect(),
        next_cursor,
        total: None,
    })
}

fn parse_position(position: &str) -> Result<EventCursor, ApiError> {
    let parsed = position.split_once('.').and_then(|(micros, id)| {
        Some(EventCursor {
            at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
            id: id.parse().ok()?,
        })
    });
    parsed.ok_or_else(|| ApiError::BadRequest("cursor does not belong to this query".into()))
}
