//! Extractors that turn a malformed request into Tandem's own error, in the
//! right form for the caller, instead of axum's plain-text rejections.

use crate::error::{ApiError, AppError, PageError};
use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

/// The status and code for a body that could not be read or parsed.
fn body_error(status: StatusCode, detail: String) -> AppError {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::new(
            status,
            "payload_too_large",
            format!(
                "The request body is larger than {} bytes",
                crate::MAX_BODY_BYTES
            ),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            AppError::new(status, "unsupported_media_type", detail)
        }
        _ => AppError::bad_request(detail),
    }
}

/// A JSON body; malformed JSON, unknown fields and wrong types are a 400 in
/// the error envelope, naming the problem.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => {
                let detail = match &rejection {
                    JsonRejection::JsonDataError(e) => {
                        format!("The request body does not fit: {}", e.body_text())
                    }
                    JsonRejection::JsonSyntaxError(_) => {
                        "The request body is not valid JSON".to_owned()
                    }
                    JsonRejection::MissingJsonContentType(_) => {
                        "Send the body as JSON with Content-Type: application/json".to_owned()
                    }
                    other => other.body_text(),
                };
                Err(ApiError(body_error(rejection.status(), detail)))
            }
        }
    }
}

/// A submitted HTML form. Forms carry text, so a rejection here means the
/// request was not sent by Tandem's own page.
pub struct HtmlForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for HtmlForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(value)) => Ok(HtmlForm(value)),
            Err(rejection) => {
                let detail = match &rejection {
                    FormRejection::FailedToDeserializeForm(e) => {
                        format!("The form could not be read: {}", e.body_text())
                    }
                    other => other.body_text(),
                };
                Err(PageError(body_error(rejection.status(), detail)))
            }
        }
    }
}

/// A record id from the path. Anything that is not a positive whole number
/// cannot name a record, so it is simply not found.
pub fn record_id(segment: &str) -> Result<i64, AppError> {
    segment
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(AppError::not_found)
}
