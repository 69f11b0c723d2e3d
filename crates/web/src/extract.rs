//! Extractors: the caller from a bearer token or a session cookie, client
//! address, JSON bodies whose errors answer in the API's error shape, and the forms of
//! pages with their CSRF token checked.

use crate::error::{ApiError, PageError};
use axum::body::Body;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Multipart, RawForm, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use fenglai_app::auth::{self, Kind};
use fenglai_app::{Actor, App, Error};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "fenglai_session";
pub const LOGIN_CSRF_COOKIE: &str = "fenglai_login_csrf";

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The caller of an API route, from `Authorization: Bearer …`.
pub struct ApiActor(pub Actor);

impl FromRequestParts<App> for ApiActor {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(ApiError(Error::Unauthorized))?;
        let (actor, _) = auth::resolve(app, token, Kind::Api).await?;
        Ok(ApiActor(actor))
    }
}

/// The caller of a page, from the session cookie; without one, a redirect to /login. Read
/// once a request: [`CsrfForm`] and [`CsrfMultipart`] take it from the request's extensions.
#[derive(Clone)]
pub struct WebSession {
    pub actor: Actor,
    pub csrf: String,
    pub token: String,
    /// unread notices, for the top navigation
    pub unread: i64,
}

pub struct ToLogin;

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        Redirect::to("/login").into_response()
    }
}

impl FromRequestParts<App> for WebSession {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        if let Some(s) = parts.extensions.get::<WebSession>() {
            return Ok(s.clone());
        }
        let token =
            cookie(&parts.headers, SESSION_COOKIE).ok_or_else(|| ToLogin.into_response())?;
        let s = match auth::resolve(app, &token, Kind::Web).await {
            Ok((actor, csrf)) => {
                let unread = fenglai_app::notify::unread_count(app, &actor)
                    .await
                    .map_err(|e| PageError(e).into_response())?;
                WebSession {
                    actor,
                    csrf,
                    token,
                    unread,
                }
            }
            Err(Error::Unauthorized) => return Err(ToLogin.into_response()),
            Err(e) => return Err(PageError(e).into_response()),
        };
        parts.extensions.insert(s.clone());
        Ok(s)
    }
}

/// The refusal of a form whose CSRF token is missing or not the session's.
fn csrf_checked(s: &WebSession, sent: Option<&str>) -> Result<(), PageError> {
    match sent {
        Some(t) if !t.is_empty() && t == s.csrf => Ok(()),
        _ => Err(PageError(Error::Forbidden(
            "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试".into(),
        ))),
    }
}

/// A form posted from one of our pages, as `T`, once its `csrf` field is the session's
/// token. Refused as `Form<T>` refuses a body it cannot read (415, 422…), then with the
/// error page (403) when the token is missing or another; without a session, as
/// [`WebSession`] is.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<App> for CsrfForm<T> {
    type Rejection = Response;
    async fn from_request(req: Request, app: &App) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let s = WebSession::from_request_parts(&mut parts, app).await?;
        let RawForm(bytes) = RawForm::from_request(Request::from_parts(parts, body), app)
            .await
            .map_err(IntoResponse::into_response)?;
        // the same body, read as `Form<T>` reads it (and refused as it refuses it)
        let mut again = Request::new(Body::from(bytes.clone()));
        *again.method_mut() = Method::POST;
        again.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        let Form(form) = Form::<T>::from_request(again, app)
            .await
            .map_err(IntoResponse::into_response)?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str());
        csrf_checked(&s, sent).map_err(IntoResponse::into_response)?;
        Ok(CsrfForm(form))
    }
}

/// The fields of a form that is only a button (its token aside): none.
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// A multipart form (an upload) from one of our pages: its text fields by name and its
/// `file` part.
pub struct Upload {
    pub fields: HashMap<String, String>,
    pub file: Option<FilePart>,
}

/// The `file` part of an upload: the file name the browser sent, and the bytes.
pub struct FilePart {
    pub name: Option<String>,
    pub bytes: Vec<u8>,
}

/// An upload that could not be read, for its page to explain.
pub enum Unread {
    /// the request is not multipart
    NotMultipart(MultipartRejection),
    /// a part could not be read (over the body limit, cut short); the fields read before it
    Broken {
        fields: HashMap<String, String>,
        error: MultipartError,
    },
}

/// An upload from one of our pages, once its `csrf` field is the session's token (refused
/// as [`CsrfForm`] refuses). One that cannot be read is handed over unread (`Err`), its
/// token unchecked, so that its page says why as it always has.
pub struct CsrfMultipart(pub Result<Upload, Unread>);

impl FromRequest<App> for CsrfMultipart {
    type Rejection = Response;
    async fn from_request(req: Request, app: &App) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let s = WebSession::from_request_parts(&mut parts, app).await?;
        let upload = match read_upload(Request::from_parts(parts, body), app).await {
            Ok(u) => u,
            Err(unread) => return Ok(CsrfMultipart(Err(unread))),
        };
        csrf_checked(&s, upload.fields.get("csrf").map(String::as_str))
            .map_err(IntoResponse::into_response)?;
        Ok(CsrfMultipart(Ok(upload)))
    }
}

async fn read_upload(req: Request, app: &App) -> Result<Upload, Unread> {
    let mut m = Multipart::from_request(req, app)
        .await
        .map_err(Unread::NotMultipart)?;
    let (mut fields, mut file) = (HashMap::new(), None);
    loop {
        let field = match m.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(error) => return Err(Unread::Broken { fields, error }),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = field.file_name().map(str::to_string);
            match field.bytes().await {
                Ok(b) => {
                    file = Some(FilePart {
                        name: file_name,
                        bytes: b.to_vec(),
                    })
                }
                Err(error) => return Err(Unread::Broken { fields, error }),
            }
        } else {
            fields.insert(name, field.text().await.unwrap_or_default());
        }
    }
    Ok(Upload { fields, file })
}

/// The client's address: the socket peer, or, when the peer is a trusted proxy
/// (`--trusted-proxy`), the right-most address of `X-Forwarded-For` that is not one.
pub struct ClientIp(pub String);

impl FromRequestParts<App> for ClientIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
        else {
            return Ok(ClientIp("unknown".into()));
        };
        let proxies = app.trusted_proxies();
        if proxies.is_empty() {
            return Ok(ClientIp(peer.to_canonical().to_string()));
        }
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(ClientIp(proxies.client(peer, &forwarded).to_string()))
    }
}

/// The bearer token of an API call, unchecked (take [`ApiActor`] beside it to check it).
pub struct BearerToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        bearer(parts)
            .map(|t| BearerToken(t.to_string()))
            .ok_or(ApiError(Error::Unauthorized))
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The version an edit is based on, from `If-Match: "N"` (the `ETag` of a read; `W/"N"`
/// and a bare `N` are taken too, `*` means any version). Anything else answers 422.
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(v) = parts.headers.get(header::IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let bad = || {
            ApiError(Error::invalid(
                "If-Match",
                "If-Match 应为读取时的 ETag，如 \"3\"",
            ))
        };
        let t = v.to_str().map_err(|_| bad())?.trim();
        if t == "*" {
            return Ok(IfMatch(None));
        }
        let t = t.strip_prefix("W/").unwrap_or(t);
        let t = t
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or(t);
        t.parse().map(|n| IfMatch(Some(n))).map_err(|_| bad())
    }
}

impl IfMatch {
    /// The version of an edit, from the header or the body's `version`; both must agree.
    pub fn with_body(self, body: Option<i64>) -> Result<Option<i64>, ApiError> {
        match (self.0, body) {
            (Some(h), Some(b)) if h != b => Err(ApiError(Error::invalid(
                "version",
                "If-Match 与请求体中的 version 不一致",
            ))),
            (h, b) => Ok(h.or(b)),
        }
    }
}

/// A response carrying its record's version as an `ETag`, to send back in `If-Match`.
pub struct Versioned<T>(pub i64, pub T);

impl<T: serde::Serialize> IntoResponse for Versioned<T> {
    fn into_response(self) -> Response {
        (
            [(header::ETAG, format!("\"{}\"", self.0))],
            axum::Json(self.1),
        )
            .into_response()
    }
}

/// A JSON body; malformed bodies and unknown fields answer 422 naming the field.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => {
                let text = rej.body_text();
                let field = ["unknown field `", "missing field `", "field `"]
                    .iter()
                    .find_map(|p| {
                        text.split_once(p)
                            .and_then(|(_, rest)| rest.split_once('`'))
                            .map(|(f, _)| f.to_string())
                    })
                    .unwrap_or_else(|| "body".to_string());
                let reason = text.split_once(": ").map(|(_, r)| r).unwrap_or(&text);
                let message = if text.contains("unknown field") {
                    format!("不认识的字段“{field}”")
                } else if text.contains("missing field") {
                    format!("缺少必填字段“{field}”")
                } else if matches!(rej, JsonRejection::MissingJsonContentType(_)) {
                    "请求须为 JSON（Content-Type: application/json）".to_string()
                } else {
                    format!("JSON 格式或类型错误：{reason}")
                };
                Err(ApiError(Error::Invalid { field, message }))
            }
        }
    }
}
