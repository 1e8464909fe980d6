//! The web edge of Bridgehead: the `/api/v1` JSON API with its OpenAPI 3.1 document,
//! server-rendered pages in Simplified Chinese and English, sessions, CSRF protection
//! and the mapping of use-case errors to HTTP. Only this crate knows HTTP.
//!
//! Every route is declared once in [`routes::route_table`] with the roles that may use
//! it; object-level checks (which enterprise, which region) happen in the app layer.

mod api;
mod assets;
mod error;
mod i18n;
mod idempotency;
mod openapi;
mod pages;
pub mod routes;
mod session;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use bridgehead_app::App;
use tokio::net::TcpListener;

pub use i18n::Lang;
pub use openapi::openapi_document;
pub use session::{Access, Surface};

/// Settings of the web server.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Largest request body, e.g. an import file.
    pub max_body_bytes: usize,
    /// Longest a request may take.
    pub request_timeout: Duration,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            trust_forwarded_for: false,
            max_body_bytes: 64 * 1024 * 1024,
            request_timeout: Duration::from_secs(300),
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub settings: Arc<WebSettings>,
}

/// The complete application router.
pub fn router(app: App, settings: WebSettings) -> Router {
    let state = AppState { app, settings: Arc::new(settings) };
    routes::build(state)
}

/// Serves on `listener` until `shutdown` completes.
pub async fn launch(
    app: App,
    settings: WebSettings,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = router(app, settings);
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
