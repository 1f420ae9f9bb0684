//! The PostgreSQL backend, for deployments that outgrow one embedded file.

// Library code reports failures as errors; a panic could be reached from a request.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgDatabaseError, PgPool, PgPoolOptions, PgRow};
use sqlx::{AssertSqlSafe, Column, Postgres, Row as _, TypeInfo, ValueRef};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tandem_storage::{Backend, BackendKind, Param, Row, SqlError, SqlErrorKind, Tx, Value};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

const MAX_CONNECTIONS: u32 = 16;
/// How long to wait for a connection before reporting the database unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

pub struct PostgresBackend {
    pool: PgPool,
}

impl PostgresBackend {
    /// Connects to a `postgres://` URL. The database must already exist.
    pub async fn connect(url: &str) -> Result<Self, SqlError> {
        let options = PgConnectOptions::from_str(url).map_err(|e| {
            SqlError::new(SqlErrorKind::Other, format!("invalid PostgreSQL URL: {e}"))
        })?;
        // One direct connection first: a pool only reports "timed out",
        // while this names the real cause (refused, unknown host, bad password).
        {
            use sqlx::Connection;
            let probe = sqlx::PgConnection::connect_with(&options)
                .await
                .map_err(map_error)?;
            let _ = probe.close().await;
        }
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(map_error)?;
        Ok(Self { pool })
    }
}

#[async_trait]
impl Backend for PostgresBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Postgres
    }

    async fn migrate(&self) -> Result<(), SqlError> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| SqlError::new(SqlErrorKind::Other, format!("migration failed: {e}")))
    }

    async fn pending_migrations(&self) -> Result<Vec<String>, SqlError> {
        let mut conn = self.pool.acquire().await.map_err(map_error)?;
        let exists: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
            .fetch_one(&mut *conn)
            .await
            .map_err(map_error)?;
        let applied: Vec<i64> = if exists {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(&mut *conn)
                .await
                .map_err(map_error)?
        } else {
            Vec::new()
        };
        Ok(MIGRATOR
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .map(|m| format!("{:04}_{}", m.version, m.description))
            .collect())
    }

    fn migration_names(&self) -> Vec<String> {
        MIGRATOR
            .iter()
            .map(|m| format!("{:04}_{}", m.version, m.description))
            .collect()
    }

    async fn read(&self) -> Result<Box<dyn Tx>, SqlError> {
        // REPEATABLE READ gives several queries one consistent snapshot, as a
        // SQLite read transaction does.
        let tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(map_error)?;
        Ok(Box::new(PgTx { tx }))
    }

    async fn write(&self) -> Result<Box<dyn Tx>, SqlError> {
        let tx = self.pool.begin().await.map_err(map_error)?;
        Ok(Box::new(PgTx { tx }))
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

struct PgTx {
    tx: sqlx::Transaction<'static, Postgres>,
}

fn bind<'q>(
    query: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
    param: &Param,
) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    match param {
        Param::Int(v) => query.bind(*v),
        Param::Float(v) => query.bind(*v),
        Param::Text(v) => query.bind(v.clone()),
        Param::Bool(v) => query.bind(*v),
        Param::Date(v) => query.bind(v.map(jiff_sqlx::Date::from)),
        Param::Timestamp(v) => query.bind(v.map(jiff_sqlx::Timestamp::from)),
    }
}

fn decode_row(columns: &Arc<[String]>, row: &PgRow) -> Result<Row, SqlError> {
    let mut values = Vec::with_capacity(columns.len());
    for (i, column) in row.columns().iter().enumerate() {
        let raw = row.try_get_raw(i).map_err(map_error)?;
        let value = if raw.is_null() {
            Value::Null
        } else {
            match column.type_info().name() {
                "INT8" => Value::Int(row.try_get::<i64, _>(i).map_err(map_error)?),
                "INT4" => Value::Int(row.try_get::<i32, _>(i).map_err(map_error)?.into()),
                "INT2" => Value::Int(row.try_get::<i16, _>(i).map_err(map_error)?.into()),
                "FLOAT8" => Value::Float(row.try_get::<f64, _>(i).map_err(map_error)?),
                "FLOAT4" => Value::Float(row.try_get::<f32, _>(i).map_err(map_error)?.into()),
                "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => {
                    Value::Text(row.try_get::<String, _>(i).map_err(map_error)?)
                }
                "BOOL" => Value::Bool(row.try_get::<bool, _>(i).map_err(map_error)?),
                "DATE" => Value::Date(
                    row.try_get::<jiff_sqlx::Date, _>(i)
                        .map_err(map_error)?
                        .to_jiff(),
                ),
                "TIMESTAMPTZ" => Value::Timestamp(
                    row.try_get::<jiff_sqlx::Timestamp, _>(i)
                        .map_err(map_error)?
                        .to_jiff(),
                ),
                other => {
                    return Err(SqlError::decode(format!(
                        "column {}: unsupported PostgreSQL type {other}; cast it in the query",
                        column.name()
                    )));
                }
            }
        };
        values.push(value);
    }
    Ok(Row::new(columns.clone(), values))
}

#[async_trait]
impl Tx for PgTx {
    async fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64, SqlError> {
        let query = params
            .iter()
            .fold(sqlx::query(AssertSqlSafe(sql)), |q, p| bind(q, p));
        let done = query.execute(&mut *self.tx).await.map_err(map_error)?;
        Ok(done.rows_affected())
    }

    async fn fetch_all(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, SqlError> {
        let query = params
            .iter()
            .fold(sqlx::query(AssertSqlSafe(sql)), |q, p| bind(q, p));
        let rows = query.fetch_all(&mut *self.tx).await.map_err(map_error)?;
        let Some(first) = rows.first() else {
            return Ok(Vec::new());
        };
        let columns: Arc<[String]> = first
            .columns()
            .iter()
            .map(|c| c.name().to_owned())
            .collect();
        rows.iter().map(|row| decode_row(&columns, row)).collect()
    }

    async fn commit(self: Box<Self>) -> Result<(), SqlError> {
        self.tx.commit().await.map_err(map_error)
    }
}

/// Translates PostgreSQL's errors into the kinds both backends share. The
/// violated columns come from the error's detail, `Key (code)=(…) already
/// exists`; the values in it are dropped, so they never reach a log.
fn map_error(error: sqlx::Error) -> SqlError {
    match &error {
        sqlx::Error::Database(db) => {
            let kind = match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    let pg = db.try_downcast_ref::<PgDatabaseError>();
                    let table = pg.and_then(|e| e.table()).unwrap_or_default().to_owned();
                    let columns = pg
                        .and_then(|e| e.detail())
                        .and_then(|d| d.strip_prefix("Key ("))
                        .and_then(|d| d.split_once(")="))
                        .map(|(cols, _)| cols.split(", ").map(str::to_owned).collect())
                        .unwrap_or_default();
                    SqlErrorKind::UniqueViolation { table, columns }
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => SqlErrorKind::ForeignKeyViolation,
                sqlx::error::ErrorKind::CheckViolation
                | sqlx::error::ErrorKind::NotNullViolation => SqlErrorKind::CheckViolation,
                _ => SqlErrorKind::Other,
            };
            // The message names the constraint, never the values.
            SqlError::new(kind, db.message().to_owned())
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            SqlError::new(SqlErrorKind::Unavailable, error.to_string())
        }
        _ => SqlError::new(SqlErrorKind::Other, error.to_string()),
    }
}
