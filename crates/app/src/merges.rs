//! Merging duplicate leads without losing anything, undoing a merge, the credit of the
//! first reporter (首报) and co-reporters, and the 疑似重复 queue.
//!
//! The survivor keeps its own values; where it has none it takes the duplicate's; where
//! both have different values the person merging picks, field by field (a merge with an
//! unresolved conflict is refused, naming the fields). The duplicate is kept, marked
//! `merged` into the survivor, so both histories stay readable, and every reference to it
//! (reviews, routings, red-line overrides, activities, chain targets, leads merged into it,
//! its project) moves to the survivor. The merge records both leads as they were and what
//! moved; undoing it restores them exactly.
//!
//! When both leads have a project, the projects merge too: the person picks which one is
//! kept (its stage and timeline) and, field by field, the values that differ (the months
//! of figures both recorded included). The other project is kept, marked merged into the
//! kept one, so its history stays readable; its standing stage history is voided (the
//! figures read the standing history, so the company counts once) and its requests,
//! evidence, milestones of nodes the kept project has not planned and months the kept
//! project has not recorded move over. Undo puts both projects back as they were.

use crate::audit::Tx;
use crate::{Actor, App, Error, Result};
use chrono::NaiveDate;
use fenglai_domain::{LeadStatus, Role, Yuan};
use fenglai_store::leads::{self as lead_store, Lead};
use fenglai_store::merges::{self as store, Merge, Pair, Repointed};
use fenglai_store::{org, Conn, Scope};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

/// The fields a merge compares: (field, label, fields that travel with it).
pub const FIELDS: &[(&str, &str, &[&str])] = &[
    ("company_name", "企业名称", &[]),
    ("uscc", "统一社会信用代码", &[]),
    (
        "industry_code",
        "行业",
        &["industry_name", "industry_section"],
    ),
    ("region_code", "地区", &["region_name"]),
    ("contact_name", "联系人", &[]),
    ("contact_phone", "联系电话", &[]),
    ("description", "项目简介", &[]),
    ("planned_investment_yuan", "计划投资（元）", &[]),
    ("land_mu", "用地（亩）", &[]),
    ("expected_jobs", "带动就业（人）", &[]),
    ("channel", "线索来源", &[]),
    ("env_category", "环评类别", &[]),
    ("expected_tax_yuan", "预计年税收（元）", &[]),
    ("expected_output_yuan", "预计年产值（元）", &[]),
    ("energy_tce", "年综合能耗（吨标煤）", &[]),
    ("power_kva", "用电需求（kVA）", &[]),
];

/// One field of two leads side by side.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldPair {
    pub field: String,
    pub label: String,
    pub survivor: Option<String>,
    pub duplicate: Option<String>,
    /// both have a value and they differ: the person merging picks
    pub conflict: bool,
}

/// Two leads side by side before a merge (the web layer gives it its wire form).
#[derive(Debug, Clone)]
pub struct Preview {
    pub survivor: Lead,
    pub duplicate: Lead,
    pub fields: Vec<FieldPair>,
    /// when both leads have a project: which project survives (`project`), the projects'
    /// fields and the months both recorded figures for (`month.YYYY-MM`), side by side;
    /// keys of `keep` like the lead's fields
    pub project_fields: Vec<FieldPair>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    pub duplicate_id: i64,
    /// for each conflicting field, "survivor" or "duplicate"
    #[serde(default)]
    pub keep: HashMap<String, String>,
}

/// A reporter's share of a lead's credit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Credit {
    pub lead_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub reporter_name: String,
    pub reported_date: String,
    /// 首报: the earliest report
    pub first: bool,
    /// per cent of the credit
    pub share: f64,
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn as_json(l: &Lead) -> serde_json::Map<String, Value> {
    match serde_json::to_value(l) {
        Ok(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    }
}

fn pairs(s: &Lead, d: &Lead) -> Vec<FieldPair> {
    let (sj, dj) = (as_json(s), as_json(d));
    FIELDS
        .iter()
        .map(|(f, label, _)| {
            let sv = sj.get(*f).and_then(text);
            let dv = dj.get(*f).and_then(text);
            FieldPair {
                conflict: sv.is_some() && dv.is_some() && sv != dv,
                field: f.to_string(),
                label: label.to_string(),
                survivor: sv,
                duplicate: dv,
            }
        })
        .collect()
}

/// The survivor after the merge, or the fields still to pick.
fn combine(s: &Lead, d: &Lead, keep: &HashMap<String, String>) -> Result<Lead> {
    let (mut out, dj) = (as_json(s), as_json(d));
    let mut unresolved = Vec::new();
    for p in pairs(s, d) {
        let take_dup = match (&p.survivor, &p.duplicate) {
            (None, Some(_)) => true,
            _ if p.conflict => match keep.get(&p.field).map(String::as_str) {
                Some("duplicate") => true,
                Some("survivor") => false,
                Some(other) => {
                    return Err(Error::invalid(
                        "keep",
                        format!(
                            "“{}”的取舍“{other}”不对：应为 survivor 或 duplicate",
                            p.label
                        ),
                    ))
                }
                None => {
                    unresolved.push(p.label.clone());
                    false
                }
            },
            _ => false,
        };
        if take_dup {
            let travel = FIELDS
                .iter()
                .find(|(f, _, _)| *f == p.field)
                .map(|(_, _, t)| *t)
                .unwrap_or(&[]);
            for f in std::iter::once(p.field.as_str()).chain(travel.iter().copied()) {
                out.insert(f.to_string(), dj.get(f).cloned().unwrap_or(Value::Null));
            }
        }
    }
    if !unresolved.is_empty() {
        return Err(Error::invalid(
            "keep",
            format!(
                "以下字段两条线索不一致，请选择保留哪一个：{}",
                unresolved.join("、")
            ),
        ));
    }
    serde_json::from_value(Value::Object(out)).map_err(|e| Error::Internal(e.to_string()))
}

/// The further along of two statuses: admitted, in review, waiting, rejected.
fn rank(status: LeadStatus) -> i32 {
    match status {
        LeadStatus::Admitted => 4,
        LeadStatus::InReview => 3,
        LeadStatus::PendingReview => 2,
        LeadStatus::Rejected => 1,
        LeadStatus::Merged => 0,
    }
}

async fn pair_of(c: &mut Conn, actor: &Actor, a: i64, b: i64) -> Result<(Lead, Lead)> {
    if a == b {
        return Err(Error::invalid("duplicate_id", "不能把线索合并到它自己"));
    }
    let s = lead_store::get(c, a, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    let d = lead_store::get(c, b, &actor.scope).await?.ok_or_else(|| {
        Error::invalid("duplicate_id", format!("线索 {b} 不存在或不在您的范围内"))
    })?;
    for l in [&s, &d] {
        if l.status == LeadStatus::Merged {
            return Err(Error::Conflict(format!(
                "线索 {}（{}）已合并到线索 {}",
                l.id,
                l.company_name,
                l.merged_into.unwrap_or_default()
            )));
        }
    }
    Ok((s, d))
}

fn may_merge(actor: &Actor) -> Result<()> {
    actor.require(
        matches!(actor.role, Role::Admin | Role::Promoter),
        "合并线索",
    )
}

/// The two leads side by side, conflicts marked.
pub async fn preview(app: &App, actor: &Actor, survivor: i64, duplicate: i64) -> Result<Preview> {
    may_merge(actor)?;
    let mut c = app.db.acquire().await?;
    let (s, d) = pair_of(&mut c, actor, survivor, duplicate).await?;
    let project_fields = match (s.project_id, d.project_id) {
        (Some(a), Some(b)) => Projects::load(&mut c, a, b).await?.pairs(),
        _ => Vec::new(),
    };
    Ok(Preview {
        fields: pairs(&s, &d),
        survivor: s,
        duplicate: d,
        project_fields,
    })
}

/// The project fields a merge of two projects compares: (field, label).
pub const PROJECT_FIELDS: &[(&str, &str)] = &[
    ("name", "项目名称"),
    ("park_id", "承接园区"),
    ("responsible_user_id", "责任人"),
    ("responsible_leader_id", "包联领导"),
    ("planned_investment_yuan", "计划投资（元）"),
    ("foreign_capital_usd", "外资（美元）"),
    ("land_mu", "用地（亩）"),
];

/// The projects of the survivor (`s`) and of the duplicate (`d`), with their monthly
/// figures: what a merge of two projects compares.
struct Projects {
    s: fenglai_store::projects::Project,
    d: fenglai_store::projects::Project,
    s_months: Vec<store::MonthFigures>,
    d_months: Vec<store::MonthFigures>,
}

fn project_label(p: &fenglai_store::projects::Project) -> String {
    format!(
        "项目 {} {}（{}，{}）",
        p.id,
        p.name,
        p.stage.label(),
        p.stage_date
    )
}

fn month_text(m: &store::MonthFigures) -> String {
    let parts = [
        ("到资", m.capital_arrived_yuan),
        ("固投", m.fixed_asset_yuan),
        ("产值", m.output_yuan),
        ("税收", m.tax_yuan),
        ("用工", m.employment),
        ("外资（美元）", m.foreign_capital_usd),
    ];
    parts
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
        .collect::<Vec<_>>()
        .join("；")
}

fn month_values(m: &store::MonthFigures) -> [Option<i64>; 6] {
    [
        m.capital_arrived_yuan,
        m.fixed_asset_yuan,
        m.output_yuan,
        m.tax_yuan,
        m.employment,
        m.foreign_capital_usd,
    ]
}

impl Projects {
    async fn load(c: &mut Conn, s: i64, d: i64) -> Result<Projects> {
        let get = |p: Option<fenglai_store::projects::Project>| p.ok_or(Error::NotFound);
        let sp = get(fenglai_store::projects::get(c, s, &Scope::All).await?)?;
        let dp = get(fenglai_store::projects::get(c, d, &Scope::All).await?)?;
        Ok(Projects {
            s_months: store::month_figures(c, s).await?,
            d_months: store::month_figures(c, d).await?,
            s: sp,
            d: dp,
        })
    }

    /// (compared value, shown value) of a field of a project.
    fn value(
        p: &fenglai_store::projects::Project,
        field: &str,
    ) -> (Option<String>, Option<String>) {
        let named = |id: Option<i64>, name: &Option<String>| {
            (
                id.map(|i| i.to_string()),
                id.map(|i| name.clone().unwrap_or_else(|| i.to_string())),
            )
        };
        let plain = |v: Option<String>| (v.clone(), v);
        match field {
            "name" => plain(Some(p.name.clone()).filter(|n| !n.trim().is_empty())),
            "park_id" => named(p.park_id, &p.park_name),
            "responsible_user_id" => named(p.responsible_user_id, &p.responsible_user_name),
            "responsible_leader_id" => named(p.responsible_leader_id, &p.responsible_leader_name),
            "planned_investment_yuan" => plain(
                Some(p.planned_investment_yuan.0)
                    .filter(|v| *v != 0)
                    .map(|v| v.to_string()),
            ),
            "foreign_capital_usd" => plain(p.foreign_capital_usd.map(|v| v.to_string())),
            "land_mu" => plain(p.land_mu.map(|v| v.to_string())),
            _ => (None, None),
        }
    }

    /// Side by side: which project survives, the fields, the months both recorded.
    fn pairs(&self) -> Vec<FieldPair> {
        let mut out = vec![FieldPair {
            field: "project".into(),
            label: "保留的项目（其阶段与历程）".into(),
            survivor: Some(project_label(&self.s)),
            duplicate: Some(project_label(&self.d)),
            conflict: true,
        }];
        for (f, label) in PROJECT_FIELDS {
            let (sv, ss) = Self::value(&self.s, f);
            let (dv, ds) = Self::value(&self.d, f);
            out.push(FieldPair {
                field: format!("project.{f}"),
                label: (*label).into(),
                conflict: sv.is_some() && dv.is_some() && sv != dv,
                survivor: ss,
                duplicate: ds,
            });
        }
        for sm in &self.s_months {
            if let Some(dm) = self.d_months.iter().find(|m| m.month == sm.month) {
                out.push(FieldPair {
                    field: format!("month.{}", sm.month),
                    label: format!("{} 月度数据", sm.month),
                    conflict: month_values(sm) != month_values(dm),
                    survivor: Some(month_text(sm)),
                    duplicate: Some(month_text(dm)),
                });
            }
        }
        out
    }
}

fn columns(p: &fenglai_store::projects::Project) -> store::ProjectColumns {
    store::ProjectColumns {
        name: p.name.clone(),
        lead_id: p.lead_id,
        park_id: p.park_id,
        responsible_user_id: p.responsible_user_id,
        responsible_leader_id: p.responsible_leader_id,
        planned_investment_yuan: p.planned_investment_yuan.0,
        foreign_capital_usd: p.foreign_capital_usd,
        land_mu: p.land_mu,
        merged_into: p.merged_into,
        updated_at: p.updated_at.to_string(),
    }
}

/// Which side `keep` picks for `field`: Ok(None) when it does not say.
fn pick(keep: &HashMap<String, String>, field: &str, label: &str) -> Result<Option<bool>> {
    match keep.get(field).map(String::as_str) {
        Some("duplicate") => Ok(Some(true)),
        Some("survivor") => Ok(Some(false)),
        Some(other) => Err(Error::invalid(
            "keep",
            format!("“{label}”的取舍“{other}”不对：应为 survivor 或 duplicate"),
        )),
        None => Ok(None),
    }
}

/// Merges the duplicate lead's project into the survivor's, or the other way round as
/// picked (`keep.project`): the kept project takes the picked fields and, where it has
/// none, the other's; the other is marked merged into it, its standing history voided,
/// its requests, evidence, unplanned milestones and unrecorded months moved over.
/// Returns what moved (for undo) and the kept project's id.
async fn merge_projects(
    c: &mut Conn,
    p: &Projects,
    survivor_lead: i64,
    keep: &HashMap<String, String>,
) -> Result<store::ProjectMove> {
    let mut unresolved = Vec::new();
    let take_d = |field: &str,
                  label: &str,
                  conflict: bool,
                  s_none: bool,
                  unresolved: &mut Vec<String>|
     -> Result<bool> {
        if conflict {
            match pick(keep, field, label)? {
                Some(d) => Ok(d),
                None => {
                    unresolved.push(label.to_string());
                    Ok(false)
                }
            }
        } else {
            Ok(s_none)
        }
    };
    let fields = p.pairs();
    let keep_d = take_d("project", &fields[0].label, true, false, &mut unresolved)?;
    let mut out = columns(&p.s);
    for (pair, (f, _)) in fields[1..].iter().zip(PROJECT_FIELDS) {
        let s_none = Projects::value(&p.s, f).0.is_none();
        if !take_d(
            &pair.field,
            &pair.label,
            pair.conflict,
            s_none,
            &mut unresolved,
        )? {
            continue;
        }
        match *f {
            "name" => out.name = p.d.name.clone(),
            "park_id" => out.park_id = p.d.park_id,
            "responsible_user_id" => out.responsible_user_id = p.d.responsible_user_id,
            "responsible_leader_id" => out.responsible_leader_id = p.d.responsible_leader_id,
            "planned_investment_yuan" => {
                out.planned_investment_yuan = p.d.planned_investment_yuan.0
            }
            "foreign_capital_usd" => out.foreign_capital_usd = p.d.foreign_capital_usd,
            "land_mu" => out.land_mu = p.d.land_mu,
            _ => {}
        }
    }
    // months both recorded: the kept project's row ends up with the picked figures
    let mut swapped = Vec::new();
    for pair in fields[1 + PROJECT_FIELDS.len()..].iter() {
        let month = pair.field.trim_start_matches("month.").to_string();
        let d_wins = take_d(
            &pair.field,
            &pair.label,
            pair.conflict,
            false,
            &mut unresolved,
        )?;
        if pair.conflict && d_wins != keep_d {
            swapped.push(month);
        }
    }
    if !unresolved.is_empty() {
        return Err(Error::invalid(
            "keep",
            format!(
                "两个项目以下内容不一致，请选择保留哪一个：{}",
                unresolved.join("、")
            ),
        ));
    }
    let (kept, gone) = if keep_d { (&p.d, &p.s) } else { (&p.s, &p.d) };
    let mut m = store::ProjectMove {
        kept: kept.id,
        gone: gone.id,
        kept_before: columns(kept),
        gone_before: columns(gone),
        swapped_months: swapped,
        ..Default::default()
    };
    let reason = format!("项目合并：并入项目 {}", kept.id);
    store::merge_projects(c, &mut m, &reason).await?;
    // the picked fields, through the same path as an edit (the history's park and the
    // negotiating figure follow), then the lead and the time
    let edit = fenglai_store::projects::ProjectEdit {
        name: out.name.clone(),
        park_id: out.park_id,
        responsible_user_id: out.responsible_user_id,
        responsible_leader_id: out.responsible_leader_id,
        planned_investment_yuan: Yuan(out.planned_investment_yuan),
        foreign_capital_usd: out.foreign_capital_usd,
        land_mu: out.land_mu,
    };
    fenglai_store::projects::update(c, kept.id, &edit).await?;
    out.lead_id = Some(survivor_lead);
    out.merged_into = None;
    out.updated_at = fenglai_store::now();
    store::write_project(c, kept.id, &out).await?;
    Ok(m)
}

/// Merges `input.duplicate_id` into `survivor_id`; returns the survivor as it now is.
pub async fn merge(app: &App, actor: &Actor, survivor_id: i64, input: &MergeInput) -> Result<Lead> {
    may_merge(actor)?;
    let mut tx = Tx::begin(app).await?;
    let (s, d) = pair_of(tx.conn(), actor, survivor_id, input.duplicate_id).await?;
    let projects = match (s.project_id, d.project_id) {
        (Some(a), Some(b)) => Some(Projects::load(tx.conn(), a, b).await?),
        _ => None,
    };
    let mut after = combine(&s, &d, &input.keep)?;
    let takes_project = d.project_id.filter(|_| s.project_id.is_none());
    if rank(d.status) > rank(s.status) {
        after.status = d.status;
    }
    if let Some(p) = takes_project {
        after.project_id = Some(p);
        after.status = LeadStatus::Admitted;
    }
    let project_move = match &projects {
        Some(p) => {
            let m = merge_projects(tx.conn(), p, s.id, &input.keep).await?;
            after.project_id = Some(m.kept);
            Some(m)
        }
        None => None,
    };
    let now = fenglai_domain::Moment::now();
    after.updated_at = now;
    let mut moved = store::repoint(tx.conn(), d.id, s.id, takes_project).await?;
    moved.projects = project_move;
    store::resolve(tx.conn(), &moved.pairs, "merged", actor.id()).await?;
    let mut gone = d.clone();
    gone.status = LeadStatus::Merged;
    gone.merged_into = Some(s.id);
    gone.project_id = None;
    gone.updated_at = now;
    lead_store::write_snapshot(tx.conn(), &gone).await?;
    lead_store::write_snapshot(tx.conn(), &after).await?;
    let id = store::insert(
        tx.conn(),
        s.id,
        d.id,
        &to_json(&s),
        &to_json(&d),
        &to_json(&moved),
        actor.id(),
    )
    .await?;
    let merged = lead_store::get(tx.conn(), s.id, &Scope::All)
        .await?
        .ok_or(Error::NotFound)?;
    tx.record(Some(actor), "lead", s.id, "merge", Some(&s), Some(&merged))
        .await?;
    tx.record(
        Some(actor),
        "lead",
        d.id,
        "merged",
        Some(&d),
        Some(&serde_json::json!({"merge_id": id, "merged_into": s.id})),
    )
    .await?;
    if let (Some(p), Some(m)) = (&projects, &moved.projects) {
        let (kept, gone) = if m.kept == p.s.id {
            (&p.s, &p.d)
        } else {
            (&p.d, &p.s)
        };
        let now_kept = fenglai_store::projects::get(tx.conn(), m.kept, &Scope::All).await?;
        tx.record(
            Some(actor),
            "project",
            m.kept,
            "merge",
            Some(kept),
            now_kept.as_ref(),
        )
        .await?;
        tx.record(
            Some(actor),
            "project",
            m.gone,
            "merged",
            Some(gone),
            Some(&serde_json::json!({"merge_id": id, "merged_into": m.kept})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(merged)
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Undoes a merge: both leads exactly as they were, every reference back. Refused when a
/// later merge involving either lead still stands (undo that one first).
pub async fn undo(app: &App, actor: &Actor, merge_id: i64) -> Result<Lead> {
    may_merge(actor)?;
    let mut tx = Tx::begin(app).await?;
    let m = store::get(tx.conn(), merge_id)
        .await?
        .ok_or(Error::NotFound)?;
    // the caller must reach the survivor
    lead_store::get(tx.conn(), m.survivor_id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    if m.undone_at.is_some() {
        return Err(Error::Conflict("该合并已撤销".into()));
    }
    if store::later(tx.conn(), m.id, m.survivor_id, m.duplicate_id).await? > 0 {
        return Err(Error::Conflict(
            "这两条线索之后又参与了其他合并：请先撤销后来的合并".into(),
        ));
    }
    let bad = |e: serde_json::Error| Error::Internal(format!("merge {merge_id}: {e}"));
    let s: Lead = serde_json::from_str(&m.survivor_before).map_err(bad)?;
    let d: Lead = serde_json::from_str(&m.duplicate_before).map_err(bad)?;
    let moved: Repointed = serde_json::from_str(&m.repointed).map_err(bad)?;
    let current = lead_store::get(tx.conn(), m.survivor_id, &Scope::All)
        .await?
        .ok_or(Error::NotFound)?;
    store::unpoint(tx.conn(), &moved, d.id, s.id).await?;
    if let Some(pm) = &moved.projects {
        let now_kept = fenglai_store::projects::get(tx.conn(), pm.kept, &Scope::All).await?;
        store::unmerge_projects(tx.conn(), pm).await?;
        store::write_project(tx.conn(), pm.kept, &pm.kept_before).await?;
        store::write_project(tx.conn(), pm.gone, &pm.gone_before).await?;
        for (id, before) in [(pm.kept, now_kept.as_ref()), (pm.gone, None)] {
            let after = fenglai_store::projects::get(tx.conn(), id, &Scope::All).await?;
            tx.record(
                Some(actor),
                "project",
                id,
                "unmerge",
                before,
                after.as_ref(),
            )
            .await?;
        }
    }
    lead_store::write_snapshot(tx.conn(), &s).await?;
    lead_store::write_snapshot(tx.conn(), &d).await?;
    store::mark_undone(tx.conn(), m.id, actor.id()).await?;
    tx.record(
        Some(actor),
        "lead",
        s.id,
        "unmerge",
        Some(&current),
        Some(&s),
    )
    .await?;
    tx.record::<(), _>(Some(actor), "lead", d.id, "unmerged", None, Some(&d))
        .await?;
    tx.commit().await?;
    Ok(s)
}

/// Merges the lead took part in, newest first.
pub async fn of_lead(app: &App, actor: &Actor, lead: i64) -> Result<Vec<Merge>> {
    let mut c = app.db.acquire().await?;
    crate::access::reach(&mut c, actor, lead).await?;
    Ok(store::of_lead(&mut c, lead).await?)
}

/// How the credit of a lead is shared (setting `credit_rule`): `first_half` (default: the
/// first reporter half, the others the rest equally), `first_only` or `equal`.
pub async fn credits(app: &App, actor: &Actor, lead: i64) -> Result<Vec<Credit>> {
    let mut c = app.db.acquire().await?;
    crate::access::reach(&mut c, actor, lead).await?;
    credits_in(&mut c, lead).await
}

pub async fn credits_in(c: &mut Conn, lead: i64) -> Result<Vec<Credit>> {
    let rule = org::setting(c, "credit_rule").await?.unwrap_or_default();
    let reporters = store::reporters(c, lead).await?;
    let shares = fenglai_domain::assess::CreditRule::parse(&rule).shares(reporters.len());
    Ok(reporters
        .into_iter()
        .zip(shares)
        .enumerate()
        .map(|(i, (r, share))| Credit {
            lead_id: r.lead_id,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            reporter_name: r.reporter_name,
            reported_date: r.reported_date,
            first: i == 0,
            share,
        })
        .collect())
}

/// An existing lead that looks like one being reported, and why — or, for the lookalikes
/// outside the caller's scope, one notice that a likely duplicate exists and whom to ask,
/// with nothing of those leads (neither id nor content).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Lookalike {
    /// absent for the notice of lookalikes outside the caller's scope
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_date: Option<String>,
    /// "同一信用代码", "企业名称相同"
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasons: Option<String>,
    /// true for the one notice standing for every lookalike outside the caller's scope
    pub elsewhere: bool,
    /// whom to ask about those: the city's investment-promotion bureau (市招商局)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ask_unit_name: Option<String>,
    /// the notice for people, e.g. "其他单位可能已报送该企业，请向凤城市投资促进局核实"
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A lookalike as duplicate detection finds it, whoever asks.
struct Hit {
    lead_id: i64,
    company_name: String,
    unit_name: String,
    reported_date: String,
    reasons: String,
}

/// A stored `YYYY-MM-DD` of a row not yet read into domain types.
fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// What identity compares of a lead.
fn record(
    name: &str,
    uscc: Option<&str>,
    industry: Option<&str>,
    region: Option<&str>,
    amount: Option<Yuan>,
    date: Option<NaiveDate>,
) -> fenglai_identity::Record {
    fenglai_identity::Record {
        name: name.to_string(),
        uscc: uscc.and_then(|u| fenglai_domain::Uscc::parse(u).ok()),
        industry: industry.and_then(|c| fenglai_domain::IndustryCode::parse(c).ok()),
        region: region.and_then(|c| fenglai_domain::RegionCode::parse(c).ok()),
        amount,
        date,
    }
}

/// Why two leads look alike, for people: the exact matches first, then identity's evidence.
fn reasons(same_uscc: bool, same_name: bool, verdict: &fenglai_identity::Verdict) -> String {
    let mut why: Vec<String> = Vec::new();
    if same_uscc {
        why.push("同一信用代码".into());
    }
    if same_name {
        why.push("企业名称相同".into());
    }
    for r in verdict.reasons.iter().take(4) {
        let r = match *r {
            fenglai_identity::Reason::SameName if same_name => continue,
            // the same name once width, brackets, region and traditional forms are folded
            fenglai_identity::Reason::SameName => "名称相同（写法不同）".to_string(),
            other => other.to_string(),
        };
        if !why.contains(&r) {
            why.push(r);
        }
    }
    why.join("；")
}

/// Live leads that look like the one described: the same 统一社会信用代码 or name, or a name
/// with the same core and trade words that fenglai-identity scores as a duplicate; those
/// written before lead `before` if it is given.
async fn lookalikes_in(
    c: &mut Conn,
    before: Option<i64>,
    probe: &fenglai_identity::Record,
    uscc: Option<&str>,
) -> Result<Vec<Hit>> {
    let norm = fenglai_domain::names::normalize(&probe.name);
    let key = fenglai_store::leads::name_key(&probe.name);
    let uscc = uscc.map(str::trim).filter(|u| !u.is_empty());
    if norm.is_empty() && uscc.is_none() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for h in store::similar(c, before, uscc, &norm, &key).await? {
        let same_uscc = uscc.is_some() && h.uscc.as_deref() == uscc;
        let same_name = h.name_norm == norm;
        let verdict = fenglai_identity::compare(
            probe,
            &record(
                &h.company_name,
                h.uscc.as_deref(),
                h.industry_code.as_deref(),
                h.region_code.as_deref(),
                h.planned_investment_yuan.map(Yuan),
                day(&h.reported_date),
            ),
        );
        if !(same_uscc || same_name || verdict.is_duplicate()) {
            continue;
        }
        out.push(Hit {
            lead_id: h.id,
            company_name: h.company_name,
            unit_name: h.unit_name,
            reported_date: h.reported_date,
            reasons: reasons(same_uscc, same_name, &verdict),
        });
    }
    Ok(out)
}

/// Existing leads a new report would duplicate, for the warning before saving (the page
/// and `GET /api/v1/duplicates/check`). Those in the caller's scope come with the name,
/// the reporting unit, the date and why; those outside it are never named: if there are
/// any, one notice says that a likely duplicate exists and to ask the city's
/// investment-promotion bureau ([`ask_about_others`]).
pub async fn lookalikes(
    app: &App,
    actor: &Actor,
    company_name: &str,
    uscc: Option<&str>,
) -> Result<Vec<Lookalike>> {
    actor.require(actor.role.may_report_leads(), "报送线索")?;
    let mut c = app.db.acquire().await?;
    let probe = record(company_name, uscc, None, None, None, None);
    let hits = lookalikes_in(&mut c, None, &probe, uscc).await?;
    let ids: Vec<i64> = hits.iter().map(|h| h.lead_id).collect();
    let seen: std::collections::HashSet<i64> = lead_store::in_scope(&mut c, &ids, &actor.scope)
        .await?
        .into_iter()
        .collect();
    let mut out = Vec::new();
    let mut elsewhere = false;
    for h in hits {
        if !seen.contains(&h.lead_id) {
            elsewhere = true;
            continue;
        }
        out.push(Lookalike {
            lead_id: Some(h.lead_id),
            company_name: Some(h.company_name),
            unit_name: Some(h.unit_name),
            reported_date: Some(h.reported_date),
            reasons: Some(h.reasons),
            elsewhere: false,
            ask_unit_name: None,
            message: None,
        });
    }
    if elsewhere {
        let ask = ask_about_others(&mut c).await?;
        out.push(Lookalike {
            lead_id: None,
            company_name: None,
            unit_name: None,
            reported_date: None,
            reasons: None,
            elsewhere: true,
            message: Some(format!(
                "其他单位可能已报送该企业（疑似重复），请向{ask}核实"
            )),
            ask_unit_name: Some(ask),
        });
    }
    Ok(out)
}

/// Whom to ask about records one may not see: the city's investment-promotion bureau
/// (the department under the root unit with the most 招商人, [`org::city_bureau`]), else
/// the root unit itself, else "市招商局".
pub async fn ask_about_others(c: &mut Conn) -> Result<String> {
    if let Some(u) = org::city_bureau(c).await? {
        return Ok(u.name);
    }
    Ok(org::root_unit(c)
        .await?
        .map(|u| u.name)
        .unwrap_or_else(|| "市招商局".into()))
}

/// Queues the leads that look like `lead` (same 统一社会信用代码 or name) as 疑似重复;
/// `lead` was written in this transaction, so none of its pairs is queued yet.
pub async fn queue_lookalikes(c: &mut Conn, lead: &Lead) -> Result<usize> {
    let pairs = lookalikes_of(c, lead).await?;
    store::queue_new(c, &pairs).await?;
    Ok(pairs.len())
}

/// The 疑似重复 pairs `(earlier, new, reasons)` of a new `lead` among the leads before it
/// (by id: those written with it in one transaction after it are not its lookalikes, it
/// is theirs).
pub async fn lookalikes_of(c: &mut Conn, lead: &Lead) -> Result<Vec<(i64, i64, String)>> {
    let probe = record(
        &lead.company_name,
        lead.uscc.as_ref().map(|u| u.as_str()),
        lead.industry_code.as_deref(),
        lead.region_code.as_deref(),
        lead.planned_investment_yuan,
        Some(lead.reported_date),
    );
    let uscc = lead.uscc.as_ref().map(|u| u.as_str());
    let hits = lookalikes_in(c, Some(lead.id), &probe, uscc).await?;
    Ok(hits
        .into_iter()
        .map(|h| (h.lead_id, lead.id, h.reasons))
        .collect())
}

/// The most candidate pairs an import scores.
pub const IMPORT_CANDIDATES: usize = 200_000;

/// The 疑似重复 pairs `(earlier, new, reasons)` of the leads of `leads` with an id from
/// `from` on (an import's, being written in the caller's transaction) among the leads
/// before each: `leads` holds them and the earlier live leads sharing a key with them
/// ([`store::earlier_sharing`]). Candidates by name key, credit code or normalised name
/// ([`store::candidate_pairs`], at most [`IMPORT_CANDIDATES`]), scored one pair at a
/// time, at most 20 a lead. Pure computation: an import runs it beside its inserts.
pub fn lookalike_pairs(leads: &[store::CandidateLead], from: i64) -> Vec<(i64, i64, String)> {
    const PER_LEAD: usize = 20;
    let candidates = store::candidate_pairs(leads, from, IMPORT_CANDIDATES);
    let by_id: HashMap<i64, &store::CandidateLead> = leads.iter().map(|l| (l.id, l)).collect();
    // each lead's name is parsed once, however many pairs it is in
    let mut prepared: HashMap<i64, fenglai_identity::Prepared> = HashMap::new();
    for &(n, o) in &candidates {
        for id in [n, o] {
            if let (std::collections::hash_map::Entry::Vacant(e), Some(l)) =
                (prepared.entry(id), by_id.get(&id))
            {
                let r = record(
                    &l.company_name,
                    l.uscc.as_deref(),
                    l.industry_code.as_deref(),
                    l.region_code.as_deref(),
                    l.planned_investment_yuan.map(Yuan),
                    day(&l.reported_date),
                );
                e.insert(fenglai_identity::Prepared::new(l.id as u64, &r));
            }
        }
    }
    let mut pairs = Vec::new();
    let mut per_lead = 0;
    let mut last_new = 0;
    for &(n_id, o_id) in &candidates {
        if n_id != last_new {
            last_new = n_id;
            per_lead = 0;
        }
        if per_lead >= PER_LEAD {
            continue;
        }
        let (Some(n), Some(o)) = (by_id.get(&n_id), by_id.get(&o_id)) else {
            continue;
        };
        let same_uscc = n.uscc.is_some() && n.uscc == o.uscc;
        let same_name = n.name_norm == o.name_norm;
        let verdict =
            fenglai_identity::dedupe::compare_prepared(&prepared[&n_id], &prepared[&o_id]);
        if !(same_uscc || same_name || verdict.is_duplicate()) {
            continue;
        }
        pairs.push((o_id, n_id, reasons(same_uscc, same_name, &verdict)));
        per_lead += 1;
    }
    pairs
}

/// Open 疑似重复 pairs where the caller sees both leads.
pub async fn queue(app: &App, actor: &Actor) -> Result<Vec<Pair>> {
    let mut c = app.db.acquire().await?;
    Ok(store::open_pairs(&mut c, &actor.scope).await?)
}

/// "不是重复": closes a pair without merging.
pub async fn dismiss(app: &App, actor: &Actor, pair_id: i64) -> Result<Pair> {
    may_merge(actor)?;
    let mut tx = Tx::begin(app).await?;
    let p = store::pair(tx.conn(), pair_id)
        .await?
        .ok_or(Error::NotFound)?;
    pair_of(tx.conn(), actor, p.lead_id, p.other_id).await?;
    if p.status != "open" {
        return Err(Error::Conflict("该疑似重复已处理".into()));
    }
    store::resolve(tx.conn(), &[p.id], "dismissed", actor.id()).await?;
    let after = store::pair(tx.conn(), pair_id)
        .await?
        .ok_or(Error::NotFound)?;
    tx.record(
        Some(actor),
        "duplicate_pair",
        p.id,
        "dismiss",
        Some(&p),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
