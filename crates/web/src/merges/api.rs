//! JSON API of duplicates: the 疑似重复 queue, merging, undoing, and the credit split.

use super::wire::{Merge, Pair, Preview};
use crate::error::ApiError;
use crate::extract::{ApiActor, ApiJson};
use crate::leads::wire::Lead;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use fenglai_app::merges::{self, Credit, Lookalike, MergeInput};
use fenglai_app::App;
use serde::Deserialize;

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/duplicates", get(list_pairs))
        .route("/api/v1/duplicates/check", get(check))
        .route("/api/v1/duplicates/{id}/dismiss", post(dismiss))
        .route("/api/v1/leads/{id}/merge-preview", get(preview))
        .route("/api/v1/leads/{id}/merges", get(lead_merges).post(merge))
        .route("/api/v1/merges/{id}/undo", post(undo))
        .route("/api/v1/leads/{id}/credits", get(credits))
}

/// Open 疑似重复 pairs where the caller sees both leads.
#[utoipa::path(tag = "api_merges", get, path = "/api/v1/duplicates", responses((status = 200, body = Vec<Pair>)), security(("bearer" = [])))]
pub async fn list_pairs(
    State(app): State<App>,
    ApiActor(a): ApiActor,
) -> ApiResult<Json<Vec<Pair>>> {
    Ok(Json(crate::wire::all(merges::queue(&app, &a).await?)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckQuery {
    pub company_name: Option<String>,
    pub uscc: Option<String>,
}

/// Before reporting: existing leads with the same 统一社会信用代码 or company name. Those in
/// the caller's scope are named; for any others one entry (`elsewhere: true`) says only
/// that a likely duplicate exists and whom to ask. Saving anyway is allowed; the new lead
/// then joins the 疑似重复 queue.
#[utoipa::path(tag = "api_merges", get, path = "/api/v1/duplicates/check", params(CheckQuery),
    responses((status = 200, body = Vec<Lookalike>), (status = 403, description = "a role that may not report leads"), (status = 422)), security(("bearer" = [])))]
pub async fn check(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<CheckQuery>,
) -> ApiResult<Json<Vec<Lookalike>>> {
    let name = q.company_name.as_deref().unwrap_or("").trim();
    let uscc = q.uscc.as_deref();
    if name.is_empty() && uscc.is_none_or(|u| u.trim().is_empty()) {
        return Err(fenglai_app::Error::invalid(
            "company_name",
            "请给出企业名称或统一社会信用代码",
        )
        .into());
    }
    Ok(Json(merges::lookalikes(&app, &a, name, uscc).await?))
}

/// "不是重复": closes a pair without merging.
#[utoipa::path(tag = "api_merges", post, path = "/api/v1/duplicates/{id}/dismiss", params(("id" = i64, Path)),
    responses((status = 200, body = Pair), (status = 404), (status = 409)), security(("bearer" = [])))]
pub async fn dismiss(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Pair>> {
    Ok(Json(merges::dismiss(&app, &a, id).await?.into()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WithQuery {
    /// the lead to merge into this one
    pub with: Option<String>,
}

/// The lead and a duplicate side by side, conflicting fields marked.
#[utoipa::path(tag = "api_merges", get, path = "/api/v1/leads/{id}/merge-preview", params(("id" = i64, Path), WithQuery),
    responses((status = 200, body = Preview), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn preview(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    Query(q): Query<WithQuery>,
) -> ApiResult<Json<Preview>> {
    let with = q
        .with
        .as_deref()
        .and_then(|w| w.trim().parse().ok())
        .ok_or_else(|| fenglai_app::Error::invalid("with", "请给出要合并进来的线索编号（with）"))?;
    Ok(Json(merges::preview(&app, &a, id, with).await?.into()))
}

/// Merges a duplicate into this lead; conflicting fields must be picked in `keep`.
#[utoipa::path(tag = "api_merges", post, path = "/api/v1/leads/{id}/merges", params(("id" = i64, Path)), request_body = MergeInput,
    responses((status = 200, body = Lead), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn merge(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<MergeInput>,
) -> ApiResult<Json<Lead>> {
    Ok(Json(merges::merge(&app, &a, id, &input).await?.into()))
}

/// Merges the lead took part in, newest first.
#[utoipa::path(tag = "api_merges", get, path = "/api/v1/leads/{id}/merges", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Merge>), (status = 404)), security(("bearer" = [])))]
pub async fn lead_merges(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Merge>>> {
    Ok(Json(crate::wire::all(merges::of_lead(&app, &a, id).await?)))
}

/// Undoes a merge: both leads as they were, every reference back.
#[utoipa::path(tag = "api_merges", post, path = "/api/v1/merges/{id}/undo", params(("id" = i64, Path)),
    responses((status = 200, body = Lead), (status = 404), (status = 409)), security(("bearer" = [])))]
pub async fn undo(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Lead>> {
    Ok(Json(merges::undo(&app, &a, id).await?.into()))
}

/// Who reported the lead (with the leads merged into it) and their share of the credit.
#[utoipa::path(tag = "api_merges", get, path = "/api/v1/leads/{id}/credits", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Credit>), (status = 404)), security(("bearer" = [])))]
pub async fn credits(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Credit>>> {
    Ok(Json(merges::credits(&app, &a, id).await?))
}
