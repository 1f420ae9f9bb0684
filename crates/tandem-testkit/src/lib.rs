//! A fresh, migrated database for each test, on SQLite always and on
//! PostgreSQL when `TANDEM_TEST_POSTGRES_URL` names a server to create
//! throw-away databases on. Each database is dropped when its test ends,
//! whether the test passed or panicked.

use futures::FutureExt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use tandem_domain::access::{
    AccessScope, Action, Actor, Assignment, RecordKind, Role, Scope, UserId,
};
use tandem_domain::audit::Stamp;
use tandem_storage::Store;
use tandem_storage_postgres::PostgresBackend;
use tandem_storage_sqlite::SqliteBackend;

pub const POSTGRES_URL_VAR: &str = "TANDEM_TEST_POSTGRES_URL";

/// Who the tests act as in audit entries.
pub fn stamp() -> Stamp {
    Stamp {
        at: "2026-06-15T12:00:00Z"
            .parse()
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        actor_user_id: None,
        actor_username: "test".into(),
        actor_role: None,
        actor_scope: None,
        request_id: None,
        client_ip: None,
    }
}

/// An access scope over every record of `kind`, as a national holder of
/// every role would have.
pub fn everything(kind: RecordKind) -> AccessScope {
    let actor = Actor {
        user_id: UserId(0),
        username: "test".into(),
        assignments: [Role::Hr, Role::SystemAdministrator, Role::ServiceManager]
            .into_iter()
            .map(|role| Assignment {
                role,
                scope: Scope::National,
            })
            .collect(),
        break_glass: Vec::new(),
    };
    tandem_domain::access::list_scope(&actor, Action::View, kind)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestBackend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server to test against. Under CI it must be set, so that a
/// green run always means both backends were tested.
fn postgres_admin_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "{POSTGRES_URL_VAR} must be set under CI so the PostgreSQL tests run"
            );
            None
        }
    }
}

/// Direct SQL on a test database, behind the store's back: for tests that
/// play an attacker with database access.
pub struct RawSql {
    url: String,
}

impl RawSql {
    /// Runs statements separated by `;` in one batch.
    pub async fn execute(&self, sql: &str) -> Result<(), String> {
        use sqlx::{Connection, Executor};
        if self.url.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(&self.url)
                .await
                .map_err(|e| e.to_string())?;
            conn.execute(sqlx::AssertSqlSafe(sql.to_owned()))
                .await
                .map_err(|e| e.to_string())?;
        } else {
            let mut conn = sqlx::PgConnection::connect(&self.url)
                .await
                .map_err(|e| e.to_string())?;
            conn.execute(sqlx::AssertSqlSafe(sql.to_owned()))
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

/// Runs `test` against a new, migrated store on `backend`, then drops the
/// database. On PostgreSQL without a configured server the test is skipped
/// with a note (never under CI, see [`postgres_admin_url`]).
pub async fn with_store<F, Fut>(backend: TestBackend, test: F)
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    with_store_and_sql(backend, |store, _| test(store)).await;
}

/// As [`with_store`], with direct SQL access to the same database too.
pub async fn with_store_and_sql<F, Fut>(backend: TestBackend, test: F)
where
    F: FnOnce(Store, RawSql) -> Fut,
    Fut: Future<Output = ()>,
{
    match backend {
        TestBackend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            let store = Store::new(Arc::new(
                SqliteBackend::connect(&url).await.expect("open SQLite"),
            ));
            store.migrate().await.expect("migrate SQLite");
            let raw = RawSql { url };
            let outcome = AssertUnwindSafe(test(store.clone(), raw))
                .catch_unwind()
                .await;
            store.close().await;
            drop(dir);
            if let Err(panic) = outcome {
                std::panic::resume_unwind(panic);
            }
        }
        TestBackend::Postgres => {
            let Some(admin_url) = postgres_admin_url() else {
                eprintln!("skipped on PostgreSQL: {POSTGRES_URL_VAR} is not set");
                return;
            };
            let database = PostgresDatabase::create(&admin_url).await;
            let store = Store::new(Arc::new(
                PostgresBackend::connect(&database.url)
                    .await
                    .expect("connect to the test database"),
            ));
            store.migrate().await.expect("migrate PostgreSQL");
            let raw = RawSql {
                url: database.url.clone(),
            };
            let outcome = AssertUnwindSafe(test(store.clone(), raw))
                .catch_unwind()
                .await;
            store.close().await;
            database.drop_database().await;
            if let Err(panic) = outcome {
                std::panic::resume_unwind(panic);
            }
        }
    }
}

/// A throw-away database on the test server.
struct PostgresDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl PostgresDatabase {
    async fn create(admin_url: &str) -> Self {
        let name = format!("tandem_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = admin_connection(admin_url).await;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        let mut url = url::Url::parse(admin_url).expect("a valid PostgreSQL URL");
        url.set_path(&name);
        Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.to_string(),
        }
    }

    async fn drop_database(self) {
        let mut admin = admin_connection(&self.admin_url).await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut admin)
        .await
        .expect("drop the test database");
    }
}

async fn admin_connection(url: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(url).await.unwrap_or_else(|e| {
        panic!("cannot reach the PostgreSQL test server ({POSTGRES_URL_VAR}): {e}")
    })
}

/// Declares each listed `async fn name(store: Store)` as a test on both
/// backends: `sqlite::name` and `postgres::name`. With `with_sql:` first,
/// the functions take `(store: Store, sql: RawSql)`.
#[macro_export]
macro_rules! on_both_backends {
    (with_sql: $($name:ident),* $(,)?) => {
        $crate::on_both_backends!(@each with_store_and_sql; $($name),*);
    };
    ($($name:ident),* $(,)?) => {
        $crate::on_both_backends!(@each with_store; $($name),*);
    };
    (@each $runner:ident; $($name:ident),*) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    $crate::$runner($crate::TestBackend::Sqlite, super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    $crate::$runner($crate::TestBackend::Postgres, super::$name).await;
                }
            )*
        }
    };
}

/// Every file in an XLSX workbook (a zip archive), as one text, so a test
/// can look for what a workbook must or must not hold.
pub fn workbook_text(bytes: &[u8]) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    let mut all = String::new();
    for i in 0..archive.len() {
        archive
            .by_index(i)
            .expect("an entry")
            .read_to_string(&mut all)
            .expect("text");
    }
    all
}
