//! Background work that keeps storage tidy without blocking requests.

pub mod purge;
