//! Application services: the use cases of Fenglai, with permissions and transactions.
//!
//! Error policy: every service returns [`Error`]. Storage errors become
//! [`Error::Internal`] (logged, never shown); validation failures name the field;
//! records outside the caller's scope are [`Error::NotFound`], exactly like records
//! that do not exist. The web layer maps `Error` to HTTP in one place.

pub mod access;
pub mod assess;
pub mod audit;
pub mod auth;
pub mod chains;
pub mod cockpit;
pub mod daily;
pub mod demo;
pub mod jobs;
pub mod leads;
pub mod ledgers;
pub mod merges;
pub mod notify;
pub mod org;
pub mod parks;
pub mod projects;
pub mod redlines;
pub mod reference;

/// 预审 and 分流: a lead's pre-review by a panel (against the red lines of [`redlines`]),
/// and its routing to the park that fits.
pub mod intake {
    pub mod review;
    pub mod routing;
}

/// From 签约 to 达产: milestones, the departments' answers to requests, evidence,
/// realised figures, and the daily alerts over all of them.
pub mod delivery {
    pub mod alerts;
    pub mod evidence;
    pub mod milestones;
    pub mod realised;
    pub mod requests;
}

use fenglai_domain::{Invalid, Role};
use fenglai_store::{Db, Scope, StoreError};
use std::sync::{Arc, Mutex};

/// The application: a handle on the database and what it caches, cheap to clone.
#[derive(Clone)]
pub struct App {
    pub(crate) db: Db,
    /// every park's offer as routing weighs it, under the `parks` data version it was read at
    offers: Arc<Mutex<Option<CachedOffers>>>,
    /// the virus scanner uploads pass through, if one is configured
    scanner: Option<Arc<dyn delivery::evidence::Scanner>>,
    /// the cockpit's figures and when they were computed (kept a minute)
    cockpit: Arc<Mutex<Option<cockpit::Cached>>>,
    /// new leads validated and waiting to be written together (`leads::create`)
    pub(crate) leads_waiting:
        Arc<fenglai_store::Group<leads::Waiting, Result<fenglai_store::leads::Lead>>>,
    /// what a new password must be (set at start-up; default at least 8 characters)
    password_policy: Arc<fenglai_domain::password::PasswordPolicy>,
    /// uploads being imported by this process right now (`ledgers::commit_detached`)
    pub(crate) importing: Arc<Mutex<std::collections::HashSet<i64>>>,
    /// the reverse proxies whose `X-Forwarded-For` is believed (default none)
    trusted_proxies: Arc<auth::TrustedProxies>,
    /// logins waiting out an account's back-off, one at a time per account
    pub(crate) login_turns: Arc<auth::LoginTurns>,
    /// the days a bare number in a ledger's date column may be an Excel serial for;
    /// `None`: 1990-01-01 to 30 years after the day of the import
    serial_dates: Option<fenglai_ledger::DateWindow>,
}

/// The `parks` data version and the offers read at it.
type CachedOffers = (i64, Arc<Vec<fenglai_domain::routing::Offer>>);

impl App {
    /// Connects, migrates and loads reference data if missing.
    pub async fn open(db: Db) -> Result<App> {
        db.migrate().await?;
        let app = App {
            db,
            offers: Arc::default(),
            scanner: None,
            cockpit: Arc::default(),
            leads_waiting: Arc::new(fenglai_store::Group::new(leads::GROUP_COMMIT_MAX)),
            password_policy: Arc::default(),
            importing: Arc::default(),
            trusted_proxies: Arc::default(),
            login_turns: Arc::default(),
            serial_dates: None,
        };
        reference::ensure_loaded(&app).await?;
        redlines::ensure_loaded(&app).await?;
        leads::backfill_search(&app).await?;
        leads::backfill_keys(&app).await?;
        Ok(app)
    }

    /// Whether the database answers (the health check).
    pub async fn ping(&self) -> Result<()> {
        Ok(self.db.ping().await?)
    }

    /// Writes a consistent copy of the whole database to `file` (SQLite; see `Db::backup_to`).
    pub async fn backup_to(&self, file: &std::path::Path) -> fenglai_store::Result<()> {
        self.db.backup_to(file).await
    }

    /// Passes every uploaded file through `scanner` before it is stored.
    pub fn with_scanner(mut self, scanner: Arc<dyn delivery::evidence::Scanner>) -> App {
        self.scanner = Some(scanner);
        self
    }

    pub fn scanner(&self) -> Option<&dyn delivery::evidence::Scanner> {
        self.scanner.as_deref()
    }

    /// Checks new passwords (users created, passwords reset) against `policy`.
    pub fn with_password_policy(mut self, policy: fenglai_domain::password::PasswordPolicy) -> App {
        self.password_policy = Arc::new(policy);
        self
    }

    pub fn password_policy(&self) -> &fenglai_domain::password::PasswordPolicy {
        &self.password_policy
    }

    /// Believes `X-Forwarded-For` from these addresses (login throttling by source).
    pub fn with_trusted_proxies(mut self, proxies: auth::TrustedProxies) -> App {
        self.trusted_proxies = Arc::new(proxies);
        self
    }

    pub fn trusted_proxies(&self) -> &auth::TrustedProxies {
        &self.trusted_proxies
    }

    /// Reads a bare number in a ledger's date column as an Excel serial only for a day in
    /// `window` (see [`fenglai_ledger::DateWindow`]).
    pub fn with_serial_dates(mut self, window: fenglai_ledger::DateWindow) -> App {
        self.serial_dates = Some(window);
        self
    }

    /// The window set, else 1990-01-01 to 30 years from today.
    pub fn serial_dates(&self) -> fenglai_ledger::DateWindow {
        self.serial_dates.unwrap_or_default()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("记录不存在")]
    NotFound,
    #[error("请先登录")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Conflict(String),
    /// too many failed logins: try again after `retry_after` seconds
    #[error("{}", rate_limited_message(*retry_after))]
    RateLimited { retry_after: u64 },
    #[error("服务器内部错误")]
    Internal(String),
}

/// "登录失败次数过多，请15分钟后再试" for a lock, "…请8秒后再试" for a back-off.
fn rate_limited_message(secs: u64) -> String {
    if secs >= 60 {
        format!("登录失败次数过多，请{}分钟后再试", secs.div_ceil(60))
    } else {
        format!("登录失败次数过多，请{}秒后再试", secs.max(1))
    }
}

impl Error {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// The message of an edit refused because the record changed after the editor read it.
pub const STALE: &str = "记录已被他人修改，请刷新后重试";

/// Optimistic concurrency: an edit that names the version it was based on is refused
/// ([`Error::Conflict`], 409) when the record has moved on since; one that names none is
/// applied over whatever is there (last writer wins), as before versions existed. Called
/// inside the edit's transaction, after `audit::Tx::begin` took the write lock, so no
/// other write can come between the check and the update.
pub fn expect_version(seen: Option<i64>, current: i64) -> Result<()> {
    match seen {
        Some(v) if v != current => Err(Error::Conflict(STALE.into())),
        _ => Ok(()),
    }
}

impl From<Invalid> for Error {
    fn from(i: Invalid) -> Self {
        Error::Invalid {
            field: i.field.to_string(),
            message: i.message,
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Error::NotFound,
            StoreError::Conflict(m) => {
                tracing::info!("conflict: {m}");
                Error::Conflict("记录已存在（唯一性冲突）".into())
            }
            other => {
                tracing::error!("storage: {other}");
                Error::Internal(other.to_string())
            }
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: fenglai_store::org::User,
    pub role: Role,
    pub scope: Scope,
}

impl Actor {
    pub fn id(&self) -> i64 {
        self.user.id
    }

    pub fn require(&self, ok: bool, what: &str) -> Result<()> {
        if ok {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "当前角色（{}）无权{}",
                self.role.label(),
                what
            )))
        }
    }
}

/// Today's date in China Standard Time (UTC+8), as `YYYY-MM-DD`.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}
