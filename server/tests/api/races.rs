//! Revocation wins every race with the cache: a request that read a session from the
//! database before a revocation committed cannot cache it after the revocation returned.
//! A test double around the real backend holds that request between its database read
//! and its cache fill while an admin revokes the session.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use hallpass_server::{
    cache::{CacheError, SharedBackend, Slot},
    config::CacheBackend,
};
use hallpass_shared::{ErrorCode, Role, paths};
use reqwest::StatusCode;
use tokio::sync::Notify;

use crate::support::spawn_app_with_cache_layer;

/// Holds the next fill, once armed, until released.
#[derive(Default)]
struct Gate {
    armed: AtomicBool,
    reached: Notify,
    released: Notify,
}

struct HeldFills {
    inner: Box<dyn SharedBackend>,
    gate: Arc<Gate>,
}

#[async_trait::async_trait]
impl SharedBackend for HeldFills {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn get(&self, key: &str) -> Result<Option<Slot>, CacheError> {
        self.inner.get(key).await
    }

    async fn fill(&self, key: &str, entry: &str, ttl: Duration) -> Result<(), CacheError> {
        if self.gate.armed.swap(false, Ordering::SeqCst) {
            self.gate.reached.notify_one();
            self.gate.released.notified().await;
        }
        self.inner.fill(key, entry, ttl).await
    }

    async fn refresh(&self, key: &str, entry: &str, ttl: Duration) -> Result<(), CacheError> {
        self.inner.refresh(key, entry, ttl).await
    }

    async fn forget(&self, key: &str) -> Result<(), CacheError> {
        self.inner.forget(key).await
    }

    async fn fence(&self, keys: &[String], ttl: Duration) -> Result<(), CacheError> {
        self.inner.fence(keys, ttl).await
    }

    async fn ping(&self) -> Result<(), CacheError> {
        self.inner.ping().await
    }
}

async fn a_fill_racing_a_revocation_never_caches_the_revoked_session(backend: CacheBackend) {
    let gate = Arc::new(Gate::default());
    let layer_gate = Arc::clone(&gate);
    let app = spawn_app_with_cache_layer(
        backend,
        |_| {},
        Box::new(move |inner| {
            Box::new(HeldFills {
                inner,
                gate: layer_gate,
            })
        }),
    )
    .await;
    let admin = app.logged_in(Role::Admin).await;
    let student = app.student().await;
    let session = student.current().await.session;
    app.forget_cached(&student).await;
    gate.armed.store(true, Ordering::SeqCst);

    // The student's request misses, reads the live row, and is held before its fill;
    // meanwhile the admin revokes the session; then the fill is let go.
    let in_flight = student.get(paths::CURRENT_SESSION);
    let revoke = async {
        gate.reached.notified().await;
        let status = admin
            .delete(&paths::admin_session(session.id))
            .await
            .status();
        gate.released.notify_one();
        status
    };
    let (in_flight, revoked) = tokio::join!(in_flight, revoke);
    assert_eq!(revoked, StatusCode::NO_CONTENT);
    // It was answered from a read made before the revocation: that one may pass.
    assert_eq!(in_flight.status(), StatusCode::OK);

    // Every request sent after the revocation returned is refused (each refusal clears
    // the jar's cookie; put it back as a client replaying it would).
    let cookie = student.cookie().unwrap();
    for _ in 0..3 {
        student.assert_signed_out(ErrorCode::SessionRevoked).await;
        student.set_cookie(&cookie);
    }
}

// With `SESSION_CACHE=memory` there is no shared backend to hold: the same race in the
// in-process tier is staged by the unit tests of `cache`.
mod redis {
    #[tokio::test]
    async fn a_fill_racing_a_revocation_never_caches_the_revoked_session() {
        super::a_fill_racing_a_revocation_never_caches_the_revoked_session(
            hallpass_server::config::CacheBackend::Redis,
        )
        .await;
    }
}

mod postgres {
    #[tokio::test]
    async fn a_fill_racing_a_revocation_never_caches_the_revoked_session() {
        super::a_fill_racing_a_revocation_never_caches_the_revoked_session(
            hallpass_server::config::CacheBackend::Postgres,
        )
        .await;
    }
}
