//! Pages from signing to production: the plan and timeline on the project page, requests
//! to departments and their loop, the 督办 board, the week's calendar, stall lists and
//! the "回音高于呼声" statistics.

use super::*;
use crate::charts::Gantt;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use fenglai_app::evidence;
use fenglai_app::milestones::{
    self, NodeInput, PlanInput, StallList, StallQuery, Timeline, Week, WeekQuery,
};
use fenglai_app::realised::{self, MonthlyInput, Realised};
use fenglai_app::requests::{
    self, Board, BoardQuery, ListQuery as RequestQuery, RaiseInput, RequestView, Stats, StatsQuery,
    TaskInput,
};
use fenglai_domain::milestone::ProjectType;
use fenglai_domain::request::Category;
use fenglai_store::evidence::Attachment;

pub fn routes() -> Router<App> {
    Router::new()
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
        let may = s.actor.role.may_manage_projects() || p.responsible_user_id == Some(s.actor.id());
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

/// After a form on the project page: back to it, or the page with the error.
async fn back(app: &App, s: &WebSession, id: i64, anchor: &str, r: Result<(), Error>) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/projects/{id}#{anchor}")).into_response(),
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::Forbidden(_))) => {
            let status = status_and_code(&e).0;
            project_page(app, s, id, Some(e.to_string()), status).await
        }
        Err(e) => error_page(e),
    }
}

#[derive(Deserialize)]
struct PlanForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    project_type: String,
    #[serde(default)]
    target_production_date: String,
}

async fn plan(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    Form(f): Form<PlanForm>,
) -> Response {
    if let Some(r) = csrf_rejection(&s, &f.csrf) {
        return r;
    }
    let input = PlanInput {
        project_type: f.project_type,
        target_production_date: f.target_production_date,
    };
    let r = milestones::schedule(&app, &s.actor, id, &input)
        .await
        .map(|_| ());
    back(&app, &s, id, "plan", r).await
}

#[derive(Deserialize)]
struct NodeForm {
    #[serde(default)]
    csrf: String,
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
    Form(f): Form<NodeForm>,
) -> Response {
    if let Some(r) = csrf_rejection(&s, &f.csrf) {
        return r;
    }
    let some = |v: String| (!v.trim().is_empty()).then_some(v);
    let input = NodeInput {
        planned_date: some(f.planned_date),
        actual_date: some(f.actual_date),
        note: some(f.note),
        ..Default::default()
    };
    let r = milestones::set_node(&app, &s.actor, id, &node, &input)
        .await
        .map(|_| ());
    back(&app, &s, id, "plan", r).await
}

async fn raise(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    body: String,
) -> Response {
    // a form with repeated department_ids: read the pairs by hand
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    if let Some(r) = csrf_rejection(&s, &get("csrf")) {
        return r;
    }
    let mut department_ids = Vec::new();
    for (k, v) in &pairs {
        if k == "department_ids" {
            match v.parse() {
                Ok(d) => department_ids.push(d),
                Err(_) => {
                    return back(
                        &app,
                        &s,
                        id,
                        "requests",
                        Err(Error::invalid("department_ids", "部门选择有误")),
                    )
                    .await
                }
            }
        }
    }
    let input = RaiseInput {
        category: get("category"),
        title: get("title"),
        description: get("description"),
        urgency: Some(get("urgency")),
        department_ids,
    };
    match requests::raise(&app, &s.actor, id, &input).await {
        Ok(r) => Redirect::to(&format!("/requests/{}", r.request.id)).into_response(),
        Err(e) => back(&app, &s, id, "requests", Err(e)).await,
    }
}

#[derive(Deserialize)]
struct MonthlyForm {
    #[serde(default)]
    csrf: String,
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
    Form(f): Form<MonthlyForm>,
) -> Response {
    if let Some(r) = csrf_rejection(&s, &f.csrf) {
        return r;
    }
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
        realised::put(&app, &s.actor, id, &input).await.map(|_| ())
    }
    .await;
    back(&app, &s, id, "realised", r).await
}

/// A page's multipart form: its text fields and the `file` part (name, bytes). A part over
/// the body limit, or a body that is not multipart, is an error naming the file.
async fn read_multipart(
    req: Request,
    app: &App,
) -> Result<(HashMap<String, String>, Option<(String, Vec<u8>)>), Error> {
    let too_big = || {
        Error::invalid(
            "file",
            format!("文件不能超过{} MB", evidence::MAX_BYTES / 1024 / 1024),
        )
    };
    let mut m = axum::extract::Multipart::from_request(req, app)
        .await
        .map_err(|_| Error::invalid("file", "请选择要上传的文件"))?;
    let (mut fields, mut file) = (HashMap::new(), None);
    while let Some(field) = m.next_field().await.map_err(|_| too_big())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|_| too_big())?;
            file = Some((file_name, bytes.to_vec()));
        } else {
            fields.insert(name, field.text().await.unwrap_or_default());
        }
    }
    Ok((fields, file))
}

async fn attach(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    req: Request,
) -> Response {
    let (fields, file) = match read_multipart(req, &app).await {
        Ok(x) => x,
        Err(e) => return back(&app, &s, id, "evidence", Err(e)).await,
    };
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    if let Some(r) = csrf_rejection(&s, &get("csrf")) {
        return r;
    }
    let Some((name, bytes)) = file.filter(|(n, _)| !n.is_empty()) else {
        return back(
            &app,
            &s,
            id,
            "evidence",
            Err(Error::invalid("file", "请选择要上传的文件")),
        )
        .await;
    };
    let r = evidence::attach(
        &app,
        &s.actor,
        id,
        &evidence::Upload {
            kind: &get("kind"),
            filename: &name,
            bytes: &bytes,
            request_id: None,
        },
    )
    .await
    .map(|_| ());
    back(&app, &s, id, "evidence", r).await
}

async fn download(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> Response {
    match evidence::download(&app, &s.actor, id).await {
        Ok((a, bytes)) => crate::api_delivery::file_response(&a, bytes),
        Err(e) => error_page(e),
    }
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
) -> Response {
    let is_department = s.actor.role == Role::Collaborator;
    if is_department && q.department_id.is_none() {
        q.department_id = Some("mine".into());
    }
    let mine = q.department_id.as_deref() == Some("mine");
    let status = q.status.clone().unwrap_or_default();
    match requests::list(&app, &s.actor, &q).await {
        Ok(l) => render(
            StatusCode::OK,
            &ListPage {
                f: Frame::new(&s, "requests"),
                items: l.items,
                total: l.total,
                mine,
                is_department,
                status,
            },
        ),
        Err(e) => error_page(e),
    }
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
) -> Response {
    match requests::get(app, &s.actor, id).await {
        Ok(r) => {
            let may_rate = s.actor.id() == r.request.raised_by
                || s.actor.user.unit_id == r.request.raised_unit_id
                || s.actor.role == Role::Admin;
            render(
                error
                    .as_ref()
                    .map(|e| status_and_code(e).0)
                    .unwrap_or(StatusCode::OK),
                &RequestPage {
                    f: Frame::new(s, "requests"),
                    unit_id: s.actor.user.unit_id,
                    is_admin: s.actor.role == Role::Admin,
                    may_rate,
                    r,
                    error: error.map(|e| e.to_string()),
                    draft,
                },
            )
        }
        Err(e) => error_page(e),
    }
}

async fn request_page(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> Response {
    request_render(&app, &s, id, None, Draft::default()).await
}

#[derive(Deserialize)]
struct ActForm {
    #[serde(default)]
    csrf: String,
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
    Form(f): Form<ActForm>,
) -> Response {
    if let Some(r) = csrf_rejection(&s, &f.csrf) {
        return r;
    }
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
    match requests::act(&app, &s.actor, id, &input).await {
        Ok(r) => Redirect::to(&format!("/requests/{}", r.request.id)).into_response(),
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::Forbidden(_))) => {
            request_render(&app, &s, f.request_id, Some(e), draft).await
        }
        Err(e) => error_page(e),
    }
}

// ---------------------------------------------------------------------------
// 督办, calendar, stalls, statistics

#[derive(Template)]
#[template(path = "supervision.html")]
struct SupervisionPage {
    f: Frame,
    board: Board,
    alerts: fenglai_app::milestones::Alerts,
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
) -> Response {
    supervision_render(&app, &s, q, None).await
}

async fn supervision_render(
    app: &App,
    s: &WebSession,
    q: BoardQuery,
    error: Option<Error>,
) -> Response {
    let status = error
        .as_ref()
        .map(|e| status_and_code(e).0)
        .unwrap_or(StatusCode::OK);
    let r = async {
        let board = requests::board(app, &s.actor, &q).await?;
        let alerts = milestones::alerts(
            app,
            &s.actor,
            &milestones::DueQuery {
                as_of: q.as_of.clone(),
                person: None,
            },
        )
        .await?;
        let stalls = milestones::stalled(
            app,
            &s.actor,
            &StallQuery {
                as_of: q.as_of.clone(),
                ..Default::default()
            },
        )
        .await?;
        Ok::<_, Error>(SupervisionPage {
            f: Frame::new(s, "supervision"),
            board,
            alerts,
            stalls,
            may_meet: matches!(s.actor.role, Role::Leader | Role::Admin),
            today: fenglai_app::today().to_string(),
            error: error.map(|e| e.to_string()),
        })
    }
    .await;
    match r {
        Ok(p) => render(status, &p),
        Err(e) => error_page(e),
    }
}

/// The pairs of a form whose fields may repeat (multi-selects, checkboxes).
fn form_pairs(body: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str(body).unwrap_or_default()
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
async fn meeting(State(app): State<App>, s: WebSession, body: String) -> Response {
    let pairs = form_pairs(&body);
    if let Some(r) = csrf_rejection(&s, &field(&pairs, "csrf")) {
        return r;
    }
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
    match requests::meeting(&app, &s.actor, &input).await {
        Ok(_) => Redirect::to("/supervision").into_response(),
        Err(e @ (Error::Invalid { .. } | Error::Forbidden(_) | Error::Conflict(_))) => {
            supervision_render(&app, &s, BoardQuery::default(), Some(e)).await
        }
        Err(e) => error_page(e),
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

async fn settings_render(app: &App, s: &WebSession, error: Option<Error>) -> Response {
    if s.actor.role != Role::Admin {
        return error_page(Error::Forbidden("只有管理员可以修改推进设置".into()));
    }
    let status = error
        .as_ref()
        .map(|e| status_and_code(e).0)
        .unwrap_or(StatusCode::OK);
    let r = async {
        let mut c = app.db.acquire().await?;
        let days = requests::deadlines(&mut c).await?;
        let required = evidence::required(&mut c).await?;
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
    match r {
        Ok(p) => render(status, &p),
        Err(e) => error_page(e),
    }
}

async fn settings_page(State(app): State<App>, s: WebSession) -> Response {
    settings_render(&app, &s, None).await
}

async fn settings_done(app: &App, s: &WebSession, r: Result<(), Error>) -> Response {
    match r {
        Ok(()) => Redirect::to("/admin/delivery").into_response(),
        Err(e @ (Error::Invalid { .. } | Error::Forbidden(_) | Error::Conflict(_))) => {
            settings_render(app, s, Some(e)).await
        }
        Err(e) => error_page(e),
    }
}

async fn save_rule(State(app): State<App>, s: WebSession, body: String) -> Response {
    let p = form_pairs(&body);
    if let Some(r) = csrf_rejection(&s, &field(&p, "csrf")) {
        return r;
    }
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
        milestones::save_rule(&app, &s.actor, &input)
            .await
            .map(|_| ())
    }
    .await;
    settings_done(&app, &s, r).await
}

async fn save_deadlines(State(app): State<App>, s: WebSession, body: String) -> Response {
    let p = form_pairs(&body);
    if let Some(r) = csrf_rejection(&s, &field(&p, "csrf")) {
        return r;
    }
    let r = async {
        let mut days = std::collections::BTreeMap::new();
        for c in Category::ALL {
            let v = field(&p, c.as_str());
            let n: i64 = v.trim().parse().map_err(|_| {
                Error::invalid("days", format!("“{}”的办理时限应为整数天", c.label()))
            })?;
            days.insert(c.as_str().to_string(), n);
        }
        requests::set_deadlines(&app, &s.actor, &days)
            .await
            .map(|_| ())
    }
    .await;
    settings_done(&app, &s, r).await
}

async fn save_evidence(State(app): State<App>, s: WebSession, body: String) -> Response {
    let p = form_pairs(&body);
    if let Some(r) = csrf_rejection(&s, &field(&p, "csrf")) {
        return r;
    }
    // fields named `<stage>` with a kind as value, one per ticked box
    let mut req: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (k, v) in &p {
        if Stage::parse(k).is_ok() {
            req.entry(k.clone()).or_default().push(v.clone());
        }
    }
    let r = evidence::set_required(&app, &s.actor, &req)
        .await
        .map(|_| ());
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

async fn calendar(State(app): State<App>, s: WebSession, Query(q): Query<WeekQuery>) -> Response {
    let mine = q.person.as_deref() == Some("me");
    match milestones::week(&app, &s.actor, &q).await {
        Ok(w) => {
            let monday =
                chrono::NaiveDate::parse_from_str(&w.monday, "%Y-%m-%d").unwrap_or_default();
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
            render(
                StatusCode::OK,
                &CalendarPage {
                    f: Frame::new(&s, "calendar"),
                    w,
                    mine,
                    days,
                },
            )
        }
        Err(e) => error_page(e),
    }
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
) -> Response {
    let query = serde_urlencoded::to_string([
        ("as_of", q.as_of.clone().unwrap_or_default()),
        ("rule", q.rule.clone().unwrap_or_default()),
    ])
    .unwrap_or_default();
    match milestones::stalled(&app, &s.actor, &q).await {
        Ok(l) => render(
            StatusCode::OK,
            &StallsPage {
                f: Frame::new(&s, "stalls"),
                rule: q.rule.unwrap_or_default(),
                l,
                query,
            },
        ),
        Err(e) => error_page(e),
    }
}

async fn stalls_xlsx(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<StallQuery>,
) -> Response {
    match milestones::stalled_xlsx(&app, &s.actor, &q).await {
        Ok(b) => crate::api_ledgers::xlsx("停滞项目清单.xlsx", b),
        Err(e) => error_page(e),
    }
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
) -> Response {
    match requests::stats(&app, &s.actor, &q).await {
        Ok(st) => render(
            StatusCode::OK,
            &StatsPage {
                f: Frame::new(&s, "requests"),
                s: st,
            },
        ),
        Err(e) => error_page(e),
    }
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

async fn monthly_import(State(app): State<App>, s: WebSession, req: Request) -> Response {
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
    let (fields, file) = match read_multipart(req, &app).await {
        Ok(x) => x,
        Err(e) => return page(StatusCode::UNPROCESSABLE_ENTITY, None, Some(e.to_string())),
    };
    if let Some(r) = csrf_rejection(&s, fields.get("csrf").map_or("", |c| c.as_str())) {
        return r;
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some("请选择要导入的文件".into()),
        );
    };
    let name = if name.is_empty() {
        "月度数据.xlsx".to_string()
    } else {
        name
    };
    match realised::import(&app, &s.actor, &name, &bytes).await {
        Ok(done) => page(StatusCode::OK, Some(done), None),
        Err(e @ (Error::Invalid { .. } | Error::Forbidden(_))) => {
            page(status_and_code(&e).0, None, Some(e.to_string()))
        }
        Err(e) => error_page(e),
    }
}
