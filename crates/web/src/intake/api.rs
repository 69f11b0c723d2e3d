//! JSON API of pre-review, red lines and routing.

use super::wire::{DecisionResult, ReviewView};
use crate::error::ApiError;
use crate::extract::{ApiActor, ApiJson};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use fenglai_app::intake::review::{
    CardInput, DecisionInput, MemberStatus, OpenInput, PanelDetail, PanelInput, ReviewItem,
};
use fenglai_app::intake::routing::{AnswerInput, RouteInput, RoutingItem, RoutingStats};
use fenglai_app::redlines::{OverrideInput, Report, RuleInput};
use fenglai_app::{intake::review, intake::routing, redlines, App};
use fenglai_store::review::{RedlineRule, Review};
use fenglai_store::routing::Routing;
use serde::{Deserialize, Serialize};

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/panels", get(list_panels).post(create_panel))
        .route("/api/v1/panels/{id}", put(update_panel))
        .route(
            "/api/v1/leads/{id}/reviews",
            get(lead_reviews).post(open_review),
        )
        .route("/api/v1/reviews", get(list_reviews))
        .route("/api/v1/reviews/{id}", get(get_review))
        .route("/api/v1/reviews/{id}/scores", post(submit_scores))
        .route("/api/v1/reviews/{id}/decision", post(decide))
        .route("/api/v1/reviews/{id}/reopen", post(reopen))
        .route("/api/v1/reviews/{id}/remind", post(remind))
        .route("/api/v1/leads/{id}/redlines", get(lead_redlines))
        .route(
            "/api/v1/leads/{id}/redlines/override",
            post(override_redlines),
        )
        .route("/api/v1/redline-rules", get(list_rules).post(add_rule))
        .route("/api/v1/redline-rules/{id}", delete(remove_rule))
        .route("/api/v1/leads/{id}/routing", get(lead_ranking))
        .route(
            "/api/v1/leads/{id}/routings",
            get(lead_routings).post(route_lead),
        )
        .route("/api/v1/routings", get(list_routings))
        .route("/api/v1/routings/{id}/accept", post(accept))
        .route("/api/v1/routings/{id}/decline", post(decline))
        .route("/api/v1/stats/routing", get(routing_stats))
}

// ---- panels and reviews ----

/// Pre-review panels with members and criteria.
#[utoipa::path(tag = "api_review", get, path = "/api/v1/panels", responses((status = 200, body = Vec<PanelDetail>)), security(("bearer" = [])))]
pub async fn list_panels(
    State(app): State<App>,
    ApiActor(_): ApiActor,
) -> ApiResult<Json<Vec<PanelDetail>>> {
    Ok(Json(review::panels(&app).await?))
}

/// Create a panel (admins).
#[utoipa::path(tag = "api_review", post, path = "/api/v1/panels", request_body = PanelInput,
    responses((status = 201, body = PanelDetail), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create_panel(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<PanelInput>,
) -> ApiResult<(StatusCode, Json<PanelDetail>)> {
    Ok((
        StatusCode::CREATED,
        Json(review::save_panel(&app, Some(&a), None, &input).await?),
    ))
}

/// Replace a panel's rules, members and criteria (admins; decided reviews keep their scores).
#[utoipa::path(tag = "api_review", put, path = "/api/v1/panels/{id}", params(("id" = i64, Path)), request_body = PanelInput,
    responses((status = 200, body = PanelDetail), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn update_panel(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PanelInput>,
) -> ApiResult<Json<PanelDetail>> {
    Ok(Json(
        review::save_panel(&app, Some(&a), Some(id), &input).await?,
    ))
}

/// Send a pending lead to a panel (it becomes 预审中, with a deadline in working days).
#[utoipa::path(tag = "api_review", post, path = "/api/v1/leads/{id}/reviews", params(("id" = i64, Path)), request_body = OpenInput,
    responses((status = 201, body = Review), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn open_review(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<OpenInput>,
) -> ApiResult<(StatusCode, Json<Review>)> {
    Ok((
        StatusCode::CREATED,
        Json(review::open(&app, &a, id, &input).await?),
    ))
}

/// A lead's reviews.
#[utoipa::path(tag = "api_review", get, path = "/api/v1/leads/{id}/reviews", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Review>), (status = 404)), security(("bearer" = [])))]
pub async fn lead_reviews(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Review>>> {
    Ok(Json(review::of_lead(&app, &a, id).await?))
}

/// Reviews: a reviewer's panels' reviews; otherwise those of leads in scope. `overdue=true`
/// lists open reviews past their deadline; `mine=true` those still awaiting the caller's score.
#[utoipa::path(tag = "api_review", get, path = "/api/v1/reviews", params(review::ListQuery),
    responses((status = 200, body = Vec<ReviewItem>)), security(("bearer" = [])))]
pub async fn list_reviews(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<review::ListQuery>,
) -> ApiResult<Json<Vec<ReviewItem>>> {
    Ok(Json(review::list(&app, &a, &q).await?))
}

/// One review as the caller may see it (blind until they have scored).
#[utoipa::path(tag = "api_review", get, path = "/api/v1/reviews/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ReviewView), (status = 404)), security(("bearer" = [])))]
pub async fn get_review(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<ReviewView>> {
    Ok(Json(review::view(&app, &a, id).await?.into()))
}

/// A panel member submits their scores (once) and comment.
#[utoipa::path(tag = "api_review", post, path = "/api/v1/reviews/{id}/scores", params(("id" = i64, Path)), request_body = CardInput,
    responses((status = 201, body = ReviewView), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn submit_scores(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CardInput>,
) -> ApiResult<(StatusCode, Json<ReviewView>)> {
    Ok((
        StatusCode::CREATED,
        Json(review::submit(&app, &a, id, &input).await?.into()),
    ))
}

/// Record the decision: admit (入库, creates the project), reject (未通过) or more_info (补充材料).
#[utoipa::path(tag = "api_review", post, path = "/api/v1/reviews/{id}/decision", params(("id" = i64, Path)), request_body = DecisionInput,
    responses((status = 200, body = DecisionResult), (status = 403), (status = 404),
               (status = 409, description = "quorum not reached, outcome not passing, or red lines unlifted"), (status = 422)), security(("bearer" = [])))]
pub async fn decide(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> ApiResult<Json<DecisionResult>> {
    Ok(Json(review::decide(&app, &a, id, &input).await?.into()))
}

/// Reopen a review that asked for more material.
#[utoipa::path(tag = "api_review", post, path = "/api/v1/reviews/{id}/reopen", params(("id" = i64, Path)),
    responses((status = 200, body = ReviewView), (status = 404), (status = 409)), security(("bearer" = [])))]
pub async fn reopen(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<ReviewView>> {
    Ok(Json(review::reopen(&app, &a, id).await?.into()))
}

/// Remind (催办) the members who have not scored; answers who they are.
#[utoipa::path(tag = "api_review", post, path = "/api/v1/reviews/{id}/remind", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MemberStatus>), (status = 404), (status = 409)), security(("bearer" = [])))]
pub async fn remind(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<MemberStatus>>> {
    Ok(Json(review::remind(&app, &a, id).await?))
}

// ---- red lines ----

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ParkQuery {
    /// apply this park's thresholds (default: the receiving park)
    pub park_id: Option<i64>,
}

/// The lead's red-line flags, which of them block admission, and the overrides.
#[utoipa::path(tag = "api_review", get, path = "/api/v1/leads/{id}/redlines", params(("id" = i64, Path), ParkQuery),
    responses((status = 200, body = Report), (status = 404)), security(("bearer" = [])))]
pub async fn lead_redlines(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    Query(q): Query<ParkQuery>,
) -> ApiResult<Json<Report>> {
    Ok(Json(redlines::report(&app, &a, id, q.park_id).await?))
}

/// A leader lifts the lead's current red lines with a recorded reason.
#[utoipa::path(tag = "api_review", post, path = "/api/v1/leads/{id}/redlines/override", params(("id" = i64, Path)), request_body = OverrideInput,
    responses((status = 200, body = Report), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn override_redlines(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<OverrideInput>,
) -> ApiResult<Json<Report>> {
    Ok(Json(redlines::override_flags(&app, &a, id, &input).await?))
}

/// The negative list (淘汰/限制 industries).
#[utoipa::path(tag = "api_review", get, path = "/api/v1/redline-rules", responses((status = 200, body = Vec<RedlineRule>)), security(("bearer" = [])))]
pub async fn list_rules(
    State(app): State<App>,
    ApiActor(_): ApiActor,
) -> ApiResult<Json<Vec<RedlineRule>>> {
    Ok(Json(redlines::rules(&app).await?))
}

/// Add an entry to the negative list (admins).
#[utoipa::path(tag = "api_review", post, path = "/api/v1/redline-rules", request_body = RuleInput,
    responses((status = 201, body = RedlineRule), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn add_rule(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<RuleInput>,
) -> ApiResult<(StatusCode, Json<RedlineRule>)> {
    Ok((
        StatusCode::CREATED,
        Json(redlines::add_rule(&app, &a, &input).await?),
    ))
}

/// Retire an entry of the negative list (admins; kept, not deleted).
#[utoipa::path(tag = "api_review", delete, path = "/api/v1/redline-rules/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn remove_rule(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    redlines::remove_rule(&app, &a, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- routing ----

/// How well a park fits a lead.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FitView {
    pub park_id: i64,
    pub park: String,
    /// 0-100
    pub score: i64,
    /// nothing blocks it
    pub fits: bool,
    pub reasons: Vec<String>,
    pub blockers: Vec<String>,
}

/// Every park ranked for the lead, those that fit first, with the reasons and blockers.
#[utoipa::path(tag = "api_review", get, path = "/api/v1/leads/{id}/routing", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<FitView>), (status = 404)), security(("bearer" = [])))]
pub async fn lead_ranking(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<FitView>>> {
    Ok(Json(
        routing::ranking(&app, &a, id)
            .await?
            .into_iter()
            .map(|f| FitView {
                park_id: f.park_id,
                park: f.park,
                score: f.score,
                fits: f.fits,
                reasons: f.reasons,
                blockers: f.blockers,
            })
            .collect(),
    ))
}

/// Where the lead was sent and what the parks answered.
#[utoipa::path(tag = "api_review", get, path = "/api/v1/leads/{id}/routings", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Routing>), (status = 404)), security(("bearer" = [])))]
pub async fn lead_routings(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Routing>>> {
    Ok(Json(routing::of_lead(&app, &a, id).await?))
}

/// Send the lead to a park, which answers within the deadline.
#[utoipa::path(tag = "api_review", post, path = "/api/v1/leads/{id}/routings", params(("id" = i64, Path)), request_body = RouteInput,
    responses((status = 201, body = Routing), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn route_lead(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RouteInput>,
) -> ApiResult<(StatusCode, Json<Routing>)> {
    Ok((
        StatusCode::CREATED,
        Json(routing::route(&app, &a, id, &input).await?),
    ))
}

/// Routings in scope: a park's inbox, a promoter's sent leads.
#[utoipa::path(tag = "api_review", get, path = "/api/v1/routings", params(routing::ListQuery),
    responses((status = 200, body = Vec<RoutingItem>), (status = 422)), security(("bearer" = [])))]
pub async fn list_routings(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<routing::ListQuery>,
) -> ApiResult<Json<Vec<RoutingItem>>> {
    Ok(Json(routing::list(&app, &a, &q).await?))
}

/// The receiving park accepts the lead.
#[utoipa::path(tag = "api_review", post, path = "/api/v1/routings/{id}/accept", params(("id" = i64, Path)), request_body = AnswerInput,
    responses((status = 200, body = Routing), (status = 403), (status = 404), (status = 409)), security(("bearer" = [])))]
pub async fn accept(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> ApiResult<Json<Routing>> {
    Ok(Json(routing::answer(&app, &a, id, true, &input).await?))
}

/// The receiving park declines the lead with a reason; it returns for re-routing.
#[utoipa::path(tag = "api_review", post, path = "/api/v1/routings/{id}/decline", params(("id" = i64, Path)), request_body = AnswerInput,
    responses((status = 200, body = Routing), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn decline(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AnswerInput>,
) -> ApiResult<Json<Routing>> {
    Ok(Json(routing::answer(&app, &a, id, false, &input).await?))
}

/// The 两张皮 figures: decline rates by park and by sending unit, time to accept, and
/// open leads no park fits.
#[utoipa::path(tag = "api_review", get, path = "/api/v1/stats/routing", responses((status = 200, body = RoutingStats)), security(("bearer" = [])))]
pub async fn routing_stats(
    State(app): State<App>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<RoutingStats>> {
    Ok(Json(routing::stats(&app, &a).await?))
}
