//! Server-rendered pages (Simplified Chinese).

pub(crate) use crate::charts::{self, FunnelBar, HBar};
pub(crate) use crate::error::{
    explainable, invalid, invalid_or_forbidden, status_of, PageResult, Shown,
};
pub(crate) use crate::extract::{
    cookie, ClientIp, CsrfForm, NoFields, WebSession, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
pub(crate) use crate::filters;
pub(crate) use crate::html::render;
pub(crate) use askama::Template;
pub(crate) use axum::extract::{Form, Path, Query, State};
pub(crate) use axum::http::{header, HeaderMap, StatusCode};
pub(crate) use axum::response::{IntoResponse, Redirect, Response};
pub(crate) use axum::routing::{get, post};
pub(crate) use axum::Router;
pub(crate) use fenglai_app::cockpit::stats::{GroupPipeline, Pipeline};
pub(crate) use fenglai_app::leads::{AdmitInput, LeadInput, ListQuery};
pub(crate) use fenglai_app::projects::TransitionInput;
pub(crate) use fenglai_app::redlines::{self, Report};
pub(crate) use fenglai_app::{
    auth, cockpit::stats, intake::review, intake::routing, leads, org, projects, App, Error,
};
pub(crate) use fenglai_domain::money::{self, Currency, WAN};
pub(crate) use fenglai_domain::routing::Fit;
pub(crate) use fenglai_domain::{Channel, LeadStatus, Role, Stage, UnitKind, Yuan};
pub(crate) use fenglai_store::audit::Event;
pub(crate) use fenglai_store::leads::{Lead, UnitCount};
pub(crate) use fenglai_store::org::{Unit, User};
pub(crate) use fenglai_store::projects::{Choice, HistoryEntry, Project};
pub(crate) use fenglai_store::review::{Override, Review};
pub(crate) use fenglai_store::routing::Routing;
pub(crate) use fenglai_store::sessions::SessionInfo;
pub(crate) use fenglai_store::stats::RecentChange;
pub(crate) use serde::Deserialize;
pub(crate) use std::collections::HashMap;

pub(crate) const CSS: &str = include_str!("../static/app.css");
pub(crate) const JS: &str = include_str!("../static/app.js");

pub(crate) fn routes() -> Router<App> {
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
        .route("/picker/{kind}", get(picker))
}

/// An option of a `<select>`.
pub(crate) struct Opt {
    pub code: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub(crate) fn opts(
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

pub(crate) fn stage_opts(current: Option<&str>) -> Vec<Opt> {
    opts(Stage::ALL.iter().map(|s| (s.as_str(), s.label())), current)
}

/// What every page's frame needs.
pub(crate) struct Frame {
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
    pub(crate) fn new(s: &WebSession, nav: &'static str) -> Frame {
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
            may_assess: fenglai_app::assess::bulletins::may_read(s.actor.role),
            may_steer: fenglai_app::assess::bulletins::may_steer(s.actor.role),
            nav,
        }
    }
}

/// A redirect after a form was accepted.
pub(crate) fn to(path: &str) -> PageResult {
    Ok(Redirect::to(path).into_response())
}

/// The session cookie: HttpOnly, SameSite=Lax, and Secure when the page was reached over
/// TLS — a reverse proxy terminating HTTPS says so with `X-Forwarded-Proto: https` — or when
/// `FENGLAI_SECURE_COOKIES=1`.
pub(crate) fn session_cookie(token: &str, max_age: i64, headers: &HeaderMap) -> String {
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
pub(crate) struct LoginPage {
    csrf: String,
    username: String,
    error: Option<String>,
}

pub(crate) async fn login_page(headers: HeaderMap) -> Response {
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
pub(crate) struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

pub(crate) async fn login(
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

pub(crate) async fn logout(
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

/// `base?k=v&…&page=N` with the filters that are set, for pager links.
pub(crate) fn paged_url(base: &str, filters: &[(&str, &Option<String>)], page: i64) -> String {
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

pub(crate) fn nonempty(s: &str) -> Option<String> {
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

/// An option of a `<select>` keyed by id.
pub(crate) struct IdOpt {
    pub id: i64,
    pub name: String,
    pub selected: bool,
}

pub(crate) fn id_opts(
    all: impl Iterator<Item = (i64, String)>,
    current: Option<i64>,
) -> Vec<IdOpt> {
    all.map(|(id, name)| IdOpt {
        id,
        name,
        selected: current == Some(id),
    })
    .collect()
}

pub(crate) fn form_id(s: &str, field: &str) -> Result<Option<i64>, Error> {
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

#[derive(Deserialize)]
pub(crate) struct PickerQuery {
    q: Option<String>,
}

/// Code-table search for the form pickers (session-authenticated JSON).
pub(crate) async fn picker(
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
        Ok(items) => {
            axum::Json(crate::wire::all::<_, crate::wire::CodeName>(items)).into_response()
        }
        Err(e) => crate::error::ApiError(e).into_response(),
    }
}

/// `k=v&…` of the filters that are set.
pub(crate) fn query_of(pairs: &[(&str, Option<&str>)]) -> String {
    let set: Vec<(&str, &str)> = pairs
        .iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (*k, v)))
        .collect();
    serde_urlencoded::to_string(&set).unwrap_or_default()
}
