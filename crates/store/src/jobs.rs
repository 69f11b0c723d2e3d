//! Background jobs, the in-app inbox (站内消息) and the group-robot webhooks of units.
//!
//! Jobs are rows: enqueueing is idempotent by `dedupe_key`; a worker claims one due job
//! with a lease (`locked_by`, `locked_until`) in a single statement, so two workers never
//! hold the same job: on PostgreSQL the subquery takes the row `FOR UPDATE SKIP LOCKED`,
//! on SQLite the statement runs under the database's one write lock. A worker that dies
//! mid-job leaves it locked until the lease runs out, and then another takes it.

use crate::decode;
use crate::sql::{now, Sql};
use crate::{Backend, Conn, Result};
use fenglai_domain::{JobKind, Moment, WebhookKind};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};
use std::time::Duration;

/// Timestamps as stored (see [`now`]): fixed width, so they compare as text.
fn later(d: Duration) -> Moment {
    Moment::now()
        + chrono::Duration::from_std(d.min(Duration::from_secs(86_400 * 3650))).unwrap_or_default()
}

fn job_kind(r: &AnyRow) -> sqlx::Result<JobKind> {
    decode::coded(r, "kind", JobKind::ALL, JobKind::as_str)
}

/// A job to put on the queue.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub kind: JobKind,
    /// Unique over all jobs ever enqueued: a second job with the same key is dropped.
    pub dedupe_key: &'a str,
    /// JSON
    pub payload: &'a str,
    /// `None` for now.
    pub run_at: Option<Moment>,
    pub max_attempts: i64,
}

/// Enqueues a job; `false` when a job with its key exists already (it is left alone).
pub async fn enqueue(conn: &mut Conn, job: &NewJob<'_>) -> Result<bool> {
    let at = now();
    let mut s = Sql::new(
        "INSERT INTO jobs (kind, dedupe_key, payload, run_at, attempts, max_attempts, created_at) \
         VALUES (",
    );
    s.bind(job.kind)
        .push(", ")
        .bind(job.dedupe_key)
        .push(", ")
        .bind(job.payload)
        .push(", ")
        .bind(job.run_at.map_or(at.clone(), |t| t.to_string()))
        .push(", 0, ")
        .bind(job.max_attempts.max(1))
        .push(", ")
        .bind(at)
        .push(") ON CONFLICT (dedupe_key) DO NOTHING");
    Ok(s.execute(conn).await? == 1)
}

/// A claimed job.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: JobKind,
    pub dedupe_key: String,
    pub payload: String,
    /// including the one just begun
    pub attempts: i64,
    pub max_attempts: i64,
}

impl<'r> FromRow<'r, AnyRow> for Job {
    fn from_row(r: &'r AnyRow) -> sqlx::Result<Job> {
        Ok(Job {
            id: r.try_get("id")?,
            kind: job_kind(r)?,
            dedupe_key: r.try_get("dedupe_key")?,
            payload: r.try_get("payload")?,
            attempts: r.try_get("attempts")?,
            max_attempts: r.try_get("max_attempts")?,
        })
    }
}

/// Claims the earliest due job of one of `kinds` for `worker` for `lease`, counting the
/// attempt; `None` when nothing is due. One statement: on PostgreSQL the candidate row is locked with
/// `FOR UPDATE SKIP LOCKED` (a concurrent claimer skips it and takes the next), on
/// SQLite the UPDATE holds the write lock from choosing the row to writing it.
pub async fn claim(
    conn: &mut Conn,
    worker: &str,
    lease: Duration,
    kinds: &[JobKind],
) -> Result<Option<Job>> {
    let backend = conn.backend();
    if kinds.is_empty() {
        return Ok(None);
    }
    let at = now();
    let mut s = Sql::new("UPDATE jobs SET locked_by = ");
    s.bind(worker)
        .push(", locked_until = ")
        .bind(later(lease))
        .push(
            ", attempts = attempts + 1 WHERE id = (SELECT id FROM jobs \
             WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= ",
        )
        .bind(at.clone())
        .push(" AND (locked_until IS NULL OR locked_until < ")
        .bind(at)
        .push(") AND kind IN (");
    for (i, k) in kinds.iter().enumerate() {
        if i > 0 {
            s.push(", ");
        }
        s.bind(*k);
    }
    s.push(") ORDER BY run_at, id LIMIT 1");
    if backend == Backend::Postgres {
        s.push(" FOR UPDATE SKIP LOCKED");
    }
    s.push(") RETURNING id, kind, dedupe_key, payload, attempts, max_attempts");
    s.fetch_optional(conn).await
}

/// Marks a job done, if `worker` still holds it; `false` when it does not (the lease ran
/// out and another worker took the job). `locked_by` stays: who ran it.
pub async fn complete(conn: &mut Conn, id: i64, worker: &str) -> Result<bool> {
    let mut s = Sql::new("UPDATE jobs SET done_at = ");
    s.bind(now())
        .push(", locked_until = NULL, last_error = NULL WHERE id = ")
        .bind(id)
        .push(" AND locked_by = ")
        .bind(worker)
        .push(" AND done_at IS NULL");
    Ok(s.execute(conn).await? == 1)
}

/// The wait before the next try after the `attempts`-th failure: `base · 2^(attempts−1)`,
/// at most `cap`.
pub fn backoff(attempts: i64, base: Duration, cap: Duration) -> Duration {
    let exp = attempts.saturating_sub(1).clamp(0, 30) as u32;
    base.saturating_mul(1u32 << exp).min(cap)
}

/// What [`fail`] did with the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failed {
    /// to be tried again at this time
    Retry(Moment),
    /// given up: `max_attempts` reached
    GivenUp,
    /// the worker no longer held the job
    NotHeld,
}

/// Records a failed attempt: the job is released to run again after [`backoff`], or given
/// up for good once it has had `max_attempts` attempts.
pub async fn fail(
    conn: &mut Conn,
    job: &Job,
    worker: &str,
    error: &str,
    base: Duration,
    cap: Duration,
) -> Result<Failed> {
    let error: String = error.chars().take(1000).collect();
    let give_up = job.attempts >= job.max_attempts;
    let retry_at = later(backoff(job.attempts, base, cap));
    let mut s = Sql::new("UPDATE jobs SET locked_by = NULL, locked_until = NULL, last_error = ");
    s.bind(error);
    if give_up {
        s.push(", failed_at = ").bind(now());
    } else {
        s.push(", run_at = ").bind(retry_at);
    }
    s.push(" WHERE id = ")
        .bind(job.id)
        .push(" AND locked_by = ")
        .bind(worker)
        .push(" AND done_at IS NULL");
    Ok(match s.execute(conn).await? {
        0 => Failed::NotHeld,
        _ if give_up => Failed::GivenUp,
        _ => Failed::Retry(retry_at),
    })
}

/// A job as an operator sees it.
#[derive(Debug, Clone)]
pub struct JobRow {
    pub id: i64,
    pub kind: JobKind,
    pub dedupe_key: String,
    pub payload: String,
    pub run_at: Moment,
    pub attempts: i64,
    pub max_attempts: i64,
    pub locked_by: Option<String>,
    pub done_at: Option<Moment>,
    pub failed_at: Option<Moment>,
    pub last_error: Option<String>,
}

impl<'r> FromRow<'r, AnyRow> for JobRow {
    fn from_row(r: &'r AnyRow) -> sqlx::Result<JobRow> {
        Ok(JobRow {
            id: r.try_get("id")?,
            kind: job_kind(r)?,
            dedupe_key: r.try_get("dedupe_key")?,
            payload: r.try_get("payload")?,
            run_at: decode::moment(r, "run_at")?,
            attempts: r.try_get("attempts")?,
            max_attempts: r.try_get("max_attempts")?,
            locked_by: r.try_get("locked_by")?,
            done_at: decode::moment_opt(r, "done_at")?,
            failed_at: decode::moment_opt(r, "failed_at")?,
            last_error: r.try_get("last_error")?,
        })
    }
}

/// The job with this key, if any.
pub async fn by_key(conn: &mut Conn, key: &str) -> Result<Option<JobRow>> {
    let mut s = Sql::new(
        "SELECT id, kind, dedupe_key, payload, run_at, attempts, max_attempts, locked_by, \
         done_at, failed_at, last_error FROM jobs WHERE dedupe_key = ",
    );
    s.bind(key);
    s.fetch_optional(conn).await
}

/// Jobs of a kind, oldest first (at most `limit`).
pub async fn of_kind(conn: &mut Conn, kind: JobKind, limit: i64) -> Result<Vec<JobRow>> {
    let mut s = Sql::new(
        "SELECT id, kind, dedupe_key, payload, run_at, attempts, max_attempts, locked_by, \
         done_at, failed_at, last_error FROM jobs WHERE kind = ",
    );
    s.bind(kind).push(" ORDER BY id LIMIT ").bind(limit);
    s.fetch_all(conn).await
}

// ---- the inbox ----

/// One notice in a user's inbox.
#[derive(Debug, Clone)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    /// what it is about, e.g. `milestone_overdue` (each feature names its own)
    pub kind: String,
    pub title: String,
    pub body: String,
    /// a path in Fenglai, e.g. `/projects/12`
    pub link: Option<String>,
    pub dedupe_key: String,
    pub created_at: Moment,
    pub read_at: Option<Moment>,
}

impl<'r> FromRow<'r, AnyRow> for Notification {
    fn from_row(r: &'r AnyRow) -> sqlx::Result<Notification> {
        Ok(Notification {
            id: r.try_get("id")?,
            user_id: r.try_get("user_id")?,
            kind: r.try_get("kind")?,
            title: r.try_get("title")?,
            body: r.try_get("body")?,
            link: r.try_get("link")?,
            dedupe_key: r.try_get("dedupe_key")?,
            created_at: decode::moment(r, "created_at")?,
            read_at: decode::moment_opt(r, "read_at")?,
        })
    }
}

const NOTE_COLS: &str = "id, user_id, kind, title, body, link, dedupe_key, created_at, read_at";

/// A notice to insert.
#[derive(Debug, Clone)]
pub struct NewNotification<'a> {
    pub user_id: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub link: Option<&'a str>,
    pub dedupe_key: &'a str,
}

/// Inserts a notice; `None` when the user has one with its key already.
pub async fn insert_notification(conn: &mut Conn, n: &NewNotification<'_>) -> Result<Option<i64>> {
    let mut s = Sql::new(
        "INSERT INTO notifications (user_id, kind, title, body, link, dedupe_key, created_at) \
         VALUES (",
    );
    s.bind(n.user_id)
        .push(", ")
        .bind(n.kind)
        .push(", ")
        .bind(n.title)
        .push(", ")
        .bind(n.body)
        .push(", ")
        .bind(n.link)
        .push(", ")
        .bind(n.dedupe_key)
        .push(", ")
        .bind(now())
        .push(") ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id");
    let row: Option<(i64,)> = s.fetch_optional(conn).await?;
    Ok(row.map(|r| r.0))
}

/// A user's notices, unread first, newest first within each.
pub async fn inbox(conn: &mut Conn, user_id: i64, limit: i64) -> Result<Vec<Notification>> {
    let mut s = Sql::new(&format!(
        "SELECT {NOTE_COLS} FROM notifications WHERE user_id = "
    ));
    s.bind(user_id)
        .push(" ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, id DESC LIMIT ")
        .bind(limit);
    s.fetch_all(conn).await
}

pub async fn unread_count(conn: &mut Conn, user_id: i64) -> Result<i64> {
    let mut s = Sql::new("SELECT COUNT(*) FROM notifications WHERE user_id = ");
    s.bind(user_id).push(" AND read_at IS NULL");
    s.fetch_i64(conn).await
}

/// The user's notice `id` (another user's is not found).
pub async fn notification(conn: &mut Conn, user_id: i64, id: i64) -> Result<Option<Notification>> {
    let mut s = Sql::new(&format!(
        "SELECT {NOTE_COLS} FROM notifications WHERE id = "
    ));
    s.bind(id).push(" AND user_id = ").bind(user_id);
    s.fetch_optional(conn).await
}

/// Marks the user's notice read (kept as first read when read again); `false` when the
/// user has no such notice.
pub async fn mark_read(conn: &mut Conn, user_id: i64, id: i64) -> Result<bool> {
    let mut s = Sql::new("UPDATE notifications SET read_at = COALESCE(read_at, ");
    s.bind(now())
        .push(") WHERE id = ")
        .bind(id)
        .push(" AND user_id = ")
        .bind(user_id);
    Ok(s.execute(conn).await? == 1)
}

/// Marks all the user's notices read; how many were unread.
pub async fn mark_all_read(conn: &mut Conn, user_id: i64) -> Result<u64> {
    let mut s = Sql::new("UPDATE notifications SET read_at = ");
    s.bind(now())
        .push(" WHERE user_id = ")
        .bind(user_id)
        .push(" AND read_at IS NULL");
    s.execute(conn).await
}

// ---- webhooks ----

/// A unit's group robot; serialized as the audit log's snapshot of it (`active` as 1/0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Webhook {
    pub id: i64,
    pub unit_id: i64,
    pub kind: WebhookKind,
    pub url: String,
    /// removed robots are kept, inactive
    #[serde(serialize_with = "crate::org::flag_as_int")]
    pub active: bool,
    pub created_at: Moment,
}

impl<'r> FromRow<'r, AnyRow> for Webhook {
    fn from_row(r: &'r AnyRow) -> sqlx::Result<Webhook> {
        Ok(Webhook {
            id: r.try_get("id")?,
            unit_id: r.try_get("unit_id")?,
            kind: decode::coded(r, "kind", WebhookKind::ALL, WebhookKind::as_str)?,
            url: r.try_get("url")?,
            active: decode::flag(r, "active")?,
            created_at: decode::moment(r, "created_at")?,
        })
    }
}

const HOOK_COLS: &str = "id, unit_id, kind, url, active, created_at";

/// Every robot the unit ever had, active first.
pub async fn webhooks(conn: &mut Conn, unit_id: i64) -> Result<Vec<Webhook>> {
    let mut s = Sql::new(&format!(
        "SELECT {HOOK_COLS} FROM unit_webhooks WHERE unit_id = "
    ));
    s.bind(unit_id).push(" ORDER BY active DESC, id");
    s.fetch_all(conn).await
}

/// The active robots of the unit the user belongs to.
pub async fn active_webhooks_of_user(conn: &mut Conn, user_id: i64) -> Result<Vec<Webhook>> {
    let mut s = Sql::new(&format!(
        "SELECT {HOOK_COLS} FROM unit_webhooks WHERE active = 1 AND unit_id = \
         (SELECT unit_id FROM users WHERE id = "
    ));
    s.bind(user_id).push(") ORDER BY id");
    s.fetch_all(conn).await
}

pub async fn webhook(conn: &mut Conn, id: i64) -> Result<Option<Webhook>> {
    let mut s = Sql::new(&format!(
        "SELECT {HOOK_COLS} FROM unit_webhooks WHERE id = "
    ));
    s.bind(id);
    s.fetch_optional(conn).await
}

pub async fn insert_webhook(
    conn: &mut Conn,
    unit_id: i64,
    kind: WebhookKind,
    url: &str,
) -> Result<i64> {
    let mut s =
        Sql::new("INSERT INTO unit_webhooks (unit_id, kind, url, active, created_at) VALUES (");
    s.bind(unit_id)
        .push(", ")
        .bind(kind)
        .push(", ")
        .bind(url)
        .push(", 1, ")
        .bind(now())
        .push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn set_webhook_active(conn: &mut Conn, id: i64, active: bool) -> Result<()> {
    let mut s = Sql::new("UPDATE unit_webhooks SET active = ");
    s.bind(active as i64).push(" WHERE id = ").bind(id);
    s.execute(conn).await.map(|_| ())
}

// ---- email addresses ----

/// The user's address for notices by email, if any.
pub async fn user_email(conn: &mut Conn, user_id: i64) -> Result<Option<String>> {
    let mut s = Sql::new("SELECT email FROM users WHERE id = ");
    s.bind(user_id);
    let row: Option<(Option<String>,)> = s.fetch_optional(conn).await?;
    Ok(row.and_then(|r| r.0))
}

pub async fn set_user_email(conn: &mut Conn, user_id: i64, email: Option<&str>) -> Result<()> {
    let mut s = Sql::new("UPDATE users SET email = ");
    s.bind(email).push(" WHERE id = ").bind(user_id);
    s.execute(conn).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let b = Duration::from_secs(30);
        let cap = Duration::from_secs(3600);
        assert_eq!(backoff(1, b, cap), Duration::from_secs(30));
        assert_eq!(backoff(2, b, cap), Duration::from_secs(60));
        assert_eq!(backoff(4, b, cap), Duration::from_secs(240));
        assert_eq!(backoff(10, b, cap), cap);
        assert_eq!(backoff(1000, b, cap), cap);
    }
}
