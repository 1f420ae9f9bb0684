use crate::error::SqlError;
use crate::row::{Param, Row};
use async_trait::async_trait;

/// Which database a backend talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

/// What a database backend provides to the shared repository.
///
/// SQL handed to a backend uses `$1`, `$2`, … placeholders and the subset of
/// SQL that SQLite and PostgreSQL share. Every SQL string is assembled from
/// constants in this workspace; values always travel as bound [`Param`]s.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    fn kind(&self) -> BackendKind;

    /// Applies any migrations this build carries that the database lacks.
    async fn migrate(&self) -> Result<(), SqlError>;

    /// Names of migrations this build carries that the database has not applied.
    async fn pending_migrations(&self) -> Result<Vec<String>, SqlError>;

    /// Names of every migration this build carries, in order.
    fn migration_names(&self) -> Vec<String>;

    /// A transaction for reading: one consistent view across several queries.
    async fn read(&self) -> Result<Box<dyn Tx>, SqlError>;

    /// A transaction for writing. On SQLite this takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so it waits for other writers instead of failing
    /// half-way through.
    async fn write(&self) -> Result<Box<dyn Tx>, SqlError>;

    /// Closes every connection.
    async fn close(&self);
}

/// An open transaction. Dropping it without [`Tx::commit`] rolls it back.
#[async_trait]
pub trait Tx: Send {
    /// Runs a statement; returns the number of rows it changed.
    async fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64, SqlError>;

    /// Runs a query and returns all its rows.
    async fn fetch_all(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, SqlError>;

    async fn commit(self: Box<Self>) -> Result<(), SqlError>;
}
