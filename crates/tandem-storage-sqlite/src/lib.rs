//! The SQLite backend: an embedded database file, the default for one-command starts.
//!
//! SQLite allows one writer at a time. Writes go through a pool of exactly one
//! connection and start with `BEGIN IMMEDIATE`, so a writer waits its turn
//! (up to the busy timeout) rather than failing when it upgrades from reading
//! to writing. Reads use their own pool and, in WAL mode, never wait for writers.

// Library code reports failures as errors; a panic could be reached from a request.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use async_trait::async_trait;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Column, Row as _, Sqlite, TypeInfo, ValueRef};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tandem_storage::{
    Backend, BackendKind, Param, Row, SqlError, SqlErrorKind, Tx, Value, timestamp_text,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long a statement waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const READ_CONNECTIONS: u32 = 8;
/// The writer's page cache, in KiB (negative, as SQLite takes it): 128 MiB
/// rather than the default 2 MiB. Writes to the larger indexes (names,
/// rollup cells) land all over them; with the small cache each one read
/// its pages back from the operating system, and the national demo load
/// took a fifth longer (measured on two years of it: 35.6 s against 29.2 s).
const WRITER_CACHE: &str = "-131072";

pub struct SqliteBackend {
    reader: SqlitePool,
    writer: SqlitePool,
}

impl SqliteBackend {
    /// Opens (creating if missing) the database at a `sqlite://PATH` URL.
    pub async fn connect(url: &str) -> Result<Self, SqlError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| SqlError::new(SqlErrorKind::Other, format!("invalid SQLite URL: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone().pragma("cache_size", WRITER_CACHE))
            .await
            .map_err(map_error)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .connect_with(options.read_only(true))
            .await
            .map_err(map_error)?;
        Ok(Self { reader, writer })
    }
}

#[async_trait]
impl Backend for SqliteBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::Sqlite
    }

    async fn migrate(&self) -> Result<(), SqlError> {
        MIGRATOR
            .run(&self.writer)
            .await
            .map_err(|e| SqlError::new(SqlErrorKind::Other, format!("migration failed: {e}")))
    }

    async fn pending_migrations(&self) -> Result<Vec<String>, SqlError> {
        let mut conn = self.reader.acquire().await.map_err(map_error)?;
        let table: Option<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_optional(&mut *conn)
        .await
        .map_err(map_error)?;
        let applied: Vec<i64> = if table.is_some() {
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
        let tx = self.reader.begin().await.map_err(map_error)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    async fn write(&self) -> Result<Box<dyn Tx>, SqlError> {
        let tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(map_error)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

struct SqliteTx {
    tx: sqlx::Transaction<'static, Sqlite>,
}

fn bind<'q>(
    query: sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments>,
    param: &Param,
) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments> {
    match param {
        Param::Int(v) => query.bind(*v),
        Param::Float(v) => query.bind(*v),
        Param::Text(v) => query.bind(v.clone()),
        Param::Bool(v) => query.bind(*v),
        // SQLite has no date type: dates and times are stored as sortable ISO text.
        Param::Date(v) => query.bind(v.map(|d| d.to_string())),
        Param::Timestamp(v) => query.bind(v.map(timestamp_text)),
    }
}

fn decode_row(columns: &Arc<[String]>, row: &SqliteRow) -> Result<Row, SqlError> {
    let mut values = Vec::with_capacity(columns.len());
    for i in 0..columns.len() {
        let raw = row.try_get_raw(i).map_err(map_error)?;
        let value = if raw.is_null() {
            Value::Null
        } else {
            let type_name = raw.type_info().name().to_owned();
            match type_name.as_str() {
                "INTEGER" => Value::Int(row.try_get_unchecked::<i64, _>(i).map_err(map_error)?),
                "REAL" => Value::Float(row.try_get_unchecked::<f64, _>(i).map_err(map_error)?),
                "TEXT" => Value::Text(row.try_get_unchecked::<String, _>(i).map_err(map_error)?),
                other => {
                    return Err(SqlError::decode(format!(
                        "column {}: unsupported SQLite type {other}",
                        columns[i]
                    )));
                }
            }
        };
        values.push(value);
    }
    Ok(Row::new(columns.clone(), values))
}

#[async_trait]
impl Tx for SqliteTx {
    async fn execute(&mut self, sql: &str, params: &[Param]) -> Result<u64, SqlError> {
        let sql = positional(sql);
        let query = params
            .iter()
            .fold(sqlx::query(AssertSqlSafe(sql.as_ref())), |q, p| bind(q, p));
        let done = query.execute(&mut *self.tx).await.map_err(map_error)?;
        Ok(done.rows_affected())
    }

    async fn fetch_all(&mut self, sql: &str, params: &[Param]) -> Result<Vec<Row>, SqlError> {
        let sql = positional(sql);
        let query = params
            .iter()
            .fold(sqlx::query(AssertSqlSafe(sql.as_ref())), |q, p| bind(q, p));
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

/// `sql` with `$1, $2, …` written as plain `?` when they appear in that
/// order, each once, which means the same. SQLite looks up each named
/// parameter by walking the statement's list of names, so binding a
/// statement with n of them costs n²: a multi-row insert of a few thousand
/// values spends most of its time there. Anything else is left as it is.
fn positional(sql: &str) -> std::borrow::Cow<'_, str> {
    let mut out = String::with_capacity(sql.len());
    let mut next = 1_u64;
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '$') => {
                // Read in place: a bulk insert has thousands of these.
                let mut number: Option<u64> = None;
                while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    number = Some(
                        number
                            .unwrap_or(0)
                            .saturating_mul(10)
                            .saturating_add(u64::from(d)),
                    );
                    chars.next();
                }
                if number != Some(next) {
                    return std::borrow::Cow::Borrowed(sql);
                }
                next += 1;
                out.push('?');
                continue;
            }
            (None, _) => {}
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

/// Translates SQLite's errors into the kinds both backends share. SQLite
/// names a violated unique constraint only in its message:
/// `UNIQUE constraint failed: regions.code`.
fn map_error(error: sqlx::Error) -> SqlError {
    match &error {
        sqlx::Error::Database(db) => {
            let message = db.message().to_owned();
            let kind = match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    let spec = message.rsplit(": ").next().unwrap_or_default();
                    let mut table = String::new();
                    let columns = spec
                        .split(", ")
                        .filter_map(|qualified| qualified.split_once('.'))
                        .map(|(t, column)| {
                            table = t.to_owned();
                            column.to_owned()
                        })
                        .collect();
                    SqlErrorKind::UniqueViolation { table, columns }
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => SqlErrorKind::ForeignKeyViolation,
                sqlx::error::ErrorKind::CheckViolation
                | sqlx::error::ErrorKind::NotNullViolation => SqlErrorKind::CheckViolation,
                _ if message.contains("database is locked") => SqlErrorKind::Unavailable,
                _ => SqlErrorKind::Other,
            };
            SqlError::new(kind, message)
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
            SqlError::new(SqlErrorKind::Unavailable, error.to_string())
        }
        _ => SqlError::new(SqlErrorKind::Other, error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::positional;

    #[test]
    fn placeholders_in_order_become_plain_question_marks() {
        assert_eq!(
            positional("INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
        assert_eq!(
            positional("SELECT '$9' AS x FROM t WHERE a = $1"),
            "SELECT '$9' AS x FROM t WHERE a = ?"
        );
    }

    #[test]
    fn placeholders_out_of_order_or_repeated_are_left_alone() {
        for sql in [
            "SELECT * FROM t WHERE a = $2 AND b = $1",
            "SELECT * FROM t WHERE a = $1 OR b = $1",
            "SELECT * FROM t WHERE a = $1 AND b = $3",
        ] {
            assert_eq!(positional(sql), sql);
        }
    }
}
