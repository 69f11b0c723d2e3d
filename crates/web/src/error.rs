//! One mapping from application errors to HTTP, for the JSON API.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use fenglai_app::Error;
use serde_json::json;

/// An API error: `{"error": {"code", "message", "field"}}` with the right status.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

pub fn status_and_code(e: &Error) -> (StatusCode, &'static str) {
    match e {
        Error::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        Error::NotFound => (StatusCode::NOT_FOUND, "not_found"),
        Error::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
        Error::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        Error::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        Error::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = status_and_code(&self.0);
        let field = match &self.0 {
            Error::Invalid { field, .. } => Some(field.clone()),
            _ => None,
        };
        let message = match &self.0 {
            Error::Unauthorized => "未登录或令牌无效".to_string(),
            other => other.to_string(),
        };
        let mut r = (
            status,
            Json(json!({"error": {"code": code, "message": message, "field": field}})),
        )
            .into_response();
        if let Error::RateLimited { retry_after } = self.0 {
            r.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, retry_after.into());
        }
        r
    }
}
