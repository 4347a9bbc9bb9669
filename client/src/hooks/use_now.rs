use chrono::{DateTime, Utc};
use gloo_timers::callback::Interval;
use yew::prelude::*;

/// The current time, refreshed every `every_ms`, so relative times ("2 minutes ago") on
/// screen keep up. Re-renders the caller at each tick.
#[hook]
pub fn use_now(every_ms: u32) -> DateTime<Utc> {
    let now = use_state(Utc::now);
    {
        let now = now.setter();
        use_effect_with(every_ms, move |every_ms| {
            let clock = Interval::new(*every_ms, move || now.set(Utc::now()));
            move || drop(clock)
        });
    }
    *now
}
