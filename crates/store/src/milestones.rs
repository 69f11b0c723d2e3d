//! Milestone plans, the lists of overdue and at-risk nodes, stall rules and stalled
//! projects, and the daily alert snapshot.
//!
//! Dates are `YYYY-MM-DD` text on both backends, so every comparison here is a string
//! comparison and the callers compute cut-off dates; day counts are worked out in Rust.

use crate::sql::{now, Sql};
use crate::{Conn, Result, Scope};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Milestone {
    pub id: i64,
    pub project_id: i64,
    /// sign, register, land, eia, permit, start, structure, acceptance, production, capacity
    pub node: String,
    pub position: i64,
    pub planned_date: Option<String>,
    pub actual_date: Option<String>,
    pub responsible_user_id: Option<i64>,
    pub responsible_user_name: Option<String>,
    pub note: Option<String>,
    pub updated_at: String,
}

const SELECT: &str =
    "SELECT m.id, m.project_id, m.node, m.position, m.planned_date, m.actual_date, \
    m.responsible_user_id, u.display_name AS responsible_user_name, m.note, m.updated_at \
    FROM milestones m LEFT JOIN users u ON u.id = m.responsible_user_id";

/// A project's plan in order.
pub async fn plan(conn: &mut Conn, project_id: i64) -> Result<Vec<Milestone>> {
    let mut s = Sql::new(SELECT);
    s.push(" WHERE m.project_id = ")
        .bind(project_id)
        .push(" ORDER BY m.position, m.id");
    s.fetch_all(conn).await
}

/// Sets the project's type and target date.
pub async fn set_target(
    conn: &mut Conn,
    project_id: i64,
    project_type: &str,
    target: &str,
) -> Result<()> {
    let mut s = Sql::new("UPDATE projects SET project_type = ");
    s.bind(project_type)
        .push(", target_production_date = ")
        .bind(target)
        .push(", updated_at = ")
        .bind(now())
        .push(" WHERE id = ")
        .bind(project_id);
    s.execute(conn).await?;
    Ok(())
}

/// One node as a plan writes it.
#[derive(Debug, Clone)]
pub struct NodeRow {
    pub node: String,
    pub position: i64,
    pub planned_date: Option<String>,
    pub actual_date: Option<String>,
    pub responsible_user_id: Option<i64>,
    pub note: Option<String>,
}

/// Inserts the node, or updates it in place (a project has one row a node).
pub async fn upsert(conn: &mut Conn, project_id: i64, n: &NodeRow, by: i64) -> Result<()> {
    let mut s = Sql::new(
        "INSERT INTO milestones (project_id, node, position, planned_date, actual_date, \
         responsible_user_id, note, updated_by, updated_at) VALUES (",
    );
    s.bind(project_id)
        .push(", ")
        .bind(n.node.as_str())
        .push(", ")
        .bind(n.position)
        .push(", ")
        .bind(n.planned_date.clone())
        .push(", ")
        .bind(n.actual_date.clone())
        .push(", ")
        .bind(n.responsible_user_id)
        .push(", ")
        .bind(n.note.clone())
        .push(", ")
        .bind(by)
        .push(", ")
        .bind(now())
        .push(
            ") ON CONFLICT (project_id, node) DO UPDATE SET position = excluded.position, \
             planned_date = excluded.planned_date, actual_date = excluded.actual_date, \
             responsible_user_id = excluded.responsible_user_id, note = excluded.note, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        );
    s.execute(conn).await?;
    Ok(())
}

/// Records a stage transition on the plan: the entry node gets its actual date (if the
/// project has that node).
pub async fn set_actual(conn: &mut Conn, project_id: i64, node: &str, date: &str) -> Result<()> {
    let mut s = Sql::new("UPDATE milestones SET actual_date = ");
    s.bind(date)
        .push(", updated_at = ")
        .bind(now())
        .push(" WHERE project_id = ")
        .bind(project_id)
        .push(" AND node = ")
        .bind(node);
    s.execute(conn).await?;
    Ok(())
}

/// Clears the actual dates of these nodes (a stage correction undid them).
pub async fn clear_actual(conn: &mut Conn, project_id: i64, nodes: &[&str]) -> Result<()> {
    if nodes.is_empty() {
        return Ok(());
    }
    let mut s = Sql::new("UPDATE milestones SET actual_date = NULL, updated_at = ");
    s.bind(now())
        .push(" WHERE project_id = ")
        .bind(project_id)
        .push(" AND node IN (");
    for (i, n) in nodes.iter().enumerate() {
        if i > 0 {
            s.push(", ");
        }
        s.bind(*n);
    }
    s.push(")");
    s.execute(conn).await?;
    Ok(())
}

/// A node in a list across projects (due this week, overdue, at risk).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct DueNode {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub node: String,
    pub planned_date: String,
    pub responsible_user_id: Option<i64>,
    pub responsible_user_name: Option<String>,
    pub responsible_leader_id: Option<i64>,
    pub responsible_leader_name: Option<String>,
    pub park_id: Option<i64>,
    pub park_name: Option<String>,
    pub reporting_unit_id: i64,
    pub reporting_unit_name: String,
}

const DUE: &str = "SELECT m.id, m.project_id, p.name AS project_name, m.node, m.planned_date, \
    COALESCE(m.responsible_user_id, p.responsible_user_id) AS responsible_user_id, \
    COALESCE(mu.display_name, pu.display_name) AS responsible_user_name, \
    p.responsible_leader_id, rl.display_name AS responsible_leader_name, \
    p.park_id, pk.name AS park_name, p.reporting_unit_id, un.name AS reporting_unit_name \
    FROM milestones m JOIN projects p ON p.id = m.project_id \
    JOIN units un ON un.id = p.reporting_unit_id \
    LEFT JOIN units pk ON pk.id = p.park_id \
    LEFT JOIN users mu ON mu.id = m.responsible_user_id \
    LEFT JOIN users pu ON pu.id = p.responsible_user_id \
    LEFT JOIN users rl ON rl.id = p.responsible_leader_id \
    WHERE m.actual_date IS NULL AND p.stage <> 'dropped' AND p.merged_into IS NULL";

/// Whether `m`'s project has slipped by `as_of` (see `domain::milestone::slip`): an open node
/// past its date, or the last done node (in plan order) done late. Each half is one index
/// seek per row (`milestones_open`, `milestones_done`).
fn slipping(s: &mut Sql, as_of: &str) {
    s.push(
        " AND (EXISTS (SELECT 1 FROM milestones o WHERE o.project_id = m.project_id \
         AND o.actual_date IS NULL AND o.planned_date < ",
    )
    .bind(as_of)
    .push(
        ") OR COALESCE((SELECT CASE WHEN d.actual_date > d.planned_date THEN 1 ELSE 0 END \
         FROM milestones d WHERE d.project_id = m.project_id AND d.actual_date IS NOT NULL \
         ORDER BY d.position DESC LIMIT 1), 0) = 1)",
    );
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which<'a> {
    /// open and planned before `as_of`
    Overdue,
    /// open, planned on or after `as_of`, in a slipping project
    AtRisk,
    /// open and planned in `[from, until)`
    Between(&'a str, &'a str),
}

/// Open nodes of projects in scope, by `which`, optionally only one person's (the node's
/// responsible person, or the project's when the node has none).
pub async fn due(
    conn: &mut Conn,
    which: Which<'_>,
    as_of: &str,
    person: Option<i64>,
    scope: &Scope,
    limit: i64,
) -> Result<Vec<DueNode>> {
    let mut s = Sql::new(DUE);
    match which {
        Which::Overdue => {
            s.push(" AND m.planned_date < ").bind(as_of);
        }
        Which::AtRisk => {
            s.push(" AND m.planned_date >= ").bind(as_of);
            slipping(&mut s, as_of);
        }
        Which::Between(from, until) => {
            s.push(" AND m.planned_date >= ")
                .bind(from)
                .push(" AND m.planned_date < ")
                .bind(until);
        }
    }
    if let Some(uid) = person {
        s.push(" AND COALESCE(m.responsible_user_id, p.responsible_user_id) = ")
            .bind(uid);
    }
    scope.restrict(&mut s, "p", true);
    s.push(" ORDER BY m.planned_date, m.project_id, m.position LIMIT ")
        .bind(limit);
    s.fetch_all(conn).await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct StallRuleRow {
    pub id: i64,
    pub code: String,
    pub label: String,
    pub after_node: String,
    pub missing_node: String,
    pub days: i64,
    pub active: i64,
    pub position: i64,
}

pub async fn rules(conn: &mut Conn) -> Result<Vec<StallRuleRow>> {
    Sql::new(
        "SELECT id, code, label, after_node, missing_node, days, active, position \
         FROM stall_rules ORDER BY position, id",
    )
    .fetch_all(conn)
    .await
}

/// Adds a rule or changes the one with this code.
pub async fn save_rule(conn: &mut Conn, r: &StallRuleRow) -> Result<()> {
    let mut s = Sql::new(
        "INSERT INTO stall_rules (code, label, after_node, missing_node, days, active, position) VALUES (",
    );
    s.bind(r.code.as_str())
        .push(", ")
        .bind(r.label.as_str())
        .push(", ")
        .bind(r.after_node.as_str())
        .push(", ")
        .bind(r.missing_node.as_str())
        .push(", ")
        .bind(r.days)
        .push(", ")
        .bind(r.active)
        .push(", ")
        .bind(r.position)
        .push(
            ") ON CONFLICT (code) DO UPDATE SET label = excluded.label, after_node = excluded.after_node, \
             missing_node = excluded.missing_node, days = excluded.days, active = excluded.active",
        );
    s.execute(conn).await?;
    Ok(())
}

/// A project held up by a stall rule.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Stalled {
    pub project_id: i64,
    pub project_name: String,
    pub company_name: String,
    pub stage: String,
    /// the date the `after` node was reached
    pub since: String,
    pub responsible_user_id: Option<i64>,
    pub responsible_user_name: Option<String>,
    pub responsible_leader_id: Option<i64>,
    pub responsible_leader_name: Option<String>,
    pub park_id: Option<i64>,
    pub park_name: Option<String>,
    pub reporting_unit_id: i64,
    pub reporting_unit_name: String,
    pub investment_yuan: i64,
}

/// How a stall rule reads: `after` is the entry of `stage` (its date is the stage date) or
/// a node reached within it (its date is the entry's actual date); `missing` is a node
/// within the same stage (open while it has no actual date) or the next stage's entry
/// (open while the project is still in `stage`).
#[derive(Debug, Clone, Copy)]
pub struct RuleShape<'a> {
    pub stage: &'a str,
    pub after: &'a str,
    pub after_is_entry: bool,
    pub missing: &'a str,
    pub missing_is_entry: bool,
}

/// The joins and conditions of a rule on `projects p`: `after` reached before `cutoff`,
/// `missing` still open.
fn rule_clause(s: &mut Sql, rule: RuleShape<'_>, cutoff: &str) {
    let since = since_column(&rule);
    if !rule.after_is_entry {
        s.push(" JOIN milestones ma ON ma.project_id = p.id AND ma.node = ")
            .bind(rule.after)
            .push(" AND ma.actual_date IS NOT NULL");
    }
    s.push(" WHERE p.stage = ")
        .bind(rule.stage)
        .push(&format!(" AND {since} < "))
        .bind(cutoff);
    if !rule.missing_is_entry {
        s.push(" AND NOT EXISTS (SELECT 1 FROM milestones mb WHERE mb.project_id = p.id AND mb.node = ")
            .bind(rule.missing)
            .push(" AND mb.actual_date IS NOT NULL)");
    }
}

fn since_column(rule: &RuleShape<'_>) -> &'static str {
    if rule.after_is_entry {
        "p.stage_date"
    } else {
        "ma.actual_date"
    }
}

/// Projects in scope that a rule holds up on `as_of`: `after` reached before `cutoff`
/// (`as_of` minus the rule's days: stalled for more than the days) and `missing` still open;
/// the longest stalled first, the first `limit` of them if given.
pub async fn stalled(
    conn: &mut Conn,
    rule: RuleShape<'_>,
    cutoff: &str,
    scope: &Scope,
    limit: Option<i64>,
) -> Result<Vec<Stalled>> {
    let since = since_column(&rule);
    let mut s = Sql::new(&format!(
        "SELECT p.id AS project_id, p.name AS project_name, p.company_name, p.stage, {since} AS since, \
         p.responsible_user_id, ru.display_name AS responsible_user_name, \
         p.responsible_leader_id, rl.display_name AS responsible_leader_name, \
         p.park_id, pk.name AS park_name, p.reporting_unit_id, un.name AS reporting_unit_name, \
         COALESCE(p.contracted_investment_yuan, p.planned_investment_yuan) AS investment_yuan \
         FROM projects p JOIN units un ON un.id = p.reporting_unit_id \
         LEFT JOIN units pk ON pk.id = p.park_id \
         LEFT JOIN users ru ON ru.id = p.responsible_user_id \
         LEFT JOIN users rl ON rl.id = p.responsible_leader_id"
    ));
    rule_clause(&mut s, rule, cutoff);
    s.push(" AND p.merged_into IS NULL");
    scope.restrict(&mut s, "p", true);
    s.push(&format!(" ORDER BY {since}, p.id"));
    if let Some(n) = limit {
        s.push(" LIMIT ").bind(n);
    }
    s.fetch_all(conn).await
}

/// Empties the daily snapshot (SQLite truncates a table deleted without a condition;
/// PostgreSQL's TRUNCATE is transactional too).
pub async fn clear_alerts(conn: &mut Conn) -> Result<()> {
    let backend = conn.backend();
    let text = match backend {
        crate::Backend::Postgres => "TRUNCATE alerts",
        crate::Backend::Sqlite => "DELETE FROM alerts",
    };
    Sql::new(text).execute(conn).await?;
    Ok(())
}

/// Adds to the daily snapshot the alerts of `kind` that `select` (a query giving
/// `ref_id, project_id, since`) finds; returns how many.
pub async fn add_alerts(conn: &mut Conn, kind: &str, as_of: &str, select: Sql) -> Result<u64> {
    let mut s = Sql::new("INSERT INTO alerts (kind, ref_id, project_id, since, as_of) SELECT ");
    s.bind(kind)
        .push(", q.ref_id, q.project_id, q.since, ")
        .bind(as_of);
    s.push(" FROM (");
    // renumber the inner query's placeholders after the two bound above
    s.append(select);
    s.push(") q");
    s.execute(conn).await
}

/// Queries for the daily snapshot, over every project.
pub fn overdue_query(as_of: &str) -> Sql {
    let mut s = Sql::new(
        "SELECT m.id AS ref_id, m.project_id, m.planned_date AS since FROM milestones m \
         JOIN projects p ON p.id = m.project_id WHERE m.actual_date IS NULL AND p.stage <> 'dropped' AND p.merged_into IS NULL \
         AND m.planned_date < ",
    );
    s.bind(as_of);
    s
}

pub fn at_risk_query(as_of: &str) -> Sql {
    let mut s = Sql::new(
        "SELECT m.id AS ref_id, m.project_id, m.planned_date AS since FROM milestones m \
         JOIN projects p ON p.id = m.project_id WHERE m.actual_date IS NULL AND p.stage <> 'dropped' AND p.merged_into IS NULL \
         AND m.planned_date >= ",
    );
    s.bind(as_of);
    slipping(&mut s, as_of);
    s
}

/// Every stalled project under any of the rules, one row a project (its longest stall):
/// `ref_id` is the project id.
pub fn stalled_query(rules: &[(RuleShape<'_>, String)]) -> Sql {
    let mut s =
        Sql::new("SELECT z.project_id AS ref_id, z.project_id, MIN(z.since) AS since FROM (");
    for (i, (rule, cutoff)) in rules.iter().enumerate() {
        if i > 0 {
            s.push(" UNION ALL ");
        }
        let since = since_column(rule);
        s.push(&format!(
            "SELECT p.id AS project_id, {since} AS since FROM projects p"
        ));
        rule_clause(&mut s, *rule, cutoff);
    }
    if rules.is_empty() {
        s.push("SELECT 0 AS project_id, '' AS since WHERE 1 = 0");
    }
    // a project merged into another is nobody's stall (a few rows, by their own index)
    s.push(") z WHERE z.project_id NOT IN (SELECT id FROM projects WHERE merged_into IS NOT NULL) GROUP BY z.project_id");
    s
}

/// Records a daily run.
#[derive(Debug, Clone, Default, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AlertRun {
    pub as_of: String,
    pub overdue: i64,
    pub at_risk: i64,
    pub stalled: i64,
    pub requests: i64,
    pub escalated: i64,
    pub millis: i64,
    pub computed_at: String,
}

pub async fn record_run(conn: &mut Conn, r: &AlertRun) -> Result<()> {
    let mut d = Sql::new("DELETE FROM alert_runs WHERE as_of = ");
    d.bind(r.as_of.as_str());
    d.execute(conn).await?;
    let mut s = Sql::new(
        "INSERT INTO alert_runs (as_of, overdue, at_risk, stalled, requests, escalated, millis, computed_at) VALUES (",
    );
    s.bind(r.as_of.as_str())
        .push(", ")
        .bind(r.overdue)
        .push(", ")
        .bind(r.at_risk)
        .push(", ")
        .bind(r.stalled)
        .push(", ")
        .bind(r.requests)
        .push(", ")
        .bind(r.escalated)
        .push(", ")
        .bind(r.millis)
        .push(", ")
        .bind(now())
        .push(")");
    s.execute(conn).await?;
    Ok(())
}

pub async fn last_run(conn: &mut Conn) -> Result<Option<AlertRun>> {
    Sql::new(
        "SELECT as_of, overdue, at_risk, stalled, requests, escalated, millis, computed_at \
         FROM alert_runs ORDER BY as_of DESC LIMIT 1",
    )
    .fetch_optional(conn)
    .await
}

/// Per responsible person: how many of their nodes are overdue and at risk, and how many of
/// their projects stalled, in the snapshot (for the daily digest).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DigestRow {
    pub user_id: i64,
    pub overdue: i64,
    pub at_risk: i64,
    pub stalled: i64,
}

pub async fn digest(conn: &mut Conn) -> Result<Vec<DigestRow>> {
    Sql::new(
        "SELECT z.user_id, CAST(SUM(CASE WHEN z.kind = 'overdue' THEN 1 ELSE 0 END) AS BIGINT) AS overdue, \
         CAST(SUM(CASE WHEN z.kind = 'at_risk' THEN 1 ELSE 0 END) AS BIGINT) AS at_risk, \
         CAST(SUM(CASE WHEN z.kind = 'stalled' THEN 1 ELSE 0 END) AS BIGINT) AS stalled FROM ( \
         SELECT a.kind, COALESCE(m.responsible_user_id, p.responsible_user_id) AS user_id \
         FROM alerts a JOIN milestones m ON m.id = a.ref_id JOIN projects p ON p.id = a.project_id \
         WHERE a.kind IN ('overdue', 'at_risk') \
         UNION ALL SELECT a.kind, p.responsible_user_id AS user_id FROM alerts a \
         JOIN projects p ON p.id = a.project_id WHERE a.kind = 'stalled') z \
         WHERE z.user_id IS NOT NULL GROUP BY z.user_id ORDER BY z.user_id",
    )
    .fetch_all(conn)
    .await
}
