//! Synthetic data for the demo and for benchmarks: deterministic for a seed, and kept
//! out of the production crates. Only the `fenglai` binary (for `fenglai demo` and
//! `fenglai gen`) and benchmarks depend on this crate.
//!
//! - [`pipeline`]: companies, leads, projects and their stage histories, written through
//!   the store's bulk writers — the ones a ledger import writes through.
//! - [`registry`]: a synthetic enterprise registry CSV.
//! - [`ensure_demo`]: the demo city 凤城市, seeded once in a fixed order.
//!
//! The delivery benchmark dataset (milestones, requests) is made by the database itself:
//! `fenglai_store::synthetic`, behind the store's `synthetic` feature, which only this
//! crate's benchmarks (`examples/daily_bench.rs`) enable.

mod demo;
pub mod pipeline;
pub mod registry;

pub use demo::ensure_demo;
pub use pipeline::{generate, Options, Summary};
