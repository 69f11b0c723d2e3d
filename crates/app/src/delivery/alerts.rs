//! The daily computation: which milestones are overdue or at risk, which projects are
//! stalled, which requests are overdue, as of a day; overdue requests not yet escalated are
//! escalated to their project's responsible leader.
//!
//! The snapshot (`alerts`) is derived data, rebuilt whole by set-based statements in one
//! transaction; the escalations are mutations and are audited.

use crate::audit::Tx;
use crate::delivery::milestones::{cutoff, shape};
use crate::{notify, App, Error, Result};
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
    // write first: on SQLite a transaction that reads and then writes fails at once
    // (SQLITE_BUSY_SNAPSHOT, no busy wait) if another connection committed in between;
    // one that starts by writing waits for the lock instead
    store::clear_alerts(&mut tx).await?;
    let rules: Vec<_> = store::rules(&mut tx)
        .await?
        .into_iter()
        .filter(|r| r.active != 0)
        .collect();
    let shaped: Vec<_> = rules
        .iter()
        .filter_map(|r| Some((shape(r)?, cutoff(as_of, r.days))))
        .collect();
    let overdue = store::add_alerts(&mut tx, "overdue", &d, store::overdue_query(&d)).await?;
    let at_risk = store::add_alerts(&mut tx, "at_risk", &d, store::at_risk_query(&d)).await?;
    let stalled = store::add_alerts(&mut tx, "stalled", &d, store::stalled_query(&shaped)).await?;
    let overdue_requests =
        store::add_alerts(&mut tx, "request_overdue", &d, requests::overdue_query(&d)).await?;
    tx.commit().await?;

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
    notify_escalations(&mut atx, &due, &run.as_of).await?;
    let digest = store::digest(atx.conn()).await?;
    for row in digest {
        let mut parts = Vec::new();
        for (n, what) in [
            (row.overdue, "个节点逾期"),
            (row.at_risk, "个节点有延期风险"),
            (row.stalled, "个项目停滞"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        notify::send(
            &mut atx,
            &notify::Notice {
                user_id: row.user_id,
                kind: "daily_digest".into(),
                title: format!("{} 项目推进提醒", run.as_of),
                body: format!("您负责的项目：{}。", parts.join("，")),
                link: Some("/supervision".into()),
                dedupe_key: format!("daily_digest:{}", run.as_of),
            },
        )
        .await?;
    }
    atx.commit().await?;
    Ok((run, due))
}

/// One notice a day to each leader (or responsible person) with the request parts that
/// became overdue on their projects, rather than one notice a part.
async fn notify_escalations(tx: &mut Tx, due: &[Escalation], as_of: &str) -> Result<()> {
    let mut by_user: std::collections::BTreeMap<i64, Vec<&Escalation>> = Default::default();
    for e in due {
        if let Some(u) = e.notify_user_id {
            by_user.entry(u).or_default().push(e);
        }
    }
    for (user, items) in by_user {
        let mut body: Vec<String> = items
            .iter()
            .take(10)
            .map(|e| {
                format!(
                    "{}：“{}”{}逾期未答复（时限 {}）",
                    e.project_name, e.title, e.department_name, e.due_date
                )
            })
            .collect();
        if items.len() > 10 {
            body.push(format!("等共 {} 项", items.len()));
        }
        notify::send(
            tx,
            &notify::Notice {
                user_id: user,
                kind: "request_escalated".into(),
                title: format!("{} 项诉求逾期，请督办", items.len()),
                body: body.join("；"),
                link: Some("/supervision".into()),
                dedupe_key: format!("request_escalated:{as_of}"),
            },
        )
        .await?;
    }
    Ok(())
}

/// The last run's figures.
pub async fn last_run(app: &App) -> Result<Option<AlertRun>> {
    let mut c = app.db.acquire().await?;
    Ok(store::last_run(&mut c).await?)
}
