//! Leads (线索).

use crate::sql::{like_escape, now, Sql};
use crate::{Backend, Conn, Result, Scope};
use serde::Serialize;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Lead {
    pub id: i64,
    pub company_name: String,
    pub uscc: Option<String>,
    pub industry_code: Option<String>,
    pub industry_name: Option<String>,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub description: Option<String>,
    pub planned_investment_yuan: Option<i64>,
    pub land_mu: Option<f64>,
    pub expected_jobs: Option<i64>,
    pub channel: Option<String>,
    pub reported_by: i64,
    pub reporter_name: String,
    pub reporting_unit_id: i64,
    pub reporting_unit_name: String,
    /// `YYYY-MM-DD`
    pub reported_date: String,
    /// pending_review, in_review, admitted, rejected, merged
    pub status: String,
    pub project_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

const SELECT: &str =
    "SELECT l.id, l.company_name, l.uscc, l.industry_code, i.name AS industry_name, \
    l.region_code, r.full_name AS region_name, l.contact_name, l.contact_phone, l.description, \
    l.planned_investment_yuan, l.land_mu, l.expected_jobs, l.channel, l.reported_by, \
    us.display_name AS reporter_name, l.reporting_unit_id, un.name AS reporting_unit_name, \
    l.reported_date, l.status, l.project_id, l.created_at, l.updated_at \
    FROM leads l \
    JOIN users us ON us.id = l.reported_by \
    JOIN units un ON un.id = l.reporting_unit_id \
    LEFT JOIN industries i ON i.code = l.industry_code \
    LEFT JOIN regions r ON r.code = l.region_code";

#[derive(Debug, Clone, Default)]
pub struct NewLead {
    pub company_name: String,
    pub uscc: Option<String>,
    pub industry_code: Option<String>,
    pub industry_section: Option<String>,
    pub region_code: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub description: Option<String>,
    pub planned_investment_yuan: Option<i64>,
    pub land_mu: Option<f64>,
    pub expected_jobs: Option<i64>,
    pub channel: Option<String>,
    pub reported_by: i64,
    pub reporting_unit_id: i64,
    pub reported_date: String,
}

pub async fn insert(conn: &mut Conn, l: &NewLead) -> Result<i64> {
    let t = now();
    let mut s = Sql::new(
        "INSERT INTO leads (company_name, uscc, industry_code, industry_section, region_code, contact_name, \
         contact_phone, description, planned_investment_yuan, land_mu, expected_jobs, channel, reported_by, \
         reporting_unit_id, reported_date, status, created_at, updated_at) VALUES (",
    );
    s.bind(l.company_name.clone())
        .push(", ")
        .bind(l.uscc.clone())
        .push(", ");
    s.bind(l.industry_code.clone())
        .push(", ")
        .bind(l.industry_section.clone())
        .push(", ");
    s.bind(l.region_code.clone())
        .push(", ")
        .bind(l.contact_name.clone())
        .push(", ");
    s.bind(l.contact_phone.clone())
        .push(", ")
        .bind(l.description.clone())
        .push(", ");
    s.bind(l.planned_investment_yuan)
        .push(", ")
        .bind(l.land_mu)
        .push(", ");
    s.bind(l.expected_jobs)
        .push(", ")
        .bind(l.channel.clone())
        .push(", ");
    s.bind(l.reported_by)
        .push(", ")
        .bind(l.reporting_unit_id)
        .push(", ");
    s.bind(l.reported_date.clone())
        .push(", 'pending_review', ")
        .bind(t.clone());
    s.push(", ").bind(t).push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn get(conn: &mut Conn, id: i64, scope: &Scope) -> Result<Option<Lead>> {
    let mut s = Sql::new(SELECT);
    s.push(" WHERE l.id = ").bind(id);
    scope.restrict(&mut s, "l", false);
    s.fetch_optional(conn).await
}

pub async fn set_status(
    conn: &mut Conn,
    id: i64,
    status: &str,
    project_id: Option<i64>,
) -> Result<()> {
    let mut s = Sql::new("UPDATE leads SET status = ");
    s.bind(status).push(", project_id = ").bind(project_id);
    s.push(", updated_at = ")
        .bind(now())
        .push(" WHERE id = ")
        .bind(id);
    s.execute(conn).await.map(|_| ())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    ReportedDesc,
    ReportedAsc,
    InvestmentDesc,
    NameAsc,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        Some(match s {
            "" | "-reported_date" | "reported_desc" => Sort::ReportedDesc,
            "reported_date" | "reported_asc" => Sort::ReportedAsc,
            "-planned_investment" | "investment_desc" => Sort::InvestmentDesc,
            "company_name" | "name" => Sort::NameAsc,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::ReportedDesc => "-reported_date",
            Sort::ReportedAsc => "reported_date",
            Sort::InvestmentDesc => "-planned_investment",
            Sort::NameAsc => "company_name",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A fragment of the company name, or a whole 统一社会信用代码.
    pub q: Option<String>,
    pub status: Option<String>,
    /// A section letter or a code prefix.
    pub industry: Option<String>,
    /// Reporting unit and its subtree, as a path prefix.
    pub unit_path: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub sort: Sort,
    pub offset: i64,
    pub limit: i64,
}

fn where_clause(s: &mut Sql, backend: Backend, f: &Filter, scope: &Scope) {
    s.push(" WHERE 1 = 1");
    scope.restrict(s, "l", false);
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let upper = q.to_ascii_uppercase();
        if upper.len() == 18 && upper.bytes().all(|b| b.is_ascii_alphanumeric()) {
            s.push(" AND (l.uscc = ").bind(upper).push(" OR ");
        } else {
            s.push(" AND (");
        }
        match backend {
            Backend::Sqlite if q.chars().count() >= 3 => {
                // trigram FTS: the fragment as one quoted phrase
                let phrase = format!("\"{}\"", q.replace('"', "\"\""));
                s.push("l.id IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ");
                s.bind(phrase).push("))");
            }
            _ => {
                s.push("l.company_name LIKE ");
                s.bind(format!("%{}%", like_escape(q)))
                    .push(" ESCAPE '\\')");
            }
        }
    }
    if let Some(st) = &f.status {
        s.push(" AND l.status = ").bind(st.clone());
    }
    if let Some(ind) = &f.industry {
        if ind.len() == 1 {
            s.push(" AND l.industry_section = ").bind(ind.clone());
        } else {
            s.push(" AND l.industry_code LIKE ")
                .bind(format!("{}%", like_escape(ind)));
            s.push(" ESCAPE '\\'");
        }
    }
    if let Some(p) = &f.unit_path {
        s.push(" AND l.reporting_unit_id IN (SELECT id FROM units WHERE path LIKE ");
        s.bind(format!("{}%", like_escape(p))).push(" ESCAPE '\\')");
    }
    if let Some(d) = &f.from {
        s.push(" AND l.reported_date >= ").bind(d.clone());
    }
    if let Some(d) = &f.to {
        s.push(" AND l.reported_date <= ").bind(d.clone());
    }
}

/// One page of leads and the total that match.
pub async fn list(
    conn: &mut Conn,
    backend: Backend,
    f: &Filter,
    scope: &Scope,
) -> Result<(Vec<Lead>, i64)> {
    let mut count = Sql::new("SELECT COUNT(*) FROM leads l");
    where_clause(&mut count, backend, f, scope);
    let total = count.fetch_i64(conn).await?;
    // Page the ids on the leads table alone (index order), then join the names.
    let order = match f.sort {
        Sort::ReportedDesc => " ORDER BY l.reported_date DESC, l.id DESC",
        Sort::ReportedAsc => " ORDER BY l.reported_date ASC, l.id ASC",
        Sort::InvestmentDesc => " ORDER BY COALESCE(l.planned_investment_yuan, 0) DESC, l.id DESC",
        Sort::NameAsc => " ORDER BY l.company_name ASC, l.id ASC",
    };
    let mut full = Sql::new(SELECT);
    full.push(" WHERE l.id IN (SELECT l.id FROM leads l");
    where_clause(&mut full, backend, f, scope);
    full.push(order);
    full.push(" LIMIT ")
        .bind(f.limit)
        .push(" OFFSET ")
        .bind(f.offset)
        .push(")");
    full.push(order);
    let items = full.fetch_all(conn).await?;
    Ok((items, total))
}

/// Counts by reporting unit (for the dashboard), within scope.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct UnitCount {
    pub unit_id: i64,
    pub unit_name: String,
    pub leads: i64,
    pub admitted: i64,
}

pub async fn counts_by_unit(conn: &mut Conn, scope: &Scope) -> Result<Vec<UnitCount>> {
    let mut s = Sql::new(
        "SELECT l.reporting_unit_id AS unit_id, un.name AS unit_name, COUNT(*) AS leads, \
         CAST(SUM(CASE WHEN l.status = 'admitted' THEN 1 ELSE 0 END) AS BIGINT) AS admitted \
         FROM leads l JOIN units un ON un.id = l.reporting_unit_id WHERE 1 = 1",
    );
    scope.restrict(&mut s, "l", false);
    s.push(" GROUP BY l.reporting_unit_id, un.name ORDER BY leads DESC LIMIT 20");
    s.fetch_all(conn).await
}
