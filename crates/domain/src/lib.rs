//! Fenglai's domain: the pure types and rules of investment promotion.
//!
//! Nothing here performs I/O. Types validate on construction (`parse`), so a value
//! of type [`Uscc`], [`Stage`] or [`Yuan`] held anywhere else is known to be valid.

pub mod assess;
pub mod codes;
pub mod dates;
pub mod lead;
pub mod milestone;
pub mod moment;
pub mod money;
pub mod names;
pub mod org;
pub mod password;
pub mod redline;
pub mod request;
pub mod review;
pub mod routing;
pub mod stage;
pub mod uscc;

pub use codes::{IndustryCode, RegionCode};
pub use lead::{Channel, LeadStatus};
pub use moment::{Day, Moment};
pub use money::Yuan;
pub use org::{JobKind, Role, SessionKind, UnitKind, WebhookKind};
pub use stage::{Stage, TransitionError, TransitionKind};
pub use uscc::{CreditCode, Uscc};

/// A value that failed validation: which field, and a message a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
