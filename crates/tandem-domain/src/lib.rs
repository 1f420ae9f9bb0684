//! Tandem's domain: the service's own types and rules.
//!
//! Nothing here performs I/O. Storage and HTTP crates translate to and from
//! these types; every rule about what is valid lives here so that the web
//! forms, the JSON API, imports and the demo generator all obey the same rules.

// Library code reports failures as errors; a panic could be reached from a request.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod access;
pub mod audit;
pub mod calendar;
pub mod case_history;
pub mod case_notes;
pub mod casework;
pub mod child_experience;
pub mod choice;
pub mod clocks;
pub mod delay;
pub mod error;
pub mod interchange;
pub mod measures;
pub mod organisation;
pub mod password;
pub mod practice_settings;
pub mod risk;
pub mod rollups;
pub mod session;
pub mod text;

pub use error::{DomainError, FieldError, ValidationErrors};
