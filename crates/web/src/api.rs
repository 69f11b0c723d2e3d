//! The JSON API under /api/v1.

use crate::error::ApiError;
use crate::extract::{ApiActor, ApiJson, BearerToken, ClientIp, IfMatch, Versioned};
use crate::wire::Lead;
use crate::wire::{self, HistoryEntry, Project};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use fenglai_app::leads::{AdmitInput, LeadInput};
use fenglai_app::org::{UnitInput, UserEdit, UserInput};
use fenglai_app::projects::{EditInput, TransitionInput};
use fenglai_app::{auth, leads, org, projects, quota, reference, stats, App, Error};
use fenglai_store::audit::Event;
use fenglai_store::leads::UnitCount;
use fenglai_store::org::{Unit, User};
use fenglai_store::reference::CodeName;
use fenglai_store::sessions::SessionInfo;
use fenglai_store::stats::RecentChange;
use serde::{Deserialize, Serialize};

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/openapi.json", get(crate::openapi::document))
        .route("/api/v1/auth/token", post(token).delete(revoke_token))
        .route("/api/v1/leads", get(list_leads).post(create_lead))
        .route("/api/v1/leads/{id}", get(get_lead))
        .route("/api/v1/leads/{id}/admit", post(admit_lead))
        .route("/api/v1/projects", get(list_projects))
        .route(
            "/api/v1/projects/{id}",
            get(get_project).patch(edit_project),
        )
        .route("/api/v1/projects/{id}/transitions", post(transition))
        .route("/api/v1/projects/{id}/history", get(project_history))
        .route("/api/v1/projects/{id}/events", get(project_events))
        .route("/api/v1/stats/pipeline", get(pipeline))
        .route("/api/v1/stats/recent", get(recent))
        .route("/api/v1/stats/leads-by-unit", get(leads_by_unit))
        .route("/api/v1/stats/quota", get(quota_table))
        .route("/api/v1/industries", get(industries))
        .route("/api/v1/regions", get(regions))
        .route("/api/v1/units", get(units).post(create_unit))
        .route("/api/v1/users", get(users).post(create_user))
        .route("/api/v1/users/{id}", axum::routing::patch(edit_user))
        .route(
            "/api/v1/users/{id}/sessions",
            get(user_sessions).delete(revoke_user_sessions),
        )
        .route(
            "/api/v1/users/{id}/sessions/{session}",
            axum::routing::delete(revoke_user_session),
        )
        .fallback(not_found)
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        axum::response::IntoResponse::into_response(ApiError(Error::NotFound))
    } else {
        axum::response::IntoResponse::into_response(crate::error::PageError(Error::NotFound))
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub user: User,
}

/// Exchange a username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/token", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, description = "wrong username or password"),
               (status = 429, description = "too many failed attempts")))]
pub async fn token(
    State(app): State<App>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let issued = auth::login(&app, &req.username, &req.password, &ip, auth::Kind::Api).await?;
    Ok(Json(TokenResponse {
        token: issued.token,
        user: issued.user,
    }))
}

/// Revoke the caller's own bearer token: it answers 401 from then on.
#[utoipa::path(delete, path = "/api/v1/auth/token",
    responses((status = 204, description = "the token is revoked"), (status = 401)), security(("bearer" = [])))]
pub async fn revoke_token(
    State(app): State<App>,
    ApiActor(_): ApiActor,
    BearerToken(token): BearerToken,
) -> ApiResult<StatusCode> {
    auth::logout(&app, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T: utoipa::ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    /// true when more rows match than `total`: counting stops at 10,000 for a name search and at 100,000 for a list
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub total_capped: bool,
}

/// List leads in the caller's scope: search, filters, sort, pagination.
#[utoipa::path(get, path = "/api/v1/leads", params(leads::ListQuery),
    responses((status = 200, body = Page<Lead>), (status = 422, description = "bad filter")), security(("bearer" = [])))]
pub async fn list_leads(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<leads::ListQuery>,
) -> ApiResult<Json<Page<Lead>>> {
    let l = leads::list(&app, &a, &q).await?;
    Ok(Json(Page {
        items: wire::all(l.items),
        total: l.total,
        total_capped: l.total_capped,
    }))
}

/// Report a lead.
#[utoipa::path(post, path = "/api/v1/leads", request_body = LeadInput,
    responses((status = 201, body = Lead), (status = 422, description = "invalid field, named in error.field")), security(("bearer" = [])))]
pub async fn create_lead(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<LeadInput>,
) -> ApiResult<(StatusCode, Json<Lead>)> {
    Ok((
        StatusCode::CREATED,
        Json(leads::create(&app, &a, &input).await?.into()),
    ))
}

/// One lead (404 also when outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/leads/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Lead, headers(("ETag" = String, description = "the record's version, to send back in If-Match"))), (status = 404)), security(("bearer" = [])))]
pub async fn get_lead(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Versioned<Lead>> {
    let l = leads::get(&app, &a, id).await?;
    Ok(Versioned(l.version, l.into()))
}

/// Admit a lead into the pool (入库): creates its project in `negotiating`.
#[utoipa::path(post, path = "/api/v1/leads/{id}/admit", params(("id" = i64, Path)), request_body = AdmitInput,
    responses((status = 201, body = Project), (status = 404), (status = 409, description = "not admissible in its status")), security(("bearer" = [])))]
pub async fn admit_lead(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AdmitInput>,
) -> ApiResult<(StatusCode, Json<Project>)> {
    Ok((
        StatusCode::CREATED,
        Json(leads::admit(&app, &a, id, &input).await?.into()),
    ))
}

/// List projects in the caller's scope.
#[utoipa::path(get, path = "/api/v1/projects", params(projects::ListQuery),
    responses((status = 200, body = Page<Project>)), security(("bearer" = [])))]
pub async fn list_projects(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<projects::ListQuery>,
) -> ApiResult<Json<Page<Project>>> {
    let (items, total) = projects::list(&app, &a, &q).await?;
    Ok(Json(Page {
        items: wire::all(items),
        total,
        total_capped: false,
    }))
}

/// One project.
#[utoipa::path(get, path = "/api/v1/projects/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Project, headers(("ETag" = String, description = "the record's version, to send back in If-Match"))), (status = 404)), security(("bearer" = [])))]
pub async fn get_project(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Versioned<Project>> {
    let p = projects::get(&app, &a, id).await?;
    Ok(Versioned(p.version, p.into()))
}

/// Edit a project's fields. Send the version read (`If-Match` with the `ETag`, or
/// `version` in the body): if the project changed since, the answer is 409 and nothing
/// changes. An edit without a version is applied over whatever is there.
#[utoipa::path(patch, path = "/api/v1/projects/{id}", params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag (version) the edit is based on; a stale one answers 409")), request_body = EditInput,
    responses((status = 200, body = Project, headers(("ETag" = String, description = "the record's version, to send back in If-Match"))), (status = 403), (status = 404), (status = 409, description = "stale version: the record changed since it was read (记录已被他人修改，请刷新后重试); nothing changed; or the project was merged into another"), (status = 422)), security(("bearer" = [])))]
pub async fn edit_project(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    if_match: IfMatch,
    ApiJson(mut input): ApiJson<EditInput>,
) -> ApiResult<Versioned<Project>> {
    input.version = if_match.with_body(input.version)?;
    let p = projects::edit(&app, &a, id, &input).await?;
    Ok(Versioned(p.version, p.into()))
}

/// Move a project to another stage. Illegal moves answer 409 with the reason.
#[utoipa::path(post, path = "/api/v1/projects/{id}/transitions", params(("id" = i64, Path)), request_body = TransitionInput,
    responses((status = 200, body = Project), (status = 404), (status = 409, description = "move not allowed"),
              (status = 422, description = "missing amount or reason, bad date")), security(("bearer" = [])))]
pub async fn transition(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TransitionInput>,
) -> ApiResult<Json<Project>> {
    Ok(Json(
        projects::transition(&app, &a, id, &input).await?.into(),
    ))
}

/// The project's stage history with effective dates (voided corrections included).
#[utoipa::path(get, path = "/api/v1/projects/{id}/history", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404)), security(("bearer" = [])))]
pub async fn project_history(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    Ok(Json(wire::all(projects::history(&app, &a, id).await?)))
}

/// The audit events of a project.
#[utoipa::path(get, path = "/api/v1/projects/{id}/events", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Event>), (status = 404)), security(("bearer" = [])))]
pub async fn project_events(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Event>>> {
    projects::get(&app, &a, id).await?;
    Ok(Json(
        fenglai_app::audit::for_entity(&app, "project", id).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PipelineQuery {
    /// YYYY-MM-DD; defaults to today
    pub as_of: Option<String>,
    /// `park` or `unit` to add per-group figures
    pub by: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PipelineResponse {
    pub as_of: String,
    pub stages: Vec<stats::StageStat>,
    /// 策划对接项目 N 个、计划总投资 X 亿元；已签约 …；已开工 …
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<stats::GroupPipeline>>,
}

/// Per stage, count and investment as of a date, from the stage history.
#[utoipa::path(get, path = "/api/v1/stats/pipeline", params(PipelineQuery),
    responses((status = 200, body = PipelineResponse), (status = 422)), security(("bearer" = [])))]
pub async fn pipeline(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<PipelineQuery>,
) -> ApiResult<Json<PipelineResponse>> {
    let as_of = stats::parse_as_of(q.as_of.as_deref())?;
    let p = stats::pipeline(&app, &a, as_of).await?;
    let groups = match q.by.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("park") => Some(stats::pipeline_by(&app, &a, as_of, true).await?),
        Some("unit") => Some(stats::pipeline_by(&app, &a, as_of, false).await?),
        Some(_) => return Err(Error::invalid("by", "by 可用：park、unit").into()),
    };
    Ok(Json(PipelineResponse {
        summary: p.summary(),
        as_of: p.as_of,
        stages: p.stages,
        groups,
    }))
}

/// The latest stage changes in the caller's scope (the dashboard's 最近变动).
#[utoipa::path(get, path = "/api/v1/stats/recent", responses((status = 200, body = Vec<RecentChange>)), security(("bearer" = [])))]
pub async fn recent(
    State(app): State<App>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<Vec<RecentChange>>> {
    Ok(Json(stats::recent(&app, &a, 50).await?))
}

/// Leads reported and admitted per reporting unit, in the caller's scope.
#[utoipa::path(get, path = "/api/v1/stats/leads-by-unit", responses((status = 200, body = Vec<UnitCount>)), security(("bearer" = [])))]
pub async fn leads_by_unit(
    State(app): State<App>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<Vec<UnitCount>>> {
    Ok(Json(stats::lead_counts(&app, &a).await?))
}

/// 全民招商 monthly quota: leads reported and valid per unit and month, and the units below it.
#[utoipa::path(get, path = "/api/v1/stats/quota", params(quota::QuotaQuery),
    responses((status = 200, body = quota::QuotaTable), (status = 422)), security(("bearer" = [])))]
pub async fn quota_table(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<quota::QuotaQuery>,
) -> ApiResult<Json<quota::QuotaTable>> {
    Ok(Json(quota::table(&app, &a, &q).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodeQuery {
    /// code prefix or name fragment
    pub q: Option<String>,
}

/// Search GB/T 4754-2017 industries by code or name.
#[utoipa::path(get, path = "/api/v1/industries", params(CodeQuery), responses((status = 200, body = Vec<CodeName>)), security(("bearer" = [])))]
pub async fn industries(
    State(app): State<App>,
    ApiActor(_): ApiActor,
    Query(q): Query<CodeQuery>,
) -> ApiResult<Json<Vec<CodeName>>> {
    Ok(Json(
        reference::search_industries(&app, q.q.as_deref().unwrap_or("")).await?,
    ))
}

/// Search GB/T 2260 regions by code or name.
#[utoipa::path(get, path = "/api/v1/regions", params(CodeQuery), responses((status = 200, body = Vec<CodeName>)), security(("bearer" = [])))]
pub async fn regions(
    State(app): State<App>,
    ApiActor(_): ApiActor,
    Query(q): Query<CodeQuery>,
) -> ApiResult<Json<Vec<CodeName>>> {
    Ok(Json(
        reference::search_regions(&app, q.q.as_deref().unwrap_or("")).await?,
    ))
}

/// The organisation tree.
#[utoipa::path(get, path = "/api/v1/units", responses((status = 200, body = Vec<Unit>)), security(("bearer" = [])))]
pub async fn units(State(app): State<App>, ApiActor(_): ApiActor) -> ApiResult<Json<Vec<Unit>>> {
    Ok(Json(org::units(&app).await?))
}

/// Create a unit (admin).
#[utoipa::path(post, path = "/api/v1/units", request_body = UnitInput, responses((status = 201, body = Unit), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create_unit(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<UnitInput>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    Ok((
        StatusCode::CREATED,
        Json(org::create_unit(&app, Some(&a), &input).await?),
    ))
}

/// All users (admin).
#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, body = Vec<User>), (status = 403)), security(("bearer" = [])))]
pub async fn users(State(app): State<App>, ApiActor(a): ApiActor) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(org::users(&app, &a).await?))
}

/// Create a user (admin).
#[utoipa::path(post, path = "/api/v1/users", request_body = UserInput, responses((status = 201, body = User), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create_user(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<UserInput>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((
        StatusCode::CREATED,
        Json(org::create_user(&app, Some(&a), &input).await?),
    ))
}

/// Edit a user (admin): name, role, unit, active, password.
#[utoipa::path(patch, path = "/api/v1/users/{id}", params(("id" = i64, Path)), request_body = UserEdit, responses((status = 200, body = User), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn edit_user(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<UserEdit>,
) -> ApiResult<Json<User>> {
    Ok(Json(org::edit_user(&app, &a, id, &input).await?))
}

/// A user's live browser sessions and API tokens (admin); the tokens themselves are never
/// shown, each is named by `id`.
#[utoipa::path(get, path = "/api/v1/users/{id}/sessions", params(("id" = i64, Path)), responses((status = 200, body = Vec<SessionInfo>), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn user_sessions(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<SessionInfo>>> {
    Ok(Json(auth::sessions_of(&app, &a, id).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Revoked {
    /// how many sessions and tokens ended
    pub revoked: u64,
}

/// End every session and API token of a user (admin).
#[utoipa::path(delete, path = "/api/v1/users/{id}/sessions", params(("id" = i64, Path)), responses((status = 200, body = Revoked), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn revoke_user_sessions(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Revoked>> {
    let revoked = auth::revoke_sessions(&app, &a, id, None).await?;
    Ok(Json(Revoked { revoked }))
}

/// End one session or API token of a user (admin), named by the `id` of its listing.
#[utoipa::path(delete, path = "/api/v1/users/{id}/sessions/{session}", params(("id" = i64, Path), ("session" = String, Path)), responses((status = 200, body = Revoked), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn revoke_user_session(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path((id, session)): Path<(i64, String)>,
) -> ApiResult<Json<Revoked>> {
    let revoked = auth::revoke_sessions(&app, &a, id, Some(&session)).await?;
    Ok(Json(Revoked { revoked }))
}
