//! Administration pages: units, users and their sessions.

use crate::pages::*;

pub fn routes() -> Router<App> {
    Router::new()
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
}

impl UsersPage {
    fn sessions_of(&self, user: &i64) -> &[SessionInfo] {
        self.sessions
            .get(user)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
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
