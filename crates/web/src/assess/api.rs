//! JSON API of 考核与通报: activities, investor tags, figures and rankings, targets, the
//! year's scheme, competitions, bulletins (publish, read, verify, .xlsx, .docx), 三张清单 and
//! the cockpit's figures.

use super::wire::Bulletin;
use crate::download::docx_response;
use crate::download::xlsx;
use crate::error::ApiError;
use crate::extract::{ApiActor, ApiJson, IfMatch, Versioned};
use crate::leads::wire::Lead;
use crate::leads::wire::TagsInput;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use fenglai_app::assess::activities::{
    self, ActivityInput, ActivityListing, ActivityView, ListQuery, VoidInput,
};
use fenglai_app::assess::bulletins::{
    self, BulletinView, CompetitionInput, PublishInput, TargetInput, Targets, Verification,
};
use fenglai_app::assess::quota;
use fenglai_app::assess::AssessFigures;
use fenglai_app::cockpit::{self, Cockpit};
use fenglai_app::App;
use fenglai_domain::assess::Scheme;
use fenglai_store::assess::Competition;
use serde::Deserialize;
use utoipa::OpenApi;

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/stats/quota", get(quota_table))
        .route(
            "/api/v1/activities",
            get(list_activities).post(create_activity),
        )
        .route("/api/v1/activities/{id}", get(get_activity))
        .route("/api/v1/activities/{id}/void", post(void_activity))
        .route("/api/v1/leads/{id}/tags", post(set_tags))
        .route("/api/v1/assessment/figures", get(figures))
        .route(
            "/api/v1/assessment/targets",
            get(list_targets).post(set_target),
        )
        .route(
            "/api/v1/assessment/scheme",
            get(get_scheme).post(set_scheme),
        )
        .route(
            "/api/v1/competitions",
            get(list_competitions).post(create_competition),
        )
        .route("/api/v1/bulletins", get(list_bulletins).post(publish))
        .route("/api/v1/bulletins/draft", get(draft))
        .route("/api/v1/bulletins/{id}", get(get_bulletin))
        .route("/api/v1/bulletins/{id}/verify", get(verify))
        .route("/api/v1/bulletins/{id}/export.xlsx", get(bulletin_xlsx))
        .route("/api/v1/bulletins/{id}/export.docx", get(bulletin_docx))
        .route("/api/v1/lists/export.xlsx", get(lists_xlsx))
        .route("/api/v1/cockpit", get(cockpit_json))
}

#[derive(OpenApi)]
#[openapi(paths(
    list_activities,
    create_activity,
    get_activity,
    void_activity,
    set_tags,
    figures,
    list_targets,
    set_target,
    get_scheme,
    set_scheme,
    list_competitions,
    create_competition,
    list_bulletins,
    publish,
    draft,
    get_bulletin,
    verify,
    bulletin_xlsx,
    bulletin_docx,
    lists_xlsx,
    cockpit_json
))]
pub struct Doc;

/// Visits, events and meetings in the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/activities", params(ListQuery),
    responses((status = 200, body = ActivityListing), (status = 422)), security(("bearer" = [])))]
pub async fn list_activities(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<ActivityListing>> {
    Ok(Json(activities::list(&app, &a, &q).await?))
}

/// Records a visit (走访), an event (推介会, 座谈会, 洽谈会, 路演) or a meeting.
#[utoipa::path(post, path = "/api/v1/activities", request_body = ActivityInput,
    responses((status = 201, body = ActivityView), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create_activity(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<ActivityInput>,
) -> ApiResult<(StatusCode, Json<ActivityView>)> {
    Ok((
        StatusCode::CREATED,
        Json(activities::create(&app, &a, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/activities/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ActivityView), (status = 404)), security(("bearer" = [])))]
pub async fn get_activity(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<ActivityView>> {
    Ok(Json(activities::get(&app, &a, id).await?))
}

/// Voids an activity recorded by mistake (kept, with the reason).
#[utoipa::path(post, path = "/api/v1/activities/{id}/void", params(("id" = i64, Path)), request_body = VoidInput,
    responses((status = 200, body = ActivityView), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn void_activity(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<VoidInput>,
) -> ApiResult<Json<ActivityView>> {
    Ok(Json(activities::void(&app, &a, id, &input).await?))
}

/// Sets a lead's investor tags (世界500强, 中国500强, 央企, 上市公司). With the version
/// read (`If-Match` or `version`), a lead changed since answers 409 and nothing changes.
#[utoipa::path(post, path = "/api/v1/leads/{id}/tags", params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag (version) the edit is based on; a stale one answers 409")), request_body = TagsInput,
    responses((status = 200, body = Lead, headers(("ETag" = String, description = "the record's version, to send back in If-Match"))), (status = 403), (status = 404), (status = 409, description = "stale version: the record changed since it was read (记录已被他人修改，请刷新后重试); nothing changed"), (status = 422)), security(("bearer" = [])))]
pub async fn set_tags(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    if_match: IfMatch,
    ApiJson(mut input): ApiJson<TagsInput>,
) -> ApiResult<Versioned<Lead>> {
    input.version = if_match.with_body(input.version)?;
    let l = fenglai_app::leads::set_tags(&app, &a, id, &input.into()).await?;
    Ok(Versioned(l.version, l.into()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// 2025-03 (month), 2025-03-x1 (上旬), 2025-q1, 2025-h1, 2025, c12 (a competition)
    pub period: Option<String>,
    /// RFC 3339 or YYYY-MM-DD (end of that day); now by default
    pub as_of: Option<String>,
}

fn period_of(p: &Option<String>) -> Result<String, ApiError> {
    p.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| fenglai_app::Error::invalid("period", "请给出考核期，如 2025-03").into())
}

/// Every metric for every unit, office and person in a period, as of a moment, with targets,
/// completion, scores, ranks and movement.
#[utoipa::path(get, path = "/api/v1/assessment/figures", params(FiguresQuery),
    responses((status = 200, body = AssessFigures), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn figures(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<FiguresQuery>,
) -> ApiResult<Json<AssessFigures>> {
    let p = period_of(&q.period)?;
    let as_of = crate::as_of::moment(&q.as_of)?;
    Ok(Json(bulletins::figures(&app, &a, &p, as_of).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// e.g. 2025; this year by default
    pub year: Option<String>,
}

fn year_of(y: &Option<String>) -> Result<i64, ApiError> {
    match y.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(chrono::Datelike::year(&fenglai_app::today()) as i64),
        Some(s) => s.parse().map_err(|_| {
            fenglai_app::Error::invalid("year", format!("年度“{s}”应为四位数字")).into()
        }),
    }
}

/// The year's targets and the decomposition checks (children that do not sum to their parent).
#[utoipa::path(get, path = "/api/v1/assessment/targets", params(YearQuery),
    responses((status = 200, body = Targets), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn list_targets(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<Targets>> {
    Ok(Json(bulletins::targets(&app, &a, year_of(&q.year)?).await?))
}

/// Sets a unit's or a person's annual target; changing one needs a reason (audited).
#[utoipa::path(post, path = "/api/v1/assessment/targets", request_body = TargetInput,
    responses((status = 200, body = Targets), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn set_target(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<TargetInput>,
) -> ApiResult<Json<Targets>> {
    Ok(Json(bulletins::set_target(&app, &a, &input).await?))
}

/// The year's quality weights, points and credit rule.
#[utoipa::path(get, path = "/api/v1/assessment/scheme", params(YearQuery),
    responses((status = 200, body = Object), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn get_scheme(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<YearQuery>,
) -> ApiResult<Json<Scheme>> {
    Ok(Json(bulletins::scheme(&app, &a, year_of(&q.year)?).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SchemeInput {
    pub year: i64,
    /// {"fortune500": 1.5, "high_tech": 1.2, "redline_override": 0, "points": [["signed_count", 20]], …}
    #[schema(value_type = Object)]
    pub scheme: Scheme,
}

/// Sets the year's scheme (weights, points, credit rule); earlier versions are kept.
#[utoipa::path(post, path = "/api/v1/assessment/scheme", request_body = SchemeInput,
    responses((status = 200, body = Object), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn set_scheme(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<SchemeInput>,
) -> ApiResult<Json<Scheme>> {
    Ok(Json(
        bulletins::set_scheme(&app, &a, input.year, &input.scheme).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/competitions",
    responses((status = 200, body = Vec<Competition>), (status = 403)), security(("bearer" = [])))]
pub async fn list_competitions(
    State(app): State<App>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<Vec<Competition>>> {
    Ok(Json(bulletins::competitions(&app, &a).await?))
}

/// Sets up a named competition (百日赛) with its own dates and points; its period code is
/// `c<id>`.
#[utoipa::path(post, path = "/api/v1/competitions", request_body = CompetitionInput,
    responses((status = 201, body = Competition), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create_competition(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<CompetitionInput>,
) -> ApiResult<(StatusCode, Json<Competition>)> {
    Ok((
        StatusCode::CREATED,
        Json(bulletins::create_competition(&app, &a, &input).await?),
    ))
}

/// Published bulletins, newest first (without their figures).
#[utoipa::path(get, path = "/api/v1/bulletins",
    responses((status = 200, body = Vec<Bulletin>)), security(("bearer" = [])))]
pub async fn list_bulletins(
    State(app): State<App>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<Vec<Bulletin>>> {
    Ok(Json(crate::wire::all(bulletins::list(&app, &a).await?)))
}

/// Publishes the bulletin of a period: its figures as of now are frozen with their SHA-256.
#[utoipa::path(post, path = "/api/v1/bulletins", request_body = PublishInput,
    responses((status = 201, body = BulletinView), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn publish(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<PublishInput>,
) -> ApiResult<(StatusCode, Json<BulletinView>)> {
    Ok((
        StatusCode::CREATED,
        Json(bulletins::publish(&app, &a, &input).await?),
    ))
}

/// A draft bulletin for a period, as of now (not stored): live data, read only by those who
/// may publish it (leaders, administrators); 403 for everyone else.
#[utoipa::path(get, path = "/api/v1/bulletins/draft", params(FiguresQuery),
    responses((status = 200, body = BulletinView), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn draft(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<FiguresQuery>,
) -> ApiResult<Json<BulletinView>> {
    let p = period_of(&q.period)?;
    Ok(Json(bulletins::draft(&app, &a, &p).await?))
}

/// A published bulletin, as published.
#[utoipa::path(get, path = "/api/v1/bulletins/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = BulletinView), (status = 404)), security(("bearer" = [])))]
pub async fn get_bulletin(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<BulletinView>> {
    Ok(Json(bulletins::get(&app, &a, id).await?))
}

/// Computes a published bulletin's figures again as of its moment and compares them byte for
/// byte with what was published.
#[utoipa::path(get, path = "/api/v1/bulletins/{id}/verify", params(("id" = i64, Path)),
    responses((status = 200, body = Verification), (status = 404)), security(("bearer" = [])))]
pub async fn verify(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Verification>> {
    Ok(Json(bulletins::verify(&app, &a, id).await?.0))
}

/// The bulletin as a workbook: 概述, rankings, target progress, stalled projects, overdue requests.
#[utoipa::path(get, path = "/api/v1/bulletins/{id}/export.xlsx", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404)),
    security(("bearer" = [])))]
pub async fn bulletin_xlsx(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let v = bulletins::get(&app, &a, id).await?;
    Ok(xlsx(&format!("{}.xlsx", v.title), bulletins::xlsx(&v)?))
}

/// The bulletin as a Word document.
#[utoipa::path(get, path = "/api/v1/bulletins/{id}/export.docx", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"), (status = 404)),
    security(("bearer" = [])))]
pub async fn bulletin_docx(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let v = bulletins::get(&app, &a, id).await?;
    Ok(docx_response(&v.title, bulletins::docx(&v)?))
}

/// 三张清单 as one workbook: 工作责任清单 (targets and completion by unit and person),
/// 项目推进清单 (projects with stage, responsible person and leader, next node), 履职清单
/// (each person's visits, events, leads and projects in the year).
#[utoipa::path(get, path = "/api/v1/lists/export.xlsx", params(YearQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn lists_xlsx(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<YearQuery>,
) -> ApiResult<Response> {
    let year = year_of(&q.year)?;
    let bytes = cockpit::three_lists(&app, &a, year).await?;
    Ok(xlsx(&format!("{year}年三张清单.xlsx"), bytes))
}

/// The leader cockpit's figures (驾驶舱).
#[utoipa::path(get, path = "/api/v1/cockpit",
    responses((status = 200, body = Cockpit), (status = 403)), security(("bearer" = [])))]
pub async fn cockpit_json(
    State(app): State<App>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<Cockpit>> {
    Ok(Json(cockpit::get(&app, &a).await?.as_ref().clone()))
}

/// 全民招商 monthly quota: leads reported and valid per unit and month, and the units below it.
#[utoipa::path(tag = "api", get, path = "/api/v1/stats/quota", params(quota::QuotaQuery),
    responses((status = 200, body = quota::QuotaTable), (status = 422)), security(("bearer" = [])))]
pub async fn quota_table(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<quota::QuotaQuery>,
) -> ApiResult<Json<quota::QuotaTable>> {
    Ok(Json(quota::table(&app, &a, &q).await?))
}
