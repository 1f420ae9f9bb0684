//! `tandem`: serve the service, load demo data, migrate, print configuration.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod admin;
mod bench;
mod config;
mod interchange;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use config::{Backend, Config, Overrides};
use std::path::PathBuf;
use std::sync::Arc;
use tandem_storage::Store;
use tandem_storage_postgres::PostgresBackend;
use tandem_storage_sqlite::SqliteBackend;

#[derive(Parser)]
#[command(
    name = "tandem",
    version,
    about = "Tandem: case management for a family court advisory service"
)]
struct Cli {
    /// A TOML configuration file (see `tandem print-config`).
    #[arg(long, global = true, env = "TANDEM_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Connection {
    /// The address to listen on, e.g. 127.0.0.1:8080 [env: TANDEM_BIND]
    #[arg(long)]
    bind: Option<String>,
    /// sqlite://PATH or postgres://USER@HOST/DATABASE [env: TANDEM_DATABASE_URL]
    #[arg(long)]
    database_url: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DemoScale {
    Small,
    National,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web service, creating and migrating the database if needed.
    Serve(Connection),
    /// Load the demo organisation and its people, then serve (unless --no-serve).
    Demo {
        #[command(flatten)]
        connection: Connection,
        /// Load the data and stop, without serving.
        #[arg(long)]
        no_serve: bool,
        /// The same seed always gives the same demo people and cases.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// small: a quick start (72 teams, about 1,700 open and closed
        /// cases); national: about 120 teams, 1,400 advisers and
        /// `--years` of casework at the service's real volume.
        #[arg(long, value_enum, default_value_t = DemoScale::Small)]
        scale: DemoScale,
        /// How many years of casework the national demo holds.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=15))]
        years: u16,
    },
    /// Bring the database schema up to date, then stop.
    Migrate {
        /// sqlite://PATH or postgres://USER@HOST/DATABASE [env: TANDEM_DATABASE_URL]
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Print a commented example configuration file.
    PrintConfig,
    /// Manage user accounts.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Check or export the audit trail.
    #[command(subcommand)]
    Audit(admin::AuditCommand),
    /// Time the measures, the dashboards and writes, against a plain-SQL baseline.
    Bench(bench::BenchArgs),
    /// Check or rebuild the measure rollups against the case records.
    #[command(subcommand)]
    Rollups(admin::RollupsCommand),
    /// Write one table of case data as CSV or XLSX (audited; confidential
    /// addresses are never included).
    Export(interchange::ExportArgs),
    /// Read one table of case data from CSV: every row is checked, and
    /// nothing is written unless all pass.
    Import(interchange::ImportArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("tandem: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One clear line: the whole chain of causes, no backtrace.
            eprintln!("tandem: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let overrides = |c: &Connection| Overrides {
        bind: c.bind.clone(),
        database_url: c.database_url.clone(),
    };
    match cli.command {
        Command::PrintConfig => {
            print!("{}", config::EXAMPLE);
            Ok(())
        }
        Command::User(command) => {
            let config = config::load(cli.config.as_deref(), &command.overrides())?;
            init_logging(&config);
            let store = open(&config).await?;
            let result = admin::user(&store, command, &mut std::io::stdin().lock()).await;
            store.close().await;
            result
        }
        Command::Audit(command) => {
            let config = config::load(cli.config.as_deref(), &command.overrides())?;
            init_logging(&config);
            let store = open(&config).await?;
            let result = admin::audit(&store, command).await;
            store.close().await;
            result
        }
        Command::Bench(args) => {
            let config = config::load(cli.config.as_deref(), &admin::overrides(&args.db))?;
            init_logging(&config);
            let store = open(&config).await?;
            let result = bench::bench(&store, args).await;
            store.close().await;
            result
        }
        Command::Rollups(command) => {
            let config = config::load(cli.config.as_deref(), &command.overrides())?;
            init_logging(&config);
            let store = open(&config).await?;
            let result = admin::rollups(&store, command).await;
            store.close().await;
            result
        }
        Command::Export(args) => {
            let config = config::load(cli.config.as_deref(), &args.overrides())?;
            init_logging(&config);
            let store = open(&config).await?;
            let result = interchange::export(&store, args, &mut std::io::stdout().lock()).await;
            store.close().await;
            result.map(|_| ())
        }
        Command::Import(args) => {
            let config = config::load(cli.config.as_deref(), &args.overrides())?;
            init_logging(&config);
            let store = open(&config).await?;
            let result = interchange::import(
                &store,
                args,
                &mut std::io::stdin().lock(),
                jiff::Zoned::now().date(),
            )
            .await;
            store.close().await;
            result.map(|_| ())
        }
        Command::Migrate { database_url } => {
            let config = config::load(
                cli.config.as_deref(),
                &Overrides {
                    database_url,
                    ..Default::default()
                },
            )?;
            init_logging(&config);
            let store = open(&config).await?;
            println!(
                "The database at {} is up to date ({} migrations).",
                config.database_url,
                store.migration_names().len()
            );
            store.close().await;
            Ok(())
        }
        Command::Serve(connection) => {
            let config = config::load(cli.config.as_deref(), &overrides(&connection))?;
            init_logging(&config);
            let store = open(&config).await?;
            serve(&config, store).await
        }
        Command::Demo {
            connection,
            no_serve,
            seed,
            scale,
            years,
        } => {
            let config = config::load(cli.config.as_deref(), &overrides(&connection))?;
            init_logging(&config);
            let store = open(&config).await?;
            let stamp = admin::command_line_stamp();
            if tandem_demo::already_loaded(&store).await? {
                println!(
                    "The demo organisation is already in {}.",
                    config.database_url
                );
            } else if scale == DemoScale::National {
                admin::national_demo(&store, seed, years, &stamp).await?;
            } else {
                let s = tandem_demo::load(&store, seed, &stamp).await?;
                let cases =
                    tandem_demo::load_cases(&store, seed, &stamp, jiff::Zoned::now().date())
                        .await?;
                println!(
                    "Loaded the demo organisation into {}: {} regions, {} service areas, {} teams, {} offices, {} staff, {} family courts, {} local authorities, {cases} cases.",
                    config.database_url,
                    s.regions,
                    s.service_areas,
                    s.teams,
                    s.offices,
                    s.staff,
                    s.courts,
                    s.local_authorities
                );
            }
            admin::demo_users(&store, &stamp).await?;
            if no_serve {
                store.close().await;
                Ok(())
            } else {
                serve(&config, store).await
            }
        }
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Opens the configured database and brings its schema up to date.
async fn open(config: &Config) -> anyhow::Result<Store> {
    let url = &config.database_url;
    let backend: Arc<dyn tandem_storage::Backend> = match url.backend()? {
        Backend::Sqlite => Arc::new(
            SqliteBackend::connect(url.expose())
                .await
                .with_context(|| format!("cannot open the database at {url}"))?,
        ),
        Backend::Postgres => Arc::new(
            PostgresBackend::connect(url.expose())
                .await
                .with_context(|| format!("cannot connect to the database at {url}"))?,
        ),
    };
    let store = Store::new(backend);
    store
        .migrate()
        .await
        .with_context(|| format!("cannot bring the database at {url} up to date"))?;
    Ok(store)
}

async fn serve(config: &Config, store: Store) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(&config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let app = tandem_web::router(tandem_web::AppState::new(store.clone(), config.web()))
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    println!("Tandem is running at http://{address}/ (press Ctrl+C to stop)");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the web server stopped unexpectedly")?;
    store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
