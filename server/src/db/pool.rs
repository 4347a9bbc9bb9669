//! The connection pool, with a breaker in front of it. bb8 reports a failed connection
//! attempt only to its error sink, and a request waiting for a connection would wait the
//! whole `DB_POOL_TIMEOUT` for one that cannot come. Here a failed attempt ends every
//! wait at once (503), and while attempts keep failing and no connection is idle,
//! requests are refused without waiting; one background probe at a time waits for the
//! database to come back and closes the breaker when it does.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use bb8::{Builder, ErrorSink, RunError};
use diesel_async::{
    AsyncPgConnection,
    pooled_connection::{AsyncDieselConnectionManager, PoolError},
};
use tokio::sync::Notify;

type Manager = AsyncDieselConnectionManager<AsyncPgConnection>;

/// A connection checked out of [`DbPool`].
pub type PooledConn<'a> = bb8::PooledConnection<'a, Manager>;

/// A failed connection attempt keeps the breaker open this long, unless the probe gets a
/// connection sooner.
const REFUSAL_MEMORY: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct DbPool {
    pool: bb8::Pool<Manager>,
    refusals: Refusals,
}

/// Why no connection was handed out.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    #[error("the database refuses connections")]
    Refusing,
    #[error("database pool: {0}")]
    Pool(#[from] RunError<PoolError>),
}

impl DbPool {
    pub(super) async fn build(
        builder: Builder<Manager>,
        manager: Manager,
    ) -> Result<Self, PoolError> {
        let refusals = Refusals::default();
        let pool = builder
            .error_sink(Box::new(refusals.clone()))
            .build(manager)
            .await?;
        Ok(Self { pool, refusals })
    }

    /// A connection, or why there is none: within `DB_POOL_TIMEOUT`, or at once when
    /// the database refuses connections.
    pub async fn get(&self) -> Result<PooledConn<'_>, CheckoutError> {
        if self.refusals.recent() && self.pool.state().idle_connections == 0 {
            self.probe_in_background();
            return Err(CheckoutError::Refusing);
        }
        let refused = self.refusals.notify.notified();
        tokio::select! {
            conn = self.pool.get() => Ok(conn?),
            () = refused => Err(CheckoutError::Refusing),
        }
    }

    /// The most connections the pool holds.
    pub fn size(&self) -> u32 {
        self.pool.state().connections.max(1)
    }

    /// Starts the probe unless one is out: it waits for a connection, which bb8 retries
    /// meanwhile, and closes the breaker when one comes.
    fn probe_in_background(&self) {
        let Some(permit) = self.refusals.probe() else {
            return;
        };
        let (pool, refusals) = (self.pool.clone(), self.refusals.clone());
        tokio::spawn(async move {
            let _permit = permit;
            if pool.get().await.is_ok() {
                refusals.clear();
            }
        });
    }
}

/// When connecting last failed, and whether a probe is out. bb8 reports connection
/// errors here (its error sink).
#[derive(Debug, Clone, Default)]
struct Refusals {
    last: Arc<Mutex<Option<Instant>>>,
    /// Wakes the requests waiting for a connection when an attempt fails.
    notify: Arc<Notify>,
    probing: Arc<AtomicBool>,
}

impl Refusals {
    fn recent(&self) -> bool {
        let last = *self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        last.is_some_and(|at| at.elapsed() < REFUSAL_MEMORY)
    }

    fn clear(&self) {
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if last.take().is_some() {
            tracing::info!("the database accepts connections again");
        }
    }

    /// The probe's permit, unless the probe is out.
    fn probe(&self) -> Option<Probe> {
        let taken = self.probing.swap(true, Ordering::AcqRel);
        (!taken).then(|| Probe(Arc::clone(&self.probing)))
    }
}

impl ErrorSink<PoolError> for Refusals {
    fn sink(&self, error: PoolError) {
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if last.is_none() {
            tracing::warn!(
                "the database refuses connections ({error}): failing fast until it is back"
            );
        }
        *last = Some(Instant::now());
        self.notify.notify_waiters();
    }

    fn boxed_clone(&self) -> Box<dyn ErrorSink<PoolError>> {
        Box::new(self.clone())
    }
}

/// Returns the probe permit when the probe ends, however it ends.
struct Probe(Arc<AtomicBool>);

impl Drop for Probe {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}
