//! The domain's values: a [`User`], a [`Session`] and an [`AuditEvent`] as the rules see
//! them (typed ids, typed token hash, enums rather than stored text), what creating one
//! takes, and the shapes of the questions the use cases ask the store (filters, orders,
//! cursors). The store's adapter maps its rows to these in one place each.

mod device;
mod event;
mod session;
mod user;

pub use device::Learning;
pub use event::{AuditEvent, EventCursor, EventFilter, RecordedEvent};
pub use session::{NewSession, Session};
pub use user::{ChosenBy, NewUser, SortKey, User, UserChanges, UserCursor, UserFilter};
