//! The daily computation: which milestones are overdue or at risk, which projects are
//! stalled, which requests are overdue, as of a day; overdue requests not yet escalated are
//! escalated to their project's responsible leader.
//!
//! The snapshot (`alerts`) is derived data, rebuilt whole by set-based statements in one
//! transaction; the escalations are mutations and are audited.

use crate::audit::Tx;
use crate::milestones::{cutoff, shape};
use crate::{App, Error, Result};
use chrono::NaiveDate;
use fenglai_store::milestones::{self as store, AlertRun};
use fenglai_store::requests;
use std::time::Instant;

/// An overdue request part handed to the leader.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Escalation {
    pub task_id: i64,
    pub request_id: i64,
    pub title: String,
    pub project_id: i64,
    pub project_name: String,
    pub department_name: String,
    pub due_date: String,
    /// the project's responsible leader, else its responsible person
    pub notify_user_id: Option<i64>,
}

/// Rebuilds the snapshot as of `as_of` and escalates what became overdue; returns the
/// run's figures and the escalations made (for notices).
pub async fn compute(app: &App, as_of: NaiveDate) -> Result<(AlertRun, Vec<Escalation>)> {
    let t0 = Instant::now();
    let d = as_of.to_string();
    let mut tx = app.db.begin().await?;
    let rules: Vec<_> = store::rules(&mut tx)
        .await?
        .into_iter()
        .filter(|r| r.active != 0)
        .collect();
    let shaped: Vec<_> = rules
        .iter()
        .filter_map(|r| Some((shape(r)?, cutoff(as_of, r.days))))
        .collect();
    store::clear_alerts(&mut tx, app.db.backend).await?;
    let overdue = store::add_alerts(&mut tx, "overdue", &d, store::overdue_query(&d)).await?;
    let at_risk = store::add_alerts(&mut tx, "at_risk", &d, store::at_risk_query(&d)).await?;
    let stalled = store::add_alerts(&mut tx, "stalled", &d, store::stalled_query(&shaped)).await?;
    let overdue_requests =
        store::add_alerts(&mut tx, "request_overdue", &d, requests::overdue_query(&d)).await?;
    tx.commit().await.map_err(fenglai_store::StoreError::from)?;

    let mut atx = Tx::begin(app).await?;
    let due: Vec<Escalation> = requests::to_escalate(atx.conn(), &d)
        .await?
        .into_iter()
        .map(|e| Escalation {
            task_id: e.task_id,
            request_id: e.request_id,
            title: e.title,
            project_id: e.project_id,
            project_name: e.project_name,
            department_name: e.department_name,
            due_date: e.due_date,
            notify_user_id: e.notify_user_id,
        })
        .collect();
    requests::mark_escalated(atx.conn(), &d).await?;
    let events: Vec<_> = due
        .iter()
        .map(|e| {
            (
                "request_task",
                e.task_id,
                "escalate",
                serde_json::to_string(e).map_err(|x| Error::Internal(x.to_string())),
            )
        })
        .collect::<Vec<_>>();
    let mut items = Vec::with_capacity(events.len());
    for (a, b, c, j) in events {
        items.push((a, b, c, j?));
    }
    atx.record_many(None, items).await?;
    let run = AlertRun {
        as_of: d,
        overdue: overdue as i64,
        at_risk: at_risk as i64,
        stalled: stalled as i64,
        requests: overdue_requests as i64,
        escalated: due.len() as i64,
        millis: t0.elapsed().as_millis() as i64,
        computed_at: String::new(),
    };
    store::record_run(atx.conn(), &run).await?;
    atx.commit().await?;
    Ok((run, due))
}

/// The last run's figures.
pub async fn last_run(app: &App) -> Result<Option<AlertRun>> {
    let mut c = app.db.acquire().await?;
    Ok(store::last_run(&mut c).await?)
}
