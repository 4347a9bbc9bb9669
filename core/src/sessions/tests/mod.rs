//! The session use cases against the memory ports: each rule at its boundary, each
//! refusal with its reason, each change with its audit events and cache fences.

mod admin;
mod ensure;
mod login;
mod new_devices;
mod reauth;
mod rename;
mod revoke;
mod validate;

use hallpass_shared::EventKind;

use crate::testing::TestDomain;

/// The kinds of the events recorded so far, oldest first.
async fn recorded_kinds(domain: &TestDomain) -> Vec<EventKind> {
    let state = domain.store.snapshot().await;
    state
        .events
        .iter()
        .map(|recorded| recorded.event.kind)
        .collect()
}

/// How many events of `kind` were recorded.
async fn recorded(domain: &TestDomain, kind: EventKind) -> usize {
    recorded_kinds(domain)
        .await
        .into_iter()
        .filter(|recorded| *recorded == kind)
        .count()
}
