//! The web layer: the only crate that speaks HTTP, HTML and JSON.
//!
//! `/api/v1/…` answers JSON to bearer tokens; every other page is server-rendered
//! HTML (askama templates compiled into the binary) for a cookie session, with a
//! CSRF token in every form. Handlers parse input, call one application service,
//! and render; they hold no business rules.

mod api;
mod charts;
mod error;
mod extract;
mod filters;
mod openapi;
mod pages;

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
        .merge(api::routes())
        .merge(pages::routes())
        .with_state(app)
}

async fn healthz(
    axum::extract::State(app): axum::extract::State<App>,
) -> (axum::http::StatusCode, &'static str) {
    match app.db.ping().await {
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
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
