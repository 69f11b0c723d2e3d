//! The JSON API under /api/v1.

use crate::error::ApiError;
use crate::extract::{ApiActor, ApiJson, BearerToken, ClientIp};
use crate::org::wire::{TokenRequest, TokenResponse};
use crate::wire::CodeName;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use fenglai_app::{auth, reference, App, Error};
use serde::Deserialize;

pub(crate) type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/openapi.json", get(crate::openapi::document))
        .route("/api/v1/auth/token", post(token).delete(revoke_token))
        .route("/api/v1/industries", get(industries))
        .route("/api/v1/regions", get(regions))
        .fallback(not_found)
}

async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        axum::response::IntoResponse::into_response(ApiError(Error::NotFound))
    } else {
        axum::response::IntoResponse::into_response(crate::error::PageError(Error::NotFound))
    }
}

/// Exchange a username and password for a bearer token.
#[utoipa::path(tag = "api", post, path = "/api/v1/auth/token", request_body = TokenRequest,
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
        user: issued.user.into(),
    }))
}

/// Revoke the caller's own bearer token: it answers 401 from then on.
#[utoipa::path(tag = "api", delete, path = "/api/v1/auth/token",
    responses((status = 204, description = "the token is revoked"), (status = 401)), security(("bearer" = [])))]
pub async fn revoke_token(
    State(app): State<App>,
    ApiActor(_): ApiActor,
    BearerToken(token): BearerToken,
) -> ApiResult<StatusCode> {
    auth::logout(&app, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub use crate::wire::Page;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodeQuery {
    /// code prefix or name fragment
    pub q: Option<String>,
}

/// Search GB/T 4754-2017 industries by code or name.
#[utoipa::path(tag = "api", get, path = "/api/v1/industries", params(CodeQuery), responses((status = 200, body = Vec<CodeName>)), security(("bearer" = [])))]
pub async fn industries(
    State(app): State<App>,
    ApiActor(_): ApiActor,
    Query(q): Query<CodeQuery>,
) -> ApiResult<Json<Vec<CodeName>>> {
    Ok(Json(crate::wire::all(
        reference::search_industries(&app, q.q.as_deref().unwrap_or("")).await?,
    )))
}

/// Search GB/T 2260 regions by code or name.
#[utoipa::path(tag = "api", get, path = "/api/v1/regions", params(CodeQuery), responses((status = 200, body = Vec<CodeName>)), security(("bearer" = [])))]
pub async fn regions(
    State(app): State<App>,
    ApiActor(_): ApiActor,
    Query(q): Query<CodeQuery>,
) -> ApiResult<Json<Vec<CodeName>>> {
    Ok(Json(crate::wire::all(
        reference::search_regions(&app, q.q.as_deref().unwrap_or("")).await?,
    )))
}
