//! Events as listings show them: the recorded row, with the typed [`EventFacts`] a
//! sentence about it needs read from its `detail` (whose keys vary by kind and by the
//! version that wrote it), so that no reader has to parse `detail` itself.

use hallpass_shared::{
    ErrorCode, EventFacts, EventKind, OpenedBy, PolicySettings, Role, SessionEventView,
};
use serde::Deserialize;
use serde_json::Value;

use crate::{model::RecordedEvent, user_agent};

pub fn view(
    RecordedEvent {
        id,
        at,
        event,
        user_email,
        actor_email,
        actor_name,
    }: RecordedEvent,
) -> SessionEventView {
    let kind = event.kind;
    SessionEventView {
        id,
        at,
        user_id: event.user_id,
        user_email,
        actor_email,
        actor_name,
        session_id: event.session_id,
        kind,
        facts: facts(kind, &event.detail, event.user_agent.as_deref()),
        ip_address: event.ip_address,
        user_agent: event.user_agent,
        location: event.location,
        new_device: event.new_device,
        detail: event.detail,
    }
}

/// Every key any version wrote into `detail`; what a kind did not write stays `None`.
#[derive(Debug, Default, Deserialize)]
struct Recorded {
    reason: Option<String>,
    retry_after_secs: Option<u64>,
    via: Option<OpenedBy>,
    role: Option<RoleField>,
    name: Option<Change<Option<String>>>,
    email: Option<Change<String>>,
    signed_out: Option<u64>,
    must_change_password: Option<bool>,
    policy: Option<Change<PolicySettings>>,
    sessions_ended: Option<u64>,
}

/// `role` is the role given on `user_created` (and the role whose policy changed on
/// `policy_changed`), and a change on `user_updated`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RoleField {
    Given(Role),
    Changed(Change<Role>),
}

#[derive(Debug, Deserialize)]
struct Change<T> {
    from: T,
    to: T,
}

/// The facts of an event of `kind` that recorded `detail` for a client `user_agent`; a
/// detail that does not read (it never happens, but the trail outlives versions) gives
/// only what the kind and the user agent tell.
pub(super) fn facts(kind: EventKind, detail: &Value, user_agent: Option<&str>) -> EventFacts {
    let recorded = Recorded::deserialize(detail).unwrap_or_default();
    let reason = recorded.reason.as_deref();
    let mut facts = EventFacts::default();
    match kind {
        EventKind::SessionRevoked => facts.revoked_reason = reason.and_then(named),
        EventKind::LoginFailed => {
            // A wrong password or an unknown email records the attempt, not a reason.
            facts.refusal = Some(match reason {
                None => ErrorCode::InvalidCredentials,
                Some(reason) => named(reason).unwrap_or(ErrorCode::InvalidCredentials),
            });
            facts.retry_after_secs = recorded.retry_after_secs;
        }
        EventKind::ValidationFailed | EventKind::SessionExpired => {
            facts.refusal = reason.and_then(named);
        }
        EventKind::LoginSucceeded | EventKind::SessionCreated => {
            facts.opened_by = recorded.via.filter(|_| kind == EventKind::SessionCreated);
            let platform = user_agent.map(user_agent::parse);
            facts.browser = platform.as_ref().and_then(|p| known(&p.browser));
            facts.os = platform.as_ref().and_then(|p| known(&p.os));
        }
        EventKind::UserCreated | EventKind::UserUpdated | EventKind::UserDeactivated => {
            match recorded.role {
                Some(RoleField::Given(role)) => facts.role = Some(role),
                Some(RoleField::Changed(change)) => {
                    (facts.previous_role, facts.role) = (Some(change.from), Some(change.to));
                }
                None => {}
            }
            read_rename(&mut facts, recorded.name);
            if let Some(change) = recorded.email {
                (facts.previous_email, facts.email) = (Some(change.from), Some(change.to));
            }
            facts.must_change_password = recorded.must_change_password;
        }
        EventKind::SessionRenamed => read_rename(&mut facts, recorded.name),
        EventKind::PasswordChanged => facts.signed_out = recorded.signed_out,
        EventKind::PolicyChanged => {
            if let Some(RoleField::Given(role)) = recorded.role {
                facts.role = Some(role);
            }
            if let Some(change) = recorded.policy {
                (facts.previous_policy, facts.policy) = (Some(change.from), Some(change.to));
            }
            facts.sessions_ended = recorded.sessions_ended;
        }
        EventKind::UserReactivated
        | EventKind::NewDeviceConfirmed
        | EventKind::NewDeviceDenied
        | EventKind::Reauthenticated => {}
    }
    facts
}

fn read_rename(facts: &mut EventFacts, change: Option<Change<Option<String>>>) {
    if let Some(change) = change {
        facts.renamed = true;
        (facts.previous_name, facts.name) = (change.from, change.to);
    }
}

/// The enum value whose wire name is `name`.
fn named<T: serde::de::DeserializeOwned>(name: &str) -> Option<T> {
    use serde::de::{IntoDeserializer, value::Error};
    T::deserialize(IntoDeserializer::<Error>::into_deserializer(name)).ok()
}

fn known(name: &str) -> Option<String> {
    (name != user_agent::UNKNOWN).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use hallpass_shared::RevokedReason;

    use super::*;

    const FIREFOX: &str =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

    #[test]
    fn every_detail_every_version_wrote_reads_as_facts() {
        let by = json!("6f1c4c4e-3f0e-4a51-9a4e-0c2b1f1d7a10");
        let revoked = facts(
            EventKind::SessionRevoked,
            &json!({"reason": "admin", "by": by}),
            None,
        );
        assert_eq!(revoked.revoked_reason, Some(RevokedReason::Admin));
        let limited = facts(
            EventKind::LoginFailed,
            &json!({"reason": "rate_limited", "retry_after_secs": 30}),
            None,
        );
        assert_eq!(
            (limited.refusal, limited.retry_after_secs),
            (Some(ErrorCode::RateLimited), Some(30))
        );
        let wrong = facts(EventKind::LoginFailed, &json!({"email": "a@b.c"}), None);
        assert_eq!(wrong.refusal, Some(ErrorCode::InvalidCredentials));
        let refused = facts(
            EventKind::ValidationFailed,
            &json!({"reason": "session_revoked"}),
            None,
        );
        assert_eq!(refused.refusal, Some(ErrorCode::SessionRevoked));
        let created = facts(
            EventKind::UserCreated,
            &json!({"by": by, "role": "teacher"}),
            None,
        );
        assert_eq!(
            (created.role, created.previous_role),
            (Some(Role::Teacher), None)
        );
        let updated = facts(
            EventKind::UserUpdated,
            &json!({"by": by, "role": {"from": "admin", "to": "student"}, "name": {"from": "Ann", "to": "Anne"},
                    "email": {"from": "ann@a.test", "to": "anne@a.test"}}),
            None,
        );
        assert_eq!(
            (updated.previous_role, updated.role),
            (Some(Role::Admin), Some(Role::Student))
        );
        assert!(updated.renamed);
        assert_eq!(
            (updated.previous_email.as_deref(), updated.email.as_deref()),
            (Some("ann@a.test"), Some("anne@a.test"))
        );
        assert_eq!(
            (updated.previous_name.as_deref(), updated.name.as_deref()),
            (Some("Ann"), Some("Anne"))
        );
        assert_eq!(updated.must_change_password, None);
        let demanded = facts(
            EventKind::UserUpdated,
            &json!({"by": by, "must_change_password": true}),
            None,
        );
        assert_eq!(demanded.must_change_password, Some(true));
        let unnamed = facts(
            EventKind::SessionRenamed,
            &json!({"name": {"from": "Laptop", "to": null}}),
            None,
        );
        assert!(unnamed.renamed && unnamed.name.is_none());
        let opened = facts(
            EventKind::SessionCreated,
            &json!({"via": "password_change"}),
            Some(FIREFOX),
        );
        assert_eq!(opened.opened_by, Some(OpenedBy::PasswordChange));
        assert_eq!(opened.browser.as_deref(), Some("Firefox 133.0"));
        assert_eq!(opened.os.as_deref(), Some("Windows 10"));
        let changed = facts(EventKind::PasswordChanged, &json!({"signed_out": 3}), None);
        assert_eq!(changed.signed_out, Some(3));
    }

    #[test]
    fn details_that_do_not_read_give_what_the_kind_tells() {
        let odd = facts(
            EventKind::LoginFailed,
            &json!({"reason": 7}),
            Some("curl/8.5.0"),
        );
        assert_eq!(odd.refusal, Some(ErrorCode::InvalidCredentials));
        let old = facts(EventKind::PasswordChanged, &json!({}), None);
        assert_eq!(old, EventFacts::default());
        assert_eq!(
            facts(EventKind::SessionRevoked, &Value::Null, None),
            EventFacts::default()
        );
    }
}
