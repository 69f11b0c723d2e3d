//! The job queue as the worker sees it: the kinds of job, their payloads, and claiming,
//! completing and failing them. Jobs are operational state, not events: the change that
//! caused a job is audited, the job's progress is not.

use crate::{App, Error, Result};
pub use fenglai_domain::JobKind;
use fenglai_store::jobs::{self, Failed, Job, NewJob, Webhook};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A message to a unit's group robot; payload [`WebhookPayload`].
pub const WEBHOOK: JobKind = JobKind::Webhook;
/// The daily computations; payload [`DailyPayload`].
pub const DAILY: JobKind = JobKind::Daily;
/// A notice by email; payload [`EmailPayload`]. Claimed only by workers with SMTP.
pub const EMAIL: JobKind = JobKind::Email;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookPayload {
    pub webhook_id: i64,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
}

/// The address is read when the mail is sent, so a changed or removed one is honoured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailPayload {
    pub user_id: i64,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyPayload {
    /// `YYYY-MM-DD`, China Standard Time
    pub date: chrono::NaiveDate,
}

/// Enqueues a job outside any other transaction; `false` when its key exists already.
pub async fn enqueue(
    app: &App,
    kind: JobKind,
    dedupe_key: &str,
    payload: &impl Serialize,
    max_attempts: i64,
) -> Result<bool> {
    let payload = serde_json::to_string(payload).map_err(|e| Error::Internal(e.to_string()))?;
    let mut c = app.db.acquire().await?;
    Ok(jobs::enqueue(
        &mut c,
        &NewJob {
            kind,
            dedupe_key,
            payload: &payload,
            run_at: None,
            max_attempts,
        },
    )
    .await?)
}

/// Claims the earliest due job of one of `kinds` for `worker` for `lease`.
pub async fn claim(
    app: &App,
    worker: &str,
    lease: Duration,
    kinds: &[JobKind],
) -> Result<Option<Job>> {
    let mut c = app.db.acquire().await?;
    Ok(jobs::claim(&mut c, worker, lease, kinds).await?)
}

/// The user's address for notices by email, if any.
pub async fn user_email(app: &App, user_id: i64) -> Result<Option<String>> {
    let mut c = app.db.acquire().await?;
    Ok(jobs::user_email(&mut c, user_id).await?)
}

/// Marks the job done; `false` when `worker` no longer held it.
pub async fn complete(app: &App, job: &Job, worker: &str) -> Result<bool> {
    let mut c = app.db.acquire().await?;
    Ok(jobs::complete(&mut c, job.id, worker).await?)
}

/// Records a failed attempt: retried after `base · 2^(attempts−1)` (at most `cap`), or
/// given up after the job's last attempt.
pub async fn fail(
    app: &App,
    job: &Job,
    worker: &str,
    error: &str,
    base: Duration,
    cap: Duration,
) -> Result<Failed> {
    let mut c = app.db.acquire().await?;
    Ok(jobs::fail(&mut c, job, worker, error, base, cap).await?)
}

/// A robot by id (active or not).
pub async fn webhook(app: &App, id: i64) -> Result<Option<Webhook>> {
    let mut c = app.db.acquire().await?;
    Ok(jobs::webhook(&mut c, id).await?)
}

/// The job with this key, for operators and tests.
pub async fn by_key(app: &App, key: &str) -> Result<Option<jobs::JobRow>> {
    let mut c = app.db.acquire().await?;
    Ok(jobs::by_key(&mut c, key).await?)
}

/// Jobs of a kind, oldest first, for operators and tests.
pub async fn of_kind(app: &App, kind: JobKind, limit: i64) -> Result<Vec<jobs::JobRow>> {
    let mut c = app.db.acquire().await?;
    Ok(jobs::of_kind(&mut c, kind, limit).await?)
}
