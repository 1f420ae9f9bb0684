//! Tandem's domain: the service's own types and rules.
//!
//! Nothing here performs I/O. Storage and HTTP crates translate to and from
//! these types; every rule about what is valid lives here so that the web
//! forms, the JSON API, imports and the demo generator all obey the same rules.

pub mod error;
pub mod organisation;
pub mod text;

pub use error::{DomainError, FieldError, ValidationErrors};
