//! One mapping from application errors to HTTP.
//!
//! The error policy of the web layer:
//! - the application (`fenglai_app::Error`) says what went wrong; this module alone says what
//!   status that is ([`status_and_code`]): invalid input 422, missing 404, not logged in 401,
//!   not allowed 403, a conflict 409, throttled 429, anything else 500 with a generic message
//!   (the detail is logged where it happened, never shown);
//! - a JSON route answers [`ApiError`]: `{"error": {"code", "message", "field"}}`;
//! - a page handler returns [`PageResult`]: its page or a redirect, or a [`PageError`], the
//!   error page (`error.html`) with the status and the message. A refusal the page can
//!   explain beside its form (invalid input, a conflict, a refusal of rights) is rendered on
//!   the form's own page instead: [`Shown::shown_if`] splits the one from the other.

use askama::Template;
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

/// The status an error answers with.
pub fn status_of(e: &Error) -> StatusCode {
    status_and_code(e).0
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

/// A page's error: the error page with the error's status and message.
#[derive(Debug)]
pub struct PageError(pub Error);

/// What a page handler answers: the page or a redirect, else the error page.
pub type PageResult = Result<Response, PageError>;

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        PageError(e)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        crate::html::render(
            status,
            &ErrorPage {
                status: status.as_u16(),
                message: self.0.to_string(),
            },
        )
    }
}

/// Splits an application result for a form's page.
pub trait Shown<T> {
    /// `Ok(Err(e))` for an error the page shows beside its form (`shows(&e)`), to render the
    /// page again with it; any other error becomes the error page.
    fn shown_if(self, shows: fn(&Error) -> bool) -> Result<Result<T, Error>, PageError>;
}

impl<T> Shown<T> for Result<T, Error> {
    fn shown_if(self, shows: fn(&Error) -> bool) -> Result<Result<T, Error>, PageError> {
        match self {
            Err(e) if !shows(&e) => Err(PageError(e)),
            r => Ok(r),
        }
    }
}

/// Refusals a form's page explains: invalid input, a conflict, a refusal of rights.
pub fn explainable(e: &Error) -> bool {
    matches!(
        e,
        Error::Invalid { .. } | Error::Conflict(_) | Error::Forbidden(_)
    )
}

/// Invalid input only.
pub fn invalid(e: &Error) -> bool {
    matches!(e, Error::Invalid { .. })
}

/// Invalid input or a refusal of rights.
pub fn invalid_or_forbidden(e: &Error) -> bool {
    matches!(e, Error::Invalid { .. } | Error::Forbidden(_))
}
