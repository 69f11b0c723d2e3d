//! Pages from signing to production: the plan and timeline on the project page, requests
//! to departments and their loop, the 督办 board, the week's calendar, stall lists and
//! the "回音高于呼声" statistics.

use crate::charts::Gantt;
use crate::extract::{CsrfMultipart, Unread};
use crate::pages::*;
use axum::extract::DefaultBodyLimit;
use fenglai_app::delivery::evidence;
use fenglai_app::delivery::milestones::{
    self, NodeInput, PlanInput, StallList, StallQuery, Timeline, Week, WeekQuery,
};
use fenglai_app::delivery::realised::{self, MonthlyInput, Realised};
use fenglai_app::delivery::requests::{
    self, Board, BoardQuery, ListQuery as RequestQuery, RaiseInput, RequestView, Stats, StatsQuery,
    TaskInput,
};
use fenglai_domain::milestone::ProjectType;
use fenglai_domain::request::Category;
use fenglai_store::evidence::Attachment;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/projects/{id}", get(project_show))
        .route("/projects/{id}/attachments", post(attach))
        .layer(DefaultBodyLimit::max(evidence::MAX_BYTES + 1024 * 1024))
        .route("/projects/{id}/plan", post(plan))
        .route("/projects/{id}/milestones/{node}", post(node))
        .route("/projects/{id}/requests", post(raise))
        .route("/projects/{id}/monthly", post(monthly))
        .route("/requests", get(list_page))
        .route("/requests/{id}", get(request_page))
        .route("/request-tasks/{id}", post(act))
        .route("/supervision", get(supervision))
        .route("/calendar", get(calendar))
        .route("/stalls", get(stalls_page))
        .route("/stalls/export.xlsx", get(stalls_xlsx))
        .route("/requests-stats", get(stats_page))
        .route("/attachments/{id}/file", get(download))
        .route("/request-meetings", post(meeting))
        .route("/monthly-import", get(monthly_import_page))
        .route(
            "/monthly-import",
            post(monthly_import).layer(DefaultBodyLimit::max(evidence::MAX_BYTES + 1024 * 1024)),
        )
        .route("/admin/delivery", get(settings_page))
        .route("/admin/delivery/rules", post(save_rule))
        .route("/admin/delivery/deadlines", post(save_deadlines))
        .route("/admin/delivery/evidence", post(save_evidence))
}

/// What the project page shows of delivery: plan, timeline, requests, evidence, figures.
pub struct ProjectDelivery {
    pub timeline: Timeline,
    pub gantt: Option<Gantt>,
    pub may_plan: bool,
    pub may_raise: bool,
    pub requests: Vec<RequestView>,
    pub departments: Vec<IdOpt>,
    pub attachments: Vec<Attachment>,
    pub realised: Realised,
    pub types: Vec<(&'static str, &'static str)>,
    pub categories: Vec<(&'static str, &'static str)>,
    pub kinds: Vec<(&'static str, &'static str)>,
}

impl ProjectDelivery {
    pub async fn load(app: &App, s: &WebSession, p: &Project) -> Result<Self, Error> {
        let today = fenglai_app::today();
        let timeline = milestones::timeline(app, &s.actor, p.id, today).await?;
        let may = fenglai_app::access::may_work_on(&s.actor, p);
        Ok(ProjectDelivery {
            gantt: charts::gantt(&timeline.nodes, today),
            timeline,
            may_plan: may,
            may_raise: may,
            requests: requests::list(
                app,
                &s.actor,
                &RequestQuery {
                    project_id: Some(p.id.to_string()),
                    per_page: Some("200".into()),
                    ..Default::default()
                },
            )
            .await?
            .items,
            departments: requests::departments(app)
                .await?
                .into_iter()
                .map(|(id, name)| IdOpt {
                    id,
                    name,
                    selected: false,
                })
                .collect(),
            attachments: evidence::list(app, &s.actor, p.id).await?,
            realised: realised::get(app, &s.actor, p.id).await?,
            types: ProjectType::ALL
                .iter()
                .map(|t| (t.as_str(), t.label()))
                .collect(),
            categories: Category::ALL
                .iter()
                .map(|c| (c.as_str(), c.label()))
                .collect(),
            kinds: evidence::KINDS.to_vec(),
        })
    }

    /// Whether a node's actual date comes from a stage change (not editable).
    pub fn is_entry(&self, node: &str) -> bool {
        fenglai_domain::milestone::Node::parse(node).is_ok_and(|n| n.is_entry())
    }

    /// The contracted investment, else the planned one, in words.
    pub fn promised(&self) -> String {
        Yuan(
            self.realised
                .contracted_investment_yuan
                .unwrap_or(self.realised.planned_investment_yuan),
        )
        .human()
    }

    pub fn kind_label(&self, k: &str) -> String {
        evidence::kind_label(k).to_string()
    }
}

#[derive(Deserialize)]
struct PlanForm {
    #[serde(default)]
    project_type: String,
    #[serde(default)]
    target_production_date: String,
}

async fn plan(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<PlanForm>,
) -> PageResult {
    let input = PlanInput {
        project_type: f.project_type,
        target_production_date: f.target_production_date,
    };
    let r = milestones::schedule(&app, &s.actor, id, &input).await;
    project_done(&app, &s, id, "plan", r).await
}

#[derive(Deserialize)]
struct NodeForm {
    #[serde(default)]
    planned_date: String,
    #[serde(default)]
    actual_date: String,
    #[serde(default)]
    note: String,
}

async fn node(
    State(app): State<App>,
    s: WebSession,
    Path((id, node)): Path<(i64, String)>,
    CsrfForm(f): CsrfForm<NodeForm>,
) -> PageResult {
    let some = |v: String| (!v.trim().is_empty()).then_some(v);
    let input = NodeInput {
        planned_date: some(f.planned_date),
        actual_date: some(f.actual_date),
        note: some(f.note),
        ..Default::default()
    };
    let r = milestones::set_node(&app, &s.actor, id, &node, &input).await;
    project_done(&app, &s, id, "plan", r).await
}

/// A form with repeated department_ids: read as pairs.
async fn raise(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let get = |k: &str| field(&pairs, k);
    let department_ids = pairs
        .iter()
        .filter(|(k, _)| k == "department_ids")
        .map(|(_, v)| {
            v.parse()
                .map_err(|_| Error::invalid("department_ids", "部门选择有误"))
        })
        .collect::<Result<Vec<i64>, _>>();
    let raised = match department_ids {
        Ok(department_ids) => {
            let input = RaiseInput {
                category: get("category"),
                title: get("title"),
                description: get("description"),
                urgency: Some(get("urgency")),
                department_ids,
            };
            requests::raise(&app, &s.actor, id, &input).await
        }
        Err(e) => Err(e),
    };
    match raised.shown_if(explainable)? {
        Ok(r) => to(&format!("/requests/{}", r.request.id)),
        Err(e) => project_refused(&app, &s, id, e).await,
    }
}

#[derive(Deserialize)]
struct MonthlyForm {
    #[serde(default)]
    month: String,
    #[serde(default)]
    capital_arrived_wan: String,
    #[serde(default)]
    fixed_asset_wan: String,
    #[serde(default)]
    output_wan: String,
    #[serde(default)]
    tax_wan: String,
    #[serde(default)]
    employment: String,
    /// 实际使用外资, 万美元
    #[serde(default)]
    foreign_wan_usd: String,
}

async fn monthly(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<MonthlyForm>,
) -> PageResult {
    let r = async {
        let input = MonthlyInput {
            month: f.month.clone(),
            capital_arrived_yuan: form_wan(&f.capital_arrived_wan, "capital_arrived_yuan", "到资")?,
            fixed_asset_yuan: form_wan(&f.fixed_asset_wan, "fixed_asset_yuan", "完成固投")?,
            output_yuan: form_wan(&f.output_wan, "output_yuan", "产值")?,
            tax_yuan: form_wan(&f.tax_wan, "tax_yuan", "税收")?,
            employment: match f.employment.trim() {
                "" => None,
                e => Some(
                    e.parse()
                        .map_err(|_| Error::invalid("employment", "用工人数应为整数"))?,
                ),
            },
            foreign_capital_usd: form_amount(
                &f.foreign_wan_usd,
                "foreign_capital_usd",
                "实际使用外资",
                WAN,
                Currency::UsDollar,
            )?,
        };
        realised::put(&app, &s.actor, id, &input).await
    }
    .await;
    project_done(&app, &s, id, "realised", r).await
}

/// Why an upload could not be read, in words: a body that is not multipart has no file;
/// a part that breaks off went over the body limit.
fn unread_upload(unread: Unread) -> Error {
    match unread {
        Unread::NotMultipart(_) => Error::invalid("file", "请选择要上传的文件"),
        Unread::Broken { .. } => Error::invalid(
            "file",
            format!("文件不能超过{} MB", evidence::MAX_BYTES / 1024 / 1024),
        ),
    }
}

async fn attach(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfMultipart(form): CsrfMultipart,
) -> PageResult {
    let form = match form {
        Ok(form) => form,
        Err(unread) => return project_refused(&app, &s, id, unread_upload(unread)).await,
    };
    let Some(file) = form
        .file
        .filter(|f| f.name.as_deref().is_some_and(|n| !n.is_empty()))
    else {
        let e = Error::invalid("file", "请选择要上传的文件");
        return project_refused(&app, &s, id, e).await;
    };
    let r = evidence::attach(
        &app,
        &s.actor,
        id,
        &evidence::Upload {
            kind: form.fields.get("kind").map_or("", String::as_str),
            filename: file.name.as_deref().unwrap_or(""),
            bytes: &file.bytes,
            request_id: None,
        },
    )
    .await;
    project_done(&app, &s, id, "evidence", r).await
}

async fn download(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> PageResult {
    let (a, bytes) = evidence::download(&app, &s.actor, id).await?;
    Ok(crate::download::file_response(&a, bytes))
}

// ---------------------------------------------------------------------------
// Requests

#[derive(Template)]
#[template(path = "requests.html")]
struct ListPage {
    f: Frame,
    items: Vec<RequestView>,
    total: i64,
    mine: bool,
    is_department: bool,
    status: String,
}

async fn list_page(
    State(app): State<App>,
    s: WebSession,
    Query(mut q): Query<RequestQuery>,
) -> PageResult {
    let is_department = s.actor.role == Role::Collaborator;
    if is_department && q.department_id.is_none() {
        q.department_id = Some("mine".into());
    }
    let mine = q.department_id.as_deref() == Some("mine");
    let status = q.status.clone().unwrap_or_default();
    let l = requests::list(&app, &s.actor, &q).await?;
    Ok(render(
        StatusCode::OK,
        &ListPage {
            f: Frame::new(&s, "requests"),
            items: l.items,
            total: l.total,
            mine,
            is_department,
            status,
        },
    ))
}

#[derive(Template)]
#[template(path = "request.html")]
struct RequestPage {
    f: Frame,
    r: RequestView,
    /// the caller's unit, to show the department's own actions
    unit_id: i64,
    is_admin: bool,
    may_rate: bool,
    error: Option<String>,
    /// what was typed into a refused form, to show it again
    draft: Draft,
}

/// A refused 答复 or 评价, kept so that the re-rendered page does not lose what was typed.
#[derive(Default)]
struct Draft {
    task_id: i64,
    answer: String,
    unsatisfied: bool,
    comment: String,
}

async fn request_render(
    app: &App,
    s: &WebSession,
    id: i64,
    error: Option<Error>,
    draft: Draft,
) -> PageResult {
    let r = requests::get(app, &s.actor, id).await?;
    let may_rate = s.actor.id() == r.request.raised_by
        || s.actor.user.unit_id == r.request.raised_unit_id
        || s.actor.role == Role::Admin;
    Ok(render(
        error.as_ref().map(status_of).unwrap_or(StatusCode::OK),
        &RequestPage {
            f: Frame::new(s, "requests"),
            unit_id: s.actor.user.unit_id,
            is_admin: s.actor.role == Role::Admin,
            may_rate,
            r,
            error: error.map(|e| e.to_string()),
            draft,
        },
    ))
}

async fn request_page(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> PageResult {
    request_render(&app, &s, id, None, Draft::default()).await
}

#[derive(Deserialize)]
struct ActForm {
    #[serde(default)]
    request_id: i64,
    #[serde(default)]
    action: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    satisfied: String,
    #[serde(default)]
    comment: String,
}

async fn act(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ActForm>,
) -> PageResult {
    let draft = Draft {
        task_id: id,
        answer: f.answer.clone(),
        unsatisfied: f.satisfied == "0",
        comment: f.comment.clone(),
    };
    let input = TaskInput {
        action: f.action,
        answer: Some(f.answer),
        satisfied: match f.satisfied.as_str() {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            _ => None,
        },
        comment: Some(f.comment),
    };
    match requests::act(&app, &s.actor, id, &input)
        .await
        .shown_if(explainable)?
    {
        Ok(r) => to(&format!("/requests/{}", r.request.id)),
        Err(e) => request_render(&app, &s, f.request_id, Some(e), draft).await,
    }
}

// ---------------------------------------------------------------------------
// 督办, calendar, stalls, statistics

#[derive(Template)]
#[template(path = "supervision.html")]
struct SupervisionPage {
    f: Frame,
    board: Board,
    alerts: fenglai_app::delivery::milestones::Alerts,
    stalls: StallList,
    /// leaders and administrators record 一事一议 meetings here
    may_meet: bool,
    today: String,
    error: Option<String>,
}

async fn supervision(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<BoardQuery>,
) -> PageResult {
    supervision_render(&app, &s, q, None).await
}

async fn supervision_render(
    app: &App,
    s: &WebSession,
    q: BoardQuery,
    error: Option<Error>,
) -> PageResult {
    let status = error.as_ref().map(status_of).unwrap_or(StatusCode::OK);
    let on = crate::as_of::day(&q.as_of)?;
    let board = requests::board(app, &s.actor, on).await?;
    let alerts = milestones::alerts(
        app,
        &s.actor,
        &milestones::DueQuery {
            as_of: q.as_of.clone(),
            person: None,
        },
        on,
    )
    .await?;
    let stalls = milestones::stalled(
        app,
        &s.actor,
        &StallQuery {
            as_of: q.as_of.clone(),
            ..Default::default()
        },
        on,
    )
    .await?;
    Ok(render(
        status,
        &SupervisionPage {
            f: Frame::new(s, "supervision"),
            board,
            alerts,
            stalls,
            may_meet: matches!(s.actor.role, Role::Leader | Role::Admin),
            today: fenglai_app::today().to_string(),
            error: error.map(|e| e.to_string()),
        },
    ))
}

fn field(pairs: &[(String, String)], k: &str) -> String {
    pairs
        .iter()
        .find(|(a, _)| a == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// 一事一议 from the board: the meeting, and one decision recorded as the answer of every
/// part ticked.
async fn meeting(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let decision = field(&pairs, "decision");
    let decisions = pairs
        .iter()
        .filter(|(k, _)| k == "task_ids")
        .filter_map(|(_, v)| v.parse().ok())
        .map(|task_id| requests::Decision {
            task_id,
            answer: decision.clone(),
        })
        .collect();
    let input = requests::MeetingInput {
        title: field(&pairs, "title"),
        held_on: field(&pairs, "held_on"),
        chaired_by: field(&pairs, "chaired_by"),
        attendees: field(&pairs, "attendees"),
        minutes: field(&pairs, "minutes"),
        decisions,
    };
    match requests::meeting(&app, &s.actor, &input)
        .await
        .shown_if(explainable)?
    {
        Ok(_) => to("/supervision"),
        Err(e) => supervision_render(&app, &s, BoardQuery::default(), Some(e)).await,
    }
}

// ---------------------------------------------------------------------------
// Settings (administrators): stall rules, answer deadlines, required evidence

/// A stage's code and label, and for each evidence kind its code, label and whether the
/// stage change requires it.
type StageEvidence = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str, bool)>,
);

#[derive(Template)]
#[template(path = "delivery_settings.html")]
struct SettingsPage {
    f: Frame,
    rules: Vec<fenglai_store::milestones::StallRuleRow>,
    deadlines: Vec<(&'static str, &'static str, i64)>,
    /// stage code, label, and for each evidence kind: (code, label, required)
    evidence: Vec<StageEvidence>,
    error: Option<String>,
}

impl SettingsPage {
    fn node_label(&self, code: &str) -> &'static str {
        fenglai_domain::milestone::Node::parse(code).map_or("?", |n| n.label())
    }
}

async fn settings_render(app: &App, s: &WebSession, error: Option<Error>) -> PageResult {
    if s.actor.role != Role::Admin {
        return Err(Error::Forbidden("只有管理员可以修改推进设置".into()).into());
    }
    let status = error.as_ref().map(status_of).unwrap_or(StatusCode::OK);
    let r = async {
        let days = requests::deadlines(app).await?;
        let required = evidence::required(app).await?;
        Ok::<_, Error>(SettingsPage {
            f: Frame::new(s, "admin"),
            rules: milestones::rules(app).await?,
            deadlines: Category::ALL
                .iter()
                .map(|c| {
                    (
                        c.as_str(),
                        c.label(),
                        days.get(c.as_str()).copied().unwrap_or(c.default_days()),
                    )
                })
                .collect(),
            evidence: Stage::ALL
                .iter()
                .filter(|st| **st != Stage::Negotiating)
                .map(|st| {
                    let have = required.get(st.as_str());
                    (
                        st.as_str(),
                        st.label(),
                        evidence::KINDS
                            .iter()
                            .map(|(k, l)| (*k, *l, have.is_some_and(|h| h.iter().any(|x| x == k))))
                            .collect(),
                    )
                })
                .collect(),
            error: error.map(|e| e.to_string()),
        })
    }
    .await;
    Ok(render(status, &r?))
}

async fn settings_page(State(app): State<App>, s: WebSession) -> PageResult {
    settings_render(&app, &s, None).await
}

async fn settings_done<T>(app: &App, s: &WebSession, r: Result<T, Error>) -> PageResult {
    match r.shown_if(explainable)? {
        Ok(_) => to("/admin/delivery"),
        Err(e) => settings_render(app, s, Some(e)).await,
    }
}

async fn save_rule(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(p): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let r = async {
        let days = field(&p, "days")
            .trim()
            .parse()
            .map_err(|_| Error::invalid("days", "天数应为整数"))?;
        let input = milestones::RuleInput {
            code: field(&p, "code"),
            label: field(&p, "label"),
            after_node: field(&p, "after_node"),
            missing_node: field(&p, "missing_node"),
            days,
            active: field(&p, "active") == "1",
        };
        milestones::save_rule(&app, &s.actor, &input).await
    }
    .await;
    settings_done(&app, &s, r).await
}

async fn save_deadlines(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(p): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let r = async {
        let mut days = std::collections::BTreeMap::new();
        for c in Category::ALL {
            let v = field(&p, c.as_str());
            let n: i64 = v.trim().parse().map_err(|_| {
                Error::invalid("days", format!("“{}”的办理时限应为整数天", c.label()))
            })?;
            days.insert(c.as_str().to_string(), n);
        }
        requests::set_deadlines(&app, &s.actor, &days).await
    }
    .await;
    settings_done(&app, &s, r).await
}

async fn save_evidence(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(p): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    // fields named `<stage>` with a kind as value, one per ticked box
    let mut req: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (k, v) in &p {
        if Stage::parse(k).is_ok() {
            req.entry(k.clone()).or_default().push(v.clone());
        }
    }
    let r = evidence::set_required(&app, &s.actor, &req).await;
    settings_done(&app, &s, r).await
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    f: Frame,
    w: Week,
    mine: bool,
    days: Vec<(String, String)>,
}

async fn calendar(State(app): State<App>, s: WebSession, Query(q): Query<WeekQuery>) -> PageResult {
    let mine = q.person.as_deref() == Some("me");
    let w = milestones::week(&app, &s.actor, &q).await?;
    let monday = chrono::NaiveDate::parse_from_str(&w.monday, "%Y-%m-%d").unwrap_or_default();
    let names = ["一", "二", "三", "四", "五", "六", "日"];
    let days = (0..7)
        .map(|i| {
            let d = monday + chrono::Duration::days(i);
            (
                d.to_string(),
                format!("周{} {}", names[i as usize], d.format("%m-%d")),
            )
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &CalendarPage {
            f: Frame::new(&s, "calendar"),
            w,
            mine,
            days,
        },
    ))
}

#[derive(Template)]
#[template(path = "stalls.html")]
struct StallsPage {
    f: Frame,
    l: StallList,
    rule: String,
    query: String,
}

async fn stalls_page(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<StallQuery>,
) -> PageResult {
    let query = serde_urlencoded::to_string([
        ("as_of", q.as_of.clone().unwrap_or_default()),
        ("rule", q.rule.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    let on = crate::as_of::day(&q.as_of)?;
    let l = milestones::stalled(&app, &s.actor, &q, on).await?;
    Ok(render(
        StatusCode::OK,
        &StallsPage {
            f: Frame::new(&s, "stalls"),
            rule: q.rule.unwrap_or_default(),
            l,
            query,
        },
    ))
}

async fn stalls_xlsx(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<StallQuery>,
) -> PageResult {
    let on = crate::as_of::day(&q.as_of)?;
    let b = milestones::stalled_xlsx(&app, &s.actor, &q, on).await?;
    Ok(crate::download::xlsx("停滞项目清单.xlsx", b))
}

#[derive(Template)]
#[template(path = "request_stats.html")]
struct StatsPage {
    f: Frame,
    s: Stats,
}

async fn stats_page(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<StatsQuery>,
) -> PageResult {
    let on = crate::as_of::day(&q.as_of)?;
    let st = requests::stats(&app, &s.actor, &q, on).await?;
    Ok(render(
        StatusCode::OK,
        &StatsPage {
            f: Frame::new(&s, "requests"),
            s: st,
        },
    ))
}

// ---------------------------------------------------------------------------
// Monthly figures from a sheet

#[derive(Template)]
#[template(path = "monthly_import.html")]
struct MonthlyImportPage {
    f: Frame,
    done: Option<realised::ImportSummary>,
    error: Option<String>,
}

async fn monthly_import_page(s: WebSession) -> Response {
    render(
        StatusCode::OK,
        &MonthlyImportPage {
            f: Frame::new(&s, "projects"),
            done: None,
            error: None,
        },
    )
}

async fn monthly_import(
    State(app): State<App>,
    s: WebSession,
    CsrfMultipart(form): CsrfMultipart,
) -> PageResult {
    let page = |status, done, error| {
        render(
            status,
            &MonthlyImportPage {
                f: Frame::new(&s, "projects"),
                done,
                error,
            },
        )
    };
    let refused = |e: Error| page(status_of(&e), None, Some(e.to_string()));
    let form = match form {
        Ok(form) => form,
        Err(unread) => return Ok(refused(unread_upload(unread))),
    };
    let Some(file) = form.file.filter(|f| !f.bytes.is_empty()) else {
        return Ok(refused(Error::invalid("file", "请选择要导入的文件")));
    };
    let name = match file.name {
        Some(n) if !n.is_empty() => n,
        _ => "月度数据.xlsx".to_string(),
    };
    Ok(
        match realised::import(&app, &s.actor, &name, &file.bytes)
            .await
            .shown_if(invalid_or_forbidden)?
        {
            Ok(done) => page(StatusCode::OK, Some(done), None),
            Err(e) => refused(e),
        },
    )
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    f: Frame,
    p: Project,
    history: Vec<HistoryEntry>,
    events: Vec<Event>,
    may_manage: bool,
    stages: Vec<Opt>,
    today: String,
    error: Option<String>,
    parks: Vec<IdOpt>,
    people: Vec<IdOpt>,
    leaders: Vec<IdOpt>,
    d: ProjectDelivery,
}

pub(crate) async fn project_page(
    app: &App,
    s: &WebSession,
    id: i64,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let p = projects::get(app, &s.actor, id).await?;
    let history = projects::history(app, &s.actor, id).await?;
    let events = fenglai_app::audit::for_entity(app, "project", id).await?;
    let next_stage = p.stage.next().map(Stage::as_str);
    let (people, leaders) = org::responsible_choices(app).await?;
    let label = |u: &User| (u.id, format!("{}（{}）", u.display_name, u.unit_name));
    Ok(render(
        status,
        &ProjectPage {
            parks: id_opts(
                projects::parks(app)
                    .await?
                    .into_iter()
                    .map(|c| (c.id, c.name)),
                p.park_id,
            ),
            people: id_opts(people.iter().map(label), p.responsible_user_id),
            leaders: id_opts(leaders.iter().map(label), p.responsible_leader_id),
            f: Frame::new(s, "projects"),
            may_manage: s.actor.role.may_manage_projects(),
            d: ProjectDelivery::load(app, s, &p).await?,
            p,
            history,
            events,
            stages: stage_opts(next_stage),
            today: fenglai_app::today().to_string(),
            error,
        },
    ))
}

async fn project_show(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> PageResult {
    project_page(&app, &s, id, None, StatusCode::OK).await
}

/// After a form on the project page: back to the page (at `anchor`, if one is given), or
/// the page with the refusal.
pub(crate) async fn project_done<T>(
    app: &App,
    s: &WebSession,
    id: i64,
    anchor: &str,
    r: Result<T, Error>,
) -> PageResult {
    match r.shown_if(explainable)? {
        Ok(_) if anchor.is_empty() => to(&format!("/projects/{id}")),
        Ok(_) => to(&format!("/projects/{id}#{anchor}")),
        Err(e) => project_refused(app, s, id, e).await,
    }
}

/// The project page again with a refusal it explains.
pub(crate) async fn project_refused(app: &App, s: &WebSession, id: i64, e: Error) -> PageResult {
    project_page(app, s, id, Some(e.to_string()), status_of(&e)).await
}
