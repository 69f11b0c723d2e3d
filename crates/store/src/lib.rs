//! Storage: the only crate that speaks SQL.
//!
//! One code path serves SQLite and PostgreSQL through sqlx's `Any` driver with
//! runtime-checked queries (the build needs no database). Placeholders are written
//! `$1, $2 …`, which both backends accept. Each backend has its own migrations
//! folder; where the SQL must differ (full-text search), functions branch on
//! [`Backend`].
//!
//! Conventions: dates are `YYYY-MM-DD` text, timestamps RFC 3339 text in UTC,
//! money is `BIGINT` yuan, booleans are `BIGINT` 0/1. Functions take the store's own
//! `&mut Conn` — a pooled connection or a [`Tx`]'s — so that the application layer owns
//! transactions without seeing the driver.

pub mod assess;
pub mod audit;
pub mod chains;
mod conn;
pub mod db;
mod decode;
pub mod evidence;
pub mod jobs;
pub mod leads;
pub mod ledgers;
pub mod merges;
pub mod milestones;
pub mod org;
pub mod parks;
pub mod projects;
pub mod quota;
pub mod reference;
pub mod requests;
pub mod review;
pub mod routing;
pub mod sessions;
/// The SQL builder: this crate's own. Tests and benchmarks that check what is stored
/// reach it through the `raw-sql` feature, which no production build enables.
#[cfg(feature = "raw-sql")]
pub mod sql;
#[cfg(not(feature = "raw-sql"))]
mod sql;
pub mod stats;
/// The delivery benchmark dataset, set-based SQL: only `fenglai-sample`'s benchmarks
/// enable the `synthetic` feature, never a production build.
#[cfg(feature = "synthetic")]
pub mod synthetic;

pub use conn::{Conn, Tx};
#[cfg(feature = "raw-sql")]
pub use db::Backend;
#[cfg(not(feature = "raw-sql"))]
pub(crate) use db::Backend;
pub use db::{Db, Group, Turn};
pub use sql::now;

/// A storage failure. Details are for the log, never for the user.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("record not found")]
    NotFound,
    #[error("unique constraint violated: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("corrupt data: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Turns a unique-constraint violation into [`StoreError::Conflict`].
pub(crate) fn map_unique(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return StoreError::Conflict(db.message().to_string());
        }
    }
    StoreError::Database(e)
}

/// Which records a caller may see; built by the application layer from the
/// caller's role and unit, applied here in every query that reads records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every record.
    All,
    /// Records whose reporting unit (or, for projects, receiving park) lies in the
    /// subtree with this materialised path prefix, e.g. `/1/3/`.
    Subtree(String),
    /// Only records reported by this user.
    Reporter(i64),
}

impl Scope {
    /// Appends ` AND (…)` restricting `alias` (a leads or projects table) to the scope.
    pub(crate) fn restrict(&self, s: &mut sql::Sql, alias: &str, is_project: bool) {
        match self {
            Scope::All => {}
            Scope::Reporter(uid) => {
                s.push(&format!(" AND {alias}.reported_by = ")).bind(*uid);
            }
            Scope::Subtree(path) => {
                let pat = format!("{}%", sql::like_escape(path));
                s.push(&format!(
                    " AND ({alias}.reporting_unit_id IN (SELECT id FROM units WHERE path LIKE "
                ));
                s.bind(pat.clone()).push(" ESCAPE '\\')");
                if is_project {
                    s.push(&format!(
                        " OR {alias}.park_id IN (SELECT id FROM units WHERE path LIKE "
                    ));
                    s.bind(pat).push(" ESCAPE '\\')");
                }
                s.push(")");
            }
        }
    }
}
