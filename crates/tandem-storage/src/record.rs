//! The operations every stored record type shares: fetch by id, list,
//! insert, versioned update and delete. Each record type describes its table
//! once, in a [`Record`] impl, and the SQL is built from that description.

use crate::backend::Tx;
use crate::error::{SqlErrorKind, StoreError};
use crate::row::{Param, Row};
use tandem_domain::DomainError;

pub trait Record: Sized + Send {
    /// The table's name.
    const TABLE: &'static str;
    /// What one record is called in messages ("region", "team").
    const KIND: &'static str;
    /// The columns read back, comma-separated, always starting with `id` and ending with `version`.
    const COLUMNS: &'static str;
    /// The ORDER BY for lists.
    const ORDER: &'static str;

    fn from_row(row: &Row) -> Result<Self, StoreError>;

    /// The record's id.
    fn id_of(&self) -> i64;

    /// The field a person should correct when a unique constraint on
    /// `columns` is violated, and the message to show them.
    fn duplicate(columns: &[String]) -> (String, String) {
        let column = columns.join(" and ");
        (
            columns.first().cloned().unwrap_or_default(),
            format!(
                "A {} with this {} already exists",
                Self::KIND,
                column.replace('_', " ")
            ),
        )
    }
}

/// The values to write for one record: `(column, value)` in a fixed order.
pub type Columns = Vec<(&'static str, Param)>;

fn select_sql<R: Record>(filter: &str) -> String {
    format!("SELECT {} FROM {} {filter}", R::COLUMNS, R::TABLE)
}

pub(crate) async fn fetch<R: Record>(
    tx: &mut dyn Tx,
    filter: &str,
    params: &[Param],
) -> Result<Vec<R>, StoreError> {
    let rows = tx.fetch_all(&select_sql::<R>(filter), params).await?;
    rows.iter().map(R::from_row).collect()
}

pub(crate) async fn list<R: Record>(tx: &mut dyn Tx) -> Result<Vec<R>, StoreError> {
    fetch(tx, &format!("ORDER BY {}", R::ORDER), &[]).await
}

pub(crate) async fn find<R: Record>(tx: &mut dyn Tx, id: i64) -> Result<Option<R>, StoreError> {
    Ok(fetch(tx, "WHERE id = $1", &[id.into()])
        .await?
        .into_iter()
        .next())
}

pub(crate) async fn get<R: Record>(tx: &mut dyn Tx, id: i64) -> Result<R, StoreError> {
    find(tx, id)
        .await?
        .ok_or(StoreError::Domain(DomainError::NotFound { kind: R::KIND }))
}

/// Fetches a record the input refers to; a missing one is the input's fault,
/// reported against `field`.
pub(crate) async fn referenced<R: Record>(
    tx: &mut dyn Tx,
    id: i64,
    field: &str,
) -> Result<R, StoreError> {
    find(tx, id).await?.ok_or_else(|| {
        StoreError::Domain(DomainError::invalid(
            field,
            format!(
                "There is no {} with id {id}; choose an existing one",
                R::KIND
            ),
        ))
    })
}

/// Maps a constraint violation on a write of `R` to the domain's words.
fn write_error<R: Record>(error: crate::error::SqlError) -> StoreError {
    match &error.kind {
        SqlErrorKind::UniqueViolation { columns, .. } => {
            let (field, message) = R::duplicate(columns);
            StoreError::Domain(DomainError::Duplicate { field, message })
        }
        SqlErrorKind::ForeignKeyViolation => StoreError::Domain(DomainError::InUse {
            message: format!(
                "This {} refers to a record that no longer exists; reload and try again",
                R::KIND
            ),
        }),
        _ => StoreError::Database(error),
    }
}

pub(crate) async fn insert<R: Record>(tx: &mut dyn Tx, columns: Columns) -> Result<R, StoreError> {
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}, version) VALUES ({}, 1) RETURNING {}",
        R::TABLE,
        names.join(", "),
        placeholders.join(", "),
        R::COLUMNS
    );
    let params: Vec<Param> = columns.into_iter().map(|(_, value)| value).collect();
    let rows = tx
        .fetch_all(&sql, &params)
        .await
        .map_err(write_error::<R>)?;
    rows.first().map(R::from_row).unwrap_or_else(|| {
        Err(StoreError::Database(crate::SqlError::decode(
            "INSERT returned no row",
        )))
    })
}

/// Updates a record only if it is still at `expected_version`, so two people
/// editing at once cannot silently overwrite each other.
pub(crate) async fn update<R: Record>(
    tx: &mut dyn Tx,
    id: i64,
    expected_version: i64,
    columns: Columns,
) -> Result<R, StoreError> {
    let count = columns.len();
    let assignments: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, (name, _))| format!("{name} = ${}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE {} SET {}, version = version + 1 WHERE id = ${} AND version = ${} RETURNING {}",
        R::TABLE,
        assignments.join(", "),
        count + 1,
        count + 2,
        R::COLUMNS
    );
    let mut params: Vec<Param> = columns.into_iter().map(|(_, value)| value).collect();
    params.push(id.into());
    params.push(expected_version.into());
    let rows = tx
        .fetch_all(&sql, &params)
        .await
        .map_err(write_error::<R>)?;
    match rows.first() {
        Some(row) => R::from_row(row),
        None => Err(missing_or_stale::<R>(tx, id).await),
    }
}

/// Deletes a record at `expected_version`; one that others still refer to is refused.
pub(crate) async fn delete<R: Record>(
    tx: &mut dyn Tx,
    id: i64,
    expected_version: i64,
    in_use: &str,
) -> Result<(), StoreError> {
    let sql = format!("DELETE FROM {} WHERE id = $1 AND version = $2", R::TABLE);
    match tx
        .execute(&sql, &[id.into(), expected_version.into()])
        .await
    {
        Ok(1) => Ok(()),
        Ok(_) => Err(missing_or_stale::<R>(tx, id).await),
        Err(e) if e.kind == SqlErrorKind::ForeignKeyViolation => {
            Err(StoreError::Domain(DomainError::InUse {
                message: in_use.to_owned(),
            }))
        }
        Err(e) => Err(StoreError::Database(e)),
    }
}

async fn missing_or_stale<R: Record>(tx: &mut dyn Tx, id: i64) -> StoreError {
    match find::<R>(tx, id).await {
        Ok(Some(_)) => StoreError::Domain(DomainError::StaleVersion { kind: R::KIND }),
        Ok(None) => StoreError::Domain(DomainError::NotFound { kind: R::KIND }),
        Err(e) => e,
    }
}
