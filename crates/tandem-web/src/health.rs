//! Liveness and readiness, for load balancers and operators.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(alive))
        .route("/readyz", get(ready))
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pending_migrations: Vec<String>,
}

/// The process is up and answering.
async fn alive() -> Json<Health> {
    Json(Health {
        status: "ok",
        pending_migrations: Vec::new(),
    })
}

/// The database answers and carries every migration this build expects.
async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.store.readiness().await {
        Ok(r) if r.is_ready() => (
            StatusCode::OK,
            Json(Health {
                status: "ready",
                pending_migrations: Vec::new(),
            }),
        ),
        Ok(r) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "migrations pending",
                pending_migrations: r.pending_migrations,
            }),
        ),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "database unreachable",
                    pending_migrations: Vec::new(),
                }),
            )
        }
    }
}
