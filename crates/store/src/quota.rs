//! Leads reported and valid leads per reporting unit and month (全民招商 monthly quota).

use crate::sql::{like_escape, Sql};
use crate::{Conn, Result};

/// One unit's leads in one month.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MonthCount {
    pub unit_id: i64,
    /// `YYYY-MM`
    pub month: String,
    pub reported: i64,
    /// admitted, or decided 入库 by a pre-review panel (and since merged into another lead)
    pub valid: i64,
}

/// Counts by unit and month of the report date, for leads reported in `[from, until)`
/// (`YYYY-MM-DD`), from units under `path` when given. A month is counted by the date
/// the lead was reported: a lead reported in March and admitted in April is March's.
pub async fn monthly_counts(
    conn: &mut Conn,
    from: &str,
    until: &str,
    path: Option<&str>,
) -> Result<Vec<MonthCount>> {
    let mut s = Sql::new(
        "SELECT l.reporting_unit_id AS unit_id, SUBSTR(l.reported_date, 1, 7) AS month, \
         COUNT(*) AS reported, CAST(SUM(CASE WHEN l.status = 'admitted' OR EXISTS \
         (SELECT 1 FROM reviews r WHERE r.lead_id = l.id AND r.decision = 'admit') \
         THEN 1 ELSE 0 END) AS BIGINT) AS valid FROM leads l WHERE l.reported_date >= ",
    );
    s.bind(from).push(" AND l.reported_date < ").bind(until);
    if let Some(path) = path {
        s.push(" AND l.reporting_unit_id IN (SELECT id FROM units WHERE path LIKE ")
            .bind(format!("{}%", like_escape(path)))
            .push(" ESCAPE '\\')");
    }
    s.push(" GROUP BY l.reporting_unit_id, SUBSTR(l.reported_date, 1, 7)");
    s.fetch_all(conn).await
}
