//! Figures computed from the stage history, as of any date.

use crate::sql::Sql;
use crate::{Conn, Result, Scope};
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

fn as_of_where(s: &mut Sql, as_of: &str, scope: &Scope) {
    s.push(" WHERE h.voided = 0 AND h.effective_date <= ")
        .bind(as_of);
    s.push(" AND (h.end_date IS NULL OR h.end_date > ")
        .bind(as_of)
        .push(")");
    scope.restrict(s, "h", true);
}

/// How many projects were in each stage on `as_of`, and their investment.
pub async fn pipeline(conn: &mut Conn, as_of: &str, scope: &Scope) -> Result<Vec<StageFigure>> {
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
    as_of: &str,
    scope: &Scope,
    by: GroupBy,
) -> Result<Vec<GroupFigure>> {
    let col = match by {
        GroupBy::Park => "h.park_id",
        GroupBy::ReportingUnit => "h.reporting_unit_id",
    };
    let mut s = Sql::new(&format!(
        "SELECT {col} AS group_id, un.name AS group_name, h.stage, COUNT(*) AS count, \
         CAST(COALESCE(SUM(h.investment_yuan), 0) AS BIGINT) AS investment_yuan \
         FROM stage_history h LEFT JOIN units un ON un.id = {col}"
    ));
    as_of_where(&mut s, as_of, scope);
    s.push(&format!(" GROUP BY {col}, un.name, h.stage"));
    s.fetch_all(conn).await
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
