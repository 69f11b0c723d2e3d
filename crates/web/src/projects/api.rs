//! JSON API of projects: list, read, edit, stage transitions, history and events.

use crate::extract::{ApiActor, ApiJson, IfMatch, Versioned};
use crate::projects::wire::{EditInput, ListQuery, TransitionInput};
use crate::wire::Event;
use crate::wire::{self, HistoryEntry, Project};
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use fenglai_app::{projects, App};

use crate::api::{ApiResult, Page};

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/projects", get(list_projects))
        .route(
            "/api/v1/projects/{id}",
            get(get_project).patch(edit_project),
        )
        .route("/api/v1/projects/{id}/transitions", post(transition))
        .route("/api/v1/projects/{id}/history", get(project_history))
        .route("/api/v1/projects/{id}/events", get(project_events))
}

/// List projects in the caller's scope.
#[utoipa::path(tag = "api", get, path = "/api/v1/projects", params(ListQuery),
    responses((status = 200, body = Page<Project>)), security(("bearer" = [])))]
pub async fn list_projects(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Page<Project>>> {
    let (items, total) = projects::list(&app, &a, &q.into()).await?;
    Ok(Json(Page {
        items: wire::all(items),
        total,
        total_capped: false,
    }))
}

/// One project.
#[utoipa::path(tag = "api", get, path = "/api/v1/projects/{id}", params(("id" = i64, Path)),
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
#[utoipa::path(tag = "api", patch, path = "/api/v1/projects/{id}", params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag (version) the edit is based on; a stale one answers 409")), request_body = EditInput,
    responses((status = 200, body = Project, headers(("ETag" = String, description = "the record's version, to send back in If-Match"))), (status = 403), (status = 404), (status = 409, description = "stale version: the record changed since it was read (记录已被他人修改，请刷新后重试); nothing changed; or the project was merged into another"), (status = 422)), security(("bearer" = [])))]
pub async fn edit_project(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    if_match: IfMatch,
    ApiJson(mut input): ApiJson<EditInput>,
) -> ApiResult<Versioned<Project>> {
    input.version = if_match.with_body(input.version)?;
    let p = projects::edit(&app, &a, id, &input.into()).await?;
    Ok(Versioned(p.version, p.into()))
}

/// Move a project to another stage. Illegal moves answer 409 with the reason.
#[utoipa::path(tag = "api", post, path = "/api/v1/projects/{id}/transitions", params(("id" = i64, Path)), request_body = TransitionInput,
    responses((status = 200, body = Project), (status = 404), (status = 409, description = "move not allowed"),
              (status = 422, description = "missing amount or reason, bad date")), security(("bearer" = [])))]
pub async fn transition(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TransitionInput>,
) -> ApiResult<Json<Project>> {
    Ok(Json(
        projects::transition(&app, &a, id, &input.into())
            .await?
            .into(),
    ))
}

/// The project's stage history with effective dates (voided corrections included).
#[utoipa::path(tag = "api", get, path = "/api/v1/projects/{id}/history", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 404)), security(("bearer" = [])))]
pub async fn project_history(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<HistoryEntry>>> {
    Ok(Json(wire::all(projects::history(&app, &a, id).await?)))
}

/// The audit events of a project.
#[utoipa::path(tag = "api", get, path = "/api/v1/projects/{id}/events", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Event>), (status = 404)), security(("bearer" = [])))]
pub async fn project_events(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Event>>> {
    projects::get(&app, &a, id).await?;
    Ok(Json(wire::all(
        fenglai_app::audit::for_entity(&app, "project", id).await?,
    )))
}
