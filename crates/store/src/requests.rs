//! Requests (诉求) raised for projects, each department's part of them, and 一事一议 meetings.

use crate::sql::{now, Sql};
use crate::{Conn, Result, Scope};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Request {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub category: String,
    pub title: String,
    pub description: String,
    pub urgency: String,
    /// open, answered, closed
    pub status: String,
    pub raised_by: i64,
    pub raised_by_name: String,
    pub raised_unit_id: i64,
    pub raised_unit_name: String,
    pub raised_at: String,
    pub closed_at: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Task {
    pub id: i64,
    pub request_id: i64,
    pub department_id: i64,
    pub department_name: String,
    /// routed, accepted, answered, closed
    pub status: String,
    pub routed_at: String,
    pub due_date: String,
    pub first_due_date: String,
    pub accepted_at: Option<String>,
    pub answered_at: Option<String>,
    pub answer: Option<String>,
    pub first_answered_at: Option<String>,
    pub rating: Option<String>,
    pub rating_comment: Option<String>,
    pub rated_at: Option<String>,
    pub reopen_count: i64,
    pub escalated_at: Option<String>,
    pub meeting_id: Option<i64>,
}

const SELECT: &str = "SELECT r.id, r.project_id, p.name AS project_name, r.category, r.title, \
    r.description, r.urgency, r.status, r.raised_by, u.display_name AS raised_by_name, \
    r.raised_unit_id, un.name AS raised_unit_name, r.raised_at, r.closed_at \
    FROM requests r JOIN projects p ON p.id = r.project_id \
    JOIN users u ON u.id = r.raised_by JOIN units un ON un.id = r.raised_unit_id";

const TASK: &str =
    "SELECT t.id, t.request_id, t.department_id, d.name AS department_name, t.status, \
    t.routed_at, t.due_date, t.first_due_date, t.accepted_at, t.answered_at, t.answer, \
    t.first_answered_at, t.rating, t.rating_comment, t.rated_at, t.reopen_count, t.escalated_at, \
    t.meeting_id FROM request_tasks t JOIN units d ON d.id = t.department_id";

pub struct NewRequest<'a> {
    pub project_id: i64,
    pub category: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub urgency: &'a str,
    pub raised_by: i64,
    pub raised_unit_id: i64,
}

pub async fn insert(conn: &mut Conn, r: &NewRequest<'_>) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO requests (project_id, category, title, description, urgency, status, \
         raised_by, raised_unit_id, raised_at) VALUES (",
    );
    s.bind(r.project_id)
        .push(", ")
        .bind(r.category)
        .push(", ")
        .bind(r.title)
        .push(", ")
        .bind(r.description)
        .push(", ")
        .bind(r.urgency)
        .push(", 'open', ")
        .bind(r.raised_by)
        .push(", ")
        .bind(r.raised_unit_id)
        .push(", ")
        .bind(now())
        .push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn insert_task(
    conn: &mut Conn,
    request_id: i64,
    department_id: i64,
    due_date: &str,
) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO request_tasks (request_id, department_id, status, routed_at, due_date, first_due_date) VALUES (",
    );
    s.bind(request_id)
        .push(", ")
        .bind(department_id)
        .push(", 'routed', ")
        .bind(now())
        .push(", ")
        .bind(due_date)
        .push(", ")
        .bind(due_date)
        .push(") RETURNING id");
    s.fetch_i64(conn).await
}

/// Who may see a request: those whose scope covers its project, and the members of a
/// department it was sent to.
#[derive(Debug, Clone)]
pub struct Reach<'a> {
    pub scope: &'a Scope,
    pub department_id: Option<i64>,
}

fn restrict(s: &mut Sql, reach: &Reach<'_>) {
    s.push(" AND ((1 = 1");
    reach.scope.restrict(s, "p", true);
    s.push(")");
    if let Some(d) = reach.department_id {
        s.push(" OR r.id IN (SELECT request_id FROM request_tasks WHERE department_id = ")
            .bind(d)
            .push(")");
    }
    s.push(")");
}

pub async fn get(conn: &mut Conn, id: i64, reach: &Reach<'_>) -> Result<Option<Request>> {
    let mut s = Sql::new(SELECT);
    s.push(" WHERE r.id = ").bind(id);
    restrict(&mut s, reach);
    s.fetch_optional(conn).await
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub project_id: Option<i64>,
    pub department_id: Option<i64>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

pub async fn list(conn: &mut Conn, f: &Filter, reach: &Reach<'_>) -> Result<(Vec<Request>, i64)> {
    let mut w = Sql::new(" WHERE 1 = 1");
    if let Some(p) = f.project_id {
        w.push(" AND r.project_id = ").bind(p);
    }
    if let Some(d) = f.department_id {
        w.push(" AND r.id IN (SELECT request_id FROM request_tasks WHERE department_id = ")
            .bind(d)
            .push(")");
    }
    if let Some(st) = &f.status {
        w.push(" AND r.status = ").bind(st.as_str());
    }
    if let Some(c) = &f.category {
        w.push(" AND r.category = ").bind(c.as_str());
    }
    restrict(&mut w, reach);
    let mut c = Sql::new("SELECT COUNT(*) FROM requests r JOIN projects p ON p.id = r.project_id");
    c.append(w.clone());
    let total = c.fetch_i64(conn).await?;
    let mut s = Sql::new(SELECT);
    s.append(w);
    s.push(" ORDER BY r.id DESC LIMIT ")
        .bind(f.limit)
        .push(" OFFSET ")
        .bind(f.offset);
    Ok((s.fetch_all(conn).await?, total))
}

pub async fn tasks(conn: &mut Conn, request_id: i64) -> Result<Vec<Task>> {
    let mut s = Sql::new(TASK);
    s.push(" WHERE t.request_id = ")
        .bind(request_id)
        .push(" ORDER BY t.id");
    s.fetch_all(conn).await
}

pub async fn task(conn: &mut Conn, id: i64) -> Result<Option<Task>> {
    let mut s = Sql::new(TASK);
    s.push(" WHERE t.id = ").bind(id);
    s.fetch_optional(conn).await
}

pub async fn accept(conn: &mut Conn, task: i64, by: i64) -> Result<()> {
    let mut s = Sql::new(
        "UPDATE request_tasks SET status = 'accepted', accepted_at = COALESCE(accepted_at, ",
    );
    s.bind(now())
        .push("), accepted_by = COALESCE(accepted_by, ")
        .bind(by)
        .push(") WHERE id = ")
        .bind(task);
    s.execute(conn).await?;
    Ok(())
}

/// Records an answer; the first answer's time and day are kept for the statistics.
pub async fn answer(
    conn: &mut Conn,
    task: i64,
    by: i64,
    text: &str,
    today: &str,
    meeting_id: Option<i64>,
) -> Result<()> {
    let t = now();
    let mut s = Sql::new(
        "UPDATE request_tasks SET status = 'answered', accepted_at = COALESCE(accepted_at, ",
    );
    s.bind(t.as_str())
        .push("), accepted_by = COALESCE(accepted_by, ")
        .bind(by)
        .push("), answered_at = ")
        .bind(t.as_str())
        .push(", answered_by = ")
        .bind(by)
        .push(", answer = ")
        .bind(text)
        .push(", first_answered_at = COALESCE(first_answered_at, ")
        .bind(t.as_str())
        .push("), first_answered_on = COALESCE(first_answered_on, ")
        .bind(today)
        .push("), meeting_id = COALESCE(")
        .bind(meeting_id)
        .push(", meeting_id) WHERE id = ")
        .bind(task);
    s.execute(conn).await?;
    Ok(())
}

/// The raiser's rating: satisfied closes the part; unsatisfied reopens it with a new
/// deadline.
pub async fn rate(
    conn: &mut Conn,
    task: i64,
    satisfied: bool,
    comment: Option<&str>,
    new_due: &str,
) -> Result<()> {
    let mut s = Sql::new("UPDATE request_tasks SET rating = ");
    s.bind(if satisfied {
        "satisfied"
    } else {
        "unsatisfied"
    })
    .push(", rating_comment = ")
    .bind(comment)
    .push(", rated_at = ")
    .bind(now());
    if satisfied {
        s.push(", status = 'closed'");
    } else {
        s.push(", status = 'accepted', reopen_count = reopen_count + 1, escalated_at = NULL, due_date = ")
            .bind(new_due);
    }
    s.push(" WHERE id = ").bind(task);
    s.execute(conn).await?;
    Ok(())
}

/// Sets a request's status from its parts: open while any part is owed an answer,
/// closed when every part is closed, answered otherwise.
pub async fn refresh_status(conn: &mut Conn, request_id: i64) -> Result<()> {
    let mut s = Sql::new(
        "UPDATE requests SET status = CASE \
         WHEN EXISTS (SELECT 1 FROM request_tasks t WHERE t.request_id = requests.id AND t.status IN ('routed', 'accepted')) THEN 'open' \
         WHEN NOT EXISTS (SELECT 1 FROM request_tasks t WHERE t.request_id = requests.id AND t.status <> 'closed') THEN 'closed' \
         ELSE 'answered' END, closed_at = CASE \
         WHEN NOT EXISTS (SELECT 1 FROM request_tasks t WHERE t.request_id = requests.id AND t.status <> 'closed') THEN ",
    );
    s.bind(now())
        .push(" ELSE NULL END WHERE id = ")
        .bind(request_id);
    s.execute(conn).await?;
    Ok(())
}

/// A department part on the supervision board (督办): overdue, or reopened after an
/// unsatisfied rating.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct BoardItem {
    pub task_id: i64,
    pub request_id: i64,
    pub title: String,
    pub category: String,
    pub urgency: String,
    pub project_id: i64,
    pub project_name: String,
    pub department_id: i64,
    pub department_name: String,
    pub status: String,
    pub due_date: String,
    pub reopen_count: i64,
    pub escalated_at: Option<String>,
    pub responsible_leader_id: Option<i64>,
    pub responsible_leader_name: Option<String>,
}

pub async fn board(
    conn: &mut Conn,
    as_of: &str,
    reach: &Reach<'_>,
    limit: i64,
) -> Result<Vec<BoardItem>> {
    let mut s = Sql::new(
        "SELECT t.id AS task_id, r.id AS request_id, r.title, r.category, r.urgency, r.project_id, \
         p.name AS project_name, t.department_id, d.name AS department_name, t.status, t.due_date, \
         t.reopen_count, t.escalated_at, p.responsible_leader_id, rl.display_name AS responsible_leader_name \
         FROM request_tasks t JOIN requests r ON r.id = t.request_id JOIN projects p ON p.id = r.project_id \
         JOIN units d ON d.id = t.department_id LEFT JOIN users rl ON rl.id = p.responsible_leader_id \
         WHERE t.status IN ('routed', 'accepted') AND (t.due_date < ",
    );
    s.bind(as_of).push(" OR t.reopen_count > 0)");
    restrict(&mut s, reach);
    s.push(" ORDER BY t.due_date, t.id LIMIT ").bind(limit);
    s.fetch_all(conn).await
}

/// Overdue parts not yet escalated, with the leader to tell.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ToEscalate {
    pub task_id: i64,
    pub request_id: i64,
    pub title: String,
    pub project_id: i64,
    pub project_name: String,
    pub department_name: String,
    pub due_date: String,
    pub notify_user_id: Option<i64>,
}

pub async fn to_escalate(conn: &mut Conn, as_of: &str) -> Result<Vec<ToEscalate>> {
    let mut s = Sql::new(
        "SELECT t.id AS task_id, r.id AS request_id, r.title, r.project_id, p.name AS project_name, \
         d.name AS department_name, t.due_date, \
         COALESCE(p.responsible_leader_id, p.responsible_user_id) AS notify_user_id \
         FROM request_tasks t JOIN requests r ON r.id = t.request_id JOIN projects p ON p.id = r.project_id \
         JOIN units d ON d.id = t.department_id \
         WHERE t.status IN ('routed', 'accepted') AND t.escalated_at IS NULL AND t.due_date < ",
    );
    s.bind(as_of).push(" ORDER BY t.id");
    s.fetch_all(conn).await
}

/// Marks every overdue, unescalated part escalated; returns how many.
pub async fn mark_escalated(conn: &mut Conn, as_of: &str) -> Result<u64> {
    let mut s = Sql::new("UPDATE request_tasks SET escalated_at = ");
    s.bind(now())
        .push(" WHERE status IN ('routed', 'accepted') AND escalated_at IS NULL AND due_date < ")
        .bind(as_of);
    s.execute(conn).await
}

/// The daily snapshot query of overdue parts (`ref_id` is the task id).
pub fn overdue_query(as_of: &str) -> Sql {
    let mut s = Sql::new(
        "SELECT t.id AS ref_id, r.project_id, t.due_date AS since FROM request_tasks t \
         JOIN requests r ON r.id = t.request_id WHERE t.status IN ('routed', 'accepted') AND t.due_date < ",
    );
    s.bind(as_of);
    s
}

/// One part for the statistics.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatRow {
    pub department_id: i64,
    pub department_name: String,
    pub category: String,
    pub status: String,
    pub routed_at: String,
    pub accepted_at: Option<String>,
    pub first_answered_at: Option<String>,
    pub first_answered_on: Option<String>,
    pub first_due_date: String,
    pub rating: Option<String>,
    pub reopen_count: i64,
}

/// Parts routed in `[from, until)` (timestamps or dates), for projects in scope.
pub async fn stat_rows(
    conn: &mut Conn,
    from: &str,
    until: &str,
    reach: &Reach<'_>,
) -> Result<Vec<StatRow>> {
    let mut s = Sql::new(
        "SELECT t.department_id, d.name AS department_name, r.category, t.status, t.routed_at, \
         t.accepted_at, t.first_answered_at, t.first_answered_on, t.first_due_date, t.rating, t.reopen_count \
         FROM request_tasks t JOIN requests r ON r.id = t.request_id JOIN projects p ON p.id = r.project_id \
         JOIN units d ON d.id = t.department_id WHERE t.routed_at >= ",
    );
    s.bind(from).push(" AND t.routed_at < ").bind(until);
    restrict(&mut s, reach);
    s.push(" ORDER BY t.department_id, r.category, t.id");
    s.fetch_all(conn).await
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Meeting {
    pub id: i64,
    pub title: String,
    pub held_on: String,
    pub chaired_by: String,
    pub attendees: String,
    pub minutes: String,
    pub recorded_by: i64,
    pub recorded_at: String,
}

pub async fn insert_meeting(
    conn: &mut Conn,
    title: &str,
    held_on: &str,
    chaired_by: &str,
    attendees: &str,
    minutes: &str,
    by: i64,
) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO request_meetings (title, held_on, chaired_by, attendees, minutes, recorded_by, recorded_at) VALUES (",
    );
    s.bind(title)
        .push(", ")
        .bind(held_on)
        .push(", ")
        .bind(chaired_by)
        .push(", ")
        .bind(attendees)
        .push(", ")
        .bind(minutes)
        .push(", ")
        .bind(by)
        .push(", ")
        .bind(now())
        .push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn meeting(conn: &mut Conn, id: i64) -> Result<Option<Meeting>> {
    let mut s = Sql::new(
        "SELECT id, title, held_on, chaired_by, attendees, minutes, recorded_by, recorded_at FROM request_meetings WHERE id = ",
    );
    s.bind(id);
    s.fetch_optional(conn).await
}
