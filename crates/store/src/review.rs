//! Pre-review panels, their criteria and members, reviews and scorecards; the
//! negative list and red-line overrides.

use crate::sql::{now, Sql};
use crate::{Conn, Result, Scope};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Panel {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub name: String,
    /// weighted score (0-100) at or above which a lead passes
    pub pass_score: i64,
    /// scorecards needed before a decision
    pub quorum: i64,
    /// working days from opening to the deadline
    pub deadline_days: i64,
    pub active: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Member {
    pub panel_id: i64,
    pub user_id: i64,
    pub display_name: String,
    pub role: String,
    pub unit_name: String,
    /// 园区 / 要素部门 / 科研院所专家 / 企业专家 …
    pub affiliation: String,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Criterion {
    pub id: i64,
    pub panel_id: i64,
    pub key: String,
    pub name: String,
    pub weight: i64,
    pub max_score: i64,
    pub veto_below: Option<i64>,
    pub position: i64,
}

const PANEL_SELECT: &str = "SELECT p.id, p.unit_id, u.name AS unit_name, p.name, p.pass_score, \
    p.quorum, p.deadline_days, p.active FROM review_panels p JOIN units u ON u.id = p.unit_id";

pub async fn panels(conn: &mut Conn) -> Result<Vec<Panel>> {
    Sql::new(&format!("{PANEL_SELECT} WHERE p.active = 1 ORDER BY p.id"))
        .fetch_all(conn)
        .await
}

pub async fn panel(conn: &mut Conn, id: i64) -> Result<Option<Panel>> {
    let mut s = Sql::new(&format!("{PANEL_SELECT} WHERE p.id = "));
    s.bind(id);
    s.fetch_optional(conn).await
}

pub struct NewPanel<'a> {
    pub unit_id: i64,
    pub name: &'a str,
    pub pass_score: i64,
    pub quorum: i64,
    pub deadline_days: i64,
}

pub async fn insert_panel(conn: &mut Conn, p: &NewPanel<'_>) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO review_panels (unit_id, name, pass_score, quorum, deadline_days, active, created_at) VALUES (",
    );
    s.bind(p.unit_id).push(", ").bind(p.name).push(", ");
    s.bind(p.pass_score)
        .push(", ")
        .bind(p.quorum)
        .push(", ")
        .bind(p.deadline_days);
    s.push(", 1, ").bind(now()).push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn update_panel(conn: &mut Conn, id: i64, p: &NewPanel<'_>) -> Result<()> {
    let mut s = Sql::new("UPDATE review_panels SET name = ");
    s.bind(p.name).push(", pass_score = ").bind(p.pass_score);
    s.push(", quorum = ")
        .bind(p.quorum)
        .push(", deadline_days = ")
        .bind(p.deadline_days);
    s.push(" WHERE id = ").bind(id);
    s.execute(conn).await.map(|_| ())
}

pub async fn members(conn: &mut Conn, panel_id: i64) -> Result<Vec<Member>> {
    let mut s = Sql::new(
        "SELECT m.panel_id, m.user_id, us.display_name, us.role, un.name AS unit_name, m.affiliation \
         FROM panel_members m JOIN users us ON us.id = m.user_id JOIN units un ON un.id = us.unit_id \
         WHERE m.panel_id = ",
    );
    s.bind(panel_id).push(" ORDER BY m.user_id");
    s.fetch_all(conn).await
}

pub async fn set_members(conn: &mut Conn, panel_id: i64, members: &[(i64, String)]) -> Result<()> {
    let mut d = Sql::new("DELETE FROM panel_members WHERE panel_id = ");
    d.bind(panel_id);
    d.execute(conn).await?;
    for (user, aff) in members {
        let mut s = Sql::new("INSERT INTO panel_members (panel_id, user_id, affiliation) VALUES (");
        s.bind(panel_id)
            .push(", ")
            .bind(*user)
            .push(", ")
            .bind(aff.clone())
            .push(")");
        s.execute(conn).await?;
    }
    Ok(())
}

/// Panels `user_id` sits on.
pub async fn panels_of(conn: &mut Conn, user_id: i64) -> Result<Vec<i64>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        panel_id: i64,
    }
    let mut s = Sql::new("SELECT panel_id FROM panel_members WHERE user_id = ");
    s.bind(user_id);
    Ok(s.fetch_all::<Row>(conn)
        .await?
        .into_iter()
        .map(|r| r.panel_id)
        .collect())
}

/// Whether `user_id` sits on a panel that has (or had) `lead_id` before it.
pub async fn is_member_for_lead(conn: &mut Conn, user_id: i64, lead_id: i64) -> Result<bool> {
    let mut s = Sql::new(
        "SELECT COUNT(*) FROM reviews r JOIN panel_members m ON m.panel_id = r.panel_id WHERE r.lead_id = ",
    );
    s.bind(lead_id).push(" AND m.user_id = ").bind(user_id);
    Ok(s.fetch_i64(conn).await? > 0)
}

pub async fn criteria(conn: &mut Conn, panel_id: i64) -> Result<Vec<Criterion>> {
    let mut s = Sql::new(
        "SELECT id, panel_id, key, name, weight, max_score, veto_below, position FROM review_criteria \
         WHERE active = 1 AND panel_id = ",
    );
    s.bind(panel_id).push(" ORDER BY position, id");
    s.fetch_all(conn).await
}

/// Replaces the panel's criteria (old ones are deactivated, never deleted).
pub async fn set_criteria(
    conn: &mut Conn,
    panel_id: i64,
    list: &[fenglai_domain::review::Criterion],
) -> Result<()> {
    let mut d = Sql::new("UPDATE review_criteria SET active = 0 WHERE panel_id = ");
    d.bind(panel_id);
    d.execute(conn).await?;
    for (i, c) in list.iter().enumerate() {
        let mut s = Sql::new(
            "INSERT INTO review_criteria (panel_id, key, name, weight, max_score, veto_below, position, active) VALUES (",
        );
        s.bind(panel_id)
            .push(", ")
            .bind(c.key.clone())
            .push(", ")
            .bind(c.name.clone());
        s.push(", ")
            .bind(c.weight)
            .push(", ")
            .bind(c.max_score)
            .push(", ")
            .bind(c.veto_below);
        s.push(", ").bind(i as i64).push(", 1)");
        s.execute(conn).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Review {
    pub id: i64,
    pub lead_id: i64,
    pub company_name: String,
    pub panel_id: i64,
    pub panel_name: String,
    /// open, more_info, decided
    pub status: String,
    pub opened_by: i64,
    pub opened_at: String,
    /// YYYY-MM-DD
    pub due_date: String,
    /// admit, reject, more_info
    pub decision: Option<String>,
    pub decision_reason: Option<String>,
    /// what the rules said when decided: pass, fail, vetoed, awaiting_quorum
    pub outcome: Option<String>,
    pub score: Option<f64>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<String>,
    /// when someone last sent a reminder (催办)
    pub reminded_at: Option<String>,
    pub cards: i64,
}

const REVIEW_SELECT: &str = "SELECT r.id, r.lead_id, l.company_name, r.panel_id, p.name AS panel_name, \
    r.status, r.opened_by, r.opened_at, r.due_date, r.decision, r.decision_reason, r.outcome, r.score, \
    r.decided_by, r.decided_at, r.reminded_at, (SELECT COUNT(*) FROM review_cards c WHERE c.review_id = r.id) AS cards \
    FROM reviews r JOIN leads l ON l.id = r.lead_id JOIN review_panels p ON p.id = r.panel_id";

pub async fn review(conn: &mut Conn, id: i64) -> Result<Option<Review>> {
    let mut s = Sql::new(&format!("{REVIEW_SELECT} WHERE r.id = "));
    s.bind(id);
    s.fetch_optional(conn).await
}

pub async fn reviews_of_lead(conn: &mut Conn, lead_id: i64) -> Result<Vec<Review>> {
    let mut s = Sql::new(&format!("{REVIEW_SELECT} WHERE r.lead_id = "));
    s.bind(lead_id).push(" ORDER BY r.id");
    s.fetch_all(conn).await
}

/// Which reviews a list shows.
#[derive(Debug, Clone, Default)]
pub struct ReviewFilter {
    /// only these panels (a reviewer's own); None = every panel
    pub panels: Option<Vec<i64>>,
    /// open reviews only
    pub open: bool,
    /// open reviews due before this date
    pub overdue_on: Option<String>,
}

pub async fn reviews(conn: &mut Conn, f: &ReviewFilter, scope: &Scope) -> Result<Vec<Review>> {
    let mut s = Sql::new(&format!("{REVIEW_SELECT} WHERE 1 = 1"));
    if let Some(ps) = &f.panels {
        if ps.is_empty() {
            return Ok(Vec::new());
        }
        s.push(" AND r.panel_id IN (");
        for (i, p) in ps.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            s.bind(*p);
        }
        s.push(")");
    } else {
        scope.restrict(&mut s, "l", false);
    }
    if f.open || f.overdue_on.is_some() {
        s.push(" AND r.status <> 'decided'");
    }
    if let Some(d) = &f.overdue_on {
        s.push(" AND r.due_date < ").bind(d.clone());
    }
    s.push(" ORDER BY r.due_date, r.id LIMIT 500");
    s.fetch_all(conn).await
}

pub async fn insert_review(
    conn: &mut Conn,
    lead_id: i64,
    panel_id: i64,
    by: i64,
    due: &str,
) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO reviews (lead_id, panel_id, status, opened_by, opened_at, due_date) VALUES (",
    );
    s.bind(lead_id)
        .push(", ")
        .bind(panel_id)
        .push(", 'open', ")
        .bind(by);
    s.push(", ")
        .bind(now())
        .push(", ")
        .bind(due)
        .push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub struct Decision<'a> {
    pub status: &'a str,
    pub decision: &'a str,
    pub reason: Option<&'a str>,
    pub outcome: &'a str,
    pub score: Option<f64>,
    pub by: i64,
}

pub async fn decide(conn: &mut Conn, id: i64, d: &Decision<'_>) -> Result<()> {
    let mut s = Sql::new("UPDATE reviews SET status = ");
    s.bind(d.status).push(", decision = ").bind(d.decision);
    s.push(", decision_reason = ")
        .bind(d.reason)
        .push(", outcome = ")
        .bind(d.outcome);
    s.push(", score = ")
        .bind(d.score)
        .push(", decided_by = ")
        .bind(d.by);
    s.push(", decided_at = ")
        .bind(now())
        .push(" WHERE id = ")
        .bind(id);
    s.execute(conn).await.map(|_| ())
}

pub async fn mark_reminded(conn: &mut Conn, id: i64) -> Result<()> {
    let mut s = Sql::new("UPDATE reviews SET reminded_at = ");
    s.bind(now()).push(" WHERE id = ").bind(id);
    s.execute(conn).await.map(|_| ())
}

/// The reviews `user_id` has scored.
pub async fn scored_by(conn: &mut Conn, user_id: i64) -> Result<Vec<i64>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        review_id: i64,
    }
    let mut s = Sql::new("SELECT review_id FROM review_cards WHERE user_id = ");
    s.bind(user_id);
    Ok(s.fetch_all::<Row>(conn)
        .await?
        .into_iter()
        .map(|r| r.review_id)
        .collect())
}

/// Reopens a review that asked for more material, with a new deadline.
pub async fn reopen(conn: &mut Conn, id: i64, due: &str) -> Result<()> {
    let mut s = Sql::new("UPDATE reviews SET status = 'open', due_date = ");
    s.bind(due).push(" WHERE id = ").bind(id);
    s.execute(conn).await.map(|_| ())
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Card {
    pub id: i64,
    pub review_id: i64,
    pub user_id: i64,
    pub display_name: String,
    /// [{"key","name","score"}]
    pub scores_json: String,
    pub comment: Option<String>,
    pub submitted_at: String,
}

pub async fn cards(conn: &mut Conn, review_id: i64) -> Result<Vec<Card>> {
    let mut s = Sql::new(
        "SELECT c.id, c.review_id, c.user_id, u.display_name, c.scores_json, c.comment, c.submitted_at \
         FROM review_cards c JOIN users u ON u.id = c.user_id WHERE c.review_id = ",
    );
    s.bind(review_id).push(" ORDER BY c.id");
    s.fetch_all(conn).await
}

pub async fn insert_card(
    conn: &mut Conn,
    review_id: i64,
    user_id: i64,
    scores_json: &str,
    comment: Option<&str>,
) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO review_cards (review_id, user_id, scores_json, comment, submitted_at) VALUES (",
    );
    s.bind(review_id)
        .push(", ")
        .bind(user_id)
        .push(", ")
        .bind(scores_json);
    s.push(", ")
        .bind(comment)
        .push(", ")
        .bind(now())
        .push(") RETURNING id");
    s.fetch_i64(conn).await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RedlineRule {
    pub id: i64,
    pub code_prefix: String,
    /// keywords separated by "|"
    pub keywords: String,
    /// 淘汰 or 限制
    pub category: String,
    pub name: String,
}

pub async fn redline_rules(conn: &mut Conn) -> Result<Vec<RedlineRule>> {
    Sql::new(
        "SELECT id, code_prefix, keywords, category, name FROM redline_rules WHERE active = 1 ORDER BY id",
    )
    .fetch_all(conn)
    .await
}

pub async fn count_redline_rules(conn: &mut Conn) -> Result<i64> {
    Sql::new("SELECT COUNT(*) FROM redline_rules")
        .fetch_i64(conn)
        .await
}

pub async fn insert_redline_rule(
    conn: &mut Conn,
    code_prefix: &str,
    keywords: &str,
    category: &str,
    name: &str,
) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO redline_rules (code_prefix, keywords, category, name, active) VALUES (",
    );
    s.bind(code_prefix).push(", ").bind(keywords).push(", ");
    s.bind(category)
        .push(", ")
        .bind(name)
        .push(", 1) RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn deactivate_redline_rule(conn: &mut Conn, id: i64) -> Result<u64> {
    let mut s = Sql::new("UPDATE redline_rules SET active = 0 WHERE active = 1 AND id = ");
    s.bind(id);
    s.execute(conn).await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Override {
    pub id: i64,
    pub lead_id: i64,
    pub user_id: i64,
    pub display_name: String,
    pub reason: String,
    /// the flags overridden, as JSON
    pub flags_json: String,
    pub at: String,
}

pub async fn overrides(conn: &mut Conn, lead_id: i64) -> Result<Vec<Override>> {
    let mut s = Sql::new(
        "SELECT o.id, o.lead_id, o.user_id, u.display_name, o.reason, o.flags_json, o.at \
         FROM redline_overrides o JOIN users u ON u.id = o.user_id WHERE o.lead_id = ",
    );
    s.bind(lead_id).push(" ORDER BY o.id");
    s.fetch_all(conn).await
}

pub async fn insert_override(
    conn: &mut Conn,
    lead_id: i64,
    user_id: i64,
    reason: &str,
    flags_json: &str,
) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO redline_overrides (lead_id, user_id, reason, flags_json, at) VALUES (",
    );
    s.bind(lead_id).push(", ").bind(user_id).push(", ");
    s.bind(reason)
        .push(", ")
        .bind(flags_json)
        .push(", ")
        .bind(now())
        .push(") RETURNING id");
    s.fetch_i64(conn).await
}
