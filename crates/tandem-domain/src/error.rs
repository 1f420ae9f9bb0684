//! The errors a domain operation can report. The web layer maps each variant
//! to one HTTP status and one stable machine-readable code.

use serde::Serialize;
use std::fmt;

/// One problem with one input field, phrased for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The input field's name, as in the form or JSON body.
    pub field: String,
    /// What is wrong and how to put it right.
    pub message: String,
}

/// Every problem found in one input, so a form can show them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Records the error of a field-level check and returns its value if it passed.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn fields(&self) -> &[FieldError] {
        &self.0
    }

    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// `Ok(())` when nothing was recorded, so a validator can end with `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self))
        }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The input breaks one or more rules; nothing was changed.
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// The record does not exist (or, later, is outside the caller's scope:
    /// the answer must not tell the two apart).
    #[error("{kind} not found")]
    NotFound { kind: &'static str },
    /// A value that must be unique is already taken.
    #[error("{message}")]
    Duplicate { field: String, message: String },
    /// The record changed since the caller read it; they must reload.
    #[error(
        "this {kind} has been changed by someone else since you opened it; reload it and make your change again"
    )]
    StaleVersion { kind: &'static str },
    /// The record cannot be removed or changed because other records depend on it.
    #[error("{message}")]
    InUse { message: String },
}

impl DomainError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError::Invalid(ValidationErrors::single(field, message))
    }
}
