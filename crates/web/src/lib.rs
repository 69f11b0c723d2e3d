//! The web layer: the only crate that speaks HTTP, HTML and JSON.
//!
//! `/api/v1/…` answers JSON to bearer tokens; every other page is server-rendered
//! HTML (askama templates compiled into the binary) for a cookie session, with a
//! CSRF token in every form. Handlers parse input, call one application service,
//! and render; they hold no business rules.

mod api;
mod as_of;
mod charts;
mod download;
mod error;
mod extract;
mod filters;
mod html;
pub mod openapi;
mod pages;
mod wire;

// One module per feature, named as in `fenglai_app`: `api` answers /api/v1 JSON,
// `pages` renders HTML.
mod assess {
    pub(crate) mod api;
    pub(crate) mod pages;
    pub(crate) mod wire;
}
mod chains {
    pub(crate) mod api;
    pub(crate) mod pages;
    pub(crate) mod wire;
}
mod cockpit {
    pub(crate) mod api;
    pub(crate) mod pages;
}
mod delivery {
    pub(crate) mod api;
    pub(crate) mod pages;
}
mod intake {
    pub(crate) mod api;
    pub(crate) mod pages;
    pub(crate) mod wire;
}
mod leads {
    pub(crate) mod api;
    pub(crate) mod pages;
    pub(crate) mod wire;
}
mod ledgers {
    pub(crate) mod api;
    pub(crate) mod pages;
    pub(crate) mod wire;
}
mod merges {
    pub(crate) mod api;
    pub(crate) mod pages;
    pub(crate) mod wire;
}
mod notify {
    pub(crate) mod api;
    pub(crate) mod pages;
    pub(crate) mod wire;
}
mod org {
    pub(crate) mod api;
    pub(crate) mod pages;
    pub(crate) mod wire;
}
mod parks {
    pub(crate) mod api;
    pub(crate) mod pages;
    pub(crate) mod wire;
}
mod projects {
    pub(crate) mod api;
    pub(crate) mod pages;
    pub(crate) mod wire;
}

use axum::routing::get;
use axum::Router;
use fenglai_app::App;
use std::net::SocketAddr;
use tokio::net::TcpListener;

pub use error::ApiError;

/// The whole application's routes.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .merge(assess::api::routes())
        .merge(chains::api::routes())
        .merge(cockpit::api::routes())
        .merge(delivery::api::routes())
        .merge(intake::api::routes())
        .merge(leads::api::routes())
        .merge(ledgers::api::routes())
        .merge(merges::api::routes())
        .merge(notify::api::routes())
        .merge(org::api::routes())
        .merge(parks::api::routes())
        .merge(projects::api::routes())
        .merge(api::routes())
        .merge(pages::routes())
        .merge(assess::pages::routes())
        .merge(chains::pages::routes())
        .merge(cockpit::pages::routes())
        .merge(delivery::pages::routes())
        .merge(intake::pages::routes())
        .merge(leads::pages::routes())
        .merge(ledgers::pages::routes())
        .merge(merges::pages::routes())
        .merge(notify::pages::routes())
        .merge(org::pages::routes())
        .merge(projects::pages::routes())
        .merge(parks::pages::routes())
        .layer(axum::middleware::map_response(security_headers))
        .with_state(app)
}

/// Headers every response carries: no framing, no sniffing, scripts only from us.
async fn security_headers(mut r: axum::response::Response) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let h = r.headers_mut();
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // a handler's stricter policy (a downloaded file's sandbox) is kept
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"));
    r
}

async fn healthz(
    axum::extract::State(app): axum::extract::State<App>,
) -> (axum::http::StatusCode, &'static str) {
    match app.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ok"),
        Err(e) => {
            tracing::error!("health check: {e}");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable",
            )
        }
    }
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sweeper = {
        let app = app.clone();
        async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                every.tick().await;
                if let Err(e) = fenglai_app::auth::sweep(&app).await {
                    tracing::warn!("session sweep: {e}");
                }
            }
        }
    };
    let server = axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown);
    tokio::select! {
        r = server => r,
        _ = sweeper => Ok(()),
    }
}
