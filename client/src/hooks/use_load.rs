use std::future::Future;
use std::ops::Deref;

use yew::prelude::*;

use crate::api::ApiError;

/// Data fetched from the server, as a page sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(ApiError),
}

/// Handle from [`use_load`]: derefs to the latest [`Load`], and can fetch again.
pub struct UseLoadHandle<T> {
    state: UseStateHandle<Load<T>>,
    version: UseStateHandle<u32>,
}

impl<T> Deref for UseLoadHandle<T> {
    type Target = Load<T>;

    fn deref(&self) -> &Load<T> {
        &self.state
    }
}

impl<T> Clone for UseLoadHandle<T> {
    fn clone(&self) -> Self {
        Self {
            state: self.state.clone(),
            version: self.version.clone(),
        }
    }
}

impl<T> UseLoadHandle<T> {
    /// Fetches again; what was shown stays on screen until the new answer arrives.
    pub fn reload(&self) {
        self.version.set(*self.version + 1);
    }
}

/// Runs `load(deps)` on mount, whenever `deps` change, and on [`UseLoadHandle::reload`].
/// Only the newest request's answer is kept, so a slow early answer (a search typed
/// quickly) never overwrites a later one.
#[hook]
pub fn use_load<T, D, F, Fut>(deps: D, load: F) -> UseLoadHandle<T>
where
    T: 'static,
    D: PartialEq + Clone + 'static,
    F: FnOnce(D) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let state = use_state(|| Load::Loading);
    let version = use_state(|| 0_u32);
    let latest = use_mut_ref(|| 0_u64);
    {
        let state = state.clone();
        use_effect_with((deps, *version), move |(deps, _)| {
            let ticket = {
                let mut latest = latest.borrow_mut();
                *latest += 1;
                *latest
            };
            let pending = load(deps.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let answer = pending.await;
                if *latest.borrow() == ticket {
                    state.set(match answer {
                        Ok(value) => Load::Ready(value),
                        Err(error) => Load::Failed(error),
                    });
                }
            });
        });
    }
    UseLoadHandle { state, version }
}
