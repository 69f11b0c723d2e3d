//! Company identity for Fenglai: one company however its name is written, and the
//! duplicates among leads and projects.
//!
//! - [`fold`]: full-/half-width, bracket kinds, traditional → simplified, case, spaces.
//! - [`CompanyName`]: a name taken apart into region, core (字号), trade, legal form and
//!   branch; [`CompanyName::key`] (core + trade) is what two names of one company share.
//! - [`dedupe`]: [`Record`], the scored comparison [`compare`] with Chinese [`Reason`]s,
//!   the in-memory [`Index`] for checking one new record, and [`cluster`] for a whole dataset.
//! - 统一社会信用代码 checks are [`fenglai_domain::Uscc`]'s.
//!
//! Pure: no database, no HTTP, no files at run time (the word lists are compiled in).

pub mod dedupe;
pub mod fold;
mod lexicon;
pub mod name;

pub use dedupe::{
    cluster, compare, Candidate, Index, Prepared, Reason, Record, Verdict, DUPLICATE_THRESHOLD,
};
pub use fold::fold;
pub use lexicon::canonical_place;
pub use name::CompanyName;
