//! Bulk loading of generated leads, projects and stage histories (for the demo and
//! for benchmark datasets): multi-row INSERTs with explicit ids, in batches.

use crate::sql::Sql;
use crate::{Backend, Conn, Db, Result};

/// A lead row as the generator makes it.
#[derive(Debug, Clone)]
pub struct LeadRow {
    pub id: i64,
    pub company_name: String,
    pub name_norm: String,
    pub name_grams: String,
    pub uscc: Option<String>,
    pub industry_code: String,
    pub industry_section: String,
    pub region_code: Option<String>,
    pub planned_investment_yuan: i64,
    pub land_mu: f64,
    pub expected_jobs: i64,
    pub channel: String,
    pub reported_by: i64,
    pub reporting_unit_id: i64,
    pub reported_date: String,
    pub status: String,
    pub project_id: Option<i64>,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct ProjectRow {
    pub id: i64,
    pub name: String,
    pub lead_id: i64,
    pub company_name: String,
    pub uscc: Option<String>,
    pub industry_code: String,
    pub industry_section: String,
    pub park_id: Option<i64>,
    pub reporting_unit_id: i64,
    pub reported_by: i64,
    pub responsible_user_id: i64,
    pub planned_investment_yuan: i64,
    pub contracted_investment_yuan: Option<i64>,
    pub land_mu: f64,
    pub stage: String,
    pub stage_date: String,
    pub before_drop_stage: Option<String>,
    pub drop_reason: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct HistoryRow {
    pub project_id: i64,
    pub stage: String,
    pub kind: String,
    pub effective_date: String,
    pub end_date: Option<String>,
    pub amount_yuan: Option<i64>,
    pub investment_yuan: i64,
    pub reason: Option<String>,
    pub park_id: Option<i64>,
    pub reporting_unit_id: i64,
    pub reported_by: i64,
    pub recorded_by: i64,
    /// the credit the entry is assessed under (migration 0020): its lead's unit,
    /// reporter, tags and industry division; left out (None), the database fills it
    /// from the project and lead
    #[serde(flatten)]
    pub credit: Option<Credit>,
}

/// A stage entry's credit as it is written with it (`stage_history.credit_*`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Credit {
    #[serde(rename = "credit_unit")]
    pub unit: i64,
    #[serde(rename = "credit_user")]
    pub user: i64,
    #[serde(rename = "credit_tags")]
    pub tags: String,
    #[serde(rename = "credit_division")]
    pub division: Option<String>,
}

/// The next free id of a table.
pub async fn next_id(conn: &mut Conn, table: &str) -> Result<i64> {
    Sql::new(&format!(
        "SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) FROM {table}"
    ))
    .fetch_i64(conn)
    .await
}

fn values<T>(s: &mut Sql, rows: &[T], mut one: impl FnMut(&mut Sql, &T)) {
    for (n, r) in rows.iter().enumerate() {
        s.push(if n == 0 { "(" } else { ", (" });
        one(s, r);
        s.push(")");
    }
}

pub async fn insert_leads(conn: &mut Conn, rows: &[LeadRow], now: &str) -> Result<()> {
    for chunk in rows.chunks(400) {
        let mut s = Sql::new(
            "INSERT INTO leads (id, company_name, name_norm, name_key, name_grams, uscc, industry_code, industry_section, \
             region_code, description, planned_investment_yuan, land_mu, expected_jobs, channel, reported_by, \
             reporting_unit_id, reported_date, status, project_id, created_at, updated_at) VALUES ",
        );
        values(&mut s, chunk, |s, r| {
            s.bind(r.id)
                .push(", ")
                .bind(r.company_name.clone())
                .push(", ");
            s.bind(r.name_norm.clone())
                .push(", ")
                .bind(crate::leads::name_key(&r.company_name))
                .push(", ")
                .bind(r.name_grams.clone())
                .push(", ");
            s.bind(r.uscc.clone())
                .push(", ")
                .bind(r.industry_code.clone())
                .push(", ");
            s.bind(r.industry_section.clone())
                .push(", ")
                .bind(r.region_code.clone())
                .push(", ");
            s.bind(r.description.clone())
                .push(", ")
                .bind(r.planned_investment_yuan)
                .push(", ");
            s.bind(Some(r.land_mu))
                .push(", ")
                .bind(r.expected_jobs)
                .push(", ");
            s.bind(r.channel.clone())
                .push(", ")
                .bind(r.reported_by)
                .push(", ");
            s.bind(r.reporting_unit_id)
                .push(", ")
                .bind(r.reported_date.clone())
                .push(", ");
            s.bind(r.status.clone())
                .push(", ")
                .bind(r.project_id)
                .push(", ");
            s.bind(now).push(", ").bind(now);
        });
        s.execute(conn).await?;
    }
    Ok(())
}

pub async fn insert_projects(conn: &mut Conn, rows: &[ProjectRow], now: &str) -> Result<()> {
    for chunk in rows.chunks(500) {
        let mut s = Sql::new(
            "INSERT INTO projects (id, name, lead_id, company_name, uscc, industry_code, industry_section, park_id, \
             reporting_unit_id, reported_by, responsible_user_id, planned_investment_yuan, contracted_investment_yuan, \
             land_mu, stage, stage_date, before_drop_stage, drop_reason, created_at, updated_at) VALUES ",
        );
        values(&mut s, chunk, |s, r| {
            s.bind(r.id)
                .push(", ")
                .bind(r.name.clone())
                .push(", ")
                .bind(r.lead_id)
                .push(", ");
            s.bind(r.company_name.clone())
                .push(", ")
                .bind(r.uscc.clone())
                .push(", ");
            s.bind(r.industry_code.clone())
                .push(", ")
                .bind(r.industry_section.clone())
                .push(", ");
            s.bind(r.park_id)
                .push(", ")
                .bind(r.reporting_unit_id)
                .push(", ")
                .bind(r.reported_by);
            s.push(", ")
                .bind(r.responsible_user_id)
                .push(", ")
                .bind(r.planned_investment_yuan);
            s.push(", ")
                .bind(r.contracted_investment_yuan)
                .push(", ")
                .bind(Some(r.land_mu));
            s.push(", ")
                .bind(r.stage.clone())
                .push(", ")
                .bind(r.stage_date.clone())
                .push(", ");
            s.bind(r.before_drop_stage.clone())
                .push(", ")
                .bind(r.drop_reason.clone())
                .push(", ");
            s.bind(now).push(", ").bind(now);
        });
        s.execute(conn).await?;
    }
    Ok(())
}

pub async fn insert_history(conn: &mut Conn, rows: &[HistoryRow], now: &str) -> Result<()> {
    for chunk in rows.chunks(800) {
        let mut s = Sql::new(
            "INSERT INTO stage_history (project_id, stage, kind, effective_date, end_date, amount_yuan, \
             investment_yuan, reason, park_id, reporting_unit_id, reported_by, recorded_by, recorded_at, voided) VALUES ",
        );
        values(&mut s, chunk, |s, r| {
            s.bind(r.project_id)
                .push(", ")
                .bind(r.stage.clone())
                .push(", ")
                .bind(r.kind.clone());
            s.push(", ")
                .bind(r.effective_date.clone())
                .push(", ")
                .bind(r.end_date.clone())
                .push(", ");
            s.bind(r.amount_yuan)
                .push(", ")
                .bind(r.investment_yuan)
                .push(", ");
            s.bind(r.reason.clone())
                .push(", ")
                .bind(r.park_id)
                .push(", ");
            s.bind(r.reporting_unit_id)
                .push(", ")
                .bind(r.reported_by)
                .push(", ");
            s.bind(r.recorded_by).push(", ").bind(now).push(", 0");
        });
        s.execute(conn).await?;
    }
    Ok(())
}

/// After loading with explicit ids: move PostgreSQL's identity sequences past them,
/// and refresh the planner's statistics on both.
pub async fn finish(db: &Db) -> Result<()> {
    let mut conn = db.acquire().await?;
    if db.backend == Backend::Postgres {
        for t in ["leads", "projects"] {
            Sql::new(&format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {t}))"
            ))
            .execute(&mut conn)
            .await?;
        }
        Sql::new("VACUUM ANALYZE").execute(&mut conn).await?;
    } else {
        Sql::new("ANALYZE").execute(&mut conn).await?;
    }
    Ok(())
}
