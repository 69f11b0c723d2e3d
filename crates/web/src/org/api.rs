//! JSON API of the organisation: units, users and their sessions.

use super::wire::{SessionInfo, Unit, UnitInput, User, UserEdit, UserInput};
use crate::extract::{ApiActor, ApiJson};
use crate::wire;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use fenglai_app::{auth, org, App};
use serde::Serialize;

type ApiResult<T> = Result<T, crate::error::ApiError>;

pub fn routes() -> Router<App> {
    Router::new()
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
}

/// The organisation tree.
#[utoipa::path(tag = "api", get, path = "/api/v1/units", responses((status = 200, body = Vec<Unit>)), security(("bearer" = [])))]
pub async fn units(State(app): State<App>, ApiActor(_): ApiActor) -> ApiResult<Json<Vec<Unit>>> {
    Ok(Json(wire::all(org::units(&app).await?)))
}

/// Create a unit (admin).
#[utoipa::path(tag = "api", post, path = "/api/v1/units", request_body = UnitInput, responses((status = 201, body = Unit), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create_unit(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<UnitInput>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            org::create_unit(&app, Some(&a), &input.into())
                .await?
                .into(),
        ),
    ))
}

/// All users (admin).
#[utoipa::path(tag = "api", get, path = "/api/v1/users", responses((status = 200, body = Vec<User>), (status = 403)), security(("bearer" = [])))]
pub async fn users(State(app): State<App>, ApiActor(a): ApiActor) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(wire::all(org::users(&app, &a).await?)))
}

/// Create a user (admin).
#[utoipa::path(tag = "api", post, path = "/api/v1/users", request_body = UserInput, responses((status = 201, body = User), (status = 403), (status = 422)), security(("bearer" = [])))]
pub async fn create_user(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    ApiJson(input): ApiJson<UserInput>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            org::create_user(&app, Some(&a), &input.into())
                .await?
                .into(),
        ),
    ))
}

/// Edit a user (admin): name, role, unit, active, password.
#[utoipa::path(tag = "api", patch, path = "/api/v1/users/{id}", params(("id" = i64, Path)), request_body = UserEdit, responses((status = 200, body = User), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn edit_user(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<UserEdit>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        org::edit_user(&app, &a, id, &input.into()).await?.into(),
    ))
}

/// A user's live browser sessions and API tokens (admin); the tokens themselves are never
/// shown, each is named by `id`.
#[utoipa::path(tag = "api", get, path = "/api/v1/users/{id}/sessions", params(("id" = i64, Path)), responses((status = 200, body = Vec<SessionInfo>), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn user_sessions(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<SessionInfo>>> {
    Ok(Json(wire::all(auth::sessions_of(&app, &a, id).await?)))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Revoked {
    /// how many sessions and tokens ended
    pub revoked: u64,
}

/// End every session and API token of a user (admin).
#[utoipa::path(tag = "api", delete, path = "/api/v1/users/{id}/sessions", params(("id" = i64, Path)), responses((status = 200, body = Revoked), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn revoke_user_sessions(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Revoked>> {
    let revoked = auth::revoke_sessions(&app, &a, id, None).await?;
    Ok(Json(Revoked { revoked }))
}

/// End one session or API token of a user (admin), named by the `id` of its listing.
#[utoipa::path(tag = "api", delete, path = "/api/v1/users/{id}/sessions/{session}", params(("id" = i64, Path), ("session" = String, Path)), responses((status = 200, body = Revoked), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn revoke_user_session(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path((id, session)): Path<(i64, String)>,
) -> ApiResult<Json<Revoked>> {
    let revoked = auth::revoke_sessions(&app, &a, id, Some(&session)).await?;
    Ok(Json(Revoked { revoked }))
}
