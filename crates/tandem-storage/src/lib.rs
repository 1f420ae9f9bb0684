//! Tandem's storage.
//!
//! A backend crate (SQLite, PostgreSQL) implements [`Backend`]: connecting,
//! migrating, transactions, and moving [`Param`]s in and [`Row`]s out. The
//! repository in this crate, [`Store`], holds every query once, written in the
//! SQL both databases share, so a feature cannot quietly work on one backend
//! and not the other. Dialect differences stay inside the backend crates.
//!
//! Storage only stores: the rules about what is valid live in `tandem-domain`,
//! and are checked before anything reaches a query.

// Library code reports failures as errors; a panic could be reached from a request.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod application_types;
mod audit;
mod backend;
mod baseline;
mod bulk;
mod case_notes;
mod casework;
mod child_experience;
mod delay;
mod error;
mod identity;
mod interchange;
mod measure_targets;
mod organisation;
mod practice_settings;
mod record;
mod risk;
mod rollups;
mod row;
mod store;

pub use audit::AuditFilter;
pub use backend::{Backend, BackendKind, Tx};
pub use casework::{CaseFilter, CaseSummary};
pub use child_experience::YetToMeet;
pub use delay::{DelayLines, Part};
pub use error::{SqlError, SqlErrorKind, StoreError};
pub use identity::{
    ApiTokenRecord, BreakGlassRecord, Credentials, RoleAssignment, SessionRecord, SessionStage,
    UserAccount, check_username,
};
pub use interchange::ImportOutcome;
pub use organisation::{Editable, OrganisationSummary, StaffFilter, StaffPage};
pub use record::{Columns, Record};
pub use rollups::{BulkCounts, CountedHistory};
pub use row::{Param, Row, Value, timestamp_text};
pub use store::{Readiness, RollupCheck, Store};
