//! JSON API of notices: the caller's inbox (站内消息), email addresses for notices, and
//! the group robots of a unit.

use super::wire::{EmailInput, Inbox, Notification, Webhook, WebhooksInput};
use crate::error::ApiError;
use crate::extract::{ApiActor, ApiJson};
use crate::wire;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use fenglai_app::notify;
use fenglai_app::App;
use utoipa::OpenApi;

type ApiResult<T> = Result<T, ApiError>;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/v1/inbox", get(inbox))
        .route("/api/v1/inbox/{id}/read", post(mark_read))
        .route(
            "/api/v1/units/{id}/webhooks",
            get(webhooks).put(set_webhooks),
        )
        .route("/api/v1/users/{id}/email", get(email).put(set_email))
}

#[derive(OpenApi)]
#[openapi(paths(inbox, mark_read, email, set_email, webhooks, set_webhooks))]
pub struct Doc;

/// The caller's own notices, unread first (at most 200), and how many are unread.
#[utoipa::path(get, path = "/api/v1/inbox", responses((status = 200, body = Inbox)), security(("bearer" = [])))]
pub async fn inbox(State(app): State<App>, ApiActor(a): ApiActor) -> ApiResult<Json<Inbox>> {
    Ok(Json(notify::inbox(&app, &a).await?.into()))
}

/// Marks one of the caller's notices read; another user's notice is 404.
#[utoipa::path(post, path = "/api/v1/inbox/{id}/read", params(("id" = i64, Path)),
    responses((status = 200, body = Notification), (status = 404)), security(("bearer" = [])))]
pub async fn mark_read(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Notification>> {
    Ok(Json(notify::mark_read(&app, &a, id).await?.into()))
}

/// The address a user's notices are also emailed to (the user themself or 管理员).
#[utoipa::path(get, path = "/api/v1/users/{id}/email", params(("id" = i64, Path)),
    responses((status = 200, body = EmailInput), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn email(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<EmailInput>> {
    Ok(Json(notify::email(&app, &a, id).await?.into()))
}

/// Sets the address a user's notices are also emailed to; `null` or "" for none (the user
/// themself or 管理员). Mail goes out from servers started with `FENGLAI_SMTP_URL`.
#[utoipa::path(put, path = "/api/v1/users/{id}/email", params(("id" = i64, Path)), request_body = EmailInput,
    responses((status = 200, body = EmailInput), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn set_email(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EmailInput>,
) -> ApiResult<Json<EmailInput>> {
    Ok(Json(
        notify::set_email(&app, &a, id, &input.into()).await?.into(),
    ))
}

/// A unit's group robots (企业微信 / 钉钉), active first, removed ones kept (管理员 only).
#[utoipa::path(get, path = "/api/v1/units/{id}/webhooks", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Webhook>), (status = 403), (status = 404)), security(("bearer" = [])))]
pub async fn webhooks(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<Webhook>>> {
    Ok(Json(wire::all(notify::webhooks(&app, &a, id).await?)))
}

/// Sets a unit's group robots to exactly this list (管理员 only): robots left out are made
/// inactive, never deleted. `kind` is `wecom` or `dingtalk`; `url` http:// or https://.
#[utoipa::path(put, path = "/api/v1/units/{id}/webhooks", params(("id" = i64, Path)), request_body = WebhooksInput,
    responses((status = 200, body = Vec<Webhook>), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn set_webhooks(
    State(app): State<App>,
    ApiActor(a): ApiActor,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<WebhooksInput>,
) -> ApiResult<Json<Vec<Webhook>>> {
    Ok(Json(wire::all(
        notify::set_webhooks(&app, &a, id, &input.into()).await?,
    )))
}
