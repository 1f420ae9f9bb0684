//! Tandem's HTTP layer: the HTML pages people use and the JSON API.
//!
//! Handlers only translate: they parse a request into domain input, call the
//! domain and the store, and render the result as HTML or JSON. Rules live in
//! `tandem-domain`; queries live in `tandem-storage`.

// Library code reports failures as errors; a panic could be reached from a request.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod account;
mod allocation;
mod api;
mod assets;
pub mod auth;
mod case_export;
mod case_records_api;
mod case_tabs;
mod cases;
mod cases_api;
pub mod charts;
mod clock;
mod dashboards;
mod error;
mod extract;
mod forms;
mod guard;
mod health;
mod html;
mod measures;
mod practice_settings;
mod resources;
mod security;
pub mod session;
mod users;

pub use api::openapi_document;
pub use clock::{Clock, SystemClock};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use std::sync::Arc;
use tandem_domain::session::{SessionTimeouts, SignInThrottle};
use tandem_storage::Store;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// The largest request body accepted. Forms and JSON records are small;
/// anything bigger is refused before it is parsed.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Settings for signing in and sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WebConfig {
    pub session: SessionTimeouts,
    pub throttle: SignInThrottle,
    /// Require a second factor of everyone, not only administrators.
    pub second_factor_for_everyone: bool,
    /// Mark the session cookie `Secure`: set when Tandem is served over TLS.
    pub secure_cookies: bool,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: WebConfig,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        Self {
            store,
            clock: Arc::new(SystemClock),
            config,
        }
    }

    pub fn with_clock(store: Store, config: WebConfig, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            config,
        }
    }
}

/// The whole application: pages, API, health checks and assets, with the
/// security headers and request ids every response carries.
pub fn router(state: AppState) -> Router {
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    Router::new()
        .merge(html::routes())
        .merge(account::routes())
        .merge(users::routes())
        .merge(cases::routes())
        .merge(case_tabs::routes())
        .merge(case_export::routes())
        .merge(allocation::routes())
        .merge(practice_settings::routes())
        .merge(measures::routes())
        .merge(dashboards::routes())
        .nest("/api/v1", api::routes())
        .merge(health::routes())
        .merge(assets::routes())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(session::check_csrf))
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::authenticate))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(
            // Spans carry the method, the path and the request id, never the
            // query string or body, which can hold people's names.
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
            }),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}
