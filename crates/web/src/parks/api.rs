//! JSON API of park profiles and plots.

use crate::error::ApiError;
use crate::extract::{ApiActor, ApiJson, IfMatch, Versioned};
use crate::parks::wire::{Park, Plot, PlotInput, ProfileInput};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use fenglai_app::{parks, App};

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/parks", get(list_parks))
        .route("/api/v1/parks/{id}", get(get_park))
        .route("/api/v1/parks/{id}/profile", put(save_profile))
        .route("/api/v1/parks/{id}/plots", post(add_plot))
        .route("/api/v1/plots/{id}", axum::routing::patch(edit_plot))
}

/// Every park's profile, leading industries and plots, with how fresh it is.
#[utoipa::path(tag = "api_review", get, path = "/api/v1/parks", responses((status = 200, body = Vec<Park>)), security(("bearer" = [])))]
pub async fn list_parks(
    State(app): State<App>,
    ApiActor(_): ApiActor,
) -> ApiResult<Json<Vec<Park>>> {
    Ok(Json(
        parks::all(&app)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// One park.
#[utoipa::path(tag = "api_review", get, path = "/api/v1/parks/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Park), (status = 404)), security(("bearer" = [])))]
pub async fn get_park(
    State(app): State<App>,
    ApiActor(_): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Park>> {
    Ok(Json(parks::get(&app, id).await?.into()))
}

/// Replace a park's profile ("我有什么、我要什么"): the park's own 承接人 or an admin.
#[utoipa::path(tag = "api_review", put, path = "/api/v1/parks/{id}/profile", params(("id" = i64, Path)), request_body = ProfileInput,
    responses((status = 200, body = Park), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn save_profile(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ProfileInput>,
) -> ApiResult<Json<Park>> {
    Ok(Json(parks::save(&app, &a, id, &input.into()).await?.into()))
}

/// Add a land plot to a park.
#[utoipa::path(tag = "api_review", post, path = "/api/v1/parks/{id}/plots", params(("id" = i64, Path)), request_body = PlotInput,
    responses((status = 201, body = Plot), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn add_plot(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<PlotInput>,
) -> ApiResult<(StatusCode, Json<Plot>)> {
    Ok((
        StatusCode::CREATED,
        Json(parks::add_plot(&app, &a, id, &input.into()).await?.into()),
    ))
}

/// Change or retire (`active: false`) a plot. With the version read (`If-Match` or
/// `version`), a plot changed since answers 409 and nothing changes.
#[utoipa::path(tag = "api_review", patch, path = "/api/v1/plots/{id}", params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag (version) the edit is based on; a stale one answers 409")), request_body = PlotInput,
    responses((status = 200, body = Plot, headers(("ETag" = String, description = "the record's version, to send back in If-Match"))), (status = 403), (status = 404), (status = 409, description = "stale version: the record changed since it was read (记录已被他人修改，请刷新后重试); nothing changed"), (status = 422)), security(("bearer" = [])))]
pub async fn edit_plot(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    if_match: IfMatch,
    ApiJson(mut input): ApiJson<PlotInput>,
) -> ApiResult<Versioned<Plot>> {
    input.version = if_match.with_body(input.version)?;
    let p = parks::edit_plot(&app, &a, id, &input.into()).await?;
    Ok(Versioned(p.version, p.into()))
}
