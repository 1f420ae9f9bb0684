//! The measure catalogue: every measure's definition and exact formula, on
//! its own page and in the API. Definitions are not personal data, so anyone
//! signed in may read them.

use crate::AppState;
use crate::error::{ApiError, AppError, PageError};
use crate::html::{Layout, render};
use crate::session::{ApiCaller, SignedIn};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tandem_domain::choice::Choice;
use tandem_domain::measures::{CATALOGUE, Measure, measure};
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/measures", get(list))
        .route("/measures/{id}", get(show))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/measures", get(api_list))
}

#[derive(Template)]
#[template(path = "measures.html")]
struct MeasuresPage {
    layout: Layout,
    measures: &'static [Measure],
}

async fn list(
    State(_): State<AppState>,
    SignedIn(principal): SignedIn,
) -> Result<Html<String>, PageError> {
    render(&MeasuresPage {
        layout: Layout::new("/measures", Some(&principal)),
        measures: CATALOGUE,
    })
}

#[derive(Template)]
#[template(path = "measure.html")]
struct MeasurePage {
    layout: Layout,
    measure: &'static Measure,
    unit: &'static str,
}

async fn show(
    State(_): State<AppState>,
    SignedIn(principal): SignedIn,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let measure = measure(&id).ok_or_else(AppError::not_found)?;
    render(&MeasurePage {
        layout: Layout::new("/measures", Some(&principal)),
        measure,
        unit: measure.unit.label(),
    })
}

/// A measure in the catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureView {
    /// Stable: used in addresses and files.
    id: &'static str,
    name: &'static str,
    /// `cases`, `children`, `weeks`, `percent`, `per-day` or `ratio`.
    unit: &'static str,
    definition: &'static str,
    formula: &'static str,
}

/// The catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureList {
    items: Vec<MeasureView>,
}

async fn api_list(ApiCaller(_): ApiCaller) -> Result<Json<MeasureList>, ApiError> {
    Ok(Json(MeasureList {
        items: CATALOGUE
            .iter()
            .map(|m| MeasureView {
                id: m.id,
                name: m.name,
                unit: m.unit.slug(),
                definition: m.definition,
                formula: m.formula,
            })
            .collect(),
    }))
}
