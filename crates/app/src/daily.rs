//! The daily job: once a day (China Standard Time), whichever worker claims the day's
//! `daily:YYYY-MM-DD` job runs [`run`]. The key makes it once per day however many
//! servers run a worker.

use crate::jobs::{DailyPayload, DAILY};
use crate::{App, Result};
use chrono::NaiveDate;

/// How many times a day's run is tried before it is given up.
pub const DAILY_ATTEMPTS: i64 = 5;

/// The daily computations as of `as_of` (`alerts::compute`): overdue and at-risk
/// milestones, the stall lists (三未/六未), the escalation of overdue requests to their
/// projects' leaders, and the notices — one escalation notice and one digest a person a
/// day. Safe to run twice for one day (a crash before the job is marked done runs it
/// again): the snapshot is rebuilt, a part is escalated once, notices are keyed by the day.
pub async fn run(app: &App, as_of: NaiveDate) -> Result<()> {
    crate::delivery::alerts::compute(app, as_of)
        .await
        .map(|_| ())
}

/// The key of the day's job.
pub fn key(date: NaiveDate) -> String {
    format!("daily:{}", date.format("%Y-%m-%d"))
}

/// Enqueues the daily job of `date`; `false` when it is queued (or done) already.
pub async fn enqueue(app: &App, date: NaiveDate) -> Result<bool> {
    crate::jobs::enqueue(
        app,
        DAILY,
        &key(date),
        &DailyPayload { date },
        DAILY_ATTEMPTS,
    )
    .await
}
