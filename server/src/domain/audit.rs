//! The audit trail: building events and reading them back a page at a time.
//!
//! Events are written in the same transaction as the change they
//! record; `detail` never holds a token, a password or a cookie.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::DateTime;
use hallpass_shared::{EventKind, Page, PageQuery, RevokedReason, SessionEventView};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    auth::extract::ClientInfo,
    db::{
        events::{self, EventCursor, NewEvent},
        sessions::SessionRow,
        stored::Stored,
    },
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

/// Reads a listing cursor (`next_cursor` of a previous page); `None` for anything else.
pub fn decode_cursor(raw: &str) -> Option<EventCursor> {
    let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let (micros, id) = text.split_once('.')?;
    Some(EventCursor {
        at: DateTime::from_timestamp_micros(micros.parse().ok()?)?,
        id: id.parse().ok()?,
    })
}

pub fn encode_cursor(cursor: EventCursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}.{}", cursor.at.timestamp_micros(), cursor.id))
}

/// One page of a user's own audit trail, newest first.
pub async fn list_for_user(
    state: &AppState,
    user_id: Uuid,
    query: &PageQuery,
) -> Result<Page<SessionEventView>, ApiError> {
    let limit = page_limit(query)?;
    let cursor = query
        .cursor
        .as_deref()
        .map(|raw| {
            decode_cursor(raw)
                .ok_or_else(|| ApiError::BadRequest("cursor is not one this API issued".into()))
        })
        .transpose()?;
    let mut conn = state.db.get().await?;
    // One extra row tells whether another page exists.
    let mut rows = events::list_for_user(&mut conn, user_id, cursor, i64::from(limit) + 1).await?;
    let next_cursor = (rows.len() > limit as usize).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|row| {
            encode_cursor(EventCursor {
                at: row.at,
                id: row.id,
            })
        })
    });
    Ok(Page {
        items: rows.into_iter().map(SessionEventView::from).collect(),
        next_cursor: next_cursor.flatten(),
    })
}

fn page_limit(query: &PageQuery) -> Result<u32, ApiError> {
    match query.limit {
        None => Ok(PageQuery::DEFAULT_LIMIT),
        Some(limit) if (1..=PageQuery::MAX_LIMIT).contains(&limit) => Ok(limit),
        Some(_) => Err(ApiError::Validation(format!(
            "limit must be between 1 and {}",
            PageQuery::MAX_LIMIT
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let cursor = EventCursor {
            at: DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap(),
            id: Uuid::new_v4(),
        };
        assert_eq!(decode_cursor(&encode_cursor(cursor)), Some(cursor));
        for junk in [
            "",
            "!!",
            "bm90IGEgY3Vyc29y",
            &URL_SAFE_NO_PAD.encode("12.not-a-uuid"),
        ] {
            assert_eq!(decode_cursor(junk), None, "{junk}");
        }
    }

    #[test]
    fn page_limits_are_bounded() {
        let limit = |limit| {
            page_limit(&PageQuery {
                limit,
                cursor: None,
            })
            .ok()
        };
        assert_eq!(limit(None), Some(PageQuery::DEFAULT_LIMIT));
        assert_eq!(limit(Some(1)), Some(1));
        assert_eq!(
            limit(Some(PageQuery::MAX_LIMIT)),
            Some(PageQuery::MAX_LIMIT)
        );
        assert_eq!(limit(Some(0)), None);
        assert_eq!(limit(Some(PageQuery::MAX_LIMIT + 1)), None);
    }
}
