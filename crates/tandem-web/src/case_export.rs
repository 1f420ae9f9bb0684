//! Downloading case data: the same tables as `tandem export`, for the
//! cases within the caller's scope, by those the policy lets export cases.
//! Each download is audited with its table, filter and row count before a
//! byte is sent; confidential addresses are never in a file.

use crate::AppState;
use crate::cases::{choices, joined, problems_and_errors};
use crate::error::PageError;
use crate::guard::Guard;
use crate::html::{Layout, render};
use crate::session::{Principal, RequestMeta, SignedIn};
use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use std::collections::HashMap;
use tandem_domain::access::{Action, RecordKind};
use tandem_domain::audit::Outcome;
use tandem_domain::choice::Choice;
use tandem_domain::interchange::{Format, Period, Table, export_summary};
use tandem_domain::{DomainError, ValidationErrors};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/export", get(form))
        .route("/cases/export/file", get(download))
}

/// The form's values, as typed.
#[derive(Debug, Default)]
pub struct ExportForm {
    table: String,
    format: String,
    from_day: String,
    from_month: String,
    from_year: String,
    to_day: String,
    to_month: String,
    to_year: String,
}

impl ExportForm {
    fn from_query(q: &HashMap<String, String>) -> Self {
        let get = |k: &str| q.get(k).cloned().unwrap_or_default();
        Self {
            table: get("table"),
            format: get("format"),
            from_day: get("from-day"),
            from_month: get("from-month"),
            from_year: get("from-year"),
            to_day: get("to-day"),
            to_month: get("to-month"),
            to_year: get("to-year"),
        }
    }

    /// Every problem at once, or what to export.
    fn validate(&self) -> Result<(Table, Format, Period), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let table = errors.check("table", Table::parse(&self.table));
        let format = errors.check("format", Format::parse(&self.format));
        let period = match Period::parse(
            &joined(&self.from_day, &self.from_month, &self.from_year),
            &joined(&self.to_day, &self.to_month, &self.to_year),
        ) {
            Ok(period) => Some(period),
            Err(DomainError::Invalid(e)) => {
                for f in e.fields() {
                    errors.add(&f.field, f.message.clone());
                }
                None
            }
            Err(other) => {
                errors.add("from", other.to_string());
                None
            }
        };
        match (table, format, period) {
            (Some(t), Some(f), Some(p)) if errors.is_empty() => Ok((t, f, p)),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "case_export.html")]
struct ExportPage {
    layout: Layout,
    form: ExportForm,
    problems: Vec<(String, String)>,
    errors: HashMap<String, String>,
    tables: Vec<(&'static str, &'static str)>,
    formats: Vec<(&'static str, &'static str)>,
}

impl ExportPage {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    pub fn chosen(&self, option: &dyn std::fmt::Display, value: &str) -> bool {
        option.to_string() == value
    }
}

fn page(
    principal: &Principal,
    form: ExportForm,
    errors: Option<&ValidationErrors>,
) -> Result<Html<String>, PageError> {
    let (problems, errors) = problems_and_errors(errors);
    render(&ExportPage {
        layout: Layout::new("/cases", Some(principal)),
        form,
        problems,
        errors,
        tables: choices::<Table>(),
        formats: choices::<Format>(),
    })
}

async fn form(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
) -> Result<Html<String>, PageError> {
    Guard::new(&state, &principal, &meta)
        .kind(Action::Export, RecordKind::Case)
        .await?;
    let form = ExportForm {
        format: Format::Csv.slug().to_owned(),
        ..Default::default()
    };
    page(&principal, form, None)
}

async fn download(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::Export, RecordKind::Case).await?;
    let form = ExportForm::from_query(&crate::extract::query_map(query));
    let (table, format, period) = match form.validate() {
        Ok(valid) => valid,
        Err(errors) => {
            let html = page(&principal, form, Some(&errors))?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
        }
    };
    let scope = guard.list_scope(Action::Export, RecordKind::Case);
    let records = state.store.export(table, &period, &scope).await?;
    let bytes = tandem_interchange::write(format, table, &records).map_err(|e| {
        tracing::error!(error = %e, "export encoding failed");
        PageError(crate::error::AppError::internal())
    })?;
    // Audited before a byte is sent: if the entry cannot be written, no file.
    let mut entry = guard.stamp(Some(grant)).entry(
        "export",
        Outcome::Allowed,
        None,
        Some(export_summary(table, format, &period, records.len())),
    );
    entry.record_type = Some(RecordKind::Case.name().to_owned());
    state.store.audit(&entry).await?;
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", table.file_name(format)),
            ),
        ],
        bytes,
    )
        .into_response())
}
