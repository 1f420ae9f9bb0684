//! HTTP integration tests: the whole router, called directly without a
//! socket, on SQLite and on PostgreSQL.

mod api;
mod openapi;
mod pages;
mod security;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use std::sync::Arc;
use tandem_storage::Store;
use tandem_web::{AppState, FixedClock};
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub store: Store,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The error envelope's code.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

impl TestApp {
    pub fn new(store: Store) -> Self {
        // A fixed "now" keeps pages that show today's date deterministic.
        let now = "2026-06-15T12:00:00Z".parse().expect("timestamp");
        let state = AppState::with_clock(store.clone(), Arc::new(FixedClock(now)));
        Self {
            router: tandem_web::router(state),
            store,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router never fails");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("read body")
            .to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).expect("request"))
            .await
    }

    pub async fn json(&self, method: Method, path: &str, body: serde_json::Value) -> Reply {
        self.send(
            Request::builder()
                .method(method)
                .uri(path)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
        .await
    }

    /// Submits a form the way a browser on Tandem's own page does.
    pub async fn form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(fields).expect("encode form");
        self.send(
            Request::post(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }
}

/// A region and a service area, created through the API.
pub async fn seed_area(app: &TestApp) -> (i64, i64) {
    let region = app
        .json(
            Method::POST,
            "/api/v1/regions",
            serde_json::json!({"code": "NE", "name": "North East"}),
        )
        .await;
    assert_eq!(region.status, StatusCode::CREATED, "{}", region.body);
    let region_id = region.json()["id"].as_i64().expect("id");
    let area = app
        .json(
            Method::POST,
            "/api/v1/service-areas",
            serde_json::json!({"code": "A1", "name": "Northumbria", "region_id": region_id}),
        )
        .await;
    assert_eq!(area.status, StatusCode::CREATED, "{}", area.body);
    (region_id, area.json()["id"].as_i64().expect("id"))
}
