//! 考核: activities, versioned targets and schemes, competitions, bulletins, and the
//! facts the metrics are computed from, each read *as of* a moment `t` (compared with the stored text):
//! a row recorded after `t` is left out, a row voided after `t` is still in.

use crate::decode;
use crate::sql::{now, Sql};
use crate::{Conn, Result, Scope};
use fenglai_domain::{LeadStatus, Moment};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

// ---------------------------------------------------------------- activities

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Activity {
    pub id: i64,
    /// visit, event or meeting
    pub kind: String,
    /// 推介会, 座谈会, 洽谈会, 路演 … (events), 会商, 过堂 … (meetings)
    pub subkind: Option<String>,
    pub title: String,
    /// `YYYY-MM-DD`
    pub activity_date: String,
    pub place: Option<String>,
    pub region_code: Option<String>,
    /// whom: the company or person visited, the audience of an event
    pub counterpart: Option<String>,
    pub outcome: Option<String>,
    pub attendees: Option<i64>,
    pub unit_id: i64,
    pub unit_name: String,
    pub created_by: i64,
    pub created_at: String,
    pub voided_at: Option<String>,
    pub voided_reason: Option<String>,
    /// names of who went, comma-separated
    pub people: String,
}

pub struct NewActivity {
    pub kind: String,
    pub subkind: Option<String>,
    pub title: String,
    pub activity_date: String,
    pub place: Option<String>,
    pub region_code: Option<String>,
    pub counterpart: Option<String>,
    pub outcome: Option<String>,
    pub attendees: Option<i64>,
    pub unit_id: i64,
    pub created_by: i64,
}

const ACTIVITY: &str = "SELECT a.id, a.kind, a.subkind, a.title, a.activity_date, a.place, a.region_code, \
    a.counterpart, a.outcome, a.attendees, a.unit_id, un.name AS unit_name, a.created_by, a.created_at, \
    a.voided_at, a.voided_reason, COALESCE((SELECT STRING_AGG(u.display_name, ',') FROM activity_people ap \
    JOIN users u ON u.id = ap.user_id WHERE ap.activity_id = a.id), '') AS people \
    FROM activities a JOIN units un ON un.id = a.unit_id";

fn activity_select(backend: crate::Backend) -> String {
    match backend {
        crate::Backend::Sqlite => ACTIVITY.replace("STRING_AGG(", "GROUP_CONCAT("),
        crate::Backend::Postgres => ACTIVITY.to_string(),
    }
}

pub async fn insert_activity(
    conn: &mut Conn,
    a: &NewActivity,
    people: &[i64],
    leads: &[(i64, bool)],
) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO activities (kind, subkind, title, activity_date, place, region_code, counterpart, \
         outcome, attendees, unit_id, created_by, created_at) VALUES (",
    );
    s.bind(a.kind.clone()).push(", ").bind(a.subkind.clone());
    s.push(", ").bind(a.title.clone()).push(", ");
    s.bind(a.activity_date.clone())
        .push(", ")
        .bind(a.place.clone());
    s.push(", ")
        .bind(a.region_code.clone())
        .push(", ")
        .bind(a.counterpart.clone());
    s.push(", ")
        .bind(a.outcome.clone())
        .push(", ")
        .bind(a.attendees);
    s.push(", ").bind(a.unit_id).push(", ").bind(a.created_by);
    s.push(", ").bind(now()).push(") RETURNING id");
    let id = s.fetch_i64(conn).await?;
    for p in people {
        let mut s = Sql::new("INSERT INTO activity_people (activity_id, user_id) VALUES (");
        s.bind(id).push(", ").bind(*p).push(")");
        s.execute(conn).await?;
    }
    for (l, produced) in leads {
        let mut s =
            Sql::new("INSERT INTO activity_leads (activity_id, lead_id, produced) VALUES (");
        s.bind(id)
            .push(", ")
            .bind(*l)
            .push(", ")
            .bind(*produced as i64)
            .push(")");
        s.execute(conn).await?;
    }
    Ok(id)
}

/// Activities visible in `scope` (by the activity's unit, or for `Reporter` the creator).
fn restrict_activity(s: &mut Sql, scope: &Scope) {
    match scope {
        Scope::All => {}
        Scope::Reporter(uid) => {
            s.push(" AND a.created_by = ").bind(*uid);
        }
        Scope::Subtree(path) => {
            s.push(" AND a.unit_id IN (SELECT id FROM units WHERE path LIKE ")
                .bind(format!("{}%", crate::sql::like_escape(path)))
                .push(" ESCAPE '\\')");
        }
    }
}

pub async fn activity(conn: &mut Conn, id: i64, scope: &Scope) -> Result<Option<Activity>> {
    let backend = conn.backend();
    let mut s = Sql::new(&activity_select(backend));
    s.push(" WHERE a.id = ").bind(id);
    restrict_activity(&mut s, scope);
    s.fetch_optional(conn).await
}

pub struct ActivityFilter {
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub lead_id: Option<i64>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn activities(
    conn: &mut Conn,
    f: &ActivityFilter,
    scope: &Scope,
) -> Result<(Vec<Activity>, i64)> {
    let backend = conn.backend();
    let mut w = Sql::new(" WHERE 1 = 1");
    if let Some(k) = &f.kind {
        w.push(" AND a.kind = ").bind(k.clone());
    }
    if let Some(d) = &f.from {
        w.push(" AND a.activity_date >= ").bind(d.clone());
    }
    if let Some(d) = &f.to {
        w.push(" AND a.activity_date <= ").bind(d.clone());
    }
    if let Some(l) = f.lead_id {
        w.push(" AND a.id IN (SELECT activity_id FROM activity_leads WHERE lead_id = ")
            .bind(l)
            .push(")");
    }
    restrict_activity(&mut w, scope);
    let mut c = Sql::new("SELECT COUNT(*) FROM activities a");
    c.append(w.clone());
    let total = c.fetch_i64(conn).await?;
    let mut s = Sql::new(&activity_select(backend));
    s.append(w);
    s.push(" ORDER BY a.activity_date DESC, a.id DESC LIMIT ")
        .bind(f.limit)
        .push(" OFFSET ")
        .bind(f.offset);
    Ok((s.fetch_all(conn).await?, total))
}

/// Leads an activity is linked to: (lead id, company, produced).
pub async fn activity_leads(conn: &mut Conn, id: i64) -> Result<Vec<(i64, String, i64)>> {
    let mut s = Sql::new(
        "SELECT l.id, l.company_name, al.produced FROM activity_leads al JOIN leads l ON l.id = al.lead_id \
         WHERE al.activity_id = ",
    );
    s.bind(id).push(" ORDER BY l.id");
    s.fetch_all(conn).await
}

pub async fn void_activity(conn: &mut Conn, id: i64, reason: &str) -> Result<u64> {
    let mut s = Sql::new("UPDATE activities SET voided_at = ");
    s.bind(now()).push(", voided_reason = ").bind(reason);
    s.push(" WHERE voided_at IS NULL AND id = ").bind(id);
    s.execute(conn).await
}

// ---------------------------------------------------------------- targets and schemes

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TargetVersion {
    pub id: i64,
    pub year: i64,
    pub metric: String,
    pub unit_id: Option<i64>,
    pub user_id: Option<i64>,
    /// a count, or yuan / US dollars for amounts
    pub value: i64,
    pub reason: Option<String>,
    pub set_by: i64,
    pub set_at: String,
    pub superseded_at: Option<String>,
}

const TARGET: &str =
    "SELECT id, year, metric, unit_id, user_id, value, reason, set_by, set_at, superseded_at \
    FROM assessment_targets";

/// The targets of a year standing at `t`.
pub async fn targets(conn: &mut Conn, year: i64, t: Moment) -> Result<Vec<TargetVersion>> {
    let mut s = Sql::new(TARGET);
    s.push(" WHERE year = ")
        .bind(year)
        .push(" AND set_at <= ")
        .bind(t);
    s.push(" AND (superseded_at IS NULL OR superseded_at > ")
        .bind(t)
        .push(") ORDER BY metric, unit_id, user_id");
    s.fetch_all(conn).await
}

/// Every version of one target (newest first).
pub async fn target_history(
    conn: &mut Conn,
    year: i64,
    metric: &str,
    unit_id: Option<i64>,
    user_id: Option<i64>,
) -> Result<Vec<TargetVersion>> {
    let mut s = Sql::new(TARGET);
    s.push(" WHERE year = ")
        .bind(year)
        .push(" AND metric = ")
        .bind(metric);
    match unit_id {
        Some(u) => s.push(" AND unit_id = ").bind(u),
        None => s.push(" AND unit_id IS NULL"),
    };
    match user_id {
        Some(u) => s.push(" AND user_id = ").bind(u),
        None => s.push(" AND user_id IS NULL"),
    };
    s.push(" ORDER BY id DESC");
    s.fetch_all(conn).await
}

/// Supersedes the standing version (if any) and writes the new one; returns the new id.
#[allow(clippy::too_many_arguments)]
pub async fn set_target(
    conn: &mut Conn,
    year: i64,
    metric: &str,
    unit_id: Option<i64>,
    user_id: Option<i64>,
    value: i64,
    reason: Option<&str>,
    by: i64,
) -> Result<i64> {
    let t = now();
    let mut u = Sql::new("UPDATE assessment_targets SET superseded_at = ");
    u.bind(t.clone())
        .push(" WHERE superseded_at IS NULL AND year = ")
        .bind(year);
    u.push(" AND metric = ").bind(metric);
    match unit_id {
        Some(x) => u.push(" AND unit_id = ").bind(x),
        None => u.push(" AND unit_id IS NULL"),
    };
    match user_id {
        Some(x) => u.push(" AND user_id = ").bind(x),
        None => u.push(" AND user_id IS NULL"),
    };
    u.execute(conn).await?;
    let mut s = Sql::new(
        "INSERT INTO assessment_targets (year, metric, unit_id, user_id, value, reason, set_by, set_at) VALUES (",
    );
    s.bind(year)
        .push(", ")
        .bind(metric)
        .push(", ")
        .bind(unit_id);
    s.push(", ").bind(user_id).push(", ").bind(value).push(", ");
    s.bind(reason).push(", ").bind(by).push(", ").bind(t);
    s.push(") RETURNING id");
    s.fetch_i64(conn).await
}

/// The year's scheme standing at `t` (JSON), if one was set.
pub async fn scheme(conn: &mut Conn, year: i64, t: Moment) -> Result<Option<String>> {
    let mut s = Sql::new("SELECT body FROM assessment_schemes WHERE year = ");
    s.bind(year).push(" AND set_at <= ").bind(t);
    s.push(" AND (superseded_at IS NULL OR superseded_at > ")
        .bind(t)
        .push(") ORDER BY id DESC LIMIT 1");
    let row: Option<(String,)> = s.fetch_optional(conn).await?;
    Ok(row.map(|r| r.0))
}

pub async fn set_scheme(conn: &mut Conn, year: i64, body: &str, by: i64) -> Result<()> {
    let t = now();
    let mut u = Sql::new("UPDATE assessment_schemes SET superseded_at = ");
    u.bind(t.clone())
        .push(" WHERE superseded_at IS NULL AND year = ")
        .bind(year);
    u.execute(conn).await?;
    let mut s = Sql::new("INSERT INTO assessment_schemes (year, body, set_by, set_at) VALUES (");
    s.bind(year).push(", ").bind(body).push(", ").bind(by);
    s.push(", ").bind(t).push(")");
    s.execute(conn).await.map(|_| ())
}

// ---------------------------------------------------------------- competitions

#[derive(Debug, Clone, PartialEq, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Competition {
    pub id: i64,
    pub name: String,
    pub start_date: String,
    pub end_date: String,
    /// JSON: `[["signed_count", 50], …]`
    pub points: String,
    pub created_at: String,
}

pub async fn insert_competition(
    conn: &mut Conn,
    name: &str,
    start: &str,
    end: &str,
    points: &str,
    by: i64,
) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO competitions (name, start_date, end_date, points, created_by, created_at) VALUES (",
    );
    s.bind(name).push(", ").bind(start).push(", ").bind(end);
    s.push(", ").bind(points).push(", ").bind(by).push(", ");
    s.bind(now()).push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn competitions(conn: &mut Conn) -> Result<Vec<Competition>> {
    Sql::new(
        "SELECT id, name, start_date, end_date, points, created_at FROM competitions ORDER BY start_date DESC, id DESC",
    )
    .fetch_all(conn)
    .await
}

pub async fn competition(conn: &mut Conn, id: i64) -> Result<Option<Competition>> {
    let mut s = Sql::new(
        "SELECT id, name, start_date, end_date, points, created_at FROM competitions WHERE id = ",
    );
    s.bind(id);
    s.fetch_optional(conn).await
}

// ---------------------------------------------------------------- bulletins

#[derive(Debug, Clone, PartialEq)]
pub struct Bulletin {
    pub id: i64,
    pub period: String,
    pub title: String,
    /// the moment its figures are computed as of
    pub as_of: Moment,
    /// the figures (JSON)
    pub figures: String,
    /// stalled projects and overdue requests named in it (JSON)
    pub named: String,
    /// SHA-256 of `figures`
    pub hash: String,
    pub published_by: i64,
    pub published_at: Moment,
}

impl FromRow<'_, AnyRow> for Bulletin {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(Bulletin {
            id: r.try_get("id")?,
            period: r.try_get("period")?,
            title: r.try_get("title")?,
            as_of: decode::moment(r, "as_of")?,
            figures: r.try_get("figures")?,
            named: r.try_get("named")?,
            hash: r.try_get("hash")?,
            published_by: r.try_get("published_by")?,
            published_at: decode::moment(r, "published_at")?,
        })
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_bulletin(
    conn: &mut Conn,
    period: &str,
    title: &str,
    as_of: Moment,
    figures: &str,
    named: &str,
    hash: &str,
    by: i64,
) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO bulletins (period, title, as_of, figures, named, hash, published_by, published_at) VALUES (",
    );
    s.bind(period).push(", ").bind(title).push(", ").bind(as_of);
    s.push(", ").bind(figures).push(", ").bind(named).push(", ");
    s.bind(hash).push(", ").bind(by).push(", ").bind(as_of);
    s.push(") RETURNING id");
    s.fetch_i64(conn).await
}

const BULLETIN: &str = "SELECT id, period, title, as_of, figures, named, hash, published_by, published_at FROM bulletins";

pub async fn bulletin(conn: &mut Conn, id: i64) -> Result<Option<Bulletin>> {
    let mut s = Sql::new(BULLETIN);
    s.push(" WHERE id = ").bind(id);
    s.fetch_optional(conn).await
}

/// Published bulletins, newest first, without their figures.
pub async fn bulletins(conn: &mut Conn) -> Result<Vec<Bulletin>> {
    Sql::new(
        "SELECT id, period, title, as_of, '' AS figures, '' AS named, hash, published_by, published_at \
         FROM bulletins ORDER BY id DESC",
    )
    .fetch_all(conn)
    .await
}

// ---------------------------------------------------------------- facts as of `t`

/// Admitted leads reported in the range and created by `t`, counted by reporter, unit, tags
/// and industry division: one covering scan. Leads whose story is not told by their row
/// alone (merged, over a red line, decided by a panel, changed since `t`) are counted here
/// as they stand now and corrected one by one by the caller.
#[derive(Debug, Clone, Deserialize)]
pub struct LeadCount {
    pub unit_id: i64,
    pub user_id: i64,
    pub tags: String,
    /// the industry division if it is one the scheme weighs
    pub division: Option<String>,
    pub n: i64,
}

pub async fn lead_counts(
    conn: &mut Conn,
    start: &str,
    end: &str,
    t: Moment,
    weighed_divisions: &[String],
) -> Result<Vec<LeadCount>> {
    let mut s = Sql::new(
        "SELECT l.reporting_unit_id AS unit_id, l.reported_by AS user_id, l.investor_tags AS tags, ",
    );
    weighed_division(&mut s, "SUBSTR(l.industry_code, 1, 2)", weighed_divisions);
    s.push(
        " AS division, COUNT(*) AS n FROM leads l \
         WHERE l.status = 'admitted' AND l.reported_date >= ",
    );
    s.bind(start).push(" AND l.reported_date <= ").bind(end);
    s.push(" AND l.created_at <= ").bind(t);
    // by position: the division's expression holds parameters; the user first, on which
    // nearly every comparison of the sort is decided
    s.push(" GROUP BY 2, 1, 3, 4");
    s.fetch_packed(conn, &["unit_id", "user_id", "tags", "division", "n"])
        .await
}

fn overridden_at(s: &mut Sql, alias: &str, t: Moment) {
    s.push(&format!(
        "CASE WHEN EXISTS (SELECT 1 FROM redline_overrides o WHERE o.lead_id = {alias}.id AND o.at <= "
    ))
    .bind(t)
    .push(") THEN 1 ELSE 0 END");
}

/// One lead as stored now, with what was known of it at `t` (a panel's 入库 and a leader's
/// red-line override by then). The caller restores fields changed after `t` from the event log.
#[derive(Debug, Clone)]
pub struct LeadFact {
    pub id: i64,
    pub status: LeadStatus,
    pub reported_by: i64,
    pub reporting_unit_id: i64,
    pub reported_date: String,
    pub industry_code: Option<String>,
    pub investor_tags: String,
    pub created_at: Moment,
    /// decided 入库 by a panel at or before `t`
    pub reviewed_admit: bool,
    /// admitted over a red line by a leader at or before `t`
    pub overridden: bool,
}

impl FromRow<'_, AnyRow> for LeadFact {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(LeadFact {
            id: r.try_get("id")?,
            status: decode::lead_status(r, "status")?,
            reported_by: r.try_get("reported_by")?,
            reporting_unit_id: r.try_get("reporting_unit_id")?,
            reported_date: r.try_get("reported_date")?,
            industry_code: r.try_get("industry_code")?,
            investor_tags: r.try_get("investor_tags")?,
            created_at: decode::moment(r, "created_at")?,
            reviewed_admit: decode::flag(r, "reviewed_admit")?,
            overridden: decode::flag(r, "overridden")?,
        })
    }
}

/// Leads by id, with what is known of them at `t`.
pub async fn lead_facts(conn: &mut Conn, ids: &[i64], t: Moment) -> Result<Vec<LeadFact>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut s = Sql::new(
            "SELECT l.id, l.status, l.reported_by, l.reporting_unit_id, l.reported_date, l.industry_code, l.investor_tags, \
             l.created_at, CASE WHEN EXISTS (SELECT 1 FROM reviews r WHERE r.lead_id = l.id AND r.decision = 'admit' \
             AND r.decided_at <= ",
        );
        s.bind(t).push(") THEN 1 ELSE 0 END AS reviewed_admit, ");
        overridden_at(&mut s, "l", t);
        s.push(" AS overridden FROM leads l WHERE l.id IN (");
        s.bind_list(chunk.iter().copied());
        s.push(")");
        out.extend(s.fetch_all::<LeadFact>(conn).await?);
    }
    Ok(out)
}

/// Leads whose credit or validity their own row does not tell: ever merged (either side),
/// admitted over a red line, or decided 入库 by a panel. Small tables drive it.
pub async fn special_lead_ids(conn: &mut Conn) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = Sql::new(
        "SELECT survivor_id FROM lead_merges UNION SELECT duplicate_id FROM lead_merges \
         UNION SELECT lead_id FROM redline_overrides UNION SELECT lead_id FROM reviews WHERE decision = 'admit'",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Every merge ever made (the table is small: one row per merge).
#[derive(Debug, Clone)]
pub struct MergeFact {
    pub survivor_id: i64,
    pub duplicate_id: i64,
    /// what the merge moved (JSON)
    pub repointed: String,
    pub merged_at: Moment,
    pub undone_at: Option<Moment>,
}

impl FromRow<'_, AnyRow> for MergeFact {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(MergeFact {
            survivor_id: r.try_get("survivor_id")?,
            duplicate_id: r.try_get("duplicate_id")?,
            repointed: r.try_get("repointed")?,
            merged_at: decode::moment(r, "merged_at")?,
            undone_at: decode::moment_opt(r, "undone_at")?,
        })
    }
}

pub async fn merge_facts(conn: &mut Conn) -> Result<Vec<MergeFact>> {
    Sql::new(
        "SELECT survivor_id, duplicate_id, repointed, merged_at, undone_at FROM lead_merges ORDER BY id",
    )
    .fetch_all(conn)
    .await
}

/// Projects linked now to these leads, created at or before `t`: (project, lead).
pub async fn projects_of_leads(
    conn: &mut Conn,
    leads: &[i64],
    t: Moment,
) -> Result<Vec<(i64, i64)>> {
    let mut out = Vec::new();
    for chunk in leads.chunks(500) {
        let mut s = Sql::new("SELECT id, lead_id FROM projects WHERE created_at <= ");
        s.bind(t).push(" AND lead_id IN (");
        s.bind_list(chunk.iter().copied());
        s.push(")");
        out.extend(s.fetch_all::<(i64, i64)>(conn).await?);
    }
    Ok(out)
}

/// The earliest event after `t` of each record of `entity` whose id is in `ids` (all ids when
/// `ids` is `None`): its `before_json` is the record as it stood at `t` (`None`: it did not
/// exist yet). With `action_prefix`, only events whose action starts with it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventAfter {
    pub entity_id: i64,
    pub seq: i64,
    pub action: String,
    pub before_json: Option<String>,
}

pub async fn events_after(
    conn: &mut Conn,
    entity: &str,
    t: Moment,
    action_prefix: Option<&str>,
) -> Result<Vec<EventAfter>> {
    let mut s = Sql::new("SELECT entity_id, seq, action, before_json FROM events WHERE at > ");
    s.bind(t).push(" AND entity = ").bind(entity);
    if let Some(p) = action_prefix {
        s.push(" AND action LIKE ")
            .bind(format!("{}%", crate::sql::like_escape(p)))
            .push(" ESCAPE '\\'");
    }
    s.push(" ORDER BY seq");
    s.fetch_all(conn).await
}

/// A stage a project entered, as recorded in its history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryFact {
    /// the history row's id
    pub recorded_seq: i64,
    pub project_id: i64,
    pub stage: String,
    pub effective_date: String,
    pub amount_yuan: Option<i64>,
    pub investment_yuan: i64,
    pub reporting_unit_id: i64,
    pub reported_by: i64,
    /// the project's lead now (the caller corrects it for merges after `t`)
    pub lead_id: Option<i64>,
    pub industry_code: Option<String>,
    /// the lead's reporter, unit and tags now
    pub lead_user: Option<i64>,
    pub lead_unit: Option<i64>,
    pub lead_tags: Option<String>,
    pub lead_industry: Option<String>,
}

/// Stages `stages` entered with an effective date in the range, known at `t` and not voided
/// by then.
pub async fn history_facts(
    conn: &mut Conn,
    start: &str,
    end: &str,
    t: Moment,
    stages: &[&str],
) -> Result<Vec<HistoryFact>> {
    // standing rows through the partial as-of index, rows voided after `t` through their own
    let mut out = Vec::new();
    for voided in [false, true] {
        let mut s = Sql::new(HISTORY_FACT_SELECT);
        history_window(&mut s, voided, start, end, t, stages);
        out.extend(s.fetch_all::<HistoryFact>(conn).await?);
    }
    Ok(out)
}

const HISTORY_FACT_SELECT: &str =
    "SELECT h.id AS recorded_seq, h.project_id, h.stage, h.effective_date, h.amount_yuan, h.investment_yuan, \
     h.reporting_unit_id, h.reported_by, p.lead_id, p.industry_code, l.reported_by AS lead_user, \
     l.reporting_unit_id AS lead_unit, l.investor_tags AS lead_tags, l.industry_code AS lead_industry FROM stage_history h \
     JOIN projects p ON p.id = h.project_id LEFT JOIN leads l ON l.id = p.lead_id WHERE ";

/// History rows entered with an effective date in the range, known at `t` and standing then:
/// the standing ones (`voided` false) or those voided after `t`.
fn history_window(s: &mut Sql, voided: bool, start: &str, end: &str, t: Moment, stages: &[&str]) {
    if voided {
        s.push("h.voided = 1 AND h.voided_at > ").bind(t);
    } else {
        s.push("h.voided = 0");
    }
    s.push(" AND h.effective_date >= ").bind(start);
    s.push(" AND h.effective_date <= ").bind(end);
    s.push(" AND h.recorded_at <= ").bind(t);
    s.push(" AND h.stage IN (");
    s.bind_list(stages.iter().copied());
    s.push(")");
}

/// Stages entered in a range, summed by whom their credit goes to when a project's credit
/// is its lead's as stored now (or, without a lead, its own reporter's): the stage, the
/// lead's unit, reporter and tags, and the industry division (the project's, else the
/// lead's) if it is one of `weighed_divisions` (else None), as each entry carries them
/// (`credit_*`, kept in step by triggers). The caller corrects the projects whose leads
/// were merged or changed.
#[derive(Debug, Clone, Deserialize)]
pub struct HistorySum {
    pub stage: String,
    pub unit_id: i64,
    pub user_id: i64,
    pub tags: String,
    pub division: Option<String>,
    pub n: i64,
    /// the signing amount (else the investment), summed
    pub amount: i64,
    /// how many of them reach 1亿 by that amount
    pub big: i64,
    pub investment: i64,
}

pub async fn history_sums(
    conn: &mut Conn,
    start: &str,
    end: &str,
    t: Moment,
    stages: &[&str],
    weighed_divisions: &[String],
) -> Result<Vec<HistorySum>> {
    let mut out = Vec::new();
    for voided in [false, true] {
        // the credit each entry carries (migration 0020), from the covering index; of the
        // division only whether it is one the scheme weighs (the others alike), which
        // halves the groups
        let mut s = Sql::new(
            "SELECT h.stage, h.credit_unit AS unit_id, h.credit_user AS user_id, h.credit_tags AS tags, ",
        );
        weighed_division(&mut s, "h.credit_division", weighed_divisions);
        s.push(
            " AS division, COUNT(*) AS n, \
             CAST(SUM(COALESCE(h.amount_yuan, h.investment_yuan)) AS BIGINT) AS amount, \
             CAST(SUM(CASE WHEN COALESCE(h.amount_yuan, h.investment_yuan) >= 100000000 THEN 1 ELSE 0 END) AS BIGINT) AS big, \
             CAST(SUM(h.investment_yuan) AS BIGINT) AS investment \
             FROM stage_history h WHERE ",
        );
        history_window(&mut s, voided, start, end, t, stages);
        // by position: the division's expression holds parameters
        // by position: the division's expression holds parameters; the user first, on
        // which nearly every comparison of the sort is decided
        s.push(" GROUP BY 3, 2, 1, 4, 5");
        out.extend(
            s.fetch_packed::<HistorySum>(conn, HISTORY_SUM_COLUMNS)
                .await?,
        );
    }
    Ok(out)
}

const HISTORY_SUM_COLUMNS: &[&str] = &[
    "stage",
    "unit_id",
    "user_id",
    "tags",
    "division",
    "n",
    "amount",
    "big",
    "investment",
];

/// The industry division `column` if it is one of `divisions` (those the scheme weighs),
/// else NULL: the only thing about a division the weights look at, so that rows of the
/// other divisions are grouped together.
fn weighed_division(s: &mut Sql, column: &str, divisions: &[String]) {
    if divisions.is_empty() {
        s.push("CAST(NULL AS TEXT)");
    } else {
        s.push(&format!("CASE WHEN {column} IN ("));
        s.bind_list(divisions.iter().cloned());
        s.push(&format!(") THEN {column} END"));
    }
}

/// How many stage entries carry a credit (`credit_*`) other than their project's lead's
/// as it stands: 0 unless the triggers of migration 0020 missed a change.
pub async fn credit_out_of_step(conn: &mut Conn) -> Result<i64> {
    Sql::new(
        "SELECT COUNT(*) FROM stage_history h JOIN projects p ON p.id = h.project_id \
         LEFT JOIN leads l ON l.id = p.lead_id WHERE \
         h.credit_unit IS DISTINCT FROM COALESCE(l.reporting_unit_id, h.reporting_unit_id) \
         OR h.credit_user IS DISTINCT FROM COALESCE(l.reported_by, h.reported_by) \
         OR h.credit_tags IS DISTINCT FROM COALESCE(l.investor_tags, '') \
         OR h.credit_division IS DISTINCT FROM SUBSTR(COALESCE(p.industry_code, l.industry_code), 1, 2)",
    )
    .fetch_i64(conn)
    .await
}

/// The rows of `history_facts` for projects in `projects` or whose lead is in `leads`.
pub async fn history_facts_of(
    conn: &mut Conn,
    start: &str,
    end: &str,
    t: Moment,
    stages: &[&str],
    (projects, leads): (&[i64], &[i64]),
) -> Result<Vec<HistoryFact>> {
    let mut out = Vec::new();
    for (column, ids) in [("p.id", projects), ("p.lead_id", leads)] {
        for chunk in ids.chunks(500) {
            for voided in [false, true] {
                let mut s = Sql::new(HISTORY_FACT_SELECT);
                history_window(&mut s, voided, start, end, t, stages);
                s.push(&format!(" AND {column} IN ("));
                s.bind_list(chunk.iter().copied());
                s.push(")");
                out.extend(s.fetch_all::<HistoryFact>(conn).await?);
            }
        }
    }
    // a project both in `projects` and led by one of `leads` is read twice: keep it once
    out.sort_by(|a, b| {
        (a.project_id, &a.stage, &a.effective_date, a.recorded_seq).cmp(&(
            b.project_id,
            &b.stage,
            &b.effective_date,
            b.recorded_seq,
        ))
    });
    out.dedup_by(|a, b| a.recorded_seq == b.recorded_seq);
    Ok(out)
}

/// A project's monthly realised figures, with the project's attribution.
/// Also read from the `before` of a project's `monthly:` events (a snapshot without
/// `recorded_at`).
#[derive(Debug, Clone, Deserialize)]
pub struct MonthlyFact {
    pub project_id: i64,
    pub month: String,
    pub capital_arrived_yuan: Option<i64>,
    pub fixed_asset_yuan: Option<i64>,
    #[serde(default)]
    pub foreign_capital_usd: Option<i64>,
    /// when the row was written (absent in a snapshot)
    #[serde(default)]
    pub recorded_at: Option<Moment>,
}

impl FromRow<'_, AnyRow> for MonthlyFact {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(MonthlyFact {
            project_id: r.try_get("project_id")?,
            month: r.try_get("month")?,
            capital_arrived_yuan: r.try_get("capital_arrived_yuan")?,
            fixed_asset_yuan: r.try_get("fixed_asset_yuan")?,
            foreign_capital_usd: r.try_get("foreign_capital_usd")?,
            recorded_at: Some(decode::moment(r, "recorded_at")?),
        })
    }
}

/// Monthly figures for months `[from, to]` (`YYYY-MM`) as stored now.
pub async fn monthly_facts(conn: &mut Conn, from: &str, to: &str) -> Result<Vec<MonthlyFact>> {
    let mut s = Sql::new(
        "SELECT project_id, month, capital_arrived_yuan, fixed_asset_yuan, foreign_capital_usd, recorded_at \
         FROM project_monthly WHERE month >= ",
    );
    s.bind(from).push(" AND month <= ").bind(to);
    s.push(" ORDER BY project_id, month");
    s.fetch_all(conn).await
}

/// Attribution of projects: (id, lead now, reporting unit, reporter, industry).
#[derive(Debug, Clone)]
pub struct ProjectFact {
    pub id: i64,
    pub lead_id: Option<i64>,
    pub reporting_unit_id: i64,
    pub reported_by: i64,
    pub industry_code: Option<String>,
    pub created_at: Moment,
    pub lead_user: Option<i64>,
    pub lead_unit: Option<i64>,
    pub lead_tags: Option<String>,
}

impl FromRow<'_, AnyRow> for ProjectFact {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(ProjectFact {
            id: r.try_get("id")?,
            lead_id: r.try_get("lead_id")?,
            reporting_unit_id: r.try_get("reporting_unit_id")?,
            reported_by: r.try_get("reported_by")?,
            industry_code: r.try_get("industry_code")?,
            created_at: decode::moment(r, "created_at")?,
            lead_user: r.try_get("lead_user")?,
            lead_unit: r.try_get("lead_unit")?,
            lead_tags: r.try_get("lead_tags")?,
        })
    }
}

pub async fn project_facts(conn: &mut Conn, ids: &[i64]) -> Result<Vec<ProjectFact>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut s = Sql::new(
            "SELECT p.id, p.lead_id, p.reporting_unit_id, p.reported_by, p.industry_code, p.created_at, \
             l.reported_by AS lead_user, l.reporting_unit_id AS lead_unit, l.investor_tags AS lead_tags \
             FROM projects p LEFT JOIN leads l ON l.id = p.lead_id WHERE p.id IN (",
        );
        s.bind_list(chunk.iter().copied());
        s.push(")");
        out.extend(s.fetch_all::<ProjectFact>(conn).await?);
    }
    Ok(out)
}

/// Department parts first answered in the range, known at `t`: (department, answered, on time).
pub async fn request_facts(
    conn: &mut Conn,
    start: &str,
    end: &str,
    t: Moment,
) -> Result<Vec<(i64, i64, i64)>> {
    let mut s = Sql::new(
        "SELECT department_id, COUNT(*), CAST(SUM(CASE WHEN first_answered_on <= first_due_date THEN 1 ELSE 0 END) AS BIGINT) \
         FROM request_tasks WHERE first_answered_on >= ",
    );
    s.bind(start).push(" AND first_answered_on <= ").bind(end);
    s.push(" AND first_answered_at <= ")
        .bind(t)
        .push(" GROUP BY department_id");
    s.fetch_all(conn).await
}

/// Activities in the range known and standing at `t`, by kind and unit: (kind, unit, n).
pub async fn activity_unit_counts(
    conn: &mut Conn,
    start: &str,
    end: &str,
    t: Moment,
) -> Result<Vec<(String, i64, i64)>> {
    let mut s = Sql::new("SELECT a.kind, a.unit_id, COUNT(*) FROM activities a WHERE ");
    activity_window(&mut s, start, end, t);
    s.push(" GROUP BY a.kind, a.unit_id");
    s.fetch_all(conn).await
}

/// The same, by person who went: (kind, user, n).
pub async fn activity_person_counts(
    conn: &mut Conn,
    start: &str,
    end: &str,
    t: Moment,
) -> Result<Vec<(String, i64, i64)>> {
    let mut s = Sql::new(
        "SELECT a.kind, ap.user_id, COUNT(*) FROM activities a JOIN activity_people ap ON ap.activity_id = a.id WHERE ",
    );
    activity_window(&mut s, start, end, t);
    s.push(" GROUP BY a.kind, ap.user_id");
    s.fetch_all(conn).await
}

fn activity_window(s: &mut Sql, start: &str, end: &str, t: Moment) {
    s.push("a.activity_date >= ")
        .bind(start)
        .push(" AND a.activity_date <= ")
        .bind(end);
    s.push(" AND a.created_at <= ")
        .bind(t)
        .push(" AND (a.voided_at IS NULL OR a.voided_at > ")
        .bind(t)
        .push(")");
}

/// Units and people that existed at `t`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub kind: String,
    pub path: String,
}

pub async fn units_at(conn: &mut Conn, t: Moment) -> Result<Vec<UnitRow>> {
    let mut s = Sql::new("SELECT id, parent_id, name, kind, path FROM units WHERE created_at <= ");
    s.bind(t).push(" ORDER BY path");
    s.fetch_all(conn).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub display_name: String,
    pub role: String,
    pub unit_id: i64,
}

pub async fn people_at(conn: &mut Conn, t: Moment) -> Result<Vec<PersonRow>> {
    let mut s = Sql::new("SELECT id, display_name, role, unit_id FROM users WHERE created_at <= ");
    s.bind(t).push(" ORDER BY id");
    s.fetch_all(conn).await
}

/// Signed and started investment by month of the effective date, known now: (month, stage,
/// count, yuan), for the cockpit's trend.
pub async fn monthly_trend(
    conn: &mut Conn,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, i64, i64)>> {
    let mut s = Sql::new(
        "SELECT SUBSTR(h.effective_date, 1, 7), h.stage, COUNT(*), CAST(COALESCE(SUM(h.investment_yuan), 0) AS BIGINT) \
         FROM stage_history h WHERE h.voided = 0 AND h.stage IN ('signed', 'started') AND h.effective_date >= ",
    );
    s.bind(from).push(" AND h.effective_date <= ").bind(to);
    s.push(" GROUP BY SUBSTR(h.effective_date, 1, 7), h.stage ORDER BY 1, 2");
    s.fetch_all(conn).await
}

/// Where leads and projects come from: (province code (2 digits), leads, projects).
pub async fn origins(conn: &mut Conn, scope: &Scope) -> Result<Vec<(String, i64, i64)>> {
    let mut s = Sql::new(
        "SELECT SUBSTR(l.region_code, 1, 2) AS p, COUNT(*), CAST(SUM(CASE WHEN l.project_id IS NULL THEN 0 ELSE 1 END) AS BIGINT) \
         FROM leads l WHERE l.region_code IS NOT NULL AND l.merged_into IS NULL",
    );
    scope.restrict(&mut s, "l", false);
    s.push(" GROUP BY SUBSTR(l.region_code, 1, 2) ORDER BY 1");
    s.fetch_all(conn).await
}

/// How many versions each target of a year has had: (metric, unit, user, versions).
pub async fn target_versions(
    conn: &mut Conn,
    year: i64,
) -> Result<Vec<(String, Option<i64>, Option<i64>, i64)>> {
    let mut s =
        Sql::new("SELECT metric, unit_id, user_id, COUNT(*) FROM assessment_targets WHERE year = ");
    s.bind(year).push(" GROUP BY metric, unit_id, user_id");
    s.fetch_all(conn).await
}

/// One line of 项目推进清单.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ProgressRow {
    pub id: i64,
    pub name: String,
    pub company_name: String,
    pub stage: String,
    pub stage_date: String,
    pub park_name: Option<String>,
    pub unit_name: String,
    pub responsible_name: Option<String>,
    pub leader_name: Option<String>,
    pub investment_yuan: i64,
    /// the earliest planned date of a node not yet reached
    pub next_planned: Option<String>,
}

/// Projects not dropped, in scope, by stage and date (at most `limit`).
pub async fn progress_rows(conn: &mut Conn, scope: &Scope, limit: i64) -> Result<Vec<ProgressRow>> {
    let mut s = Sql::new(
        "SELECT p.id, p.name, p.company_name, p.stage, p.stage_date, pk.name AS park_name, un.name AS unit_name, \
         ru.display_name AS responsible_name, rl.display_name AS leader_name, \
         COALESCE(p.contracted_investment_yuan, p.planned_investment_yuan) AS investment_yuan, \
         (SELECT MIN(m.planned_date) FROM milestones m WHERE m.project_id = p.id AND m.actual_date IS NULL) AS next_planned \
         FROM projects p JOIN units un ON un.id = p.reporting_unit_id LEFT JOIN units pk ON pk.id = p.park_id \
         LEFT JOIN users ru ON ru.id = p.responsible_user_id LEFT JOIN users rl ON rl.id = p.responsible_leader_id \
         WHERE p.stage <> 'dropped' AND p.merged_into IS NULL",
    );
    scope.restrict(&mut s, "p", true);
    s.push(" ORDER BY p.stage_date DESC, p.id DESC LIMIT ")
        .bind(limit);
    s.fetch_all(conn).await
}

/// The city's parks on the map: (id, name, lng, lat, projects, investment).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ParkPoint {
    pub id: i64,
    pub name: String,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub projects: i64,
    pub investment_yuan: i64,
}

pub async fn park_points(conn: &mut Conn) -> Result<Vec<ParkPoint>> {
    Sql::new(
        "SELECT u.id, u.name, pp.lng, pp.lat, \
         (SELECT COUNT(*) FROM projects p WHERE p.park_id = u.id AND p.stage <> 'dropped' AND p.merged_into IS NULL) AS projects, \
         CAST(COALESCE((SELECT SUM(COALESCE(p.contracted_investment_yuan, p.planned_investment_yuan)) FROM projects p \
         WHERE p.park_id = u.id AND p.stage <> 'dropped' AND p.merged_into IS NULL), 0) AS BIGINT) AS investment_yuan \
         FROM units u LEFT JOIN park_profiles pp ON pp.park_id = u.id WHERE u.kind = 'park' ORDER BY u.id",
    )
    .fetch_all(conn)
    .await
}
