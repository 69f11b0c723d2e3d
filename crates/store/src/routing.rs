//! Routings: a lead sent to a park, and the park's answer.

use crate::sql::{like_escape, now, Sql};
use crate::{Conn, Result, Scope};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Routing {
    pub id: i64,
    pub lead_id: i64,
    pub company_name: String,
    pub park_id: i64,
    pub park_name: String,
    /// the park's materialised path, for scope checks
    #[serde(skip)]
    pub park_path: String,
    pub sent_by: i64,
    pub sender_name: String,
    pub sent_unit_id: i64,
    pub sent_unit_name: String,
    pub sent_at: String,
    /// YYYY-MM-DD: the park answers by then
    pub due_date: String,
    /// the park's fit score (0-100) when it was sent
    pub fit_score: Option<i64>,
    /// pending, accepted, declined
    pub status: String,
    pub responded_by: Option<i64>,
    pub responded_at: Option<String>,
    /// the park's reason when it declined (or a note when it accepted)
    pub reason: Option<String>,
}

const SELECT: &str = "SELECT r.id, r.lead_id, l.company_name, r.park_id, p.name AS park_name, \
    p.path AS park_path, r.sent_by, us.display_name AS sender_name, r.sent_unit_id, su.name AS sent_unit_name, r.sent_at, \
    r.due_date, r.fit_score, r.status, r.responded_by, r.responded_at, r.reason \
    FROM routings r JOIN leads l ON l.id = r.lead_id JOIN units p ON p.id = r.park_id \
    JOIN users us ON us.id = r.sent_by JOIN units su ON su.id = r.sent_unit_id";

/// A routing is visible when its lead is in scope or it was sent to a park in scope.
fn restrict(s: &mut Sql, scope: &Scope) {
    match scope {
        Scope::All => {}
        Scope::Reporter(uid) => {
            s.push(" AND l.reported_by = ").bind(*uid);
        }
        Scope::Subtree(path) => {
            let pat = format!("{}%", like_escape(path));
            s.push(" AND (l.reporting_unit_id IN (SELECT id FROM units WHERE path LIKE ")
                .bind(pat.clone())
                .push(" ESCAPE '\\') OR r.park_id IN (SELECT id FROM units WHERE path LIKE ")
                .bind(pat)
                .push(" ESCAPE '\\'))");
        }
    }
}

pub async fn get(conn: &mut Conn, id: i64, scope: &Scope) -> Result<Option<Routing>> {
    let mut s = Sql::new(&format!("{SELECT} WHERE r.id = "));
    s.bind(id);
    restrict(&mut s, scope);
    s.fetch_optional(conn).await
}

pub async fn of_lead(conn: &mut Conn, lead_id: i64) -> Result<Vec<Routing>> {
    let mut s = Sql::new(&format!("{SELECT} WHERE r.lead_id = "));
    s.bind(lead_id).push(" ORDER BY r.id");
    s.fetch_all(conn).await
}

/// Whether `lead_id` was ever sent to a park inside `path`'s subtree.
pub async fn sent_into(conn: &mut Conn, lead_id: i64, path: &str) -> Result<bool> {
    let mut s = Sql::new("SELECT COUNT(*) FROM routings WHERE lead_id = ");
    s.bind(lead_id)
        .push(" AND park_id IN (SELECT id FROM units WHERE path LIKE ")
        .bind(format!("{}%", like_escape(path)))
        .push(" ESCAPE '\\')");
    Ok(s.fetch_i64(conn).await? > 0)
}

pub async fn list(
    conn: &mut Conn,
    status: Option<&str>,
    park_id: Option<i64>,
    scope: &Scope,
) -> Result<Vec<Routing>> {
    let mut s = Sql::new(&format!("{SELECT} WHERE 1 = 1"));
    if let Some(st) = status {
        s.push(" AND r.status = ").bind(st);
    }
    if let Some(p) = park_id {
        s.push(" AND r.park_id = ").bind(p);
    }
    restrict(&mut s, scope);
    s.push(" ORDER BY r.sent_at DESC, r.id DESC LIMIT 500");
    s.fetch_all(conn).await
}

pub struct NewRouting {
    pub lead_id: i64,
    pub park_id: i64,
    pub sent_by: i64,
    pub sent_unit_id: i64,
    pub due_date: String,
    pub fit_score: Option<i64>,
}

pub async fn insert(conn: &mut Conn, r: &NewRouting) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO routings (lead_id, park_id, sent_by, sent_unit_id, sent_at, due_date, fit_score, status) VALUES (",
    );
    s.bind(r.lead_id)
        .push(", ")
        .bind(r.park_id)
        .push(", ")
        .bind(r.sent_by);
    s.push(", ")
        .bind(r.sent_unit_id)
        .push(", ")
        .bind(now())
        .push(", ");
    s.bind(r.due_date.clone())
        .push(", ")
        .bind(r.fit_score)
        .push(", 'pending') RETURNING id");
    s.fetch_i64(conn).await
}

/// Records the park's answer; only a pending routing changes (returns false otherwise).
pub async fn respond(
    conn: &mut Conn,
    id: i64,
    status: &str,
    by: i64,
    reason: Option<&str>,
) -> Result<bool> {
    let mut s = Sql::new("UPDATE routings SET status = ");
    s.bind(status).push(", responded_by = ").bind(by);
    s.push(", responded_at = ")
        .bind(now())
        .push(", reason = ")
        .bind(reason);
    s.push(" WHERE status = 'pending' AND id = ").bind(id);
    Ok(s.execute(conn).await? == 1)
}

/// The raw facts behind the 两张皮 figures: one row a routing.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Fact {
    pub park_id: i64,
    pub park_name: String,
    pub sent_unit_id: i64,
    pub sent_unit_name: String,
    pub status: String,
    pub sent_at: String,
    pub responded_at: Option<String>,
}

pub async fn facts(conn: &mut Conn, scope: &Scope) -> Result<Vec<Fact>> {
    let mut s = Sql::new(
        "SELECT r.park_id, p.name AS park_name, r.sent_unit_id, su.name AS sent_unit_name, r.status, \
         r.sent_at, r.responded_at FROM routings r JOIN leads l ON l.id = r.lead_id \
         JOIN units p ON p.id = r.park_id JOIN units su ON su.id = r.sent_unit_id WHERE 1 = 1",
    );
    restrict(&mut s, scope);
    s.fetch_all(conn).await
}
