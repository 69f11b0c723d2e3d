//! JSON API of leads: list, report, read, admit.

use super::wire::{AdmitInput, Lead, LeadInput, ListQuery};
use crate::extract::{ApiActor, ApiJson, Versioned};
use crate::wire::{self, Project};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use fenglai_app::{leads, App};

use crate::error::ApiError;
use crate::wire::Page;

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/leads", get(list_leads).post(create_lead))
        .route("/api/v1/leads/{id}", get(get_lead))
        .route("/api/v1/leads/{id}/admit", post(admit_lead))
}

/// List leads in the caller's scope: search, filters, sort, pagination.
#[utoipa::path(tag = "api", get, path = "/api/v1/leads", params(ListQuery),
    responses((status = 200, body = Page<Lead>), (status = 422, description = "bad filter")), security(("bearer" = [])))]
pub async fn list_leads(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Page<Lead>>> {
    let l = leads::list(&app, &a, &q.into()).await?;
    Ok(Json(Page {
        items: wire::all(l.items),
        total: l.total,
        total_capped: l.total_capped,
    }))
}

/// Report a lead.
#[utoipa::path(tag = "api", post, path = "/api/v1/leads", request_body = LeadInput,
    responses((status = 201, body = Lead), (status = 422, description = "invalid field, named in error.field")), security(("bearer" = [])))]
pub async fn create_lead(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<LeadInput>,
) -> ApiResult<(StatusCode, Json<Lead>)> {
    Ok((
        StatusCode::CREATED,
        Json(leads::create(&app, &a, &input.into()).await?.into()),
    ))
}

/// One lead (404 also when outside the caller's scope).
#[utoipa::path(tag = "api", get, path = "/api/v1/leads/{id}", params(("id" = i64, Path)),
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
#[utoipa::path(tag = "api", post, path = "/api/v1/leads/{id}/admit", params(("id" = i64, Path)), request_body = AdmitInput,
    responses((status = 201, body = Project), (status = 404), (status = 409, description = "not admissible in its status")), security(("bearer" = [])))]
pub async fn admit_lead(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AdmitInput>,
) -> ApiResult<(StatusCode, Json<Project>)> {
    Ok((
        StatusCode::CREATED,
        Json(leads::admit(&app, &a, id, &input.into()).await?.into()),
    ))
}
