//! Projects (项目) and their stage history.

use crate::decode;
use crate::sql::{like_escape, now, Sql};
use crate::{Conn, Result, Scope};
use chrono::NaiveDate;
use fenglai_domain::milestone::ProjectType;
use fenglai_domain::stage::HistoryKind;
use fenglai_domain::{CreditCode, Moment, Stage, Yuan};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

/// A project as stored, in domain types. It serializes (serde's forms of the domain
/// types: a stage's code, a day's `YYYY-MM-DD`, yuan as an integer) into the audit log's
/// before/after snapshots; what the API returns is the web layer's own type.
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub lead_id: Option<i64>,
    pub company_name: String,
    pub uscc: Option<CreditCode>,
    pub industry_code: Option<String>,
    pub industry_name: Option<String>,
    pub park_id: Option<i64>,
    pub park_name: Option<String>,
    pub reporting_unit_id: i64,
    pub reporting_unit_name: String,
    pub reported_by: i64,
    pub responsible_user_id: Option<i64>,
    pub responsible_user_name: Option<String>,
    pub responsible_leader_id: Option<i64>,
    pub responsible_leader_name: Option<String>,
    pub planned_investment_yuan: Yuan,
    pub contracted_investment_yuan: Option<Yuan>,
    pub foreign_capital_usd: Option<i64>,
    pub land_mu: Option<f64>,
    pub stage: Stage,
    /// The date the current stage took effect.
    pub stage_date: NaiveDate,
    pub before_drop_stage: Option<Stage>,
    pub drop_reason: Option<String>,
    /// industrial, services, agriculture: decides the milestone template
    pub project_type: Option<ProjectType>,
    /// the target production date the milestones were scheduled back from
    pub target_production_date: Option<NaiveDate>,
    /// the date it became an above-designated-size enterprise (上规)
    pub above_scale_date: Option<NaiveDate>,
    /// the project this one was merged into (two reports of one company, both admitted):
    /// kept for its history, counted nowhere
    pub merged_into: Option<i64>,
    pub created_at: Moment,
    pub updated_at: Moment,
    /// bumped by every write; an edit that names an older one is refused (409)
    pub version: i64,
}

impl<'r> FromRow<'r, AnyRow> for Project {
    fn from_row(r: &'r AnyRow) -> sqlx::Result<Project> {
        Ok(Project {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            lead_id: r.try_get("lead_id")?,
            company_name: r.try_get("company_name")?,
            uscc: decode::uscc_opt(r, "uscc")?,
            industry_code: r.try_get("industry_code")?,
            industry_name: r.try_get("industry_name")?,
            park_id: r.try_get("park_id")?,
            park_name: r.try_get("park_name")?,
            reporting_unit_id: r.try_get("reporting_unit_id")?,
            reporting_unit_name: r.try_get("reporting_unit_name")?,
            reported_by: r.try_get("reported_by")?,
            responsible_user_id: r.try_get("responsible_user_id")?,
            responsible_user_name: r.try_get("responsible_user_name")?,
            responsible_leader_id: r.try_get("responsible_leader_id")?,
            responsible_leader_name: r.try_get("responsible_leader_name")?,
            planned_investment_yuan: decode::yuan(r, "planned_investment_yuan")?,
            contracted_investment_yuan: decode::yuan_opt(r, "contracted_investment_yuan")?,
            foreign_capital_usd: r.try_get("foreign_capital_usd")?,
            land_mu: r.try_get("land_mu")?,
            stage: decode::stage(r, "stage")?,
            stage_date: decode::day(r, "stage_date")?,
            before_drop_stage: decode::stage_opt(r, "before_drop_stage")?,
            drop_reason: r.try_get("drop_reason")?,
            project_type: decode::project_type_opt(r, "project_type")?,
            target_production_date: decode::day_opt(r, "target_production_date")?,
            above_scale_date: decode::day_opt(r, "above_scale_date")?,
            merged_into: r.try_get("merged_into")?,
            created_at: decode::moment(r, "created_at")?,
            updated_at: decode::moment(r, "updated_at")?,
            version: r.try_get("version")?,
        })
    }
}

const SELECT: &str = "SELECT p.id, p.name, p.lead_id, p.company_name, p.uscc, p.industry_code, \
    i.name AS industry_name, p.park_id, pk.name AS park_name, p.reporting_unit_id, \
    un.name AS reporting_unit_name, p.reported_by, p.responsible_user_id, ru.display_name AS responsible_user_name, \
    p.responsible_leader_id, rl.display_name AS responsible_leader_name, p.planned_investment_yuan, \
    p.contracted_investment_yuan, p.foreign_capital_usd, p.land_mu, p.stage, p.stage_date, \
    p.before_drop_stage, p.drop_reason, p.project_type, p.target_production_date, \
    p.above_scale_date, p.merged_into, p.created_at, p.updated_at, p.version \
    FROM projects p \
    JOIN units un ON un.id = p.reporting_unit_id \
    LEFT JOIN units pk ON pk.id = p.park_id \
    LEFT JOIN users ru ON ru.id = p.responsible_user_id \
    LEFT JOIN users rl ON rl.id = p.responsible_leader_id \
    LEFT JOIN industries i ON i.code = p.industry_code";

#[derive(Debug, Clone, Default)]
pub struct NewProject {
    pub name: String,
    pub lead_id: Option<i64>,
    pub company_name: String,
    pub uscc: Option<CreditCode>,
    pub industry_code: Option<String>,
    pub industry_section: Option<String>,
    pub park_id: Option<i64>,
    pub reporting_unit_id: i64,
    pub reported_by: i64,
    pub responsible_user_id: Option<i64>,
    pub responsible_leader_id: Option<i64>,
    pub planned_investment_yuan: Yuan,
    pub foreign_capital_usd: Option<i64>,
    pub land_mu: Option<f64>,
    pub stage_date: NaiveDate,
}

pub async fn insert(conn: &mut Conn, p: &NewProject) -> Result<i64> {
    let t = now();
    let mut s = Sql::new(
        "INSERT INTO projects (name, lead_id, company_name, uscc, industry_code, industry_section, park_id, \
         reporting_unit_id, reported_by, responsible_user_id, responsible_leader_id, planned_investment_yuan, \
         foreign_capital_usd, land_mu, stage, stage_date, created_at, updated_at) VALUES (",
    );
    s.bind(p.name.clone())
        .push(", ")
        .bind(p.lead_id)
        .push(", ")
        .bind(p.company_name.clone());
    s.push(", ")
        .bind(p.uscc.clone())
        .push(", ")
        .bind(p.industry_code.clone())
        .push(", ");
    s.bind(p.industry_section.clone())
        .push(", ")
        .bind(p.park_id)
        .push(", ");
    s.bind(p.reporting_unit_id)
        .push(", ")
        .bind(p.reported_by)
        .push(", ");
    s.bind(p.responsible_user_id)
        .push(", ")
        .bind(p.responsible_leader_id)
        .push(", ");
    s.bind(p.planned_investment_yuan)
        .push(", ")
        .bind(p.foreign_capital_usd)
        .push(", ");
    s.bind(p.land_mu)
        .push(", 'negotiating', ")
        .bind(p.stage_date)
        .push(", ");
    s.bind(t.clone()).push(", ").bind(t).push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn get(conn: &mut Conn, id: i64, scope: &Scope) -> Result<Option<Project>> {
    let mut s = Sql::new(SELECT);
    s.push(" WHERE p.id = ").bind(id);
    scope.restrict(&mut s, "p", true);
    s.fetch_optional(conn).await
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub stage: Option<Stage>,
    pub park_id: Option<i64>,
    pub q: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

fn where_clause(s: &mut Sql, f: &Filter, scope: &Scope) {
    s.push(" WHERE p.merged_into IS NULL");
    scope.restrict(s, "p", true);
    if let Some(st) = &f.stage {
        s.push(" AND p.stage = ").bind(*st);
    }
    if let Some(pk) = f.park_id {
        s.push(" AND p.park_id = ").bind(pk);
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pat = format!("%{}%", like_escape(q));
        s.push(" AND (p.name LIKE ")
            .bind(pat.clone())
            .push(" ESCAPE '\\' OR p.company_name LIKE ");
        s.bind(pat).push(" ESCAPE '\\')");
    }
}

pub async fn list(conn: &mut Conn, f: &Filter, scope: &Scope) -> Result<(Vec<Project>, i64)> {
    let mut c = Sql::new("SELECT COUNT(*) FROM projects p");
    where_clause(&mut c, f, scope);
    let total = c.fetch_i64(conn).await?;
    let mut s = Sql::new(SELECT);
    s.push(" WHERE p.id IN (SELECT p.id FROM projects p");
    where_clause(&mut s, f, scope);
    s.push(" ORDER BY p.stage_date DESC, p.id DESC LIMIT ")
        .bind(f.limit);
    s.push(" OFFSET ")
        .bind(f.offset)
        .push(") ORDER BY p.stage_date DESC, p.id DESC");
    Ok((s.fetch_all(conn).await?, total))
}

/// One interval of a project's stage history, in domain types (serialized, like
/// [`Project`], for the audit log).
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub project_id: i64,
    pub stage: Stage,
    /// admit, advance, drop, correction
    pub kind: HistoryKind,
    pub effective_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub amount_yuan: Option<Yuan>,
    pub investment_yuan: Yuan,
    pub reason: Option<String>,
    pub recorded_by: i64,
    pub recorded_by_name: String,
    pub recorded_at: Moment,
    pub voided: bool,
    pub voided_reason: Option<String>,
}

impl<'r> FromRow<'r, AnyRow> for HistoryEntry {
    fn from_row(r: &'r AnyRow) -> sqlx::Result<HistoryEntry> {
        Ok(HistoryEntry {
            id: r.try_get("id")?,
            project_id: r.try_get("project_id")?,
            stage: decode::stage(r, "stage")?,
            kind: decode::history_kind(r, "kind")?,
            effective_date: decode::day(r, "effective_date")?,
            end_date: decode::day_opt(r, "end_date")?,
            amount_yuan: decode::yuan_opt(r, "amount_yuan")?,
            investment_yuan: decode::yuan(r, "investment_yuan")?,
            reason: r.try_get("reason")?,
            recorded_by: r.try_get("recorded_by")?,
            recorded_by_name: r.try_get("recorded_by_name")?,
            recorded_at: decode::moment(r, "recorded_at")?,
            voided: decode::flag(r, "voided")?,
            voided_reason: r.try_get("voided_reason")?,
        })
    }
}

pub async fn history(conn: &mut Conn, project_id: i64) -> Result<Vec<HistoryEntry>> {
    let mut s = Sql::new(
        "SELECT h.id, h.project_id, h.stage, h.kind, h.effective_date, h.end_date, h.amount_yuan, \
         h.investment_yuan, h.reason, h.recorded_by, u.display_name AS recorded_by_name, h.recorded_at, \
         h.voided, h.voided_reason FROM stage_history h JOIN users u ON u.id = h.recorded_by \
         WHERE h.project_id = ",
    );
    s.bind(project_id).push(" ORDER BY h.id");
    s.fetch_all(conn).await
}

pub struct NewHistory<'a> {
    pub project: &'a Project,
    pub stage: Stage,
    pub kind: HistoryKind,
    pub effective_date: NaiveDate,
    pub amount_yuan: Option<Yuan>,
    pub investment_yuan: Yuan,
    pub reason: Option<&'a str>,
    pub recorded_by: i64,
}

/// Closes the current interval at `effective_date` and opens a new one.
pub async fn append_history(conn: &mut Conn, h: &NewHistory<'_>) -> Result<i64> {
    let mut close = Sql::new("UPDATE stage_history SET end_date = ");
    close
        .bind(h.effective_date)
        .push(" WHERE project_id = ")
        .bind(h.project.id);
    close.push(" AND voided = 0 AND end_date IS NULL");
    close.execute(conn).await?;
    let mut s = Sql::new(
        "INSERT INTO stage_history (project_id, stage, kind, effective_date, end_date, amount_yuan, \
         investment_yuan, reason, park_id, reporting_unit_id, reported_by, recorded_by, recorded_at, voided) VALUES (",
    );
    s.bind(h.project.id)
        .push(", ")
        .bind(h.stage)
        .push(", ")
        .bind(h.kind)
        .push(", ");
    s.bind(h.effective_date)
        .push(", NULL, ")
        .bind(h.amount_yuan)
        .push(", ");
    s.bind(h.investment_yuan)
        .push(", ")
        .bind(h.reason)
        .push(", ")
        .bind(h.project.park_id);
    s.push(", ")
        .bind(h.project.reporting_unit_id)
        .push(", ")
        .bind(h.project.reported_by);
    s.push(", ")
        .bind(h.recorded_by)
        .push(", ")
        .bind(now())
        .push(", 0) RETURNING id");
    s.fetch_i64(conn).await
}

/// Voids the live entries after `keep_id` and reopens `keep_id`'s interval.
pub async fn void_after(
    conn: &mut Conn,
    project_id: i64,
    keep_id: i64,
    reason: &str,
) -> Result<u64> {
    let mut s = Sql::new("UPDATE stage_history SET voided = 1, voided_reason = ");
    s.bind(reason)
        .push(", voided_at = ")
        .bind(now())
        .push(" WHERE project_id = ")
        .bind(project_id);
    s.push(" AND voided = 0 AND id > ").bind(keep_id);
    let n = s.execute(conn).await?;
    let mut r = Sql::new("UPDATE stage_history SET end_date = NULL WHERE id = ");
    r.bind(keep_id);
    r.execute(conn).await?;
    Ok(n)
}

/// Writes the current-stage columns of a project.
pub async fn set_stage(
    conn: &mut Conn,
    id: i64,
    stage: Stage,
    stage_date: NaiveDate,
    contracted: Option<Yuan>,
    before_drop: Option<Stage>,
    drop_reason: Option<&str>,
) -> Result<()> {
    let mut s = Sql::new("UPDATE projects SET stage = ");
    s.bind(stage).push(", stage_date = ").bind(stage_date);
    s.push(", contracted_investment_yuan = ").bind(contracted);
    s.push(", before_drop_stage = ")
        .bind(before_drop)
        .push(", drop_reason = ")
        .bind(drop_reason);
    s.push(", updated_at = ")
        .bind(now())
        .push(" WHERE id = ")
        .bind(id);
    s.execute(conn).await.map(|_| ())
}

pub struct ProjectEdit {
    pub name: String,
    pub park_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    pub responsible_leader_id: Option<i64>,
    pub planned_investment_yuan: Yuan,
    pub foreign_capital_usd: Option<i64>,
    pub land_mu: Option<f64>,
}

/// Edits the project's own fields, and keeps the copies in its live history in step.
pub async fn update(conn: &mut Conn, id: i64, e: &ProjectEdit) -> Result<()> {
    let mut s = Sql::new("UPDATE projects SET name = ");
    s.bind(e.name.clone()).push(", park_id = ").bind(e.park_id);
    s.push(", responsible_user_id = ")
        .bind(e.responsible_user_id);
    s.push(", responsible_leader_id = ")
        .bind(e.responsible_leader_id);
    s.push(", planned_investment_yuan = ")
        .bind(e.planned_investment_yuan);
    s.push(", foreign_capital_usd = ")
        .bind(e.foreign_capital_usd);
    s.push(", land_mu = ")
        .bind(e.land_mu)
        .push(", updated_at = ")
        .bind(now());
    s.push(", version = version + 1 WHERE id = ").bind(id);
    s.execute(conn).await?;
    let mut h = Sql::new("UPDATE stage_history SET park_id = ");
    h.bind(e.park_id).push(" WHERE project_id = ").bind(id);
    h.execute(conn).await?;
    let mut n = Sql::new("UPDATE stage_history SET investment_yuan = ");
    n.bind(e.planned_investment_yuan)
        .push(" WHERE stage = 'negotiating' AND project_id = ")
        .bind(id);
    n.execute(conn).await?;
    Ok(())
}

/// Parks (units of kind park) for pickers.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

pub async fn parks(conn: &mut Conn) -> Result<Vec<Choice>> {
    Sql::new("SELECT id, name FROM units WHERE kind = 'park' AND active = 1 ORDER BY path")
        .fetch_all(conn)
        .await
}
