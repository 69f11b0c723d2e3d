//! A synthetic delivery dataset for benchmarks: projects past signing with milestone plans
//! (some nodes done late, some open), and requests to departments in every state, written
//! by set-based `INSERT … SELECT` so that millions of rows take seconds.
//!
//! Behind the `synthetic` feature, which only the benchmarks of `fenglai-sample` enable:
//! the other generators live in that crate and write through this crate's bulk writers,
//! but this dataset is made by the database itself, and rows made in Rust would need bulk
//! writers of milestones, requests and their parts that nothing else uses.

use crate::sql::Sql;
use crate::{Backend, Db, Result};

/// Rows `1..=n` as a subquery with one column `i`.
fn numbers(backend: Backend, n: i64) -> String {
    match backend {
        Backend::Postgres => format!("(SELECT generate_series(1, {n})::bigint AS i)"),
        Backend::Sqlite => format!(
            "(WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {n}) SELECT i FROM c)"
        ),
    }
}

/// `YYYY-MM-DD` of `expr` days after 2020-01-01 (`expr` ≥ 0).
fn day(backend: Backend, expr: &str) -> String {
    match backend {
        Backend::Postgres => {
            format!("to_char(DATE '2020-01-01' + CAST({expr} AS INTEGER), 'YYYY-MM-DD')")
        }
        Backend::Sqlite => format!("date('2020-01-01', '+' || ({expr}) || ' days')"),
    }
}

/// The nodes of the industrial template with their offsets from the target production date.
const NODES: &str =
    "(1, 'sign', -540), (2, 'register', -510), (3, 'land', -450), (4, 'eia', -420), \
    (5, 'permit', -390), (6, 'start', -360), (7, 'structure', -180), (8, 'acceptance', -45), \
    (9, 'production', 0), (10, 'capacity', 365)";

/// Adds `projects` projects (ids after the existing ones) with ten milestones each, and
/// `requests` requests with one department part each (every tenth with a second).
/// Targets lie between 2024-05 and 2027-02, so on 2026-01-01 some nodes are overdue, some at
/// risk, some projects stalled; 5% of the parts are still open.
pub async fn delivery(db: &Db, projects: i64, requests: i64) -> Result<()> {
    let b = db.backend;
    let mut c = db.acquire().await?;
    let base: i64 = Sql::new("SELECT COALESCE(MAX(id), 0) FROM projects")
        .fetch_i64(&mut c)
        .await?;
    let unit: i64 = Sql::new("SELECT MIN(id) FROM units WHERE kind = 'department'")
        .fetch_i64(&mut c)
        .await?;
    let user: i64 = Sql::new("SELECT MIN(id) FROM users")
        .fetch_i64(&mut c)
        .await?;
    let departments: Vec<(i64,)> =
        Sql::new("SELECT id FROM units WHERE kind = 'department' ORDER BY id")
            .fetch_all(&mut c)
            .await?;
    let dept_case = {
        let arms: String = departments
            .iter()
            .enumerate()
            .map(|(k, (id,))| format!(" WHEN {k} THEN {id}"))
            .collect();
        format!("CASE (n.i % {}){arms} END", departments.len().max(1))
    };
    let mut tx = db.begin().await?;
    // target production day T = 1600 + (i * 37) % 1000 days after 2020-01-01 (2024-05 … 2027-01);
    // done nodes by stage: signed 1-5, started 6-7, completed 8, producing 9, at capacity 10
    let target = "(1600 + (n.i * 37) % 1000)";
    let stage = "CASE WHEN n.i % 10 < 4 THEN 'signed' WHEN n.i % 10 < 6 THEN 'started' \
        WHEN n.i % 10 = 6 THEN 'completed' WHEN n.i % 10 = 7 THEN 'producing' \
        WHEN n.i % 10 = 8 THEN 'at_capacity' ELSE 'dropped' END";
    let entry_off = "CASE WHEN n.i % 10 < 4 THEN -540 WHEN n.i % 10 < 6 THEN -360 \
        WHEN n.i % 10 = 6 THEN -45 WHEN n.i % 10 = 7 THEN 0 WHEN n.i % 10 = 8 THEN 365 ELSE -500 END";
    let stage_day = day(b, &format!("{target} + ({entry_off}) + (n.i % 40)"));
    Sql::new(&format!(
        "INSERT INTO projects (id, name, company_name, reporting_unit_id, reported_by, responsible_user_id, \
         planned_investment_yuan, contracted_investment_yuan, stage, stage_date, project_type, \
         target_production_date, created_at, updated_at) \
         SELECT {base} + n.i, 'DB项目' || n.i, 'DB企业' || n.i || '有限公司', {unit}, {user}, {user}, \
         100000000 + (n.i % 50) * 10000000, 100000000 + (n.i % 50) * 10000000, {stage}, {stage_day}, \
         'industrial', {}, '2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.000000Z' FROM {} n",
        day(b, target),
        numbers(b, projects)
    ))
    .execute(&mut tx)
    .await?;
    let done = "CASE WHEN n.i % 10 < 4 THEN 1 + n.i % 5 WHEN n.i % 10 < 6 THEN 6 + n.i % 2 \
        WHEN n.i % 10 = 6 THEN 8 WHEN n.i % 10 = 7 THEN 9 WHEN n.i % 10 = 8 THEN 10 ELSE 2 END";
    // done nodes are 20 days early to 39 days late
    let late = "((n.i * 31 + nd.k * 17) % 60 - 20)";
    Sql::new(&format!(
        "INSERT INTO milestones (project_id, node, position, planned_date, actual_date, updated_at) \
         SELECT {base} + n.i, nd.node, nd.k, {}, CASE WHEN nd.k <= {done} THEN {} ELSE NULL END, \
         '2024-01-01T00:00:00.000000Z' FROM {} n CROSS JOIN (WITH nd(k, node, off) AS (VALUES {NODES}) \
         SELECT k, node, off FROM nd) nd",
        day(b, &format!("{target} + nd.off")),
        day(b, &format!("{target} + nd.off + {late}")),
        numbers(b, projects)
    ))
    .execute(&mut tx)
    .await?;
    let rbase: i64 = Sql::new("SELECT COALESCE(MAX(id), 0) FROM requests")
        .fetch_i64(&mut tx)
        .await?;
    // raised on day 1400 + i % 700 (2023-11 … 2025-10); 5% still open
    let raised = "(1400 + n.i % 700)";
    Sql::new(&format!(
        "INSERT INTO requests (id, project_id, category, title, description, urgency, status, raised_by, \
         raised_unit_id, raised_at) SELECT {rbase} + n.i, {base} + 1 + (n.i * 7919) % {projects}, \
         CASE n.i % 10 WHEN 0 THEN 'land' WHEN 1 THEN 'power' WHEN 2 THEN 'water' WHEN 3 THEN 'gas' \
         WHEN 4 THEN 'labour' WHEN 5 THEN 'finance' WHEN 6 THEN 'approval' WHEN 7 THEN 'environment' \
         WHEN 8 THEN 'fire' ELSE 'other' END, '诉求' || n.i, '基准数据', 'normal', \
         CASE WHEN n.i % 20 = 0 THEN 'open' ELSE 'closed' END, {user}, {unit}, {} || 'T01:00:00.000000Z' FROM {} n",
        day(b, raised),
        numbers(b, requests)
    ))
    .execute(&mut tx)
    .await?;
    for (part, cond) in [(0, "1 = 1"), (1, "n.i % 10 = 3")] {
        Sql::new(&format!(
            "INSERT INTO request_tasks (request_id, department_id, status, routed_at, due_date, first_due_date, \
             accepted_at, answered_at, first_answered_at, first_answered_on, rating) \
             SELECT {rbase} + n.i, {dept}, \
             CASE WHEN n.i % 20 = 0 THEN CASE WHEN n.i % 40 = 0 THEN 'routed' ELSE 'accepted' END ELSE 'closed' END, \
             {r} || 'T01:00:00.000000Z', {due}, {due}, \
             CASE WHEN n.i % 40 = 0 THEN NULL ELSE {r} || 'T05:00:00.000000Z' END, \
             CASE WHEN n.i % 20 = 0 THEN NULL ELSE {ans} || 'T09:00:00.000000Z' END, \
             CASE WHEN n.i % 20 = 0 THEN NULL ELSE {ans} || 'T09:00:00.000000Z' END, \
             CASE WHEN n.i % 20 = 0 THEN NULL ELSE {ans} END, \
             CASE WHEN n.i % 20 = 0 THEN NULL WHEN n.i % 7 = 0 THEN 'unsatisfied' ELSE 'satisfied' END \
             FROM {nums} n WHERE {cond}",
            dept = if part == 0 {
                dept_case.clone()
            } else {
                dept_case.replace("(n.i %", "((n.i + 1) %")
            },
            r = day(b, raised),
            due = day(b, &format!("{raised} + 5 + n.i % 11")),
            ans = day(b, &format!("{raised} + n.i % 14")),
            nums = numbers(b, requests),
        ))
        .execute(&mut tx)
        .await?;
    }
    tx.commit().await?;
    if b == Backend::Postgres {
        for t in ["projects", "milestones", "requests", "request_tasks"] {
            Sql::new(&format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
            ))
            .execute(&mut c)
            .await?;
            Sql::new(&format!("ANALYZE {t}")).execute(&mut c).await?;
        }
    } else {
        Sql::new("ANALYZE").execute(&mut c).await?;
    }
    Ok(())
}
