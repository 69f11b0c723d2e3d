//! Leads (线索).

use crate::decode;
use crate::sql::{like_escape, now, Sql};
use crate::{Backend, Conn, Result, Scope};
use chrono::NaiveDate;
use fenglai_domain::{names, Channel, CreditCode, LeadStatus, Moment, Yuan};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

/// A lead as stored, in domain types. It serializes (and reads back) in the domain types'
/// serde forms — a status's or channel's code, a day's `YYYY-MM-DD`, yuan as an integer —
/// as the audit log's before/after snapshots, which the as-of figures read back; what the
/// API returns is the web layer's own type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lead {
    pub id: i64,
    pub company_name: String,
    pub uscc: Option<CreditCode>,
    pub industry_code: Option<String>,
    pub industry_name: Option<String>,
    /// GB/T 4754 section letter of the industry
    pub industry_section: Option<String>,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub description: Option<String>,
    pub planned_investment_yuan: Option<Yuan>,
    pub land_mu: Option<f64>,
    pub expected_jobs: Option<i64>,
    pub channel: Option<Channel>,
    pub reported_by: i64,
    pub reporter_name: String,
    pub reporting_unit_id: i64,
    pub reporting_unit_name: String,
    pub reported_date: NaiveDate,
    pub status: LeadStatus,
    pub project_id: Option<i64>,
    /// the lead this one was merged into (status `merged`)
    pub merged_into: Option<i64>,
    /// 环评类别: 报告书, 报告表 or 登记表
    pub env_category: Option<String>,
    /// expected annual tax when in production
    pub expected_tax_yuan: Option<Yuan>,
    /// expected annual output value when in production
    pub expected_output_yuan: Option<Yuan>,
    /// expected annual energy use, tonnes of standard coal (吨标准煤)
    pub energy_tce: Option<f64>,
    /// power needed, kVA
    pub power_kva: Option<i64>,
    /// 世界500强, 中国500强, 央企, 上市公司 as codes: `fortune500,listed`
    #[serde(default)]
    pub investor_tags: String,
    pub created_at: Moment,
    pub updated_at: Moment,
    /// bumped by every write; an edit that names an older one is refused (409)
    #[serde(default)]
    pub version: i64,
}

impl<'r> FromRow<'r, AnyRow> for Lead {
    fn from_row(r: &'r AnyRow) -> sqlx::Result<Lead> {
        Ok(Lead {
            id: r.try_get("id")?,
            company_name: r.try_get("company_name")?,
            uscc: decode::uscc_opt(r, "uscc")?,
            industry_code: r.try_get("industry_code")?,
            industry_name: r.try_get("industry_name")?,
            industry_section: r.try_get("industry_section")?,
            region_code: r.try_get("region_code")?,
            region_name: r.try_get("region_name")?,
            contact_name: r.try_get("contact_name")?,
            contact_phone: r.try_get("contact_phone")?,
            description: r.try_get("description")?,
            planned_investment_yuan: decode::yuan_opt(r, "planned_investment_yuan")?,
            land_mu: r.try_get("land_mu")?,
            expected_jobs: r.try_get("expected_jobs")?,
            channel: decode::channel_opt(r, "channel")?,
            reported_by: r.try_get("reported_by")?,
            reporter_name: r.try_get("reporter_name")?,
            reporting_unit_id: r.try_get("reporting_unit_id")?,
            reporting_unit_name: r.try_get("reporting_unit_name")?,
            reported_date: decode::day(r, "reported_date")?,
            status: decode::lead_status(r, "status")?,
            project_id: r.try_get("project_id")?,
            merged_into: r.try_get("merged_into")?,
            env_category: r.try_get("env_category")?,
            expected_tax_yuan: decode::yuan_opt(r, "expected_tax_yuan")?,
            expected_output_yuan: decode::yuan_opt(r, "expected_output_yuan")?,
            energy_tce: r.try_get("energy_tce")?,
            power_kva: r.try_get("power_kva")?,
            investor_tags: r.try_get("investor_tags")?,
            created_at: decode::moment(r, "created_at")?,
            updated_at: decode::moment(r, "updated_at")?,
            version: r.try_get("version")?,
        })
    }
}

const SELECT: &str =
    "SELECT l.id, l.company_name, l.uscc, l.industry_code, i.name AS industry_name, \
    l.industry_section, l.region_code, r.full_name AS region_name, l.contact_name, l.contact_phone, l.description, \
    l.planned_investment_yuan, l.land_mu, l.expected_jobs, l.channel, l.reported_by, \
    us.display_name AS reporter_name, l.reporting_unit_id, un.name AS reporting_unit_name, \
    l.reported_date, l.status, l.project_id, l.merged_into, l.env_category, l.expected_tax_yuan, \
    l.expected_output_yuan, l.energy_tce, l.power_kva, l.investor_tags, l.created_at, l.updated_at, l.version \
    FROM leads l \
    JOIN users us ON us.id = l.reported_by \
    JOIN units un ON un.id = l.reporting_unit_id \
    LEFT JOIN industries i ON i.code = l.industry_code \
    LEFT JOIN regions r ON r.code = l.region_code";

/// A lead to write, as validated.
#[derive(Debug, Clone)]
pub struct NewLead {
    pub company_name: String,
    pub uscc: Option<CreditCode>,
    pub industry_code: Option<String>,
    pub industry_section: Option<String>,
    pub region_code: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub description: Option<String>,
    pub planned_investment_yuan: Option<Yuan>,
    pub land_mu: Option<f64>,
    pub expected_jobs: Option<i64>,
    pub channel: Option<Channel>,
    pub reported_by: i64,
    pub reporting_unit_id: i64,
    pub reported_date: NaiveDate,
    pub env_category: Option<String>,
    pub expected_tax_yuan: Option<Yuan>,
    pub expected_output_yuan: Option<Yuan>,
    pub energy_tce: Option<f64>,
    pub power_kva: Option<i64>,
}

const COLUMNS: &str = "INSERT INTO leads (company_name, name_norm, name_key, name_grams, uscc, industry_code, industry_section, \
     region_code, contact_name, contact_phone, description, planned_investment_yuan, land_mu, expected_jobs, \
     channel, reported_by, reporting_unit_id, reported_date, env_category, expected_tax_yuan, \
     expected_output_yuan, energy_tce, power_kva, investor_tags, status, created_at, updated_at";

pub async fn insert(conn: &mut Conn, l: &NewLead) -> Result<i64> {
    let mut s = Sql::new(&format!("{COLUMNS}) VALUES "));
    push_values(&mut s, l, "", &now(), None);
    s.push(" RETURNING id");
    s.fetch_i64(conn).await
}

/// Inserts `leads` (each with its investor tags) in one statement, with the ids from
/// `first_id` on in order (reserved by the caller, who holds the write lock).
pub async fn insert_many(conn: &mut Conn, first_id: i64, leads: &[(&NewLead, &str)]) -> Result<()> {
    let backend = conn.backend();
    let t = now();
    for (c, chunk) in leads.chunks(300).enumerate() {
        let mut s = Sql::new(&format!("{COLUMNS}, id) VALUES "));
        for (i, (l, tags)) in chunk.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            push_values(&mut s, l, tags, &t, Some(first_id + (c * 300 + i) as i64));
        }
        s.positional(backend).execute(conn).await?;
    }
    Ok(())
}

/// One lead's row of values in [`COLUMNS`]' order, then its id if it is given.
fn push_values(s: &mut Sql, l: &NewLead, tags: &str, t: &str, id: Option<i64>) {
    s.push("(").bind(l.company_name.clone()).push(", ");
    s.bind(names::normalize(&l.company_name)).push(", ");
    s.bind(name_key(&l.company_name)).push(", ");
    s.bind(search_doc(
        &l.company_name,
        l.reporting_unit_id,
        l.reported_by,
    ))
    .push(", ");
    s.bind(l.uscc.clone()).push(", ");
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
        .bind(l.channel)
        .push(", ");
    s.bind(l.reported_by)
        .push(", ")
        .bind(l.reporting_unit_id)
        .push(", ");
    s.bind(l.reported_date).push(", ");
    s.bind(l.env_category.clone())
        .push(", ")
        .bind(l.expected_tax_yuan)
        .push(", ");
    s.bind(l.expected_output_yuan)
        .push(", ")
        .bind(l.energy_tce)
        .push(", ")
        .bind(l.power_kva);
    s.push(", ").bind(tags.to_string());
    s.push(", 'pending_review', ").bind(t.to_string());
    s.push(", ").bind(t.to_string());
    if let Some(id) = id {
        s.push(", ").bind(id);
    }
    s.push(")");
}

/// The leads with ids `first..=last`, by id.
pub async fn get_range(conn: &mut Conn, first: i64, last: i64) -> Result<Vec<Lead>> {
    let mut s = Sql::new(SELECT);
    s.push(" WHERE l.id BETWEEN ")
        .bind(first)
        .push(" AND ")
        .bind(last)
        .push(" ORDER BY l.id");
    s.fetch_all(conn).await
}

pub async fn get(conn: &mut Conn, id: i64, scope: &Scope) -> Result<Option<Lead>> {
    let mut s = Sql::new(SELECT);
    s.push(" WHERE l.id = ").bind(id);
    scope.restrict(&mut s, "l", false);
    s.fetch_optional(conn).await
}

/// Which of the leads `ids` lie in `scope` (by id).
pub async fn in_scope(conn: &mut Conn, ids: &[i64], scope: &Scope) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut s = Sql::new("SELECT l.id FROM leads l WHERE l.id IN (");
    s.bind_list(ids.iter().copied()).push(")");
    scope.restrict(&mut s, "l", false);
    s.push(" ORDER BY l.id");
    let rows: Vec<(i64,)> = s.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Sets a lead's investor tags (codes, comma-separated).
pub async fn set_tags(conn: &mut Conn, id: i64, tags: &str) -> Result<()> {
    let mut s = Sql::new("UPDATE leads SET investor_tags = ");
    s.bind(tags).push(", updated_at = ").bind(now());
    s.push(" WHERE id = ").bind(id);
    s.execute(conn).await.map(|_| ())
}

pub async fn set_status(
    conn: &mut Conn,
    id: i64,
    status: LeadStatus,
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

/// Writes every field of `l` that a merge may change, as given: the merged survivor, or
/// either lead as it was when a merge is undone.
pub async fn write_snapshot(conn: &mut Conn, l: &Lead) -> Result<()> {
    let mut s = Sql::new("UPDATE leads SET company_name = ");
    s.bind(l.company_name.clone())
        .push(", name_norm = ")
        .bind(names::normalize(&l.company_name))
        .push(", name_grams = ")
        .bind(search_doc(
            &l.company_name,
            l.reporting_unit_id,
            l.reported_by,
        ));
    s.push(", uscc = ").bind(l.uscc.clone());
    s.push(", industry_code = ").bind(l.industry_code.clone());
    s.push(", industry_section = ")
        .bind(l.industry_section.clone());
    s.push(", region_code = ").bind(l.region_code.clone());
    s.push(", contact_name = ").bind(l.contact_name.clone());
    s.push(", contact_phone = ").bind(l.contact_phone.clone());
    s.push(", description = ").bind(l.description.clone());
    s.push(", planned_investment_yuan = ")
        .bind(l.planned_investment_yuan);
    s.push(", land_mu = ").bind(l.land_mu);
    s.push(", expected_jobs = ").bind(l.expected_jobs);
    s.push(", channel = ").bind(l.channel);
    s.push(", env_category = ").bind(l.env_category.clone());
    s.push(", expected_tax_yuan = ").bind(l.expected_tax_yuan);
    s.push(", expected_output_yuan = ")
        .bind(l.expected_output_yuan);
    s.push(", energy_tce = ").bind(l.energy_tce);
    s.push(", power_kva = ").bind(l.power_kva);
    s.push(", status = ").bind(l.status);
    s.push(", project_id = ").bind(l.project_id);
    s.push(", merged_into = ").bind(l.merged_into);
    s.push(", updated_at = ").bind(l.updated_at);
    s.push(" WHERE id = ").bind(l.id);
    s.execute(conn).await.map(|_| ())
}

/// The newest open leads (待预审, 预审中) in scope.
pub async fn open_recent(conn: &mut Conn, scope: &Scope, limit: i64) -> Result<Vec<Lead>> {
    let mut s = Sql::new(SELECT);
    s.push(" WHERE l.status IN ('pending_review', 'in_review')");
    scope.restrict(&mut s, "l", false);
    s.push(" ORDER BY l.reported_date DESC, l.id DESC LIMIT ")
        .bind(limit);
    s.fetch_all(conn).await
}

pub async fn set_env_category(conn: &mut Conn, id: i64, category: &str) -> Result<()> {
    let mut s = Sql::new("UPDATE leads SET env_category = ");
    s.bind(category)
        .push(", updated_at = ")
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
    /// A fragment of the company name (brackets, spaces and case ignored), or a whole 统一社会信用代码.
    pub q: Option<String>,
    pub status: Option<LeadStatus>,
    /// Industry codes in `[from, to)`: a division, group or class code and those below it.
    pub industry_range: Option<(String, String)>,
    /// A section letter (门类): every lead whose code lies in it.
    pub industry_section: Option<String>,
    /// Reporting unit and its subtree, as a path prefix.
    pub unit_path: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub sort: Sort,
    pub offset: i64,
    pub limit: i64,
}

/// The indexed search document of a lead: the bigrams of its name, then a token for
/// its reporting unit and one for its reporter, so that a search within a caller's
/// scope is one index intersection. Scope tokens are longer than two characters and
/// so never equal a bigram.
/// The company-name key duplicate detection blocks on (core + trade words).
pub fn name_key(company_name: &str) -> String {
    fenglai_identity::CompanyName::parse(company_name).key()
}

pub fn search_doc(company_name: &str, unit_id: i64, user_id: i64) -> String {
    format!("{} unit{unit_id} user{user_id}", names::grams(company_name))
}

/// The scope as search tokens (any of them admits a lead): `[unit3, unit7]` or `[user42]`.
async fn scope_tokens(conn: &mut Conn, scope: &Scope) -> Result<Option<Vec<String>>> {
    Ok(match scope {
        Scope::All => None,
        Scope::Reporter(u) => Some(vec![format!("user{u}")]),
        Scope::Subtree(path) => {
            let mut s = Sql::new("SELECT id FROM units WHERE path LIKE ");
            s.bind(format!("{}%", like_escape(path)))
                .push(" ESCAPE '\\'");
            #[derive(sqlx::FromRow)]
            struct Id {
                id: i64,
            }
            let ids: Vec<Id> = s.fetch_all(conn).await?;
            let toks: Vec<String> = ids.iter().map(|i| format!("unit{}", i.id)).collect();
            Some(if toks.is_empty() {
                vec!["unit0".to_string()]
            } else {
                toks
            })
        }
    })
}

/// How a name fragment is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameMatch {
    /// Through the bigram index: best when few rows match.
    Index,
    /// By scanning the normalised name along the list's own index order: best when
    /// many rows match, since the first page is found after a few rows.
    Scan,
}

/// Past this many matches a search answers "more than" instead of counting on.
pub const SEARCH_COUNT_CAP: i64 = 10_000;

/// Past this many rows a list answers "more than" instead of counting on: counting
/// a million index entries costs more than the page itself. Figures that must be
/// exact come from the statistics, not from list totals.
pub const LIST_COUNT_CAP: i64 = 100_000;

/// The normalised fragment, its bigram phrase, and whether it is a whole 统一社会信用代码.
fn fragment(f: &Filter) -> Option<(String, String, Option<String>)> {
    let q = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty())?;
    let upper = q.to_ascii_uppercase();
    let uscc =
        (upper.len() == 18 && upper.bytes().all(|b| b.is_ascii_alphanumeric())).then_some(upper);
    let norm = names::normalize(q);
    let phrase = names::bigrams(&norm).join(" ");
    Some((norm, phrase, uscc))
}

/// Appends the filters as ` AND …` conditions on `l`.
fn conditions(s: &mut Sql, backend: Backend, f: &Filter, scope: &Scope, name: Option<NameMatch>) {
    conditions_with(s, backend, f, scope, name, None)
}

/// As [`conditions`]; on PostgreSQL a name search through the index also matches the
/// scope tokens in the same GIN index.
fn conditions_with(
    s: &mut Sql,
    backend: Backend,
    f: &Filter,
    scope: &Scope,
    name: Option<NameMatch>,
    tokens: Option<&[String]>,
) {
    scope.restrict(s, "l", false);
    if let (Some((norm, phrase, uscc)), Some(mode)) = (fragment(f), name) {
        s.push(" AND (");
        if let Some(u) = uscc {
            s.push("l.uscc = ").bind(u).push(" OR ");
        }
        let like = format!("%{}%", like_escape(&norm));
        match (mode, backend) {
            (NameMatch::Index, Backend::Sqlite) if !phrase.is_empty() => {
                s.push("l.id IN (SELECT rowid FROM leads_grams WHERE leads_grams MATCH ");
                s.bind(format!("\"{phrase}\"")).push("))");
            }
            (NameMatch::Index, Backend::Postgres) if !phrase.is_empty() => {
                s.push("(string_to_array(l.name_grams, ' ') @> string_to_array(");
                s.bind(phrase).push(", ' ')");
                if let Some(t) = tokens {
                    s.push(" AND string_to_array(l.name_grams, ' ') && string_to_array(");
                    s.bind(t.join(" ")).push(", ' ')");
                }
                s.push(" AND l.name_norm LIKE ")
                    .bind(like)
                    .push(" ESCAPE '\\'))");
            }
            _ => {
                s.push("l.name_norm LIKE ").bind(like).push(" ESCAPE '\\')");
            }
        }
    }
    match &f.status {
        Some(st) => {
            s.push(" AND l.status = ").bind(*st);
        }
        // a merged lead lives on in the one it was merged into: count it once
        None => {
            s.push(" AND l.status <> 'merged'");
        }
    }
    if let Some(sec) = &f.industry_section {
        s.push(" AND l.industry_section = ").bind(sec.clone());
    } else if let Some((lo, hi)) = &f.industry_range {
        s.push(" AND l.industry_code >= ").bind(lo.clone());
        s.push(" AND l.industry_code < ").bind(hi.clone());
    }
    if let Some(p) = &f.unit_path {
        s.push(" AND l.reporting_unit_id IN (SELECT id FROM units WHERE path LIKE ");
        s.bind(format!("{}%", like_escape(p))).push(" ESCAPE '\\')");
    }
    if let Some(d) = &f.from {
        s.push(" AND l.reported_date >= ").bind(*d);
    }
    if let Some(d) = &f.to {
        s.push(" AND l.reported_date <= ").bind(*d);
    }
}

/// A page of leads and how many match.
#[derive(Debug, Clone)]
pub struct Listing {
    pub items: Vec<Lead>,
    pub total: i64,
    /// More rows match than `total` ([`SEARCH_COUNT_CAP`] or [`LIST_COUNT_CAP`]).
    pub total_capped: bool,
}

/// One page of leads and the total that match. A name search counts up to
/// [`SEARCH_COUNT_CAP`] and picks its plan by how many rows match.
pub async fn list(conn: &mut Conn, f: &Filter, scope: &Scope) -> Result<Listing> {
    let backend = conn.backend();
    let searching = fragment(f).is_some_and(|(norm, _, uscc)| !norm.is_empty() || uscc.is_some());
    let (total, capped, mode) = if searching {
        let mut c = match backend {
            // Driven by the full-text index so that counting stops at the cap.
            Backend::Sqlite
                if fragment(f).is_some_and(|(_, p, u)| !p.is_empty() && u.is_none()) =>
            {
                let (_, phrase, _) = fragment(f).unwrap_or_default();
                let mut query = format!("\"{phrase}\"");
                if let Some(t) = scope_tokens(conn, scope).await? {
                    query = format!("{query} AND ({})", t.join(" OR "));
                }
                let mut c = Sql::new(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM leads_grams g JOIN leads l ON l.id = g.rowid \
                     WHERE g.leads_grams MATCH ",
                );
                c.bind(query);
                conditions(&mut c, backend, f, scope, None);
                c
            }
            _ => {
                let tokens = scope_tokens(conn, scope).await?;
                let mut c = Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM leads l WHERE 1 = 1");
                conditions_with(
                    &mut c,
                    backend,
                    f,
                    scope,
                    Some(NameMatch::Index),
                    tokens.as_deref(),
                );
                c
            }
        };
        c.push(" LIMIT ").bind(SEARCH_COUNT_CAP + 1).push(") n");
        let n = c.fetch_i64(conn).await?;
        let dense = n > SEARCH_COUNT_CAP;
        let mode = if dense {
            NameMatch::Scan
        } else {
            NameMatch::Index
        };
        (n.min(SEARCH_COUNT_CAP), dense, Some(mode))
    } else {
        let mut c = Sql::new("SELECT COUNT(*) FROM (SELECT 1 FROM leads l WHERE 1 = 1");
        conditions(&mut c, backend, f, scope, None);
        c.push(" LIMIT ").bind(LIST_COUNT_CAP + 1).push(") n");
        let n = c.fetch_i64(conn).await?;
        (n.min(LIST_COUNT_CAP), n > LIST_COUNT_CAP, None)
    };
    // Page the ids on the leads table alone (index order), then join the names.
    let order = match f.sort {
        Sort::ReportedDesc => " ORDER BY l.reported_date DESC, l.id DESC",
        Sort::ReportedAsc => " ORDER BY l.reported_date ASC, l.id ASC",
        Sort::InvestmentDesc => match backend {
            Backend::Sqlite => " ORDER BY l.planned_investment_yuan DESC, l.id DESC",
            Backend::Postgres => " ORDER BY l.planned_investment_yuan DESC NULLS LAST, l.id DESC",
        },
        Sort::NameAsc => " ORDER BY l.company_name ASC, l.id ASC",
    };
    // When matches are dense, walking the sort order's own index and filtering finds
    // the page after about (offset + limit) × rows / total entries, fewer than the
    // `total` a filter index would visit and sort. SQLite's planner does not weigh
    // that, so it is told; PostgreSQL's statistics let it choose.
    let mut from = "leads l".to_string();
    if backend == Backend::Sqlite && total > 0 {
        let rows = Sql::new("SELECT COALESCE(MAX(id), 0) FROM leads")
            .fetch_i64(conn)
            .await?;
        let visits = (f.offset + f.limit) as i128 * rows as i128 / total as i128;
        let index = match f.sort {
            Sort::ReportedDesc | Sort::ReportedAsc => "leads_reported",
            Sort::InvestmentDesc => "leads_investment",
            Sort::NameAsc => "leads_name",
        };
        if visits < total as i128 || capped {
            from = format!("leads l INDEXED BY {index}");
        }
    }
    let mut full = Sql::new(SELECT);
    full.push(&format!(
        " WHERE l.id IN (SELECT l.id FROM {from} WHERE 1 = 1"
    ));
    conditions(&mut full, backend, f, scope, mode);
    full.push(order);
    full.push(" LIMIT ")
        .bind(f.limit)
        .push(" OFFSET ")
        .bind(f.offset)
        .push(")");
    full.push(order);
    let items = full.fetch_all(conn).await?;
    Ok(Listing {
        items,
        total,
        total_capped: capped,
    })
}

/// Fills the search columns of rows written before they existed (or by bulk loads
/// that leave them empty), a batch at a time. Returns how many rows it filled.
/// Fills `name_key` for up to `batch` leads after `after_id` that have none (rows from
/// before the column); returns how many and the last id.
pub async fn backfill_keys(conn: &mut Conn, after_id: i64, batch: i64) -> Result<(u64, i64)> {
    let mut s = Sql::new("SELECT id, company_name FROM leads WHERE name_key = '' AND id > ");
    s.bind(after_id).push(" ORDER BY id LIMIT ").bind(batch);
    let rows: Vec<(i64, String)> = s.fetch_all(conn).await?;
    let mut last = after_id;
    for (id, name) in &rows {
        let key = name_key(name);
        if !key.is_empty() {
            let mut u = Sql::new("UPDATE leads SET name_key = ");
            u.bind(key).push(" WHERE id = ").bind(*id);
            u.execute(conn).await?;
        }
        last = *id;
    }
    Ok((rows.len() as u64, last))
}

pub async fn backfill_search(conn: &mut Conn, after_id: i64, batch: i64) -> Result<(u64, i64)> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        company_name: String,
        reporting_unit_id: i64,
        reported_by: i64,
    }
    let mut s = Sql::new(
        "SELECT id, company_name, reporting_unit_id, reported_by FROM leads WHERE name_norm = '' AND id > ",
    );
    s.bind(after_id).push(" ORDER BY id LIMIT ").bind(batch);
    let rows: Vec<Row> = s.fetch_all(conn).await?;
    let mut last = after_id;
    for r in &rows {
        let mut u = Sql::new("UPDATE leads SET name_norm = ");
        u.bind(names::normalize(&r.company_name))
            .push(", name_grams = ");
        u.bind(search_doc(
            &r.company_name,
            r.reporting_unit_id,
            r.reported_by,
        ))
        .push(" WHERE id = ")
        .bind(r.id);
        u.execute(conn).await?;
        last = r.id;
    }
    Ok((rows.len() as u64, last))
}

/// Counts by reporting unit (for the dashboard), within scope.
#[derive(Debug, Clone, sqlx::FromRow)]
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
         FROM leads l JOIN units un ON un.id = l.reporting_unit_id WHERE l.status <> 'merged'",
    );
    scope.restrict(&mut s, "l", false);
    s.push(" GROUP BY l.reporting_unit_id, un.name ORDER BY leads DESC LIMIT 20");
    s.fetch_all(conn).await
}
