//! Industry chains: chains, links and their edges, the enterprise registry, target lists
//! and targets, and what a chain's view reads of the pipeline.

use crate::decode;
use crate::sql::{like_escape, now, Sql};
use crate::{Conn, Result, Scope};
use fenglai_domain::{LeadStatus, Moment, Stage, Yuan};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

/// A chain with its chief's and office's names and the office's path (for visibility).
/// Serialized into the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct Chain {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// 链长: a leader
    pub chief_user_id: Option<i64>,
    pub chief_name: Option<String>,
    /// 链办: the unit that runs the chain
    pub office_unit_id: i64,
    pub office_name: String,
    #[serde(skip)]
    pub office_path: String,
    /// the template it was made from
    pub template: Option<String>,
    pub created_at: Moment,
    pub updated_at: Moment,
}

impl FromRow<'_, AnyRow> for Chain {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(Chain {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            description: r.try_get("description")?,
            chief_user_id: r.try_get("chief_user_id")?,
            chief_name: r.try_get("chief_name")?,
            office_unit_id: r.try_get("office_unit_id")?,
            office_name: r.try_get("office_name")?,
            office_path: r.try_get("office_path")?,
            template: r.try_get("template")?,
            created_at: decode::moment(r, "created_at")?,
            updated_at: decode::moment(r, "updated_at")?,
        })
    }
}

const CHAIN_SELECT: &str = "SELECT c.id, c.name, c.description, c.chief_user_id, \
    u.display_name AS chief_name, c.office_unit_id, o.name AS office_name, o.path AS office_path, \
    c.template, c.created_at, c.updated_at FROM chains c JOIN units o ON o.id = c.office_unit_id \
    LEFT JOIN users u ON u.id = c.chief_user_id";

#[derive(Debug, Clone)]
pub struct NewChain {
    pub name: String,
    pub description: String,
    pub chief_user_id: Option<i64>,
    pub office_unit_id: i64,
    pub template: Option<String>,
}

pub async fn insert_chain(conn: &mut Conn, c: &NewChain) -> Result<i64> {
    let t = now();
    let mut s = Sql::new("INSERT INTO chains (name, description, chief_user_id, office_unit_id, template, created_at, updated_at) VALUES (");
    s.bind(c.name.as_str())
        .push(", ")
        .bind(c.description.as_str());
    s.push(", ")
        .bind(c.chief_user_id)
        .push(", ")
        .bind(c.office_unit_id);
    s.push(", ")
        .bind(c.template.clone())
        .push(", ")
        .bind(t.clone());
    s.push(", ").bind(t).push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn update_chain(conn: &mut Conn, id: i64, c: &NewChain) -> Result<()> {
    let mut s = Sql::new("UPDATE chains SET name = ");
    s.bind(c.name.as_str())
        .push(", description = ")
        .bind(c.description.as_str());
    s.push(", chief_user_id = ").bind(c.chief_user_id);
    s.push(", office_unit_id = ").bind(c.office_unit_id);
    s.push(", updated_at = ")
        .bind(now())
        .push(" WHERE id = ")
        .bind(id);
    s.execute(conn).await.map(|_| ())
}

pub async fn chain(conn: &mut Conn, id: i64) -> Result<Option<Chain>> {
    let mut s = Sql::new(CHAIN_SELECT);
    s.push(" WHERE c.id = ").bind(id);
    s.fetch_optional(conn).await
}

pub async fn chains(conn: &mut Conn) -> Result<Vec<Chain>> {
    Sql::new(&format!("{CHAIN_SELECT} ORDER BY c.id"))
        .fetch_all(conn)
        .await
}

/// A link of a chain; codes and keywords comma-separated. Serialized into the audit log.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Link {
    pub id: i64,
    pub chain_id: i64,
    pub name: String,
    /// upstream, midstream, downstream
    pub tier: String,
    pub codes: String,
    pub keywords: String,
    pub position: i64,
}

const LINK_COLS: &str = "id, chain_id, name, tier, codes, keywords, position";

#[derive(Debug, Clone)]
pub struct NewLink {
    pub name: String,
    pub tier: String,
    pub codes: String,
    pub keywords: String,
}

pub async fn insert_link(conn: &mut Conn, chain_id: i64, l: &NewLink) -> Result<i64> {
    let t = now();
    let mut s = Sql::new("INSERT INTO chain_links (chain_id, name, tier, codes, keywords, position, created_at, updated_at) VALUES (");
    s.bind(chain_id).push(", ").bind(l.name.as_str());
    s.push(", ")
        .bind(l.tier.as_str())
        .push(", ")
        .bind(l.codes.as_str());
    s.push(", ").bind(l.keywords.as_str());
    s.push(", (SELECT COALESCE(MAX(position), 0) + 1 FROM chain_links WHERE chain_id = ")
        .bind(chain_id)
        .push("), ");
    s.bind(t.clone()).push(", ").bind(t).push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn update_link(conn: &mut Conn, id: i64, l: &NewLink) -> Result<()> {
    let mut s = Sql::new("UPDATE chain_links SET name = ");
    s.bind(l.name.as_str())
        .push(", tier = ")
        .bind(l.tier.as_str());
    s.push(", codes = ").bind(l.codes.as_str());
    s.push(", keywords = ").bind(l.keywords.as_str());
    s.push(", updated_at = ")
        .bind(now())
        .push(" WHERE id = ")
        .bind(id);
    s.execute(conn).await.map(|_| ())
}

pub async fn link(conn: &mut Conn, id: i64) -> Result<Option<Link>> {
    let mut s = Sql::new(&format!("SELECT {LINK_COLS} FROM chain_links WHERE id = "));
    s.bind(id);
    s.fetch_optional(conn).await
}

pub async fn links(conn: &mut Conn, chain_id: i64) -> Result<Vec<Link>> {
    let mut s = Sql::new(&format!(
        "SELECT {LINK_COLS} FROM chain_links WHERE chain_id = "
    ));
    s.bind(chain_id).push(" ORDER BY position, id");
    s.fetch_all(conn).await
}

/// An active edge: `from` supplies `to`.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Edge {
    pub from_link_id: i64,
    pub to_link_id: i64,
}

pub async fn edges(conn: &mut Conn, chain_id: i64) -> Result<Vec<Edge>> {
    let mut s = Sql::new(
        "SELECT from_link_id, to_link_id FROM chain_link_edges WHERE active = 1 AND chain_id = ",
    );
    s.bind(chain_id).push(" ORDER BY id");
    s.fetch_all(conn).await
}

/// Makes `to` exactly the links `from` supplies: others made inactive, these added or
/// made active again.
pub async fn set_edges(conn: &mut Conn, chain_id: i64, from: i64, to: &[i64]) -> Result<()> {
    let mut off = Sql::new("UPDATE chain_link_edges SET active = 0 WHERE from_link_id = ");
    off.bind(from);
    off.execute(conn).await?;
    for t in to {
        let mut s = Sql::new(
            "INSERT INTO chain_link_edges (chain_id, from_link_id, to_link_id, active) VALUES (",
        );
        s.bind(chain_id).push(", ").bind(from).push(", ").bind(*t);
        s.push(", 1) ON CONFLICT (from_link_id, to_link_id) DO UPDATE SET active = 1");
        s.execute(conn).await?;
    }
    Ok(())
}

/// A registry row as imported: checked by `fenglai_chains::registry`.
pub use fenglai_chains::registry::Row as EnterpriseRow;

/// Rows per multi-row INSERT of the registry (14 parameters each).
pub const REGISTRY_BATCH: usize = 1000;

/// Inserts or updates (by credit code) a batch of registry rows in one statement. A
/// credit code repeated within the batch keeps its last row. Returns the rows written.
pub async fn upsert_enterprises(conn: &mut Conn, rows: &[EnterpriseRow]) -> Result<u64> {
    let backend = conn.backend();
    if rows.is_empty() {
        return Ok(0);
    }
    let mut last: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        last.insert(r.uscc.as_str(), i);
    }
    let t = now();
    let mut s = Sql::new(
        "INSERT INTO enterprises (uscc, name, region_code, province, industry_code, capital_yuan, \
         founded, scope, flags, new_branches, financing_rounds, output_yuan, tax_yuan, updated_at) VALUES ",
    );
    let mut first = true;
    for (i, r) in rows.iter().enumerate() {
        if last.get(r.uscc.as_str()) != Some(&i) {
            continue;
        }
        if !first {
            s.push(", ");
        }
        first = false;
        s.push("(")
            .bind(r.uscc.as_str())
            .push(", ")
            .bind(r.name.as_str());
        s.push(", ").bind(r.region_code.as_str()).push(", ");
        s.bind(r.region_code.get(..2).unwrap_or(&r.region_code));
        s.push(", ")
            .bind(r.industry_code.as_str())
            .push(", ")
            .bind(r.capital_yuan);
        s.push(", ")
            .bind(r.founded.clone())
            .push(", ")
            .bind(r.scope.as_str());
        s.push(", ").bind(r.flags).push(", ").bind(r.new_branches);
        s.push(", ")
            .bind(r.financing_rounds)
            .push(", ")
            .bind(r.output_yuan);
        s.push(", ")
            .bind(r.tax_yuan)
            .push(", ")
            .bind(t.as_str())
            .push(")");
    }
    s.push(
        " ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, region_code = excluded.region_code, \
         province = excluded.province, industry_code = excluded.industry_code, \
         capital_yuan = excluded.capital_yuan, founded = excluded.founded, scope = excluded.scope, \
         flags = excluded.flags, new_branches = excluded.new_branches, \
         financing_rounds = excluded.financing_rounds, output_yuan = excluded.output_yuan, \
         tax_yuan = excluded.tax_yuan, updated_at = excluded.updated_at",
    );
    s.positional(backend);
    s.execute(conn).await
}

pub async fn enterprise_count(conn: &mut Conn) -> Result<i64> {
    Sql::new("SELECT COUNT(*) FROM enterprises")
        .fetch_i64(conn)
        .await
}

/// A registry company as a chain's view or a ranking reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Enterprise {
    pub id: i64,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub industry_code: String,
    pub capital_yuan: i64,
    pub scope: String,
    pub flags: i64,
    pub new_branches: i64,
    pub financing_rounds: i64,
    pub output_yuan: Option<i64>,
    pub tax_yuan: Option<i64>,
}

const ENT_COLS: &str = "e.id, e.uscc, e.name, e.region_code, e.industry_code, e.capital_yuan, \
    e.scope, e.flags, e.new_branches, e.financing_rounds, e.output_yuan, e.tax_yuan";

/// The city's own enterprises: registered in a region starting with `prefix`.
pub async fn local_enterprises(conn: &mut Conn, prefix: &str) -> Result<Vec<Enterprise>> {
    let mut s = Sql::new(&format!(
        "SELECT {ENT_COLS} FROM enterprises e WHERE e.region_code >= "
    ));
    // a range on the index rather than LIKE, which SQLite's index cannot serve as bound
    s.bind(prefix)
        .push(" AND e.region_code < ")
        .bind(format!("{prefix}\u{10FFFF}"));
    s.fetch_all(conn).await
}

/// What a ranking asks of the registry.
#[derive(Debug, Clone, Default)]
pub struct CandidateFilter {
    /// 4-digit codes, matched exactly
    pub codes: Vec<String>,
    /// 3-digit classes, matched as prefixes
    pub classes: Vec<String>,
    /// two-character provinces or countries; empty: anywhere
    pub provinces: Vec<String>,
    /// any of these flag bits; 0: no condition
    pub flags_mask: i64,
    /// leave out the city's own enterprises (region prefix)
    pub home_prefix: Option<String>,
}

/// The registry companies a link could target: its codes, the filters, outside the city,
/// and not already in the pipeline (a lead, merged or not, with the same credit code or
/// the same name as written).
pub async fn candidates(conn: &mut Conn, f: &CandidateFilter) -> Result<Vec<Enterprise>> {
    let mut s = Sql::new(&format!("SELECT {ENT_COLS} FROM enterprises e WHERE ("));
    let mut first = true;
    for c in &f.codes {
        if !first {
            s.push(" OR ");
        }
        first = false;
        s.push("e.industry_code = ").bind(c.as_str());
    }
    for c in &f.classes {
        if !first {
            s.push(" OR ");
        }
        first = false;
        s.push("(e.industry_code >= ")
            .bind(c.as_str())
            .push(" AND e.industry_code < ")
            .bind(format!("{c}:"));
        s.push(")");
    }
    if first {
        s.push("1 = 0");
    }
    s.push(")");
    if !f.provinces.is_empty() {
        s.push(" AND e.province IN (");
        for (i, p) in f.provinces.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            s.bind(p.as_str());
        }
        s.push(")");
    }
    if f.flags_mask != 0 {
        // a few bits: spelled out as the values that carry one, so the index serves it
        s.push(" AND e.flags IN (");
        let vals: Vec<i64> = (1..16).filter(|v| v & f.flags_mask != 0).collect();
        for (i, v) in vals.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            s.bind(*v);
        }
        s.push(")");
    }
    if let Some(h) = &f.home_prefix {
        s.push(" AND e.region_code NOT LIKE ")
            .bind(format!("{}%", like_escape(h)))
            .push(" ESCAPE '\\'");
    }
    s.push(
        " AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.uscc = e.uscc) \
         AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.company_name = e.name)",
    );
    s.fetch_all(conn).await
}

/// A lead of the pipeline that serves a chain: tied to one of its links, or of an
/// industry one of its links names; with its project's stage.
#[derive(Debug, Clone)]
pub struct PipelineLead {
    pub lead_id: i64,
    pub company_name: String,
    pub chain_link_id: Option<i64>,
    pub industry_code: Option<String>,
    pub description: Option<String>,
    pub status: LeadStatus,
    pub project_id: Option<i64>,
    pub stage: Option<Stage>,
    pub expected_output_yuan: Option<Yuan>,
    pub expected_tax_yuan: Option<Yuan>,
}

impl FromRow<'_, AnyRow> for PipelineLead {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(PipelineLead {
            lead_id: r.try_get("lead_id")?,
            company_name: r.try_get("company_name")?,
            chain_link_id: r.try_get("chain_link_id")?,
            industry_code: r.try_get("industry_code")?,
            description: r.try_get("description")?,
            status: decode::lead_status(r, "status")?,
            project_id: r.try_get("project_id")?,
            stage: decode::stage_opt(r, "stage")?,
            expected_output_yuan: decode::yuan_opt(r, "expected_output_yuan")?,
            expected_tax_yuan: decode::yuan_opt(r, "expected_tax_yuan")?,
        })
    }
}

pub async fn pipeline(
    conn: &mut Conn,
    link_ids: &[i64],
    codes: &[String],
    classes: &[String],
    scope: &Scope,
) -> Result<Vec<PipelineLead>> {
    let mut s = Sql::new(
        "SELECT l.id AS lead_id, l.company_name, l.chain_link_id, l.industry_code, l.description, \
         l.status, l.project_id, p.stage, l.expected_output_yuan, l.expected_tax_yuan \
         FROM leads l LEFT JOIN projects p ON p.id = l.project_id \
         WHERE l.status <> 'merged' AND (1 = 0",
    );
    for id in link_ids {
        s.push(" OR l.chain_link_id = ").bind(*id);
    }
    for c in codes {
        s.push(" OR l.industry_code = ").bind(c.as_str());
    }
    for c in classes {
        s.push(" OR SUBSTR(l.industry_code, 1, 3) = ")
            .bind(c.as_str());
    }
    s.push(")");
    scope.restrict(&mut s, "l", false);
    s.push(" ORDER BY l.id");
    s.fetch_all(conn).await
}

pub async fn set_lead_link(conn: &mut Conn, lead_id: i64, link_id: i64) -> Result<()> {
    let mut s = Sql::new("UPDATE leads SET chain_link_id = ");
    s.bind(link_id).push(" WHERE id = ").bind(lead_id);
    s.execute(conn).await.map(|_| ())
}

/// A saved target list. Serialized into the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct TargetList {
    pub id: i64,
    pub chain_id: i64,
    pub link_id: i64,
    pub name: String,
    /// the filters it was made with, JSON
    pub filters: String,
    pub created_by: i64,
    pub created_at: Moment,
}

impl FromRow<'_, AnyRow> for TargetList {
    fn from_row(r: &AnyRow) -> sqlx::Result<Self> {
        Ok(TargetList {
            id: r.try_get("id")?,
            chain_id: r.try_get("chain_id")?,
            link_id: r.try_get("link_id")?,
            name: r.try_get("name")?,
            filters: r.try_get("filters")?,
            created_by: r.try_get("created_by")?,
            created_at: decode::moment(r, "created_at")?,
        })
    }
}

pub async fn insert_list(
    conn: &mut Conn,
    chain_id: i64,
    link_id: i64,
    name: &str,
    filters: &str,
    by: i64,
) -> Result<i64> {
    let mut s = Sql::new("INSERT INTO target_lists (chain_id, link_id, name, filters, created_by, created_at) VALUES (");
    s.bind(chain_id)
        .push(", ")
        .bind(link_id)
        .push(", ")
        .bind(name);
    s.push(", ")
        .bind(filters)
        .push(", ")
        .bind(by)
        .push(", ")
        .bind(now());
    s.push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn list(conn: &mut Conn, id: i64) -> Result<Option<TargetList>> {
    let mut s = Sql::new("SELECT id, chain_id, link_id, name, filters, created_by, created_at FROM target_lists WHERE id = ");
    s.bind(id);
    s.fetch_optional(conn).await
}

pub async fn lists_of_chain(conn: &mut Conn, chain_id: i64) -> Result<Vec<TargetList>> {
    let mut s = Sql::new("SELECT id, chain_id, link_id, name, filters, created_by, created_at FROM target_lists WHERE chain_id = ");
    s.bind(chain_id).push(" ORDER BY id DESC");
    s.fetch_all(conn).await
}

/// A target as a list shows it. Serialized into the audit log.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Target {
    pub id: i64,
    pub list_id: i64,
    pub chain_id: i64,
    pub link_id: i64,
    pub enterprise_id: i64,
    pub rank: i64,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub industry_code: String,
    pub flags: i64,
    pub capital_yuan: i64,
    pub score: i64,
    /// the score's parts, JSON `[{"label","points"}]`
    pub explanation: String,
    pub assignee_user_id: Option<i64>,
    pub assignee_user_name: Option<String>,
    pub assignee_unit_id: Option<i64>,
    pub assignee_unit_name: Option<String>,
    pub lead_id: Option<i64>,
}

const TARGET_SELECT: &str = "SELECT t.id, t.list_id, t.chain_id, t.link_id, t.enterprise_id, t.rank, \
    t.uscc, t.name, t.region_code, t.industry_code, t.flags, t.capital_yuan, t.score, t.explanation, \
    t.assignee_user_id, u.display_name AS assignee_user_name, t.assignee_unit_id, \
    n.name AS assignee_unit_name, t.lead_id FROM targets t \
    LEFT JOIN users u ON u.id = t.assignee_user_id LEFT JOIN units n ON n.id = t.assignee_unit_id";

/// A target about to be written.
#[derive(Debug, Clone)]
pub struct NewTarget {
    pub enterprise_id: i64,
    pub rank: i64,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub industry_code: String,
    pub flags: i64,
    pub capital_yuan: i64,
    pub score: i64,
    pub explanation: String,
}

pub async fn insert_targets(conn: &mut Conn, list: &TargetList, rows: &[NewTarget]) -> Result<()> {
    let backend = conn.backend();
    let t = now();
    for chunk in rows.chunks(500) {
        let mut s = Sql::new(
            "INSERT INTO targets (list_id, chain_id, link_id, enterprise_id, rank, uscc, name, region_code, \
             industry_code, flags, capital_yuan, score, explanation, created_at, updated_at) VALUES ",
        );
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            s.push("(").bind(list.id).push(", ").bind(list.chain_id);
            s.push(", ")
                .bind(list.link_id)
                .push(", ")
                .bind(r.enterprise_id);
            s.push(", ").bind(r.rank).push(", ").bind(r.uscc.as_str());
            s.push(", ")
                .bind(r.name.as_str())
                .push(", ")
                .bind(r.region_code.as_str());
            s.push(", ")
                .bind(r.industry_code.as_str())
                .push(", ")
                .bind(r.flags);
            s.push(", ").bind(r.capital_yuan).push(", ").bind(r.score);
            s.push(", ")
                .bind(r.explanation.as_str())
                .push(", ")
                .bind(t.as_str());
            s.push(", ").bind(t.as_str()).push(")");
        }
        s.positional(backend);
        s.execute(conn).await?;
    }
    Ok(())
}

pub async fn targets_of_list(conn: &mut Conn, list_id: i64) -> Result<Vec<Target>> {
    let mut s = Sql::new(TARGET_SELECT);
    s.push(" WHERE t.list_id = ")
        .bind(list_id)
        .push(" ORDER BY t.rank");
    s.fetch_all(conn).await
}

/// The targets of a chain (of one link when given), optionally in one province.
pub async fn targets_of_chain(
    conn: &mut Conn,
    chain_id: i64,
    link_id: Option<i64>,
    province: Option<&str>,
) -> Result<Vec<Target>> {
    let mut s = Sql::new(TARGET_SELECT);
    s.push(" WHERE t.chain_id = ").bind(chain_id);
    if let Some(l) = link_id {
        s.push(" AND t.link_id = ").bind(l);
    }
    if let Some(p) = province {
        s.push(" AND SUBSTR(t.region_code, 1, 2) = ").bind(p);
    }
    s.push(" ORDER BY t.link_id, t.list_id, t.rank");
    s.fetch_all(conn).await
}

pub async fn target(conn: &mut Conn, id: i64) -> Result<Option<Target>> {
    let mut s = Sql::new(TARGET_SELECT);
    s.push(" WHERE t.id = ").bind(id);
    s.fetch_optional(conn).await
}

pub async fn assign_target(
    conn: &mut Conn,
    id: i64,
    user_id: Option<i64>,
    unit_id: Option<i64>,
) -> Result<()> {
    let mut s = Sql::new("UPDATE targets SET assignee_user_id = ");
    s.bind(user_id).push(", assignee_unit_id = ").bind(unit_id);
    s.push(", updated_at = ")
        .bind(now())
        .push(" WHERE id = ")
        .bind(id);
    s.execute(conn).await.map(|_| ())
}

/// Ties a target to the lead it became; false if it already had one (another request
/// converted it first).
pub async fn set_target_lead(conn: &mut Conn, id: i64, lead_id: i64) -> Result<bool> {
    let mut s = Sql::new("UPDATE targets SET lead_id = ");
    s.bind(lead_id).push(", updated_at = ").bind(now());
    s.push(" WHERE lead_id IS NULL AND id = ").bind(id);
    Ok(s.execute(conn).await? == 1)
}

/// Distinct companies targeted per link of a chain: (link id, count).
pub async fn targeted_per_link(conn: &mut Conn, chain_id: i64) -> Result<Vec<(i64, i64)>> {
    let mut s =
        Sql::new("SELECT link_id, COUNT(DISTINCT enterprise_id) FROM targets WHERE chain_id = ");
    s.bind(chain_id).push(" GROUP BY link_id");
    s.fetch_all(conn).await
}
