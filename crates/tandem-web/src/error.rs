//! One error type for the HTTP layer, shown to people as a GOV.UK error page
//! and to API clients as the JSON error envelope.

use askama::Template;
use axum::Json;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use tandem_domain::{DomainError, FieldError};
use tandem_storage::{SqlErrorKind, StoreError};

/// What went wrong, in terms of HTTP.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    /// Stable and machine-readable; documented in the OpenAPI document.
    pub code: &'static str,
    /// For the person reading it.
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Page not found")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Sorry, there is a problem with the service. Try again later.",
        )
    }
}

impl From<DomainError> for AppError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid(errors) => Self {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "validation_failed",
                message: "There is a problem with the information you gave".into(),
                fields: errors.fields().to_vec(),
            },
            DomainError::NotFound { kind } => Self::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("{} not found", capitalise(kind)),
            ),
            DomainError::Duplicate { field, message } => Self {
                status: StatusCode::CONFLICT,
                code: "duplicate",
                message: message.clone(),
                fields: vec![FieldError { field, message }],
            },
            e @ DomainError::StaleVersion { .. } => {
                Self::new(StatusCode::CONFLICT, "stale_version", e.to_string())
            }
            DomainError::InUse { message } => Self::new(StatusCode::CONFLICT, "in_use", message),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Domain(e) => e.into(),
            StoreError::Database(e) if e.kind == SqlErrorKind::Unavailable => {
                tracing::error!(error = %e, "database unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The service is busy or its database cannot be reached. Try again shortly.",
                )
            }
            StoreError::Database(e) => {
                // The message names tables and constraints, never bound values.
                tracing::error!(error = %e, "database error");
                Self::internal()
            }
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The JSON error envelope every API error uses.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable, machine-readable: `validation_failed`, `not_found`,
    /// `duplicate`, `stale_version`, `in_use`, `bad_request`,
    /// `unsupported_media_type`, `payload_too_large`, `method_not_allowed`,
    /// `forbidden`, `unavailable` or `internal_error`.
    pub code: String,
    /// A sentence for a person.
    pub message: String,
    /// Problems with particular fields of the request, if any.
    pub fields: Vec<FieldProblem>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// An error for an API client.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        ApiError(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let AppError {
            status,
            code,
            message,
            fields,
        } = self.0;
        let body = ErrorEnvelope {
            error: ErrorBody {
                code: code.to_owned(),
                message,
                fields: fields
                    .into_iter()
                    .map(|f| FieldProblem {
                        field: f.field,
                        message: f.message,
                    })
                    .collect(),
            },
        };
        (status, Json(body)).into_response()
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: crate::html::Layout,
    title: String,
    message: String,
    fields: Vec<FieldError>,
}

/// An error for a person using the web pages.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(error: E) -> Self {
        PageError(error.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let AppError {
            status,
            message,
            fields,
            ..
        } = self.0;
        let title = match status {
            StatusCode::NOT_FOUND => "Page not found".to_owned(),
            StatusCode::FORBIDDEN => "You cannot do that".to_owned(),
            s if s.is_server_error() => "Sorry, there is a problem with the service".to_owned(),
            _ => "There is a problem".to_owned(),
        };
        let page = ErrorPage {
            layout: crate::html::Layout::new("", None),
            title,
            message,
            fields,
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "rendering the error page failed");
                (status, "There is a problem with the service").into_response()
            }
        }
    }
}

fn is_api(uri: &Uri) -> bool {
    uri.path().starts_with("/api/")
}

pub async fn not_found(uri: Uri) -> Response {
    if is_api(&uri) {
        ApiError(AppError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is no API resource at this address",
        ))
        .into_response()
    } else {
        PageError(AppError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.",
        ))
        .into_response()
    }
}

pub async fn method_not_allowed(uri: Uri) -> Response {
    let error = AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "This address does not accept that kind of request",
    );
    if is_api(&uri) {
        ApiError(error).into_response()
    } else {
        PageError(error).into_response()
    }
}
