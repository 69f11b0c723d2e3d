//! Server-rendered pages (Simplified Chinese).

use crate::charts::{self, FunnelBar, HBar};
use crate::error::{explainable, invalid, invalid_or_forbidden, status_of, PageResult, Shown};
use crate::extract::{
    cookie, ClientIp, CsrfForm, NoFields, WebSession, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::filters;
use crate::html::render;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use fenglai_app::leads::{AdmitInput, LeadInput, ListQuery};
use fenglai_app::projects::TransitionInput;
use fenglai_app::redlines::{self, Report};
use fenglai_app::stats::{GroupPipeline, Pipeline};
use fenglai_app::{auth, leads, org, projects, review, routing, stats, App, Error};
use fenglai_domain::money::{self, Currency, WAN};
use fenglai_domain::routing::Fit;
use fenglai_domain::{Channel, LeadStatus, Role, Stage, UnitKind, Yuan};
use fenglai_store::audit::Event;
use fenglai_store::leads::{Lead, UnitCount};
use fenglai_store::org::{Unit, User};
use fenglai_store::projects::{Choice, HistoryEntry, Project};
use fenglai_store::review::{Override, Review};
use fenglai_store::routing::Routing;
use fenglai_store::sessions::SessionInfo;
use fenglai_store::stats::RecentChange;
use serde::Deserialize;
use std::collections::HashMap;

mod assess;
mod chains;
mod delivery;
mod inbox;
mod intake;
mod ledgers;
mod merges;
mod parks;
mod quota;

const CSS: &str = include_str!("../static/app.css");
const JS: &str = include_str!("../static/app.js");

pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/static/app.css",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                        (header::CACHE_CONTROL, "max-age=3600"),
                    ],
                    CSS,
                )
            }),
        )
        .route(
            "/static/app.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, "max-age=3600"),
                    ],
                    JS,
                )
            }),
        )
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/", get(dashboard))
        .route("/leads", get(lead_list).post(lead_create))
        .route("/leads/new", get(lead_new))
        .route("/leads/{id}", get(lead_show))
        .route("/leads/{id}/admit", post(lead_admit))
        .route("/projects", get(project_list))
        .route("/projects/board", get(project_board))
        .route("/projects/{id}", get(project_show))
        .route("/projects/{id}/transition", post(project_transition))
        .route("/projects/{id}/edit", post(project_edit))
        .route("/admin/units", get(units_page).post(unit_create))
        .route("/admin/users", get(users_page).post(user_create))
        .route("/admin/users/{id}", post(user_edit))
        .route(
            "/admin/users/{id}/sessions/revoke",
            post(user_sessions_revoke),
        )
        .route(
            "/admin/users/{id}/sessions/{session}/revoke",
            post(user_session_revoke),
        )
        .route("/picker/{kind}", get(picker))
        .merge(assess::routes())
        .merge(chains::routes())
        .merge(delivery::routes())
        .merge(intake::routes())
        .merge(merges::routes())
        .merge(parks::routes())
        .merge(ledgers::routes())
        .merge(quota::routes())
        .merge(inbox::routes())
}

/// An option of a `<select>`.
pub struct Opt {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn opts(
    all: impl Iterator<Item = (&'static str, &'static str)>,
    current: Option<&str>,
) -> Vec<Opt> {
    all.map(|(code, label)| Opt {
        code,
        label,
        selected: current == Some(code),
    })
    .collect()
}

fn stage_opts(current: Option<&str>) -> Vec<Opt> {
    opts(Stage::ALL.iter().map(|s| (s.as_str(), s.label())), current)
}

/// What every page's frame needs.
pub struct Frame {
    pub user: String,
    pub role: String,
    pub unit: String,
    pub csrf: String,
    pub is_admin: bool,
    pub may_report: bool,
    /// 预审: everyone but informants (panel members, promoters, leaders)
    pub may_review: bool,
    /// 园区匹配: those who send leads to parks and the parks that receive them
    pub may_route: bool,
    /// unread notices (站内消息)
    pub unread: i64,
    /// 考核 and 通报: staff, not informants or outside reviewers
    pub may_assess: bool,
    /// 驾驶舱: leaders and administrators
    pub may_steer: bool,
    pub nav: &'static str,
}

impl Frame {
    fn new(s: &WebSession, nav: &'static str) -> Frame {
        Frame {
            user: s.actor.user.display_name.clone(),
            role: s.actor.role.label().to_string(),
            unit: s.actor.user.unit_name.clone(),
            csrf: s.csrf.clone(),
            is_admin: s.actor.role == Role::Admin,
            may_report: s.actor.role.may_report_leads(),
            may_review: s.actor.role != Role::Informant,
            may_route: matches!(
                s.actor.role,
                Role::Admin | Role::Promoter | Role::Leader | Role::Receiver
            ),
            unread: s.unread,
            may_assess: fenglai_app::bulletins::may_read(s.actor.role),
            may_steer: fenglai_app::bulletins::may_steer(s.actor.role),
            nav,
        }
    }
}

/// A redirect after a form was accepted.
fn to(path: &str) -> PageResult {
    Ok(Redirect::to(path).into_response())
}

/// The session cookie: HttpOnly, SameSite=Lax, and Secure when the page was reached over
/// TLS — a reverse proxy terminating HTTPS says so with `X-Forwarded-Proto: https` — or when
/// `FENGLAI_SECURE_COOKIES=1`.
fn session_cookie(token: &str, max_age: i64, headers: &HeaderMap) -> String {
    let tls = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
        || std::env::var("FENGLAI_SECURE_COOKIES").is_ok_and(|v| v == "1");
    let secure = if tls { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

// ---- login ----

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    username: String,
    error: Option<String>,
}

async fn login_page(headers: HeaderMap) -> Response {
    let csrf = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_else(auth::random_token);
    let mut r = render(
        StatusCode::OK,
        &LoginPage {
            csrf: csrf.clone(),
            username: String::new(),
            error: None,
        },
    );
    if let Ok(v) =
        format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict").parse()
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

async fn login(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let page = |status, error: String| {
        render(
            status,
            &LoginPage {
                csrf: expected.clone(),
                username: f.username.clone(),
                error: Some(error),
            },
        )
    };
    if expected.is_empty() || f.csrf != expected {
        return Ok(page(
            StatusCode::FORBIDDEN,
            "登录表单已过期，请重新登录".into(),
        ));
    }
    match auth::login(&app, &f.username, &f.password, &ip, auth::Kind::Web).await {
        Ok(issued) => {
            let mut r = Redirect::to("/").into_response();
            if let Ok(v) = session_cookie(&issued.token, 12 * 3600, &headers).parse() {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            Ok(r)
        }
        Err(Error::Unauthorized) => Ok(page(StatusCode::UNAUTHORIZED, "用户名或密码错误".into())),
        Err(e @ Error::RateLimited { retry_after }) => {
            let mut r = page(StatusCode::TOO_MANY_REQUESTS, e.to_string());
            r.headers_mut()
                .insert(header::RETRY_AFTER, retry_after.into());
            Ok(r)
        }
        Err(e) => Err(e.into()),
    }
}

async fn logout(
    State(app): State<App>,
    s: WebSession,
    headers: HeaderMap,
    _: CsrfForm<NoFields>,
) -> PageResult {
    auth::logout(&app, &s.token).await?;
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = session_cookie("", 0, &headers).parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

// ---- dashboard ----

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    f: Frame,
    as_of: String,
    pipeline: Pipeline,
    summary: String,
    funnel: Vec<FunnelBar>,
    parks: Vec<GroupPipeline>,
    park_bars: Vec<HBar>,
    units: Vec<GroupPipeline>,
    lead_counts: Vec<UnitCount>,
    recent: Vec<RecentChange>,
    dropped: i64,
}

#[derive(Deserialize)]
struct AsOf {
    as_of: Option<String>,
}

async fn dashboard(State(app): State<App>, s: WebSession, Query(q): Query<AsOf>) -> PageResult {
    let as_of = stats::parse_as_of(q.as_of.as_deref())?;
    let pipeline = stats::pipeline(&app, &s.actor, as_of).await?;
    let parks = stats::pipeline_by(&app, &s.actor, as_of, true).await?;
    let units = stats::pipeline_by(&app, &s.actor, as_of, false).await?;
    let lead_counts = stats::lead_counts(&app, &s.actor).await?;
    let recent = stats::recent(&app, &s.actor, 12).await?;
    Ok(render(
        StatusCode::OK,
        &Dashboard {
            f: Frame::new(&s, "dashboard"),
            as_of: as_of.to_string(),
            summary: pipeline.summary(),
            funnel: charts::funnel(&pipeline),
            park_bars: charts::group_bars(&parks),
            dropped: pipeline.stage(Stage::Dropped).count,
            pipeline,
            parks,
            units,
            lead_counts,
            recent,
        },
    ))
}

// ---- leads ----

#[derive(Template)]
#[template(path = "leads.html")]
struct LeadList {
    f: Frame,
    q: ListQuery,
    items: Vec<Lead>,
    total: i64,
    total_capped: bool,
    page: i64,
    pages: i64,
    prev_url: Option<String>,
    next_url: Option<String>,
    statuses: Vec<Opt>,
    units: Vec<Unit>,
    error: Option<String>,
}

/// `base?k=v&…&page=N` with the filters that are set, for pager links.
fn paged_url(base: &str, filters: &[(&str, &Option<String>)], page: i64) -> String {
    let mut pairs: Vec<(&str, String)> = filters
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| (*k, v.to_string()))
        })
        .collect();
    pairs.push(("page", page.to_string()));
    format!(
        "{base}?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

fn page_url(q: &ListQuery, page: i64) -> String {
    let filters = [
        ("q", &q.q),
        ("status", &q.status),
        ("industry", &q.industry),
        ("unit_id", &q.unit_id),
        ("from", &q.from),
        ("to", &q.to),
        ("sort", &q.sort),
        ("per_page", &q.per_page),
    ];
    paged_url("/leads", &filters, page)
}

async fn lead_list(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let units = org::units(&app).await?;
    let statuses = opts(
        LeadStatus::ALL.iter().map(|s| (s.as_str(), s.label())),
        q.status.as_deref(),
    );
    let (items, total, capped, error) =
        match leads::list(&app, &s.actor, &q).await.shown_if(invalid)? {
            Ok(l) => (l.items, l.total, l.total_capped, None),
            Err(e) => (Vec::new(), 0, false, Some(e.to_string())),
        };
    let (page, per_page) = leads::page_params(&q.page, &q.per_page).unwrap_or((1, 50));
    let pages = ((total + per_page - 1) / per_page).max(1);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(render(
        status,
        &LeadList {
            f: Frame::new(&s, "leads"),
            prev_url: (page > 1).then(|| page_url(&q, page - 1)),
            next_url: (page < pages).then(|| page_url(&q, page + 1)),
            q,
            items,
            total,
            total_capped: capped,
            page,
            pages,
            statuses,
            units,
            error,
        },
    ))
}

#[derive(Template)]
#[template(path = "lead_form.html")]
struct LeadForm {
    f: Frame,
    v: LeadFormData,
    errors: HashMap<String, String>,
    channels: Vec<Opt>,
    envs: Vec<Opt>,
    /// existing leads this report looks like: shown before saving
    dups: Vec<fenglai_app::merges::Lookalike>,
}

impl UsersPage {
    fn sessions_of(&self, user: &i64) -> &[SessionInfo] {
        self.sessions
            .get(user)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

impl LeadForm {
    fn err(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }
}

#[derive(Debug, Default, Deserialize)]
struct LeadFormData {
    #[serde(default)]
    company_name: String,
    #[serde(default)]
    uscc: String,
    #[serde(default)]
    industry_code: String,
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    planned_investment_wan: String,
    #[serde(default)]
    land_mu: String,
    #[serde(default)]
    expected_jobs: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_phone: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    reported_date: String,
    #[serde(default)]
    env_category: String,
    /// 世界500强, 中国500强, 央企, 上市公司
    #[serde(default)]
    investor_tags: String,
    /// "1" once the reporter has seen the duplicate warning and reports anyway
    #[serde(default)]
    confirm_duplicate: String,
    #[serde(default)]
    expected_tax_wan: String,
    #[serde(default)]
    expected_output_wan: String,
    #[serde(default)]
    energy_tce: String,
    #[serde(default)]
    power_kva: String,
}

fn nonempty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// An amount typed into form field `field` in `unit` of `currency` (`WAN` for a field labelled
/// 万元): blank is none, anything else is read by the domain's one rule for typed amounts
/// ([`money::parse_form`]), its refusal naming the field by `label` when the page does not
/// show the message beside the field.
pub(crate) fn form_amount(
    text: &str,
    field: &str,
    label: &str,
    unit: i64,
    currency: Currency,
) -> Result<Option<i64>, Error> {
    money::parse_form(text, unit, currency).map_err(|e| {
        let message = if label.is_empty() {
            e.message
        } else {
            format!("{label}：{}", e.message)
        };
        Error::invalid(field, message)
    })
}

/// An amount in 万元 typed into form field `field`; see [`form_amount`].
pub(crate) fn form_wan(text: &str, field: &str, label: &str) -> Result<Option<i64>, Error> {
    form_amount(text, field, label, WAN, Currency::Yuan)
}

impl LeadFormData {
    /// Converts the form's units (万元) into the service input, naming bad fields.
    fn to_input(&self) -> Result<LeadInput, Error> {
        let planned = form_wan(
            &self.planned_investment_wan,
            "planned_investment_wan",
            "计划投资",
        )?;
        let land = match nonempty(&self.land_mu) {
            Some(v) => Some(v.parse::<f64>().map_err(|_| {
                Error::invalid("land_mu", format!("用地“{v}”不是数字（单位：亩）"))
            })?),
            None => None,
        };
        let jobs =
            match nonempty(&self.expected_jobs) {
                Some(v) => Some(v.parse::<i64>().map_err(|_| {
                    Error::invalid("expected_jobs", format!("就业人数“{v}”不是整数"))
                })?),
                None => None,
            };
        let energy =
            match nonempty(&self.energy_tce) {
                Some(v) => Some(v.parse::<f64>().ok().filter(|e| e.is_finite()).ok_or_else(
                    || {
                        Error::invalid(
                            "energy_tce",
                            format!("年综合能耗“{v}”不是数字（单位：吨标煤）"),
                        )
                    },
                )?),
                None => None,
            };
        let power = match nonempty(&self.power_kva) {
            Some(v) => Some(v.parse::<i64>().map_err(|_| {
                Error::invalid("power_kva", format!("用电需求“{v}”不是整数（单位：kVA）"))
            })?),
            None => None,
        };
        Ok(LeadInput {
            company_name: self.company_name.clone(),
            uscc: nonempty(&self.uscc),
            industry_code: nonempty(&self.industry_code),
            region_code: nonempty(&self.region_code),
            contact_name: nonempty(&self.contact_name),
            contact_phone: nonempty(&self.contact_phone),
            description: nonempty(&self.description),
            planned_investment_yuan: planned,
            land_mu: land,
            expected_jobs: jobs,
            channel: nonempty(&self.channel),
            reported_date: nonempty(&self.reported_date),
            env_category: nonempty(&self.env_category),
            expected_tax_yuan: form_wan(&self.expected_tax_wan, "expected_tax_wan", "预计年税收")?,
            expected_output_yuan: form_wan(
                &self.expected_output_wan,
                "expected_output_wan",
                "预计年产值",
            )?,
            energy_tce: energy,
            power_kva: power,
            investor_tags: nonempty(&self.investor_tags),
        })
    }
}

/// The 环评类别 options.
fn env_opts(current: &str) -> Vec<Opt> {
    opts(
        fenglai_domain::redline::ENV_CATEGORIES
            .iter()
            .map(|c| (*c, *c)),
        Some(current),
    )
}

fn channels(current: &str) -> Vec<Opt> {
    opts(
        Channel::ALL.iter().map(|c| (c.as_str(), c.label())),
        Some(current),
    )
}

async fn lead_new(s: WebSession) -> PageResult {
    if !s.actor.role.may_report_leads() {
        return Err(Error::Forbidden("当前角色无权报送线索".into()).into());
    }
    Ok(render(
        StatusCode::OK,
        &LeadForm {
            f: Frame::new(&s, "new"),
            v: LeadFormData::default(),
            errors: HashMap::new(),
            channels: channels(""),
            envs: env_opts(""),
            dups: Vec::new(),
        },
    ))
}

async fn lead_create(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(v): CsrfForm<LeadFormData>,
) -> PageResult {
    let input = v.to_input();
    if let (Ok(input), true) = (&input, v.confirm_duplicate.is_empty()) {
        let dups = fenglai_app::merges::lookalikes(
            &app,
            &s.actor,
            &input.company_name,
            input.uscc.as_deref(),
        )
        .await?;
        if !dups.is_empty() {
            return Ok(render(
                StatusCode::OK,
                &LeadForm {
                    f: Frame::new(&s, "new"),
                    channels: channels(&v.channel),
                    envs: env_opts(&v.env_category),
                    v,
                    errors: HashMap::new(),
                    dups,
                },
            ));
        }
    }
    let created = match input {
        Ok(input) => leads::create(&app, &s.actor, &input).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(lead) => to(&format!("/leads/{}", lead.id)),
        Err(Error::Invalid { field, message }) => {
            let field = match field.as_str() {
                "planned_investment_yuan" => "planned_investment_wan".to_string(),
                "expected_tax_yuan" => "expected_tax_wan".to_string(),
                "expected_output_yuan" => "expected_output_wan".to_string(),
                other => other.to_string(),
            };
            let errors = HashMap::from([(field, message)]);
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &LeadForm {
                    f: Frame::new(&s, "new"),
                    channels: channels(&v.channel),
                    envs: env_opts(&v.env_category),
                    v,
                    errors,
                    dups: Vec::new(),
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "lead.html")]
struct LeadPage {
    f: Frame,
    lead: Lead,
    may_admit: bool,
    parks: Vec<Choice>,
    today: String,
    /// the park that accepted the lead, proposed in the admit form
    accepted_park: Option<i64>,
    /// 首报 and co-reporters with their shares; merges the lead took part in
    credits: Vec<fenglai_app::merges::Credit>,
    merges: Vec<fenglai_store::merges::Merge>,
    may_merge: bool,
    events: Vec<fenglai_store::audit::HistoryLine>,
    error: Option<String>,
    envs: Vec<Opt>,
    flags: Vec<FlagRow>,
    blocking: usize,
    overrides: Vec<Override>,
    is_leader: bool,
    reviews: Vec<Review>,
    may_open_review: bool,
    panels: Vec<IdOpt>,
    ranking: Vec<Fit>,
    may_route: bool,
    route_parks: Vec<IdOpt>,
    routings: Vec<Routing>,
    /// visits and events that followed this lead or produced it
    activities: Vec<fenglai_store::assess::Activity>,
}

impl LeadPage {
    fn accepted(&self, park: &i64) -> bool {
        self.accepted_park == Some(*park)
    }
}

/// A red-line flag and whether it still blocks admission.
pub struct FlagRow {
    pub message: String,
    pub blocking: bool,
}

fn flag_rows(r: &Report) -> Vec<FlagRow> {
    r.flags
        .iter()
        .map(|f| FlagRow {
            message: f.message.clone(),
            blocking: r.blocking.contains(f),
        })
        .collect()
}

async fn lead_page(
    app: &App,
    s: &WebSession,
    id: i64,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let lead = leads::get(app, &s.actor, id).await?;
    let parks = projects::parks(app).await?;
    let report = redlines::report(app, &s.actor, id, None).await?;
    let reviews = review::of_lead(app, &s.actor, id).await?;
    let routings = routing::of_lead(app, &s.actor, id).await?;
    // a lead imported from a project ledger is recorded in its project's import event
    let records: Vec<(&str, i64)> = std::iter::once(("lead", id))
        .chain(lead.project_id.map(|p| ("project", p)))
        .chain(reviews.iter().map(|r| ("review", r.id)))
        .chain(routings.iter().map(|r| ("routing", r.id)))
        .collect();
    let events = fenglai_app::audit::history(app, &records).await?;
    let credits = fenglai_app::merges::credits(app, &s.actor, id).await?;
    let merges = fenglai_app::merges::of_lead(app, &s.actor, id).await?;
    let activities = fenglai_app::activities::list(
        app,
        &s.actor,
        &fenglai_app::activities::ListQuery {
            lead_id: Some(id),
            ..Default::default()
        },
    )
    .await?
    .items;
    // the ranking is for those who reach the lead in their own scope
    let ranking = match routing::ranking(app, &s.actor, id).await {
        Ok(r) => r,
        Err(Error::NotFound) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let sender = matches!(s.actor.role, Role::Admin | Role::Promoter);
    let open_status = matches!(lead.status.as_str(), "pending_review" | "in_review");
    let admissible = open_status;
    let routed = routings
        .iter()
        .any(|r| r.status == "pending" || r.status == "accepted");
    let declined = |park: i64| {
        routings
            .iter()
            .any(|r| r.status == "declined" && r.park_id == park)
    };
    let best = ranking
        .iter()
        .find(|f| f.fits && !declined(f.park_id))
        .map(|f| f.park_id);
    let route_parks = id_opts(
        ranking.iter().filter(|f| !declined(f.park_id)).map(|f| {
            (
                f.park_id,
                format!(
                    "{}（{}分，{}）",
                    f.park,
                    f.score,
                    if f.fits { "符合" } else { "不符合" }
                ),
            )
        }),
        best,
    );
    let panels = review::panels(app)
        .await?
        .into_iter()
        .map(|p| (p.panel.id, p.panel.name))
        .collect::<Vec<_>>();
    let first_panel = panels.first().map(|p| p.0);
    Ok(render(
        status,
        &LeadPage {
            f: Frame::new(s, "leads"),
            may_admit: admissible && sender,
            may_open_review: sender
                && lead.status == LeadStatus::PendingReview
                && !ranking.is_empty(),
            may_route: sender
                && !routed
                && !ranking.is_empty()
                && !matches!(lead.status.as_str(), "rejected" | "merged"),
            panels: id_opts(panels.into_iter(), first_panel),
            is_leader: s.actor.role == Role::Leader,
            flags: flag_rows(&report),
            blocking: report.blocking.len(),
            overrides: report.overrides,
            envs: env_opts(""),
            lead,
            parks,
            today: fenglai_app::today().to_string(),
            accepted_park: routings
                .iter()
                .find(|r| r.status == "accepted")
                .map(|r| r.park_id),
            credits,
            merges,
            may_merge: sender,
            events,
            error,
            reviews,
            ranking,
            route_parks,
            routings,
            activities,
        },
    ))
}

async fn lead_show(State(app): State<App>, s: WebSession, Path(id): Path<i64>) -> PageResult {
    lead_page(&app, &s, id, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct AdmitForm {
    #[serde(default)]
    park_id: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    env_category: String,
}

async fn lead_admit(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<AdmitForm>,
) -> PageResult {
    let park_id = match nonempty(&f.park_id).map(|p| p.parse::<i64>()) {
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => {
            return lead_page(
                &app,
                &s,
                id,
                Some("承接园区无效".into()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        None => None,
    };
    let input = AdmitInput {
        park_id,
        date: nonempty(&f.date),
        env_category: nonempty(&f.env_category),
        ..Default::default()
    };
    match leads::admit(&app, &s.actor, id, &input)
        .await
        .shown_if(explainable)?
    {
        Ok(p) => to(&format!("/projects/{}", p.id)),
        Err(e) => lead_page(&app, &s, id, Some(e.to_string()), status_of(&e)).await,
    }
}

// ---- projects ----

#[derive(Template)]
#[template(path = "projects.html")]
struct ProjectList {
    f: Frame,
    items: Vec<Project>,
    total: i64,
    page: i64,
    pages: i64,
    q: String,
    stages: Vec<Opt>,
    prev_url: Option<String>,
    next_url: Option<String>,
}

fn project_url(q: &projects::ListQuery, page: i64) -> String {
    let filters = [
        ("stage", &q.stage),
        ("q", &q.q),
        ("park_id", &q.park_id),
        ("per_page", &q.per_page),
    ];
    paged_url("/projects", &filters, page)
}

async fn project_list(
    State(app): State<App>,
    s: WebSession,
    Query(q): Query<projects::ListQuery>,
) -> PageResult {
    let (items, total) = projects::list(&app, &s.actor, &q).await?;
    let (page, per_page) = leads::page_params(&q.page, &q.per_page).unwrap_or((1, 50));
    let pages = ((total + per_page - 1) / per_page).max(1);
    Ok(render(
        StatusCode::OK,
        &ProjectList {
            f: Frame::new(&s, "projects"),
            items,
            total,
            page,
            pages,
            prev_url: (page > 1).then(|| project_url(&q, page - 1)),
            next_url: (page < pages).then(|| project_url(&q, page + 1)),
            q: q.q.clone().unwrap_or_default(),
            stages: stage_opts(q.stage.as_deref()),
        },
    ))
}

pub struct BoardColumn {
    pub stage: &'static str,
    pub label: &'static str,
    pub total: i64,
    pub items: Vec<Project>,
}

#[derive(Template)]
#[template(path = "board.html")]
struct Board {
    f: Frame,
    columns: Vec<BoardColumn>,
}

async fn project_board(State(app): State<App>, s: WebSession) -> PageResult {
    let mut columns = Vec::new();
    for st in Stage::ALL {
        let q = projects::ListQuery {
            stage: Some(st.as_str().into()),
            per_page: Some("20".into()),
            ..Default::default()
        };
        let (items, total) = projects::list(&app, &s.actor, &q).await?;
        columns.push(BoardColumn {
            stage: st.as_str(),
            label: st.label(),
            total,
            items,
        });
    }
    Ok(render(
        StatusCode::OK,
        &Board {
            f: Frame::new(&s, "board"),
            columns,
        },
    ))
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
    d: delivery::ProjectDelivery,
}

/// An option of a `<select>` keyed by id.
pub struct IdOpt {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

fn id_opts(all: impl Iterator<Item = (i64, String)>, current: Option<i64>) -> Vec<IdOpt> {
    all.map(|(id, name)| IdOpt {
        id,
        name,
        selected: current == Some(id),
    })
    .collect()
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
            d: delivery::ProjectDelivery::load(app, s, &p).await?,
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

#[derive(Deserialize)]
struct TransitionForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    amount_wan: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    correction: Option<String>,
}

async fn project_transition(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<TransitionForm>,
) -> PageResult {
    let amount = match form_wan(&f.amount_wan, "amount_wan", "") {
        Ok(a) => a,
        Err(e) => return project_refused(&app, &s, id, e).await,
    };
    let input = TransitionInput {
        to: f.to.clone(),
        date: nonempty(&f.date),
        amount_yuan: amount,
        reason: nonempty(&f.reason),
        correction: f.correction.is_some(),
    };
    let moved = projects::transition(&app, &s.actor, id, &input).await;
    project_done(&app, &s, id, "", moved).await
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

#[derive(Deserialize)]
struct ProjectEditForm {
    /// the version the form was filled from: a project changed since is not overwritten
    #[serde(default)]
    version: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    park_id: String,
    #[serde(default)]
    responsible_user_id: String,
    #[serde(default)]
    responsible_leader_id: String,
    #[serde(default)]
    planned_investment_wan: String,
    #[serde(default)]
    foreign_capital_wan_usd: String,
    #[serde(default)]
    land_mu: String,
}

fn form_id(s: &str, field: &str) -> Result<Option<i64>, Error> {
    match nonempty(s) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| Error::invalid(field, "选择无效")),
    }
}

/// The version a form was filled from (its hidden `version` field), if it carries one.
pub(crate) fn form_version(s: &str) -> Result<Option<i64>, Error> {
    match nonempty(s) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| Error::invalid("version", "表单已失效，请刷新后重试")),
    }
}

async fn project_edit(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ProjectEditForm>,
) -> PageResult {
    let input = (|| {
        Ok::<_, Error>(projects::EditInput {
            name: nonempty(&f.name),
            park_id: form_id(&f.park_id, "park_id")?,
            responsible_user_id: form_id(&f.responsible_user_id, "responsible_user_id")?,
            responsible_leader_id: form_id(&f.responsible_leader_id, "responsible_leader_id")?,
            planned_investment_yuan: form_wan(
                &f.planned_investment_wan,
                "planned_investment_wan",
                "计划投资",
            )?,
            foreign_capital_usd: form_amount(
                &f.foreign_capital_wan_usd,
                "foreign_capital_wan_usd",
                "外资",
                WAN,
                Currency::UsDollar,
            )?,
            land_mu: match nonempty(&f.land_mu) {
                Some(v) => Some(
                    v.parse::<f64>()
                        .map_err(|_| Error::invalid("land_mu", format!("用地“{v}”不是数字")))?,
                ),
                None => None,
            },
            version: form_version(&f.version)?,
        })
    })();
    let edited = match input {
        Ok(input) => projects::edit(&app, &s.actor, id, &input).await,
        Err(e) => Err(e),
    };
    project_done(&app, &s, id, "", edited).await
}

// ---- administration ----

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    f: Frame,
    units: Vec<(Unit, usize)>,
    kinds: Vec<Opt>,
    error: Option<String>,
}

fn depth(u: &Unit) -> usize {
    u.path.matches('/').count().saturating_sub(2)
}

async fn units_page_with(
    app: &App,
    s: &WebSession,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    if s.actor.role != Role::Admin {
        return Err(Error::Forbidden("仅管理员可管理单位".into()).into());
    }
    let units = org::units(app).await?;
    Ok(render(
        status,
        &UnitsPage {
            f: Frame::new(s, "admin"),
            units: units
                .into_iter()
                .map(|u| {
                    let d = depth(&u);
                    (u, d)
                })
                .collect(),
            kinds: opts(UnitKind::ALL.iter().map(|k| (k.as_str(), k.label())), None),
            error,
        },
    ))
}

async fn units_page(State(app): State<App>, s: WebSession) -> PageResult {
    units_page_with(&app, &s, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct UnitForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent_id: String,
}

async fn unit_create(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(f): CsrfForm<UnitForm>,
) -> PageResult {
    let input = org::UnitInput {
        name: f.name,
        kind: f.kind,
        parent_id: f.parent_id.trim().parse().ok(),
        region_code: None,
    };
    match org::create_unit(&app, Some(&s.actor), &input)
        .await
        .shown_if(invalid_or_forbidden)?
    {
        Ok(_) => to("/admin/units"),
        Err(e) => units_page_with(&app, &s, Some(e.to_string()), status_of(&e)).await,
    }
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    f: Frame,
    users: Vec<User>,
    /// live sessions and API tokens per user id
    sessions: HashMap<i64, Vec<SessionInfo>>,
    units: Vec<Unit>,
    roles: Vec<Opt>,
    error: Option<String>,
    /// the password policy in words, and its minimum length
    password_rule: String,
    password_min: usize,
}

async fn users_page_with(
    app: &App,
    s: &WebSession,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    Ok(render(
        status,
        &UsersPage {
            f: Frame::new(s, "admin"),
            users: org::users(app, &s.actor).await?,
            sessions: auth::live_sessions(app, &s.actor).await?,
            units: org::units(app).await?,
            roles: opts(Role::ALL.iter().map(|r| (r.as_str(), r.label())), None),
            error,
            password_rule: app.password_policy().describe(),
            password_min: app.password_policy().min_len,
        },
    ))
}

async fn users_page(State(app): State<App>, s: WebSession) -> PageResult {
    users_page_with(&app, &s, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    password: String,
}

async fn user_create(
    State(app): State<App>,
    s: WebSession,
    CsrfForm(f): CsrfForm<UserForm>,
) -> PageResult {
    let input = org::UserInput {
        username: f.username,
        display_name: f.display_name,
        role: f.role,
        unit_id: f.unit_id.trim().parse().unwrap_or(0),
        password: f.password,
        phone: None,
    };
    users_done(
        &app,
        &s,
        org::create_user(&app, Some(&s.actor), &input).await,
    )
    .await
}

/// After a form on the users page: back to it, or the page with the refusal.
async fn users_done<T>(app: &App, s: &WebSession, r: Result<T, Error>) -> PageResult {
    match r.shown_if(invalid_or_forbidden)? {
        Ok(_) => to("/admin/users"),
        Err(e) => users_page_with(app, s, Some(e.to_string()), status_of(&e)).await,
    }
}

#[derive(Deserialize)]
struct UserEditForm {
    #[serde(default)]
    active: String,
    #[serde(default)]
    password: String,
}

async fn user_edit(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<UserEditForm>,
) -> PageResult {
    let input = org::UserEdit {
        display_name: None,
        role: None,
        unit_id: None,
        active: match f.active.as_str() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        },
        password: nonempty(&f.password),
    };
    users_done(&app, &s, org::edit_user(&app, &s.actor, id, &input).await).await
}

/// Ends every session and API token of a user (the users page's 注销会话).
async fn user_sessions_revoke(
    State(app): State<App>,
    s: WebSession,
    Path(id): Path<i64>,
    _: CsrfForm<NoFields>,
) -> PageResult {
    auth::revoke_sessions(&app, &s.actor, id, None).await?;
    if id == s.actor.id() {
        to("/login")
    } else {
        to("/admin/users")
    }
}

/// Ends one session or API token of a user (the users page's 注销 beside it).
async fn user_session_revoke(
    State(app): State<App>,
    s: WebSession,
    Path((id, session)): Path<(i64, String)>,
    _: CsrfForm<NoFields>,
) -> PageResult {
    auth::revoke_sessions(&app, &s.actor, id, Some(&session)).await?;
    to("/admin/users")
}

#[derive(Deserialize)]
struct PickerQuery {
    q: Option<String>,
}

/// Code-table search for the form pickers (session-authenticated JSON).
async fn picker(
    State(app): State<App>,
    _s: WebSession,
    Path(kind): Path<String>,
    Query(q): Query<PickerQuery>,
) -> Response {
    let q = q.q.unwrap_or_default();
    let r = match kind.as_str() {
        "industries" => fenglai_app::reference::search_industries(&app, &q).await,
        "regions" => fenglai_app::reference::search_regions(&app, &q).await,
        _ => Err(Error::NotFound),
    };
    match r {
        Ok(items) => axum::Json(items).into_response(),
        Err(e) => crate::error::ApiError(e).into_response(),
    }
}
