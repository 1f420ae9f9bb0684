//! Front-end assets, embedded at build time (see build.rs) and served with
//! fingerprinted URLs so browsers can cache them for good.

use crate::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The URL prefix for this build's assets, used by templates.
pub fn prefix() -> String {
    format!("/assets/{ASSET_VERSION}")
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/assets/{version}/{name}", get(serve))
}

async fn serve(Path((version, name)): Path<(String, String)>) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = if version == ASSET_VERSION {
        "public, max-age=31536000, immutable"
    } else {
        // An old page asking for a previous build's asset gets today's, uncached.
        "no-cache"
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        asset.bytes,
    )
        .into_response()
}
