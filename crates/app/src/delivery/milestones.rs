//! 倒排节点 and 三未/六未: a project's milestone plan scheduled back from its target
//! production date, the responsible person's adjustments and entries, the timeline as
//! assessed on a day, the week's due nodes, and the stall lists.

use crate::audit::Tx;
use crate::{today, Actor, App, Error, Result};
use chrono::{Datelike, Duration, NaiveDate};
use fenglai_domain::milestone::{self, Node, Planned, ProjectType, StallRule};
use fenglai_domain::{dates, Stage};
use fenglai_store::milestones::{
    self as store, DueNode, Milestone, RuleShape, StallRuleRow, Which,
};
use fenglai_store::projects::{self, Project};
use fenglai_store::Conn;
use serde::{Deserialize, Serialize};

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The project if the caller may see it, and whether they may change its plan: those who
/// manage projects, and the project's responsible person.
async fn project_for_plan(c: &mut Conn, actor: &Actor, id: i64) -> Result<Project> {
    crate::access::for_work(c, actor, id, "调整项目节点").await
}

/// The date each stage was entered, from the stage history (not voided).
async fn stage_dates(c: &mut Conn, id: i64) -> Result<Vec<(Stage, NaiveDate)>> {
    Ok(projects::history(c, id)
        .await?
        .into_iter()
        .filter(|h| !h.voided)
        .map(|h| (h.stage, h.effective_date))
        .collect())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    /// industrial 工业, services 服务业, agriculture 农业
    pub project_type: String,
    /// the target production date (投产), YYYY-MM-DD
    pub target_production_date: String,
}

/// Schedules the project backwards from its target production date with its type's
/// template. Nodes already done keep their actual dates (entry nodes take theirs from the
/// stage history); responsible persons and notes are kept.
pub async fn schedule(
    app: &App,
    actor: &Actor,
    id: i64,
    input: &PlanInput,
) -> Result<Vec<Milestone>> {
    let kind = ProjectType::parse(&input.project_type)?;
    let target = dates::parse(&input.target_production_date, "target_production_date")?;
    if !(2000..=2100).contains(&target.year()) {
        return Err(Error::invalid(
            "target_production_date",
            "目标投产日期应在2000年到2100年之间",
        ));
    }
    let mut tx = Tx::begin(app).await?;
    let p = project_for_plan(tx.conn(), actor, id).await?;
    if p.stage == Stage::Dropped {
        return Err(Error::Conflict("项目已中止，不能排期".into()));
    }
    let before = store::plan(tx.conn(), id).await?;
    let entered = stage_dates(tx.conn(), id).await?;
    store::set_target(tx.conn(), id, kind.as_str(), &target.to_string()).await?;
    let planned = milestone::schedule(kind, target);
    for existing in &before {
        if !planned.iter().any(|(n, _)| n.as_str() == existing.node) {
            // a node of another template: kept, without a planned date
            store::upsert(
                tx.conn(),
                id,
                &store::NodeRow {
                    node: existing.node.clone(),
                    position: existing.position,
                    planned_date: None,
                    actual_date: existing.actual_date.clone(),
                    responsible_user_id: existing.responsible_user_id,
                    note: existing.note.clone(),
                },
                actor.id(),
            )
            .await?;
        }
    }
    for (node, date) in &planned {
        let old = before.iter().find(|m| m.node == node.as_str());
        let actual = if node.is_entry() {
            entered
                .iter()
                .rev()
                .find(|(s, _)| *s == node.stage())
                .map(|(_, d)| d.to_string())
        } else {
            old.and_then(|m| m.actual_date.clone())
        };
        store::upsert(
            tx.conn(),
            id,
            &store::NodeRow {
                node: node.as_str().into(),
                position: Node::ALL.iter().position(|n| n == node).unwrap_or(0) as i64 + 1,
                planned_date: Some(date.to_string()),
                actual_date: actual,
                responsible_user_id: old.and_then(|m| m.responsible_user_id),
                note: old.and_then(|m| m.note.clone()),
            },
            actor.id(),
        )
        .await?;
    }
    let after = store::plan(tx.conn(), id).await?;
    tx.record(
        Some(actor),
        "project",
        id,
        &format!("schedule:{}:{}", kind.as_str(), target),
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// What the responsible person may change on one node.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeInput {
    /// a new planned date, YYYY-MM-DD
    pub planned_date: Option<String>,
    /// the date the node was reached (not for 签约/开工/竣工验收/投产/达产, which come from stage changes)
    pub actual_date: Option<String>,
    /// clears the actual date
    #[serde(default)]
    pub clear_actual: bool,
    pub responsible_user_id: Option<i64>,
    pub note: Option<String>,
}

pub async fn set_node(
    app: &App,
    actor: &Actor,
    id: i64,
    node: &str,
    input: &NodeInput,
) -> Result<Vec<Milestone>> {
    let node = Node::parse(node)?;
    let mut tx = Tx::begin(app).await?;
    project_for_plan(tx.conn(), actor, id).await?;
    let before = store::plan(tx.conn(), id).await?;
    let old = before.iter().find(|m| m.node == node.as_str()).cloned();
    let mut row = match &old {
        Some(m) => store::NodeRow {
            node: m.node.clone(),
            position: m.position,
            planned_date: m.planned_date.clone(),
            actual_date: m.actual_date.clone(),
            responsible_user_id: m.responsible_user_id,
            note: m.note.clone(),
        },
        None => store::NodeRow {
            node: node.as_str().into(),
            position: Node::ALL.iter().position(|n| *n == node).unwrap_or(0) as i64 + 1,
            planned_date: None,
            actual_date: None,
            responsible_user_id: None,
            note: None,
        },
    };
    if let Some(d) = opt(&input.planned_date) {
        row.planned_date = Some(dates::parse(d, "planned_date")?.to_string());
    }
    if input
        .actual_date
        .as_deref()
        .is_some_and(|d| !d.trim().is_empty())
        || input.clear_actual
    {
        if node.is_entry() {
            return Err(Error::invalid(
                "actual_date",
                format!(
                    "“{}”的实际日期由项目阶段变更记录，不能直接填写",
                    node.label()
                ),
            ));
        }
        if input.clear_actual {
            row.actual_date = None;
        } else if let Some(d) = opt(&input.actual_date) {
            let d = dates::parse(d, "actual_date")?;
            if d > today() {
                return Err(Error::invalid("actual_date", "实际日期不能晚于今天"));
            }
            row.actual_date = Some(d.to_string());
        }
    }
    if let Some(uid) = input.responsible_user_id {
        if fenglai_store::org::user(tx.conn(), uid).await?.is_none() {
            return Err(Error::invalid("responsible_user_id", "用户不存在"));
        }
        row.responsible_user_id = Some(uid);
    }
    if let Some(n) = input.note.as_deref() {
        let n = n.trim();
        if n.chars().count() > 500 {
            return Err(Error::invalid("note", "备注不能超过500个字"));
        }
        row.note = (!n.is_empty()).then(|| n.to_string());
    }
    store::upsert(tx.conn(), id, &row, actor.id()).await?;
    let after = store::plan(tx.conn(), id).await?;
    tx.record(
        Some(actor),
        "project",
        id,
        &format!("milestone:{}", node.as_str()),
        Some(&old),
        after.iter().find(|m| m.node == node.as_str()),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Called inside a stage transition: the entry node of the stage entered gets its date; a
/// correction back to `to` clears the entry nodes of the stages after it.
pub async fn on_transition(
    c: &mut Conn,
    project_id: i64,
    to: Stage,
    date: NaiveDate,
    correction: bool,
) -> Result<()> {
    if correction {
        let later: Vec<&str> = Stage::LINE
            .iter()
            .filter(|s| s.rank() > to.rank())
            .filter_map(|s| Node::entry_of(*s))
            .map(Node::as_str)
            .collect();
        store::clear_actual(c, project_id, &later).await?;
    } else if let Some(n) = Node::entry_of(to) {
        store::set_actual(c, project_id, n.as_str(), &date.to_string()).await?;
    }
    Ok(())
}

/// One node of the timeline as assessed on a day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NodeView {
    #[serde(flatten)]
    pub milestone: Milestone,
    pub label: String,
    /// done, done_late, overdue, at_risk, on_track, unplanned
    pub status: String,
    pub status_label: String,
    pub days_late: i64,
    pub predicted_date: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Timeline {
    pub project_id: i64,
    pub project_type: Option<String>,
    pub target_production_date: Option<String>,
    pub as_of: String,
    /// days the plan has slipped so far
    pub slip_days: i64,
    pub nodes: Vec<NodeView>,
}

fn day(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

pub async fn timeline(app: &App, actor: &Actor, id: i64, on: NaiveDate) -> Result<Timeline> {
    let mut c = app.db.acquire().await?;
    let p = projects::get(&mut c, id, &actor.scope)
        .await?
        .ok_or(Error::NotFound)?;
    let plan = store::plan(&mut c, id).await?;
    let dropped = p.stage == Stage::Dropped;
    let planned: Vec<Planned> = plan
        .iter()
        .filter_map(|m| {
            Some(Planned {
                node: Node::parse(&m.node).ok()?,
                planned: day(&m.planned_date),
                actual: day(&m.actual_date),
            })
        })
        .collect();
    let assessed = milestone::assess(&planned, on);
    let nodes = plan
        .into_iter()
        .zip(assessed)
        .map(|(m, a)| NodeView {
            label: a.node.label().into(),
            status: if dropped && m.actual_date.is_none() {
                "dropped".into()
            } else {
                a.status.as_str().into()
            },
            status_label: if dropped && m.actual_date.is_none() {
                "项目已中止".into()
            } else {
                a.status.label().into()
            },
            days_late: a.days_late,
            predicted_date: a.predicted.map(|d| d.to_string()),
            milestone: m,
        })
        .collect();
    Ok(Timeline {
        project_id: id,
        project_type: p.project_type.map(|t| t.as_str().to_string()),
        target_production_date: p.target_production_date.map(|d| d.to_string()),
        as_of: on.to_string(),
        slip_days: if dropped {
            0
        } else {
            milestone::slip(&planned, on)
        },
        nodes,
    })
}

/// An open node in a list, with its days overdue (or of predicted slip).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueView {
    #[serde(flatten)]
    pub node: DueNode,
    pub label: String,
    /// days past the planned date (overdue lists), 0 otherwise
    pub days_overdue: i64,
}

fn due_views(rows: Vec<DueNode>, on: NaiveDate) -> Vec<DueView> {
    rows.into_iter()
        .map(|n| {
            let planned = NaiveDate::parse_from_str(&n.planned_date, "%Y-%m-%d").ok();
            DueView {
                label: Node::parse(&n.node).map(Node::label).unwrap_or("?").into(),
                days_overdue: planned.map_or(0, |p| (on - p).num_days().max(0)),
                node: n,
            }
        })
        .collect()
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// YYYY-MM-DD, today by default
    pub as_of: Option<String>,
    /// only this person's nodes (the node's responsible person, else the project's); `me` for the caller
    pub person: Option<String>,
}

fn person(actor: &Actor, p: &Option<String>) -> Result<Option<i64>> {
    match opt(p) {
        None => Ok(None),
        Some("me") => Ok(Some(actor.id())),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| Error::invalid("person", "person 应为用户编号或 me")),
    }
}

/// Overdue and at-risk nodes of the projects in the caller's scope, on a day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Alerts {
    pub as_of: String,
    pub overdue: Vec<DueView>,
    pub at_risk: Vec<DueView>,
}

/// The nodes due on day `on` (nodes are planned on days: the as-of is a day).
pub async fn alerts(
    app: &App,
    actor: &Actor,
    q: &DueQuery,
    on: fenglai_domain::Day,
) -> Result<Alerts> {
    let who = person(actor, &q.person)?;
    let d = on.to_string();
    let mut c = app.db.acquire().await?;
    let overdue = store::due(&mut c, Which::Overdue, &d, who, &actor.scope, 2000).await?;
    let at_risk = store::due(&mut c, Which::AtRisk, &d, who, &actor.scope, 2000).await?;
    Ok(Alerts {
        as_of: d,
        overdue: due_views(overdue, on),
        at_risk: due_views(at_risk, on),
    })
}

/// The week (Monday to Sunday) containing a day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Week {
    pub monday: String,
    pub sunday: String,
    pub previous: String,
    pub next: String,
    /// open nodes due this week, by day
    pub nodes: Vec<DueView>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WeekQuery {
    /// any day of the week, today by default
    pub date: Option<String>,
    /// a person's nodes only; `me` for the caller. Without it, every node in the caller's scope (their unit's).
    pub person: Option<String>,
}

pub async fn week(app: &App, actor: &Actor, q: &WeekQuery) -> Result<Week> {
    let on = match opt(&q.date) {
        Some(d) => dates::parse(d, "date")?,
        None => today(),
    };
    let who = person(actor, &q.person)?;
    let monday = on - Duration::days(on.weekday().num_days_from_monday() as i64);
    let next = monday + Duration::days(7);
    let mut c = app.db.acquire().await?;
    let rows = store::due(
        &mut c,
        Which::Between(&monday.to_string(), &next.to_string()),
        &on.to_string(),
        who,
        &actor.scope,
        5000,
    )
    .await?;
    Ok(Week {
        monday: monday.to_string(),
        sunday: (next - Duration::days(1)).to_string(),
        previous: (monday - Duration::days(7)).to_string(),
        next: next.to_string(),
        nodes: due_views(rows, today().max(on)),
    })
}

// ---------------------------------------------------------------------------
// Stall rules and lists

pub async fn rules(app: &App) -> Result<Vec<StallRuleRow>> {
    let mut c = app.db.acquire().await?;
    Ok(store::rules(&mut c).await?)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = StallRuleInput)]
pub struct RuleInput {
    /// letters, digits and _; an existing code changes that rule
    pub code: String,
    pub label: String,
    pub after_node: String,
    pub missing_node: String,
    pub days: i64,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

pub async fn save_rule(app: &App, actor: &Actor, input: &RuleInput) -> Result<Vec<StallRuleRow>> {
    actor.require(actor.role == fenglai_domain::Role::Admin, "设置停滞规则")?;
    let code = input.code.trim();
    if code.is_empty()
        || code.len() > 40
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(Error::invalid(
            "code",
            "规则代码应为1到40个字母、数字或下划线",
        ));
    }
    let label = input.label.trim();
    if label.is_empty() || label.chars().count() > 20 {
        return Err(Error::invalid("label", "规则名称应为1到20个字"));
    }
    let after =
        Node::parse(&input.after_node).map_err(|e| Error::invalid("after_node", e.message))?;
    let missing =
        Node::parse(&input.missing_node).map_err(|e| Error::invalid("missing_node", e.message))?;
    StallRule {
        after,
        missing,
        days: input.days,
    }
    .check()?;
    let mut tx = Tx::begin(app).await?;
    let before = store::rules(tx.conn()).await?;
    let position = before
        .iter()
        .find(|r| r.code == code)
        .map(|r| r.position)
        .unwrap_or_else(|| before.iter().map(|r| r.position).max().unwrap_or(0) + 1);
    let row = StallRuleRow {
        id: 0,
        code: code.into(),
        label: label.into(),
        after_node: after.as_str().into(),
        missing_node: missing.as_str().into(),
        days: input.days,
        active: input.active as i64,
        position,
    };
    store::save_rule(tx.conn(), &row).await?;
    let after_rows = store::rules(tx.conn()).await?;
    tx.record(
        Some(actor),
        "stall_rule",
        position,
        "save",
        Some(&before),
        Some(&after_rows),
    )
    .await?;
    tx.commit().await?;
    Ok(after_rows)
}

/// How the store reads a rule (validated when saved; a rule edited behind the program's
/// back that no longer checks is skipped).
pub(crate) fn shape(r: &StallRuleRow) -> Option<RuleShape<'_>> {
    let after = Node::parse(&r.after_node).ok()?;
    let missing = Node::parse(&r.missing_node).ok()?;
    StallRule {
        after,
        missing,
        days: r.days,
    }
    .check()
    .ok()?;
    Some(RuleShape {
        stage: after.stage().as_str(),
        after: after.as_str(),
        after_is_entry: after.is_entry(),
        missing: missing.as_str(),
        missing_is_entry: missing.is_entry(),
    })
}

pub(crate) fn cutoff(on: NaiveDate, days: i64) -> String {
    (on - Duration::days(days)).to_string()
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StalledView {
    #[serde(flatten)]
    pub project: store::Stalled,
    pub rule_code: String,
    pub rule_label: String,
    /// days since the `after` node was reached
    pub stalled_days: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StallList {
    pub as_of: String,
    pub rules: Vec<StallRuleRow>,
    pub items: Vec<StalledView>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StallQuery {
    /// YYYY-MM-DD, today by default
    pub as_of: Option<String>,
    /// one rule's code
    pub rule: Option<String>,
    pub unit_id: Option<String>,
    pub park_id: Option<String>,
    pub leader_id: Option<String>,
}

fn id_param(s: &Option<String>, field: &str) -> Result<Option<i64>> {
    opt(s)
        .map(|v| {
            v.parse()
                .map_err(|_| Error::invalid(field, format!("{field} 应为整数")))
        })
        .transpose()
}

/// The stalled projects in the caller's scope on a day, by rule, longest first.
pub async fn stalled(
    app: &App,
    actor: &Actor,
    q: &StallQuery,
    on: fenglai_domain::Day,
) -> Result<StallList> {
    stalled_first(app, actor, q, on, None).await
}

/// The stall list, only its first `limit` entries if given (the longest stalled): what a
/// bulletin names, without reading every stalled project of the city.
pub async fn stalled_first(
    app: &App,
    actor: &Actor,
    q: &StallQuery,
    on: fenglai_domain::Day,
    limit: Option<usize>,
) -> Result<StallList> {
    let (unit, park, leader) = (
        id_param(&q.unit_id, "unit_id")?,
        id_param(&q.park_id, "park_id")?,
        id_param(&q.leader_id, "leader_id")?,
    );
    let mut c = app.db.acquire().await?;
    let rules: Vec<StallRuleRow> = store::rules(&mut c)
        .await?
        .into_iter()
        .filter(|r| r.active != 0)
        .collect();
    if let Some(code) = opt(&q.rule) {
        if !rules.iter().any(|r| r.code == code) {
            return Err(Error::invalid(
                "rule",
                format!("没有启用的停滞规则“{code}”"),
            ));
        }
    }
    let mut items = Vec::new();
    for r in rules
        .iter()
        .filter(|r| opt(&q.rule).is_none_or(|c| c == r.code))
    {
        let Some(sh) = shape(r) else { continue };
        // the filters below are applied after the query: a limited query would miss rows
        let filtered = unit.is_some() || park.is_some() || leader.is_some();
        let n = limit.filter(|_| !filtered).map(|n| n as i64);
        for p in store::stalled(&mut c, sh, &cutoff(on, r.days), &actor.scope, n).await? {
            if unit.is_some_and(|u| u != p.reporting_unit_id)
                || park.is_some_and(|k| Some(k) != p.park_id)
                || leader.is_some_and(|l| Some(l) != p.responsible_leader_id)
            {
                continue;
            }
            let since = NaiveDate::parse_from_str(&p.since, "%Y-%m-%d").unwrap_or(on);
            items.push(StalledView {
                stalled_days: (on - since).num_days(),
                rule_code: r.code.clone(),
                rule_label: r.label.clone(),
                project: p,
            });
        }
    }
    items.sort_by(|a, b| {
        b.stalled_days
            .cmp(&a.stalled_days)
            .then(a.project.project_id.cmp(&b.project.project_id))
    });
    if let Some(n) = limit {
        items.truncate(n);
    }
    Ok(StallList {
        as_of: on.to_string(),
        rules,
        items,
    })
}

/// The stall list as an Excel file (one sheet, the columns of the page).
pub async fn stalled_xlsx(
    app: &App,
    actor: &Actor,
    q: &StallQuery,
    on: fenglai_domain::Day,
) -> Result<Vec<u8>> {
    let list = stalled(app, actor, q, on).await?;
    use fenglai_ledger::OutCell;
    let headers: Vec<String> = [
        "停滞类型",
        "项目",
        "企业",
        "当前阶段",
        "起算日期",
        "停滞天数",
        "投资额(万元)",
        "报送单位",
        "承接园区",
        "责任人",
        "责任领导",
    ]
    .map(String::from)
    .to_vec();
    let text = |s: &str| OutCell::Text(s.to_string());
    let rows: Vec<Vec<OutCell>> = list
        .items
        .iter()
        .map(|i| {
            let p = &i.project;
            vec![
                text(&i.rule_label),
                text(&p.project_name),
                text(&p.company_name),
                text(Stage::parse(&p.stage).map(|s| s.label()).unwrap_or("")),
                NaiveDate::parse_from_str(&p.since, "%Y-%m-%d")
                    .map_or(OutCell::Empty, OutCell::Date),
                OutCell::Decimal(i.stalled_days.to_string()),
                OutCell::Decimal(fenglai_domain::Yuan(p.investment_yuan).wan()),
                text(&p.reporting_unit_name),
                text(p.park_name.as_deref().unwrap_or("")),
                text(p.responsible_user_name.as_deref().unwrap_or("")),
                text(p.responsible_leader_name.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    fenglai_ledger::write_table(
        &format!("停滞项目清单（截至{}）", list.as_of),
        &headers,
        &rows,
    )
    .map_err(|e| Error::Internal(e.to_string()))
}
