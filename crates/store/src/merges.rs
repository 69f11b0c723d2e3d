//! Merging duplicate leads and the queue of suspected duplicates (疑似重复).
//!
//! A merge deletes nothing: the duplicate is marked `merged` into the survivor, and the
//! merge keeps both leads as they were and every reference it moved, so undoing it puts
//! back exactly what was there.

use crate::sql::{now, Sql};
use crate::{Conn, Result, Scope};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Merge {
    pub id: i64,
    pub survivor_id: i64,
    pub duplicate_id: i64,
    /// JSON of the survivor as it was
    #[serde(skip)]
    pub survivor_before: String,
    /// JSON of the duplicate as it was
    #[serde(skip)]
    pub duplicate_before: String,
    #[serde(skip)]
    pub repointed: String,
    pub merged_by: i64,
    pub merged_by_name: String,
    pub merged_at: String,
    pub undone_at: Option<String>,
}

/// The references a merge moved from the duplicate to the survivor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Repointed {
    pub reviews: Vec<i64>,
    pub routings: Vec<i64>,
    pub overrides: Vec<i64>,
    /// leads earlier merged into the duplicate
    pub merged_leads: Vec<i64>,
    /// the duplicate's project, now the survivor's
    pub project: Option<i64>,
    /// queue pairs of the two leads closed by the merge
    pub pairs: Vec<i64>,
    /// activities (走访, 推介会 …) whose link moved to the survivor
    #[serde(default)]
    pub activities: Vec<i64>,
    /// chain targets that had become the duplicate
    #[serde(default)]
    pub targets: Vec<i64>,
    /// when both leads had a project: the merge of the two projects
    #[serde(default)]
    pub projects: Option<ProjectMove>,
}

const MERGE_SELECT: &str = "SELECT m.id, m.survivor_id, m.duplicate_id, m.survivor_before, \
    m.duplicate_before, m.repointed, m.merged_by, u.display_name AS merged_by_name, m.merged_at, \
    m.undone_at FROM lead_merges m JOIN users u ON u.id = m.merged_by";

async fn ids(conn: &mut Conn, table: &str, lead: i64) -> Result<Vec<i64>> {
    let mut s = Sql::new(&format!("SELECT id FROM {table} WHERE lead_id = "));
    s.bind(lead).push(" ORDER BY id");
    let rows: Vec<(i64,)> = s.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

async fn set_lead(conn: &mut Conn, table: &str, ids: &[i64], lead: i64) -> Result<()> {
    set_ref(conn, table, "lead_id", ids, lead).await
}

/// Sets `column` to `value` on the rows `ids` of `table`.
async fn set_ref(
    conn: &mut Conn,
    table: &str,
    column: &str,
    ids: &[i64],
    value: i64,
) -> Result<()> {
    for id in ids {
        let mut s = Sql::new(&format!("UPDATE {table} SET {column} = "));
        s.bind(value).push(" WHERE id = ").bind(*id);
        s.execute(conn).await?;
    }
    Ok(())
}

/// Moves every reference to `from` over to `to`; `project` is the duplicate's project when
/// the survivor takes it over.
pub async fn repoint(
    conn: &mut Conn,
    from: i64,
    to: i64,
    project: Option<i64>,
) -> Result<Repointed> {
    let mut r = Repointed {
        reviews: ids(conn, "reviews", from).await?,
        routings: ids(conn, "routings", from).await?,
        overrides: ids(conn, "redline_overrides", from).await?,
        project,
        ..Default::default()
    };
    set_lead(conn, "reviews", &r.reviews, to).await?;
    set_lead(conn, "routings", &r.routings, to).await?;
    set_lead(conn, "redline_overrides", &r.overrides, to).await?;
    r.targets = ids(conn, "targets", from).await?;
    set_lead(conn, "targets", &r.targets, to).await?;
    r.activities = move_activities(conn, from, to).await?;
    let mut s = Sql::new("SELECT id FROM leads WHERE merged_into = ");
    s.bind(from).push(" ORDER BY id");
    let merged: Vec<(i64,)> = s.fetch_all(conn).await?;
    r.merged_leads = merged.into_iter().map(|m| m.0).collect();
    for id in &r.merged_leads {
        let mut s = Sql::new("UPDATE leads SET merged_into = ");
        s.bind(to).push(" WHERE id = ").bind(*id);
        s.execute(conn).await?;
    }
    if let Some(p) = project {
        let mut s = Sql::new("UPDATE projects SET lead_id = ");
        s.bind(to).push(" WHERE id = ").bind(p);
        s.execute(conn).await?;
    }
    let mut s = Sql::new("SELECT id FROM duplicate_pairs WHERE status = 'open' AND ((lead_id = ");
    s.bind(from).push(" AND other_id = ").bind(to);
    s.push(") OR (lead_id = ")
        .bind(to)
        .push(" AND other_id = ")
        .bind(from)
        .push("))");
    let pairs: Vec<(i64,)> = s.fetch_all(conn).await?;
    r.pairs = pairs.into_iter().map(|p| p.0).collect();
    Ok(r)
}

/// Moves back what [`repoint`] moved from `from` to `to`.
pub async fn unpoint(conn: &mut Conn, r: &Repointed, from: i64, to: i64) -> Result<()> {
    set_activities(conn, &r.activities, to, from).await?;
    set_lead(conn, "targets", &r.targets, from).await?;
    set_lead(conn, "reviews", &r.reviews, from).await?;
    set_lead(conn, "routings", &r.routings, from).await?;
    set_lead(conn, "redline_overrides", &r.overrides, from).await?;
    for id in &r.merged_leads {
        let mut s = Sql::new("UPDATE leads SET merged_into = ");
        s.bind(from).push(" WHERE id = ").bind(*id);
        s.execute(conn).await?;
    }
    if let Some(p) = r.project {
        let mut s = Sql::new("UPDATE projects SET lead_id = ");
        s.bind(from).push(" WHERE id = ").bind(p);
        s.execute(conn).await?;
    }
    for id in &r.pairs {
        let mut s = Sql::new(
            "UPDATE duplicate_pairs SET status = 'open', resolved_by = NULL, resolved_at = NULL WHERE id = ",
        );
        s.bind(*id);
        s.execute(conn).await?;
    }
    Ok(())
}

pub async fn insert(
    conn: &mut Conn,
    survivor_id: i64,
    duplicate_id: i64,
    survivor_before: &str,
    duplicate_before: &str,
    repointed: &str,
    by: i64,
) -> Result<i64> {
    let mut s = Sql::new(
        "INSERT INTO lead_merges (survivor_id, duplicate_id, survivor_before, duplicate_before, \
         repointed, merged_by, merged_at) VALUES (",
    );
    s.bind(survivor_id).push(", ").bind(duplicate_id).push(", ");
    s.bind(survivor_before)
        .push(", ")
        .bind(duplicate_before)
        .push(", ");
    s.bind(repointed).push(", ").bind(by).push(", ").bind(now());
    s.push(") RETURNING id");
    s.fetch_i64(conn).await
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Merge>> {
    let mut s = Sql::new(&format!("{MERGE_SELECT} WHERE m.id = "));
    s.bind(id);
    s.fetch_optional(conn).await
}

/// Merges in which `lead` took part, as survivor or duplicate, newest first.
pub async fn of_lead(conn: &mut Conn, lead: i64) -> Result<Vec<Merge>> {
    let mut s = Sql::new(&format!("{MERGE_SELECT} WHERE m.survivor_id = "));
    s.bind(lead).push(" OR m.duplicate_id = ").bind(lead);
    s.push(" ORDER BY m.id DESC");
    s.fetch_all(conn).await
}

/// Merges after `id`, not undone, that touched either lead.
pub async fn later(conn: &mut Conn, id: i64, a: i64, b: i64) -> Result<i64> {
    let mut s = Sql::new("SELECT COUNT(*) FROM lead_merges WHERE undone_at IS NULL AND id > ");
    s.bind(id)
        .push(" AND (survivor_id IN (")
        .bind(a)
        .push(", ")
        .bind(b);
    s.push(") OR duplicate_id IN (")
        .bind(a)
        .push(", ")
        .bind(b)
        .push("))");
    s.fetch_i64(conn).await
}

pub async fn mark_undone(conn: &mut Conn, id: i64, by: i64) -> Result<()> {
    let mut s = Sql::new("UPDATE lead_merges SET undone_by = ");
    s.bind(by)
        .push(", undone_at = ")
        .bind(now())
        .push(" WHERE id = ")
        .bind(id);
    s.execute(conn).await.map(|_| ())
}

// ---- the queue ----

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Pair {
    pub id: i64,
    pub lead_id: i64,
    pub lead_name: String,
    pub lead_unit: String,
    pub lead_date: String,
    pub other_id: i64,
    pub other_name: String,
    pub other_unit: String,
    pub other_date: String,
    /// why they look alike, separated by "；"
    pub reasons: String,
    /// open, merged, dismissed
    pub status: String,
    pub created_at: String,
}

const PAIR_SELECT: &str =
    "SELECT p.id, p.lead_id, a.company_name AS lead_name, ua.name AS lead_unit, \
    a.reported_date AS lead_date, p.other_id, b.company_name AS other_name, ub.name AS other_unit, \
    b.reported_date AS other_date, p.reasons, p.status, p.created_at FROM duplicate_pairs p \
    JOIN leads a ON a.id = p.lead_id JOIN units ua ON ua.id = a.reporting_unit_id \
    JOIN leads b ON b.id = p.other_id JOIN units ub ON ub.id = b.reporting_unit_id WHERE 1 = 1";

/// A live lead with the same 统一社会信用代码 or normalised name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Similar {
    pub id: i64,
    pub company_name: String,
    pub unit_name: String,
    pub reported_date: String,
    pub uscc: Option<String>,
    pub name_norm: String,
    pub industry_code: Option<String>,
    pub region_code: Option<String>,
    pub planned_investment_yuan: Option<i64>,
}

/// Live leads (not merged) with the USCC `uscc`, the normalised name `name_norm` or the
/// name key `name_key` (core + trade words), written before lead `before` if it is given
/// (a new lead's lookalikes); at most 50, oldest first.
pub async fn similar(
    conn: &mut Conn,
    before: Option<i64>,
    uscc: Option<&str>,
    name_norm: &str,
    name_key: &str,
) -> Result<Vec<Similar>> {
    let mut s = Sql::new(
        "SELECT l.id, l.company_name, un.name AS unit_name, l.reported_date, l.uscc, l.name_norm, \
         l.industry_code, l.region_code, l.planned_investment_yuan \
         FROM leads l JOIN units un ON un.id = l.reporting_unit_id WHERE l.status <> 'merged' \
         AND (l.name_norm = ",
    );
    s.bind(name_norm);
    if name_key.chars().count() >= 2 {
        s.push(" OR l.name_key = ").bind(name_key);
    }
    if let Some(u) = uscc {
        s.push(" OR l.uscc = ").bind(u);
    }
    s.push(")");
    if let Some(id) = before {
        s.push(" AND l.id < ").bind(id);
    }
    s.push(" ORDER BY l.id LIMIT 50");
    s.fetch_all(conn).await
}

/// A lead as duplicate detection compares it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CandidateLead {
    pub id: i64,
    pub company_name: String,
    pub uscc: Option<String>,
    pub name_norm: String,
    pub name_key: String,
    pub industry_code: Option<String>,
    pub region_code: Option<String>,
    pub planned_investment_yuan: Option<i64>,
    pub reported_date: String,
}

/// Values asked for in one `IN (…)` of [`earlier_sharing`].
const SHARING_CHUNK: usize = 500;

/// The live leads (not merged) with an id below `before` that share a name key, a credit
/// code or a normalised name with one of `leads`: where the leads an import is writing
/// look for lookalikes written before them. One indexed `IN (…)` per 500 values of each
/// column, or one read of every earlier lead when there are fewer of them than values;
/// each lead once, by id.
pub async fn earlier_sharing(
    conn: &mut Conn,
    before: i64,
    leads: &[CandidateLead],
) -> Result<Vec<CandidateLead>> {
    let mut keys: Vec<&str> = leads
        .iter()
        .map(|l| l.name_key.as_str())
        .filter(|k| !k.is_empty())
        .collect();
    let mut usccs: Vec<&str> = leads.iter().filter_map(|l| l.uscc.as_deref()).collect();
    let mut norms: Vec<&str> = leads
        .iter()
        .map(|l| l.name_norm.as_str())
        .filter(|k| !k.is_empty())
        .collect();
    const COLS: &str = "id, company_name, uscc, name_norm, name_key, industry_code, \
                        region_code, planned_investment_yuan, reported_date";
    // more values to look up than leads before: a ledger loaded into a new or small system
    // reads the earlier leads once and matches them in memory instead
    if before.max(0) as usize <= keys.len() + usccs.len() + norms.len() {
        let (keys, usccs, norms): (HashSet<&str>, HashSet<&str>, HashSet<&str>) = (
            keys.into_iter().collect(),
            usccs.into_iter().collect(),
            norms.into_iter().collect(),
        );
        let mut s = Sql::new(&format!(
            "SELECT {COLS} FROM leads WHERE status <> 'merged' AND id < "
        ));
        s.bind(before).push(" ORDER BY id");
        let all: Vec<CandidateLead> = s.fetch_all(conn).await?;
        return Ok(all
            .into_iter()
            .filter(|l| {
                keys.contains(l.name_key.as_str())
                    || l.uscc.as_deref().is_some_and(|u| usccs.contains(u))
                    || norms.contains(l.name_norm.as_str())
            })
            .collect());
    }
    let mut out: std::collections::BTreeMap<i64, CandidateLead> = Default::default();
    for (col, values) in [
        ("name_key", &mut keys),
        ("uscc", &mut usccs),
        ("name_norm", &mut norms),
    ] {
        values.sort_unstable();
        values.dedup();
        for chunk in values.chunks(SHARING_CHUNK) {
            let mut s = Sql::new(&format!(
                "SELECT {COLS} FROM leads WHERE status <> 'merged' AND id < "
            ));
            s.bind(before).push(&format!(" AND {col} IN ("));
            for (i, v) in chunk.iter().enumerate() {
                if i > 0 {
                    s.push(", ");
                }
                s.bind(*v);
            }
            s.push(")");
            for l in s.fetch_all::<CandidateLead>(conn).await? {
                out.insert(l.id, l);
            }
        }
    }
    Ok(out.into_values().collect())
}

/// The keys a lead shares with its lookalikes: name key, credit code, normalised name.
fn candidate_keys(l: &CandidateLead) -> [Option<&str>; 3] {
    [
        Some(l.name_key.as_str()).filter(|k| !k.is_empty()),
        l.uscc.as_deref(),
        Some(l.name_norm.as_str()).filter(|k| !k.is_empty()),
    ]
}

/// Pairs (new, earlier) of leads that may be duplicates: every lead of `leads` with an id
/// from `from` on, with each earlier lead of `leads` that shares its name key (not
/// empty), credit code or normalised name (not empty); ordered by both ids, the first
/// `limit`. `leads` holds the new leads and the live earlier ones ([`earlier_sharing`]).
pub fn candidate_pairs(leads: &[CandidateLead], from: i64, limit: usize) -> Vec<(i64, i64)> {
    let mut order: Vec<&CandidateLead> = leads.iter().collect();
    order.sort_unstable_by_key(|l| l.id);
    let mut blocks: [HashMap<&str, Vec<i64>>; 3] = Default::default();
    let mut out = Vec::new();
    let mut earlier = Vec::new();
    for l in order {
        let keys = candidate_keys(l);
        if l.id >= from {
            earlier.clear();
            for (block, key) in blocks.iter().zip(keys) {
                if let Some(ids) = key.and_then(|k| block.get(k)) {
                    earlier.extend_from_slice(ids);
                }
            }
            earlier.sort_unstable();
            earlier.dedup();
            for &o in &earlier {
                if out.len() >= limit {
                    return out;
                }
                out.push((l.id, o));
            }
        }
        for (block, key) in blocks.iter_mut().zip(keys) {
            if let Some(k) = key {
                block.entry(k).or_default().push(l.id);
            }
        }
    }
    out
}

/// Queues pairs `(earlier, new, reasons)` where every `new` lead was written in this
/// transaction, so none of them can be queued already: multi-row inserts.
pub async fn queue_new(conn: &mut Conn, pairs: &[(i64, i64, String)]) -> Result<()> {
    let backend = conn.backend();
    if pairs.is_empty() {
        return Ok(());
    }
    let at = now();
    if backend == crate::Backend::Postgres {
        #[derive(serde::Serialize)]
        struct Row<'a> {
            lead_id: i64,
            other_id: i64,
            reasons: &'a str,
        }
        let rows: Vec<Row> = pairs
            .iter()
            .map(|(old, new, why)| Row {
                lead_id: *old,
                other_id: *new,
                reasons: why,
            })
            .collect();
        let cols = [
            ("lead_id", "bigint"),
            ("other_id", "bigint"),
            ("reasons", "text"),
        ];
        let consts = [("status", "open".into()), ("created_at", at.into())];
        return crate::sql::insert_json(conn, "duplicate_pairs", &cols, &consts, &rows).await;
    }
    let stage = crate::sql::Stage::open(
        conn,
        "duplicate_pairs",
        "lead_id, other_id, reasons, status, created_at",
        pairs.len(),
        500,
    )
    .await?;
    for chunk in pairs.chunks(500) {
        let mut s = Sql::new(&stage.insert());
        for (i, (old, new, why)) in chunk.iter().enumerate() {
            if i > 0 {
                s.push(", ");
            }
            s.push("(")
                .bind(*old)
                .push(", ")
                .bind(*new)
                .push(", ")
                .bind(why.as_str());
            s.push(", 'open', ").bind(at.as_str()).push(")");
        }
        s.positional(backend).execute(conn).await?;
    }
    stage.close(conn).await
}

/// Open pairs where both leads are in `scope` and neither has been merged (a pair with a
/// merged lead lives on as the pair with the lead it was merged into), oldest first.
pub async fn open_pairs(conn: &mut Conn, scope: &Scope) -> Result<Vec<Pair>> {
    let mut s = Sql::new(&format!(
        "{PAIR_SELECT} AND p.status = 'open' AND a.status <> 'merged' AND b.status <> 'merged'"
    ));
    scope.restrict(&mut s, "a", false);
    scope.restrict(&mut s, "b", false);
    s.push(" ORDER BY p.id LIMIT 500");
    s.fetch_all(conn).await
}

pub async fn pair(conn: &mut Conn, id: i64) -> Result<Option<Pair>> {
    let mut s = Sql::new(&format!("{PAIR_SELECT} AND p.id = "));
    s.bind(id);
    s.fetch_optional(conn).await
}

pub async fn resolve(conn: &mut Conn, ids: &[i64], status: &str, by: i64) -> Result<()> {
    for id in ids {
        let mut s = Sql::new("UPDATE duplicate_pairs SET status = ");
        s.bind(status).push(", resolved_by = ").bind(by);
        s.push(", resolved_at = ")
            .bind(now())
            .push(" WHERE id = ")
            .bind(*id);
        s.execute(conn).await?;
    }
    Ok(())
}

/// A lead with those merged into it: who reported it, in which unit, when.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Reporter {
    pub lead_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub reporter_name: String,
    pub reported_date: String,
}

pub async fn reporters(conn: &mut Conn, lead: i64) -> Result<Vec<Reporter>> {
    let mut s = Sql::new(
        "SELECT l.id AS lead_id, l.reporting_unit_id AS unit_id, un.name AS unit_name, \
         us.display_name AS reporter_name, l.reported_date FROM leads l \
         JOIN units un ON un.id = l.reporting_unit_id JOIN users us ON us.id = l.reported_by \
         WHERE l.id = ",
    );
    s.bind(lead).push(" OR l.merged_into = ").bind(lead);
    s.push(" ORDER BY l.reported_date, l.id");
    s.fetch_all(conn).await
}

// ---- merging two projects ----

/// What merging project `gone` into project `kept` moved, voided or swapped, so that
/// undoing it puts back exactly what was there.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectMove {
    pub kept: i64,
    pub gone: i64,
    /// both projects' columns as they were
    pub kept_before: ProjectColumns,
    pub gone_before: ProjectColumns,
    /// the kept project's stage-history rows as they were: (id, park, investment), which
    /// the picked park or planned investment may change
    pub kept_history: Vec<(i64, Option<i64>, i64)>,
    /// the gone project's standing stage-history rows, voided by the merge
    pub voided: Vec<i64>,
    pub requests: Vec<i64>,
    pub attachments: Vec<i64>,
    /// milestones of nodes the kept project had not planned (the others stay with the gone
    /// project, for its history)
    pub milestones: Vec<i64>,
    /// months of figures the kept project had not recorded
    pub months: Vec<String>,
    /// months both had where the gone project's figures were picked: the two rows'
    /// figures were swapped
    pub swapped_months: Vec<String>,
}

/// One month of a project's figures (到资, 固投, 产值, 税收, 用工).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, Serialize, Deserialize)]
pub struct MonthFigures {
    pub month: String,
    pub capital_arrived_yuan: Option<i64>,
    pub fixed_asset_yuan: Option<i64>,
    pub output_yuan: Option<i64>,
    pub tax_yuan: Option<i64>,
    pub employment: Option<i64>,
    pub foreign_capital_usd: Option<i64>,
    pub recorded_by: i64,
    pub recorded_at: String,
}

pub async fn month_figures(conn: &mut Conn, project: i64) -> Result<Vec<MonthFigures>> {
    let mut s = Sql::new(
        "SELECT month, capital_arrived_yuan, fixed_asset_yuan, output_yuan, tax_yuan, employment, \
         foreign_capital_usd, recorded_by, recorded_at FROM project_monthly WHERE project_id = ",
    );
    s.bind(project).push(" ORDER BY month");
    s.fetch_all(conn).await
}

async fn set_month(conn: &mut Conn, project: i64, m: &MonthFigures) -> Result<()> {
    let mut s = Sql::new("UPDATE project_monthly SET capital_arrived_yuan = ");
    s.bind(m.capital_arrived_yuan)
        .push(", fixed_asset_yuan = ")
        .bind(m.fixed_asset_yuan);
    s.push(", output_yuan = ")
        .bind(m.output_yuan)
        .push(", tax_yuan = ")
        .bind(m.tax_yuan);
    s.push(", employment = ")
        .bind(m.employment)
        .push(", foreign_capital_usd = ")
        .bind(m.foreign_capital_usd)
        .push(", recorded_by = ")
        .bind(m.recorded_by);
    s.push(", recorded_at = ")
        .bind(m.recorded_at.clone())
        .push(" WHERE project_id = ")
        .bind(project);
    s.push(" AND month = ").bind(m.month.clone());
    s.execute(conn).await.map(|_| ())
}

/// Swaps the figures of `month` between two projects (both have a row for it).
pub async fn swap_month(conn: &mut Conn, a: i64, b: i64, month: &str) -> Result<()> {
    let get = |p: i64| {
        let mut s = Sql::new(
            "SELECT month, capital_arrived_yuan, fixed_asset_yuan, output_yuan, tax_yuan, employment, \
             foreign_capital_usd, recorded_by, recorded_at FROM project_monthly WHERE project_id = ",
        );
        s.bind(p).push(" AND month = ").bind(month.to_string());
        s
    };
    let ma: MonthFigures = get(a).fetch_one(conn).await?;
    let mb: MonthFigures = get(b).fetch_one(conn).await?;
    set_month(conn, a, &mb).await?;
    set_month(conn, b, &ma).await
}

async fn project_ids(conn: &mut Conn, table: &str, project: i64, extra: &str) -> Result<Vec<i64>> {
    let mut s = Sql::new(&format!("SELECT id FROM {table} WHERE project_id = "));
    s.bind(project).push(extra).push(" ORDER BY id");
    let rows: Vec<(i64,)> = s.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

async fn set_project(conn: &mut Conn, table: &str, ids: &[i64], project: i64) -> Result<()> {
    set_ref(conn, table, "project_id", ids, project).await
}

async fn set_months(conn: &mut Conn, from: i64, to: i64, months: &[String]) -> Result<()> {
    for m in months {
        let mut s = Sql::new("UPDATE project_monthly SET project_id = ");
        s.bind(to).push(" WHERE project_id = ").bind(from);
        s.push(" AND month = ").bind(m.clone());
        s.execute(conn).await?;
    }
    Ok(())
}

/// Moves the references of project `gone` that `kept` can take over (requests, evidence,
/// milestones of nodes `kept` has not planned, months of figures it has not recorded),
/// voids `gone`'s standing stage history (so that the figures, which read the standing
/// history, count the company once) and marks `gone` merged into `kept`. `m` arrives
/// with the snapshots and the months to swap filled in and leaves with what moved.
pub async fn merge_projects(conn: &mut Conn, m: &mut ProjectMove, reason: &str) -> Result<()> {
    let (kept, gone) = (m.kept, m.gone);
    let mut s =
        Sql::new("SELECT id, park_id, investment_yuan FROM stage_history WHERE project_id = ");
    s.bind(kept).push(" ORDER BY id");
    m.kept_history = s.fetch_all(conn).await?;
    m.voided = project_ids(conn, "stage_history", gone, " AND voided = 0").await?;
    m.requests = project_ids(conn, "requests", gone, "").await?;
    m.attachments = project_ids(conn, "attachments", gone, "").await?;
    m.milestones = project_ids(
        conn,
        "milestones",
        gone,
        &format!(" AND node NOT IN (SELECT node FROM milestones WHERE project_id = {kept})"),
    )
    .await?;
    let mut s = Sql::new("SELECT month FROM project_monthly WHERE project_id = ");
    s.bind(gone)
        .push(" AND month NOT IN (SELECT month FROM project_monthly WHERE project_id = ");
    s.bind(kept).push(") ORDER BY month");
    let months: Vec<(String,)> = s.fetch_all(conn).await?;
    m.months = months.into_iter().map(|r| r.0).collect();
    let at = now();
    for id in &m.voided {
        let mut s = Sql::new("UPDATE stage_history SET voided = 1, voided_reason = ");
        s.bind(reason).push(", voided_at = ").bind(at.clone());
        s.push(" WHERE id = ").bind(*id);
        s.execute(conn).await?;
    }
    set_project(conn, "requests", &m.requests, kept).await?;
    set_project(conn, "attachments", &m.attachments, kept).await?;
    set_project(conn, "milestones", &m.milestones, kept).await?;
    set_months(conn, gone, kept, &m.months).await?;
    for month in &m.swapped_months {
        swap_month(conn, kept, gone, month).await?;
    }
    let mut s = Sql::new("UPDATE projects SET merged_into = ");
    s.bind(kept).push(", updated_at = ").bind(at);
    s.push(" WHERE id = ").bind(gone);
    s.execute(conn).await.map(|_| ())
}

/// Puts back what [`merge_projects`] did (the projects' own columns are restored by the
/// caller from the snapshots).
pub async fn unmerge_projects(conn: &mut Conn, m: &ProjectMove) -> Result<()> {
    let (kept, gone) = (m.kept, m.gone);
    for month in &m.swapped_months {
        swap_month(conn, kept, gone, month).await?;
    }
    set_months(conn, kept, gone, &m.months).await?;
    set_project(conn, "milestones", &m.milestones, gone).await?;
    set_project(conn, "attachments", &m.attachments, gone).await?;
    set_project(conn, "requests", &m.requests, gone).await?;
    for id in &m.voided {
        let mut s = Sql::new(
            "UPDATE stage_history SET voided = 0, voided_reason = NULL, voided_at = NULL WHERE id = ",
        );
        s.bind(*id);
        s.execute(conn).await?;
    }
    for (id, park, investment) in &m.kept_history {
        let mut s = Sql::new("UPDATE stage_history SET park_id = ");
        s.bind(*park).push(", investment_yuan = ").bind(*investment);
        s.push(" WHERE id = ").bind(*id);
        s.execute(conn).await?;
    }
    Ok(())
}

/// The columns of a project a merge may change, written back as they were (or as picked).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectColumns {
    pub name: String,
    pub lead_id: Option<i64>,
    pub park_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    pub responsible_leader_id: Option<i64>,
    pub planned_investment_yuan: i64,
    pub foreign_capital_usd: Option<i64>,
    pub land_mu: Option<f64>,
    pub merged_into: Option<i64>,
    pub updated_at: String,
}

pub async fn write_project(conn: &mut Conn, id: i64, p: &ProjectColumns) -> Result<()> {
    let mut s = Sql::new("UPDATE projects SET name = ");
    s.bind(p.name.clone()).push(", lead_id = ").bind(p.lead_id);
    s.push(", park_id = ")
        .bind(p.park_id)
        .push(", responsible_user_id = ")
        .bind(p.responsible_user_id);
    s.push(", responsible_leader_id = ")
        .bind(p.responsible_leader_id)
        .push(", planned_investment_yuan = ")
        .bind(p.planned_investment_yuan);
    s.push(", foreign_capital_usd = ")
        .bind(p.foreign_capital_usd)
        .push(", land_mu = ")
        .bind(p.land_mu);
    s.push(", merged_into = ")
        .bind(p.merged_into)
        .push(", updated_at = ")
        .bind(p.updated_at.clone());
    s.push(" WHERE id = ").bind(id);
    s.execute(conn).await.map(|_| ())
}

/// Moves the links of activities (走访, 推介会 …) from lead `from` to lead `to`, where `to`
/// is not linked already; returns the activities moved.
pub async fn move_activities(conn: &mut Conn, from: i64, to: i64) -> Result<Vec<i64>> {
    let mut s = Sql::new("SELECT activity_id FROM activity_leads WHERE lead_id = ");
    s.bind(from)
        .push(" AND activity_id NOT IN (SELECT activity_id FROM activity_leads WHERE lead_id = ")
        .bind(to)
        .push(") ORDER BY activity_id");
    let ids: Vec<(i64,)> = s.fetch_all(conn).await?;
    let ids: Vec<i64> = ids.into_iter().map(|r| r.0).collect();
    set_activities(conn, &ids, from, to).await?;
    Ok(ids)
}

pub async fn set_activities(conn: &mut Conn, ids: &[i64], from: i64, to: i64) -> Result<()> {
    for id in ids {
        let mut s = Sql::new("UPDATE activity_leads SET lead_id = ");
        s.bind(to).push(" WHERE lead_id = ").bind(from);
        s.push(" AND activity_id = ").bind(*id);
        s.execute(conn).await?;
    }
    Ok(())
}
