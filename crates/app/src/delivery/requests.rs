//! 诉求 / 要素保障事项: a project raises a request, it is routed to departments (协同人),
//! each department accepts (受理), handles (办理) and answers (答复) by a deadline set per
//! category, the raiser rates each answer (评价; unsatisfied reopens it), overdue parts are
//! escalated to the project's responsible leader, and the "回音高于呼声" board counts how
//! departments answer. 一事一议 meetings settle several requests at once.

use crate::audit::Tx;
use crate::leads::page_params;
use crate::{today, Actor, App, Error, Result};
use chrono::{Duration, NaiveDate};
use fenglai_domain::request::{self, Category, TaskAction, TaskStatus, Urgency};
use fenglai_domain::{dates, Role};
use fenglai_store::requests::{self as store, BoardItem, Meeting, Reach, Request, Task};
use fenglai_store::{org, Conn};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Who the caller reaches: their scope, and their own department's requests.
fn reach(actor: &Actor) -> Reach<'_> {
    Reach {
        scope: &actor.scope,
        department_id: (actor.role == Role::Collaborator).then_some(actor.user.unit_id),
    }
}

const DEADLINES_KEY: &str = "request_deadlines";

/// Days each category has to be answered in: the defaults, overridden by the setting.
pub async fn deadlines(app: &App) -> Result<BTreeMap<String, i64>> {
    deadlines_in(&mut app.db.acquire().await?).await
}

pub(crate) async fn deadlines_in(c: &mut Conn) -> Result<BTreeMap<String, i64>> {
    let mut days: BTreeMap<String, i64> = Category::ALL
        .iter()
        .map(|c| (c.as_str().to_string(), c.default_days()))
        .collect();
    if let Some(v) = org::setting(c, DEADLINES_KEY).await? {
        if let Ok(set) = serde_json::from_str::<BTreeMap<String, i64>>(&v) {
            days.extend(set);
        }
    }
    Ok(days)
}

pub async fn set_deadlines(
    app: &App,
    actor: &Actor,
    input: &BTreeMap<String, i64>,
) -> Result<BTreeMap<String, i64>> {
    actor.require(actor.role == Role::Admin, "设置办理时限")?;
    let mut normal = BTreeMap::new();
    for (k, d) in input {
        let c = Category::parse(k)?;
        if !(1..=365).contains(d) {
            return Err(Error::invalid(
                "days",
                format!("“{}”的办理时限应为1到365天", c.label()),
            ));
        }
        normal.insert(c.as_str().to_string(), *d);
    }
    let mut tx = Tx::begin(app).await?;
    let before = deadlines_in(tx.conn()).await?;
    org::set_setting(
        tx.conn(),
        DEADLINES_KEY,
        &serde_json::to_string(&normal).expect("json"),
    )
    .await?;
    let after = deadlines_in(tx.conn()).await?;
    tx.record(
        Some(actor),
        "setting",
        0,
        DEADLINES_KEY,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseInput {
    /// 用地 用电 用水 用气 用工 融资 审批 环评 消防 其他 (or land, power, …)
    pub category: String,
    pub title: String,
    pub description: String,
    /// 一般 normal (default), 紧急 urgent, 特急 critical
    pub urgency: Option<String>,
    /// the departments (units of kind 部门) to answer it
    pub department_ids: Vec<i64>,
}

/// A request with each department's part.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestView {
    #[serde(flatten)]
    pub request: Request,
    pub category_label: String,
    pub urgency_label: String,
    pub tasks: Vec<TaskView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    #[serde(flatten)]
    pub task: Task,
    pub status_label: String,
    /// past its deadline and still owed an answer, on the day it was read
    pub overdue: bool,
}

fn task_view(t: Task, on: &str) -> TaskView {
    let status = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Routed);
    TaskView {
        status_label: status.label().into(),
        overdue: status.is_open() && t.due_date.as_str() < on,
        task: t,
    }
}

async fn view(c: &mut Conn, r: Request) -> Result<RequestView> {
    let on = today().to_string();
    let tasks = store::tasks(c, r.id)
        .await?
        .into_iter()
        .map(|t| task_view(t, &on))
        .collect();
    Ok(RequestView {
        category_label: Category::parse(&r.category)
            .map_or("", Category::label)
            .into(),
        urgency_label: Urgency::parse(&r.urgency).map_or("", Urgency::label).into(),
        request: r,
        tasks,
    })
}

fn due(on: NaiveDate, days: i64) -> String {
    (on + Duration::days(days)).to_string()
}

/// Raises a request for a project (those who manage projects, and the project's
/// responsible person, within their scope).
pub async fn raise(
    app: &App,
    actor: &Actor,
    project_id: i64,
    input: &RaiseInput,
) -> Result<RequestView> {
    let category = Category::parse(&input.category)?;
    let urgency = Urgency::parse(input.urgency.as_deref().unwrap_or(""))?;
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        return Err(Error::invalid("title", "标题应为1到100个字"));
    }
    let description = input.description.trim();
    if description.is_empty() || description.chars().count() > 2000 {
        return Err(Error::invalid("description", "诉求内容应为1到2000个字"));
    }
    if input.department_ids.is_empty() {
        return Err(Error::invalid("department_ids", "请至少选择一个办理部门"));
    }
    if input.department_ids.len() > 10 {
        return Err(Error::invalid("department_ids", "办理部门不能超过10个"));
    }
    let mut tx = Tx::begin(app).await?;
    crate::access::for_work(tx.conn(), actor, project_id, "提出项目诉求").await?;
    let mut departments = input.department_ids.clone();
    departments.sort_unstable();
    departments.dedup();
    for d in &departments {
        if org::unit(tx.conn(), *d)
            .await?
            .is_none_or(|u| u.kind != fenglai_domain::UnitKind::Department)
        {
            return Err(Error::invalid("department_ids", format!("部门 {d} 不存在")));
        }
    }
    let days = deadlines_in(tx.conn())
        .await?
        .get(category.as_str())
        .copied()
        .unwrap_or(category.default_days());
    let id = store::insert(
        tx.conn(),
        &store::NewRequest {
            project_id,
            category: category.as_str(),
            title,
            description,
            urgency: urgency.as_str(),
            raised_by: actor.id(),
            raised_unit_id: actor.user.unit_id,
        },
    )
    .await?;
    let due_date = due(today(), urgency.days(days));
    for d in &departments {
        store::insert_task(tx.conn(), id, *d, &due_date).await?;
    }
    let r = store::get(
        tx.conn(),
        id,
        &Reach {
            scope: &fenglai_store::Scope::All,
            department_id: None,
        },
    )
    .await?
    .ok_or(Error::NotFound)?;
    let v = view(tx.conn(), r).await?;
    tx.record(Some(actor), "request", id, "raise", None::<&()>, Some(&v))
        .await?;
    tx.commit().await?;
    Ok(v)
}

pub async fn get(app: &App, actor: &Actor, id: i64) -> Result<RequestView> {
    let mut c = app.db.acquire().await?;
    let r = store::get(&mut c, id, &reach(actor))
        .await?
        .ok_or(Error::NotFound)?;
    view(&mut c, r).await
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub project_id: Option<String>,
    /// a department's requests; `mine` for the caller's own department
    pub department_id: Option<String>,
    /// open, answered, closed
    pub status: Option<String>,
    pub category: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Listing {
    pub items: Vec<RequestView>,
    pub total: i64,
}

pub async fn list(app: &App, actor: &Actor, q: &ListQuery) -> Result<Listing> {
    let (page, per_page) = page_params(&q.page, &q.per_page)?;
    let project_id = opt(&q.project_id)
        .map(|s| {
            s.parse()
                .map_err(|_| Error::invalid("project_id", "project_id 应为整数"))
        })
        .transpose()?;
    let department_id = match opt(&q.department_id) {
        None => None,
        Some("mine") => Some(actor.user.unit_id),
        Some(s) => Some(
            s.parse()
                .map_err(|_| Error::invalid("department_id", "department_id 应为整数或 mine"))?,
        ),
    };
    let status = match opt(&q.status) {
        None => None,
        Some(s @ ("open" | "answered" | "closed")) => Some(s.to_string()),
        Some(_) => {
            return Err(Error::invalid(
                "status",
                "status 应为 open、answered 或 closed",
            ))
        }
    };
    let category = opt(&q.category)
        .map(|c| Category::parse(c).map(|c| c.as_str().to_string()))
        .transpose()?;
    let mut c = app.db.acquire().await?;
    let (rows, total) = store::list(
        &mut c,
        &store::Filter {
            project_id,
            department_id,
            status,
            category,
            offset: (page - 1) * per_page,
            limit: per_page,
        },
        &reach(actor),
    )
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        items.push(view(&mut c, r).await?);
    }
    Ok(Listing { items, total })
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    /// accept 受理, answer 答复, rate 评价
    pub action: String,
    /// the answer (答复)
    pub answer: Option<String>,
    /// for rate: true 满意, false 不满意 (reopens it)
    pub satisfied: Option<bool>,
    pub comment: Option<String>,
}

/// One step of a department's part. Accept and answer: a member of that department (or an
/// administrator). Rate: the raiser, a colleague in the raiser's unit, or an administrator.
pub async fn act(app: &App, actor: &Actor, task_id: i64, input: &TaskInput) -> Result<RequestView> {
    let mut tx = Tx::begin(app).await?;
    let t = store::task(tx.conn(), task_id)
        .await?
        .ok_or(Error::NotFound)?;
    let r = store::get(tx.conn(), t.request_id, &reach(actor))
        .await?
        .ok_or(Error::NotFound)?;
    let from = TaskStatus::parse(&t.status)?;
    let action = match input.action.trim() {
        "accept" | "受理" => TaskAction::Accept,
        "answer" | "答复" => TaskAction::Answer,
        "rate" | "评价" => TaskAction::Rate {
            satisfied: input
                .satisfied
                .ok_or_else(|| Error::invalid("satisfied", "请选择满意或不满意"))?,
        },
        _ => {
            return Err(Error::invalid(
                "action",
                "action 应为 accept（受理）、answer（答复）或 rate（评价）",
            ))
        }
    };
    let department_member = actor.user.unit_id == t.department_id || actor.role == Role::Admin;
    let raiser_side = actor.id() == r.raised_by
        || actor.user.unit_id == r.raised_unit_id
        || actor.role == Role::Admin;
    match action {
        TaskAction::Accept | TaskAction::Answer => actor.require(
            department_member,
            &format!("办理{}的事项", t.department_name),
        )?,
        TaskAction::Rate { .. } => actor.require(raiser_side, "评价他人提出的诉求")?,
    }
    request::step(from, action).map_err(Error::Conflict)?;
    let comment = opt(&input.comment);
    if comment.is_some_and(|c| c.chars().count() > 500) {
        return Err(Error::invalid("comment", "评价意见不能超过500个字"));
    }
    match action {
        TaskAction::Accept => store::accept(tx.conn(), task_id, actor.id()).await?,
        TaskAction::Answer => {
            let answer =
                opt(&input.answer).ok_or_else(|| Error::invalid("answer", "请填写答复内容"))?;
            if answer.chars().count() > 2000 {
                return Err(Error::invalid("answer", "答复不能超过2000个字"));
            }
            store::answer(
                tx.conn(),
                task_id,
                actor.id(),
                answer,
                &today().to_string(),
                None,
            )
            .await?
        }
        TaskAction::Rate { satisfied } => {
            if !satisfied && comment.is_none() {
                return Err(Error::invalid("comment", "不满意时请写明原因"));
            }
            let category = Category::parse(&r.category)?;
            let days = deadlines_in(tx.conn())
                .await?
                .get(category.as_str())
                .copied()
                .unwrap_or(category.default_days());
            let urgency = Urgency::parse(&r.urgency)?;
            store::rate(
                tx.conn(),
                task_id,
                satisfied,
                comment,
                &due(today(), urgency.days(days)),
            )
            .await?
        }
    }
    store::refresh_status(tx.conn(), r.id).await?;
    let after = store::task(tx.conn(), task_id).await?;
    let verb = match action {
        TaskAction::Accept => "accept",
        TaskAction::Answer => "answer",
        TaskAction::Rate { satisfied: true } => "rate:satisfied",
        TaskAction::Rate { satisfied: false } => "rate:unsatisfied",
    };
    tx.record(
        Some(actor),
        "request_task",
        task_id,
        verb,
        Some(&t),
        after.as_ref(),
    )
    .await?;
    let r = store::get(
        tx.conn(),
        r.id,
        &Reach {
            scope: &fenglai_store::Scope::All,
            department_id: None,
        },
    )
    .await?
    .ok_or(Error::NotFound)?;
    let v = view(tx.conn(), r).await?;
    tx.commit().await?;
    Ok(v)
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// YYYY-MM-DD, today by default
    pub as_of: Option<String>,
}

/// 督办: parts overdue on the day, and parts reopened after an unsatisfied rating.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub as_of: String,
    pub items: Vec<BoardEntry>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardEntry {
    #[serde(flatten)]
    pub item: BoardItem,
    pub category_label: String,
    pub overdue: bool,
    pub days_overdue: i64,
    pub reopened: bool,
}

/// The board on day `on` (parts fall due on days: the as-of is a day).
pub async fn board(app: &App, actor: &Actor, on: fenglai_domain::Day) -> Result<Board> {
    let d = on.to_string();
    let mut c = app.db.acquire().await?;
    let items = store::board(&mut c, &d, &reach(actor), 2000)
        .await?
        .into_iter()
        .map(|i| {
            let due = NaiveDate::parse_from_str(&i.due_date, "%Y-%m-%d").unwrap_or(on);
            BoardEntry {
                category_label: Category::parse(&i.category)
                    .map_or("", Category::label)
                    .into(),
                overdue: due < on,
                days_overdue: (on - due).num_days().max(0),
                reopened: i.reopen_count > 0,
                item: i,
            }
        })
        .collect();
    Ok(Board { as_of: d, items })
}

// ---------------------------------------------------------------------------
// 回音高于呼声: statistics per department and category

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct StatLine {
    pub department_id: i64,
    pub department_name: String,
    /// a category code, or "all" for the department's total
    pub category: String,
    pub category_label: String,
    /// parts routed in the period
    pub count: i64,
    /// answered at least once
    pub answered: i64,
    /// first answered by the first deadline
    pub on_time: i64,
    /// still owed an answer past the first deadline, or first answered after it
    pub late: i64,
    /// on_time / (on_time + late); null when none is decided yet
    pub on_time_rate: Option<f64>,
    /// median hours from routing to acceptance
    pub median_response_hours: Option<f64>,
    /// median hours from routing to the first answer
    pub median_resolution_hours: Option<f64>,
    pub rated: i64,
    pub satisfied: i64,
    /// satisfied / rated (the latest rating of each part)
    pub satisfaction: Option<f64>,
    pub reopened: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Stats {
    pub from: String,
    pub until: String,
    pub as_of: String,
    pub lines: Vec<StatLine>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// first day routed, YYYY-MM-DD (default: 1 January of this year)
    pub from: Option<String>,
    /// last day routed, inclusive (default: today)
    pub to: Option<String>,
    /// the day lateness is judged on (default: today)
    pub as_of: Option<String>,
}

fn hours(from: &str, to: &str) -> Option<f64> {
    let a = chrono::DateTime::parse_from_rfc3339(from).ok()?;
    let b = chrono::DateTime::parse_from_rfc3339(to).ok()?;
    Some((b - a).num_seconds() as f64 / 3600.0)
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let m = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some((m * 100.0).round() / 100.0)
}

/// China time's midnight starting `d`, as a stored UTC timestamp prefix comparable with
/// `routed_at`.
fn cst_midnight(d: NaiveDate) -> String {
    (d.and_hms_opt(0, 0, 0).expect("midnight") - Duration::hours(8))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// Lateness is judged on day `on` (a day, as due dates are).
pub async fn stats(
    app: &App,
    actor: &Actor,
    q: &StatsQuery,
    on: fenglai_domain::Day,
) -> Result<Stats> {
    let t = today();
    let from = match opt(&q.from) {
        Some(d) => dates::parse(d, "from")?,
        None => NaiveDate::from_ymd_opt(chrono::Datelike::year(&t), 1, 1).expect("1 Jan"),
    };
    let to = match opt(&q.to) {
        Some(d) => dates::parse(d, "to")?,
        None => t,
    };
    if to < from {
        return Err(Error::invalid("to", "结束日期不能早于开始日期"));
    }
    let on_s = on.to_string();
    let mut c = app.db.acquire().await?;
    let rows = store::stat_rows(
        &mut c,
        &cst_midnight(from),
        &cst_midnight(to + Duration::days(1)),
        &reach(actor),
    )
    .await?;
    // (department, category) → rows; "all" collects a department's every category
    let mut groups: BTreeMap<(String, i64, String), Vec<&store::StatRow>> = BTreeMap::new();
    for r in &rows {
        for cat in [r.category.as_str(), "all"] {
            groups
                .entry((r.department_name.clone(), r.department_id, cat.to_string()))
                .or_default()
                .push(r);
        }
    }
    let lines = groups
        .into_iter()
        .map(|((name, id, cat), rs)| {
            let mut l = StatLine {
                department_id: id,
                department_name: name,
                category_label: if cat == "all" {
                    "合计".into()
                } else {
                    Category::parse(&cat).map_or("", Category::label).into()
                },
                category: cat,
                count: rs.len() as i64,
                ..StatLine::default()
            };
            let mut response = Vec::new();
            let mut resolution = Vec::new();
            for r in &rs {
                match &r.first_answered_on {
                    Some(day) => {
                        l.answered += 1;
                        if day.as_str() <= r.first_due_date.as_str() {
                            l.on_time += 1;
                        } else {
                            l.late += 1;
                        }
                    }
                    None if r.first_due_date.as_str() < on_s.as_str() => l.late += 1,
                    None => {}
                }
                if let Some(h) = r
                    .accepted_at
                    .as_deref()
                    .and_then(|a| hours(&r.routed_at, a))
                {
                    response.push(h);
                }
                if let Some(h) = r
                    .first_answered_at
                    .as_deref()
                    .and_then(|a| hours(&r.routed_at, a))
                {
                    resolution.push(h);
                }
                if let Some(rating) = &r.rating {
                    l.rated += 1;
                    if rating == "satisfied" {
                        l.satisfied += 1;
                    }
                }
                if r.reopen_count > 0 {
                    l.reopened += 1;
                }
            }
            let ratio = |a: i64, b: i64| {
                (b > 0).then(|| ((a as f64 / b as f64) * 10000.0).round() / 10000.0)
            };
            l.on_time_rate = ratio(l.on_time, l.on_time + l.late);
            l.satisfaction = ratio(l.satisfied, l.rated);
            l.median_response_hours = median(response);
            l.median_resolution_hours = median(resolution);
            l
        })
        .collect();
    Ok(Stats {
        from: from.to_string(),
        until: to.to_string(),
        as_of: on_s,
        lines,
    })
}

// ---------------------------------------------------------------------------
// 一事一议

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingInput {
    pub title: String,
    /// YYYY-MM-DD
    pub held_on: String,
    pub chaired_by: String,
    pub attendees: String,
    pub minutes: String,
    /// the parts settled, each with the decision recorded as its answer
    pub decisions: Vec<Decision>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub task_id: i64,
    pub answer: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeetingView {
    #[serde(flatten)]
    pub meeting: Meeting,
    pub settled_task_ids: Vec<i64>,
}

/// Records a meeting and answers every part it settled (leaders and administrators).
pub async fn meeting(app: &App, actor: &Actor, input: &MeetingInput) -> Result<MeetingView> {
    actor.require(
        matches!(actor.role, Role::Leader | Role::Admin),
        "记录一事一议会议",
    )?;
    for (field, v, max) in [
        ("title", &input.title, 100),
        ("chaired_by", &input.chaired_by, 50),
        ("attendees", &input.attendees, 500),
        ("minutes", &input.minutes, 5000),
    ] {
        let n = v.trim().chars().count();
        if n == 0 || n > max {
            return Err(Error::invalid(field, format!("{field} 应为1到{max}个字")));
        }
    }
    let held = dates::parse(&input.held_on, "held_on")?;
    if held > today() {
        return Err(Error::invalid("held_on", "会议日期不能晚于今天"));
    }
    if input.decisions.is_empty() {
        return Err(Error::invalid("decisions", "请至少列出一项会议议定的诉求"));
    }
    let mut tx = Tx::begin(app).await?;
    let id = store::insert_meeting(
        tx.conn(),
        input.title.trim(),
        &held.to_string(),
        input.chaired_by.trim(),
        input.attendees.trim(),
        input.minutes.trim(),
        actor.id(),
    )
    .await?;
    let mut settled = Vec::new();
    for d in &input.decisions {
        let t = store::task(tx.conn(), d.task_id)
            .await?
            .ok_or_else(|| Error::invalid("decisions", format!("事项 {} 不存在", d.task_id)))?;
        let from = TaskStatus::parse(&t.status)?;
        request::step(from, TaskAction::Answer)
            .map_err(|m| Error::invalid("decisions", format!("事项 {}：{m}", d.task_id)))?;
        let answer = d.answer.trim();
        if answer.is_empty() || answer.chars().count() > 2000 {
            return Err(Error::invalid(
                "decisions",
                format!("事项 {} 的议定意见应为1到2000个字", d.task_id),
            ));
        }
        store::answer(
            tx.conn(),
            t.id,
            actor.id(),
            answer,
            &today().to_string(),
            Some(id),
        )
        .await?;
        store::refresh_status(tx.conn(), t.request_id).await?;
        settled.push(t.id);
    }
    let m = store::meeting(tx.conn(), id)
        .await?
        .ok_or(Error::NotFound)?;
    let v = MeetingView {
        meeting: m,
        settled_task_ids: settled,
    };
    tx.record(
        Some(actor),
        "request_meeting",
        id,
        "record",
        None::<&()>,
        Some(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// Departments a request can be routed to.
pub async fn departments(app: &App) -> Result<Vec<(i64, String)>> {
    let mut c = app.db.acquire().await?;
    Ok(org::units(&mut c)
        .await?
        .into_iter()
        .filter(|u| u.kind == fenglai_domain::UnitKind::Department)
        .map(|u| (u.id, u.name))
        .collect())
}
