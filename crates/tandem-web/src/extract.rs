//! Extractors that turn a malformed request into Tandem's own error, in the
//! right form for the caller, instead of axum's plain-text rejections.

use crate::error::{ApiError, AppError, PageError};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use std::collections::HashMap;

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
/// request was not sent by Tandem's own page. The CSRF token, already checked
/// by the middleware, is taken out before the form's own fields are read.
pub struct HtmlForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for HtmlForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let fields = form_fields(req, state).await?;
        Ok(HtmlForm(parse_fields(&fields)?))
    }
}

/// A submitted HTML form, and its fields as typed, so a refused form can be
/// shown again with what the user entered.
pub struct TypedForm<T>(pub T, pub HashMap<String, String>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for TypedForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let fields = form_fields(req, state).await?;
        let form = parse_fields(&fields)?;
        Ok(TypedForm(form, fields.into_iter().collect()))
    }
}

fn unreadable(e: impl std::fmt::Display) -> PageError {
    PageError(AppError::bad_request(format!(
        "The form could not be read: {e}"
    )))
}

/// The form's fields, less the CSRF token.
async fn form_fields<S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<Vec<(String, String)>, PageError> {
    let is_form = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(PageError(body_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the form as application/x-www-form-urlencoded".into(),
        )));
    }
    let bytes = axum::body::Bytes::from_request(req, state)
        .await
        .map_err(|rejection| PageError(body_error(rejection.status(), rejection.body_text())))?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).map_err(unreadable)?;
    // A field sent more than once (a group of checkboxes) arrives as one
    // comma-separated value, the form the domain reads lists in.
    let mut fields: Vec<(String, String)> = Vec::new();
    for (key, value) in pairs {
        if key == crate::session::CSRF_FIELD {
            continue;
        }
        match fields.iter_mut().find(|(k, _)| *k == key) {
            Some((_, joined)) => {
                joined.push(',');
                joined.push_str(&value);
            }
            None => fields.push((key, value)),
        }
    }
    Ok(fields)
}

fn parse_fields<T: DeserializeOwned>(fields: &[(String, String)]) -> Result<T, PageError> {
    let encoded = serde_urlencoded::to_string(fields).map_err(unreadable)?;
    serde_urlencoded::from_str(&encoded).map_err(unreadable)
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

/// Query parameters, read leniently: an odd query string is no parameters,
/// never a failed request.
pub fn query_map(query: Option<String>) -> std::collections::HashMap<String, String> {
    query
        .and_then(|q| serde_urlencoded::from_str(&q).ok())
        .unwrap_or_default()
}
