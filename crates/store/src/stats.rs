//! Figures computed from the stage history, as of any date.

use crate::sql::Sql;
use crate::{Conn, Result, Scope};
use fenglai_domain::Day;
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct StageFigure {
    pub stage: String,
    pub count: i64,
    pub investment_yuan: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct GroupFigure {
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub stage: String,
    pub count: i64,
    pub investment_yuan: i64,
}

fn as_of_where(s: &mut Sql, as_of: Day, scope: &Scope) {
    s.push(" WHERE h.voided = 0 AND h.effective_date <= ")
        .bind(as_of);
    s.push(" AND (h.end_date IS NULL OR h.end_date > ")
        .bind(as_of)
        .push(")");
    scope.restrict(s, "h", true);
}

/// The signed deltas that sum to the figures as of `as_of`: the monthly aggregate for
/// months before `as_of`'s month, and the raw history rows of its month up to `as_of`.
fn deltas(s: &mut Sql, as_of: Day) {
    let month = as_of.format("%Y-%m").to_string();
    let month_start = format!("{month}-01");
    s.push(
        "(SELECT stage, park_id, reporting_unit_id, d_count AS c, d_investment AS i FROM stage_monthly WHERE month < ",
    );
    s.bind(month);
    s.push(" UNION ALL SELECT stage, COALESCE(park_id, 0), reporting_unit_id, 1, investment_yuan FROM stage_history \
             WHERE voided = 0 AND effective_date >= ");
    s.bind(month_start.clone())
        .push(" AND effective_date <= ")
        .bind(as_of);
    s.push(" UNION ALL SELECT stage, COALESCE(park_id, 0), reporting_unit_id, -1, -investment_yuan FROM stage_history \
             WHERE voided = 0 AND end_date >= ");
    s.bind(month_start)
        .push(" AND end_date <= ")
        .bind(as_of)
        .push(") x");
}

/// How many projects were in each stage on `as_of`, and their investment.
pub async fn pipeline(conn: &mut Conn, as_of: Day, scope: &Scope) -> Result<Vec<StageFigure>> {
    if matches!(scope, Scope::Reporter(_)) {
        return pipeline_raw(conn, as_of, scope).await;
    }
    let mut s = Sql::new(
        "SELECT x.stage, CAST(SUM(x.c) AS BIGINT) AS count, CAST(SUM(x.i) AS BIGINT) AS investment_yuan FROM ",
    );
    deltas(&mut s, as_of);
    s.push(" WHERE 1 = 1");
    scope.restrict(&mut s, "x", true);
    s.push(" GROUP BY x.stage");
    s.fetch_all(conn).await
}

/// The same figures by scanning the whole history: the definition that
/// [`pipeline`] must agree with, and the plan for a single reporter's records.
pub async fn pipeline_raw(conn: &mut Conn, as_of: Day, scope: &Scope) -> Result<Vec<StageFigure>> {
    let mut s = Sql::new(
        "SELECT h.stage, COUNT(*) AS count, CAST(COALESCE(SUM(h.investment_yuan), 0) AS BIGINT) AS investment_yuan \
         FROM stage_history h",
    );
    as_of_where(&mut s, as_of, scope);
    s.push(" GROUP BY h.stage");
    s.fetch_all(conn).await
}

#[derive(Debug, Clone, Copy)]
pub enum GroupBy {
    Park,
    ReportingUnit,
}

/// The same figures per receiving park or per reporting unit.
pub async fn pipeline_by(
    conn: &mut Conn,
    as_of: Day,
    scope: &Scope,
    by: GroupBy,
) -> Result<Vec<GroupFigure>> {
    let col = match by {
        GroupBy::Park => "park_id",
        GroupBy::ReportingUnit => "reporting_unit_id",
    };
    let s = if matches!(scope, Scope::Reporter(_)) {
        let mut s = Sql::new(&format!(
            "SELECT h.{col} AS group_id, un.name AS group_name, h.stage, COUNT(*) AS count, \
             CAST(COALESCE(SUM(h.investment_yuan), 0) AS BIGINT) AS investment_yuan \
             FROM stage_history h LEFT JOIN units un ON un.id = h.{col}"
        ));
        as_of_where(&mut s, as_of, scope);
        s.push(&format!(" GROUP BY h.{col}, un.name, h.stage"));
        s
    } else {
        let mut s = Sql::new(&format!(
            "SELECT x.{col} AS group_id, MAX(un.name) AS group_name, x.stage, CAST(SUM(x.c) AS BIGINT) AS count, \
             CAST(SUM(x.i) AS BIGINT) AS investment_yuan FROM "
        ));
        deltas(&mut s, as_of);
        s.push(&format!(
            " LEFT JOIN units un ON un.id = x.{col} WHERE 1 = 1"
        ));
        scope.restrict(&mut s, "x", true);
        s.push(&format!(
            " GROUP BY x.{col}, x.stage HAVING SUM(x.c) <> 0 OR SUM(x.i) <> 0"
        ));
        s
    };
    let mut rows: Vec<GroupFigure> = s.fetch_all(conn).await?;
    for r in &mut rows {
        if r.group_id == Some(0) {
            r.group_id = None;
        }
    }
    Ok(rows)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RecentChange {
    pub project_id: i64,
    pub project_name: String,
    pub stage: String,
    pub kind: String,
    pub effective_date: String,
    pub amount_yuan: Option<i64>,
    pub recorded_at: String,
    pub recorded_by_name: String,
}

pub async fn recent_changes(
    conn: &mut Conn,
    scope: &Scope,
    limit: i64,
) -> Result<Vec<RecentChange>> {
    let mut s = Sql::new(
        "SELECT h.project_id, p.name AS project_name, h.stage, h.kind, h.effective_date, h.amount_yuan, \
         h.recorded_at, u.display_name AS recorded_by_name FROM stage_history h \
         JOIN projects p ON p.id = h.project_id JOIN users u ON u.id = h.recorded_by WHERE h.voided = 0",
    );
    scope.restrict(&mut s, "h", true);
    s.push(" ORDER BY h.id DESC LIMIT ").bind(limit);
    s.fetch_all(conn).await
}
