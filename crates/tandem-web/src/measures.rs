//! The measure catalogue: every measure's definition and exact formula, on
//! its own page and in the API. Definitions are not personal data, so anyone
//! signed in may read them.

use crate::AppState;
use crate::charts::{Chart, Figure, Series};
use crate::error::{ApiError, AppError, PageError};
use crate::extract::TypedForm;
use crate::guard::Guard;
use crate::html::{Layout, render};
use crate::session::{ApiCaller, Principal, RequestMeta, SignedIn};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use tandem_domain::access::{self, Action, RecordKind, Target};
use tandem_domain::choice::Choice;
use tandem_domain::measures::{
    Better, CATALOGUE, Granularity, Measure, SeriesInput, SeriesRequest, TargetInput, Value,
    evaluate, ingredients, measure, rag,
};
use tandem_domain::{DomainError, FieldError};
use tandem_storage::StoreError;
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/measures", get(list))
        .route("/measures/{id}", get(show))
        .route("/measures/{id}/target", post(set_target))
}

pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/measures", get(api_list))
        .route("/measures/{id}", get(api_values))
}

/// A series request from the query string; unknown parameters are ignored
/// like any odd query string.
fn series_input(query: Option<String>) -> SeriesInput {
    let mut q = crate::extract::query_map(query);
    let mut take = |k: &str| q.remove(k).unwrap_or_default();
    SeriesInput {
        scope: take("scope"),
        from: take("from"),
        to: take("to"),
        by: take("by"),
        law: take("law"),
    }
}

/// `measure`'s values as asked: aggregates only, so any signed-in person or
/// API caller may read them.
async fn values(
    state: &AppState,
    measure: &'static Measure,
    request: &SeriesRequest,
) -> Result<Vec<Value>, AppError> {
    let (counts, context) = state
        .store
        .measure_counts(
            &[(&[request.scope], &request.periods)],
            ingredients(measure),
        )
        .await?;
    let counts = counts.into_iter().next().unwrap_or_default();
    evaluate(
        measure,
        &request.periods,
        request.granularity,
        request.law,
        request.scope,
        &counts,
        &context,
    )
    .map_err(|e| DomainError::invalid("by", e).into())
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
    input: SeriesInput,
    errors: Vec<FieldError>,
    figure: Option<Figure>,
    granularities: &'static [Granularity],
    /// The target as shown, if one is set.
    target: Option<String>,
    /// For those who may set it: what is in the box, the version read, and
    /// any problem with what was sent.
    target_form: Option<(String, i64, Option<String>)>,
    saved: bool,
}

async fn show(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, PageError> {
    let measure = measure(&id).ok_or_else(AppError::not_found)?;
    let saved = query.as_deref() == Some("saved");
    page(
        &state,
        &principal,
        measure,
        series_input(query),
        None,
        saved,
    )
    .await
}

/// Who may set targets: those who may change the organisation's settings.
fn sets_targets(principal: &Principal) -> bool {
    access::authorize(
        &principal.actor,
        Action::Update,
        &Target::kind(RecordKind::Organisation),
    )
    .is_ok()
}

async fn page(
    state: &AppState,
    principal: &Principal,
    measure: &'static Measure,
    input: SeriesInput,
    refused: Option<(String, String)>,
    saved: bool,
) -> Result<Html<String>, PageError> {
    let (target, version) = match state.store.measure_targets().await?.get(measure.id) {
        Some((t, v)) => (Some(*t), *v),
        None => (None, 0),
    };
    let shown_target = target.map(|t| Value::amount(t).display(measure.unit));
    let target_form =
        (sets_targets(principal) && measure.better != Better::Neither).then(|| match refused {
            Some((typed, problem)) => (typed, version, Some(problem)),
            None => (
                target.map(|t| t.to_string()).unwrap_or_default(),
                version,
                None,
            ),
        });
    let tree = crate::dashboards::scope_tree(state).await?;
    let checked = input.validate(state.clock.today()).and_then(|request| {
        crate::dashboards::check_scope(&tree, request.scope).map(|name| (request, name))
    });
    let (figure, errors) = match checked {
        Ok((request, name)) => {
            let values = values(state, measure, &request).await?;
            let chart = Chart {
                id: format!("measure-{}", measure.id),
                title: format!("{}, {name}", measure.name),
                category: request
                    .granularity
                    .label()
                    .trim_start_matches("By ")
                    .to_owned(),
                labels: request.periods.iter().map(|p| p.label()).collect(),
                unit: measure.unit,
                series: Series {
                    name: measure.name.to_owned(),
                    values: values.iter().map(|v| v.value).collect(),
                },
                comparison: None,
                target,
                status: values
                    .iter()
                    .map(|v| rag(measure.better, v.value, target))
                    .collect(),
                links: Vec::new(),
            };
            (Some(Figure::line(&chart)), Vec::new())
        }
        Err(DomainError::Invalid(e)) => (None, e.fields().to_vec()),
        Err(e) => return Err(AppError::from(e).into()),
    };
    render(&MeasurePage {
        layout: Layout::new("/measures", Some(principal)),
        measure,
        unit: measure.unit.label(),
        input,
        errors,
        figure,
        granularities: Granularity::ALL,
        target: shown_target,
        target_form,
        saved,
    })
}

async fn set_target(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    TypedForm(input, _): TypedForm<TargetInput>,
) -> Result<Response, PageError> {
    let measure = measure(&id).ok_or_else(AppError::not_found)?;
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::Update, RecordKind::Organisation).await?;
    let result = match input.validate(measure) {
        Ok((target, version)) => {
            state
                .store
                .set_measure_target(measure.id, target, version, &guard.stamp(Some(grant)))
                .await
        }
        Err(e) => Err(e.into()),
    };
    let problem = match result {
        Ok(()) => {
            return Ok(Redirect::to(&format!("/measures/{}?saved", measure.id)).into_response());
        }
        Err(StoreError::Domain(DomainError::Invalid(e))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            e.for_field("target").unwrap_or_default().to_owned(),
        ),
        Err(StoreError::Domain(DomainError::StaleVersion { .. })) => (
            StatusCode::CONFLICT,
            "Someone changed the target while you were editing it: this is the target now".into(),
        ),
        Err(other) => return Err(AppError::from(other).into()),
    };
    let html = page(
        &state,
        &principal,
        measure,
        SeriesInput::default(),
        Some((input.target, problem.1)),
        false,
    )
    .await?;
    Ok((problem.0, html).into_response())
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

/// One period's value.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodValue {
    /// The period's first and last days.
    first_day: String,
    last_day: String,
    /// As named on pages: "January 2026", "April to June 2026", "2026-27".
    label: String,
    /// The value; null when there is no data (nothing to divide by), never 0.
    value: Option<f64>,
    /// For shares and ratios: what was counted, and out of what.
    numerator: Option<f64>,
    /// For durations: how many were measured.
    denominator: Option<f64>,
    /// For durations: the Ministry of Justice's median, in weeks.
    median: Option<f64>,
    /// As shown on pages.
    shown: String,
}

/// A measure's values for one scope, period by period.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureValues {
    measure: &'static str,
    unit: &'static str,
    /// `national`, `region-N`, `service-area-N`, `team-N`, `court-N`, `dfj-area-N` or `local-authority-N`.
    scope: String,
    /// `month`, `quarter` or `year` (financial).
    by: &'static str,
    /// Only cases of this law type, if asked for.
    law: Option<&'static str>,
    items: Vec<PeriodValue>,
}

async fn api_values(
    State(state): State<AppState>,
    ApiCaller(_): ApiCaller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<MeasureValues>, ApiError> {
    let measure = measure(&id).ok_or_else(AppError::not_found)?;
    let request = series_input(query).validate(state.clock.today())?;
    crate::dashboards::check_scope(&crate::dashboards::scope_tree(&state).await?, request.scope)?;
    let values = values(&state, measure, &request).await?;
    Ok(Json(MeasureValues {
        measure: measure.id,
        unit: measure.unit.slug(),
        scope: request.scope.key(),
        by: request.granularity.slug(),
        law: request.law.map(|l| l.slug()),
        items: request
            .periods
            .iter()
            .zip(values)
            .map(|(p, v)| PeriodValue {
                first_day: p.first.to_string(),
                last_day: p.last.to_string(),
                label: p.label(),
                value: v.value,
                numerator: v.numerator,
                denominator: v.denominator,
                median: v.median,
                shown: v.display(measure.unit),
            })
            .collect(),
    }))
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
