//! Audit events: what is recorded with each change (in the change's own transaction), and
//! what listings read back.

use chrono::{DateTime, Utc};
use hallpass_shared::{EventId, EventKind, Location, SessionId, UserId};
use serde_json::Value;

/// An event to record. `detail` never holds a token, a password or a cookie.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub user_id: Option<UserId>,
    pub session_id: Option<SessionId>,
    pub kind: EventKind,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub detail: Value,
    /// Where a sign-in or a session's opening happened.
    pub location: Option<Location>,
    pub new_device: bool,
}

impl AuditEvent {
    /// The event of a session's opening, with where it was and whether it was a sign-in
    /// from a new device.
    pub fn at(self, location: Option<&Location>, new_device: bool) -> Self {
        Self {
            location: location.cloned(),
            new_device,
            ..self
        }
    }
}

/// A recorded event as listings read it: with its user's email and, for an event someone
/// did (`detail.by`), that person's email and name.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedEvent {
    pub id: EventId,
    pub at: DateTime<Utc>,
    pub event: AuditEvent,
    pub user_email: Option<String>,
    pub actor_email: Option<String>,
    pub actor_name: Option<String>,
}

/// Which events a listing shows; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub user_id: Option<UserId>,
    pub session_id: Option<SessionId>,
    pub kind: Option<EventKind>,
    /// Inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub to: Option<DateTime<Utc>>,
}

/// Where a newest-first listing resumes: strictly older than this event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventCursor {
    pub at: DateTime<Utc>,
    pub id: EventId,
}
