//! `tandem export` and `tandem import`: case data as CSV or XLSX files, in
//! the layout README's "Export and import" describes.
//!
//! The command line is an operator who holds the database, so an export
//! ranges over every case; it is audited as `command-line:<user>`, like
//! `tandem audit export`, before a byte is written.

use crate::admin::{Database, command_line_stamp, overrides};
use crate::config::Overrides;
use anyhow::{Context, bail};
use clap::Args;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use tandem_domain::access::operator_scope;
use tandem_domain::audit::Outcome;
use tandem_domain::choice::Choice;
use tandem_domain::interchange::{Format, Period, Problem, SourceRow, Table, export_summary};
use tandem_storage::{ImportOutcome, Store, StoreError};

#[derive(Args)]
pub struct ExportArgs {
    /// cases, children, parties, applications, hearings, work_items, events, allocations or outcomes
    #[arg(long)]
    table: String,
    /// csv or xlsx
    #[arg(long, default_value = "csv")]
    format: String,
    /// Where to write; standard output if absent (CSV only).
    #[arg(long)]
    out: Option<PathBuf>,
    /// First day, YYYY-MM-DD, of each row's own date (see README).
    #[arg(long)]
    from: Option<String>,
    /// Last day, YYYY-MM-DD, included.
    #[arg(long)]
    to: Option<String>,
    #[command(flatten)]
    db: Database,
}

#[derive(Args)]
pub struct ImportArgs {
    /// cases, children, parties, applications, hearings, work_items or allocations
    #[arg(long)]
    table: String,
    /// The CSV file, with the export's header; standard input if absent.
    #[arg(long)]
    file: Option<PathBuf>,
    /// With --table cases: the children of those cases (a children file),
    /// since a case is never opened without a child.
    #[arg(long)]
    children: Option<PathBuf>,
    #[command(flatten)]
    db: Database,
}

impl ExportArgs {
    pub fn overrides(&self) -> Overrides {
        overrides(&self.db)
    }
}

impl ImportArgs {
    pub fn overrides(&self) -> Overrides {
        overrides(&self.db)
    }
}

/// A domain refusal as one line.
fn refused(error: StoreError) -> anyhow::Error {
    match error {
        StoreError::Domain(e) => anyhow::anyhow!("{e}"),
        other => anyhow::Error::new(other),
    }
}

fn table(name: &str) -> anyhow::Result<Table> {
    Table::parse(name).map_err(anyhow::Error::msg)
}

/// Writes the table; `stdout` takes a CSV when there is no `--out`.
/// Returns the number of rows written.
pub async fn export(
    store: &Store,
    args: ExportArgs,
    stdout: &mut dyn Write,
) -> anyhow::Result<usize> {
    let table = table(&args.table)?;
    table.check_exportable().map_err(anyhow::Error::msg)?;
    let format = Format::parse(&args.format).map_err(anyhow::Error::msg)?;
    if format == Format::Xlsx && args.out.is_none() {
        bail!("a workbook is not written to the terminal: give --out PATH");
    }
    let period = Period::parse(
        args.from.as_deref().unwrap_or_default(),
        args.to.as_deref().unwrap_or_default(),
    )
    .map_err(anyhow::Error::msg)?;
    let rows = store
        .export(table, &period, &operator_scope())
        .await
        .map_err(refused)?;
    let bytes = tandem_interchange::write(format, table, &rows)?;
    // Audited before anything is written: if the entry cannot be made, no file.
    let stamp = command_line_stamp();
    store
        .audit(&stamp.entry(
            "export",
            Outcome::Allowed,
            Some(("case", String::new())),
            Some(export_summary(table, format, &period, rows.len())),
        ))
        .await?;
    let place = match &args.out {
        Some(path) => {
            std::fs::write(path, &bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            path.display().to_string()
        }
        None => {
            stdout.write_all(&bytes)?;
            stdout.flush()?;
            "standard output".to_owned()
        }
    };
    eprintln!(
        "Exported {} {} rows ({period}) to {place}. Confidential addresses are never included.",
        rows.len(),
        table.slug()
    );
    Ok(rows.len())
}

/// Reads one CSV file of `table`, from `path` or from `stdin`.
fn read(
    table: Table,
    path: Option<&Path>,
    stdin: &mut dyn Read,
) -> anyhow::Result<Result<Vec<SourceRow>, Vec<Problem>>> {
    Ok(match path {
        Some(path) => {
            let file = std::fs::File::open(path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            tandem_interchange::read_csv(table, std::io::BufReader::new(file))
        }
        None => tandem_interchange::read_csv(table, stdin),
    })
}

/// How often the import reports how far it has got.
const PROGRESS_EVERY: usize = 500;

/// Reads and imports one table's file, all or nothing, as of `today`.
/// Every problem is printed to standard error, by file and line.
pub async fn import(
    store: &Store,
    args: ImportArgs,
    stdin: &mut dyn Read,
    today: jiff::civil::Date,
) -> anyhow::Result<ImportOutcome> {
    let table = table(&args.table)?;
    table.check_importable().map_err(anyhow::Error::msg)?;
    match (table, &args.children) {
        (Table::Cases, None) => bail!(
            "cases are imported with their children, since a case is never without one: give --children PATH (a children file)"
        ),
        (Table::Cases, Some(_)) | (_, None) => {}
        (_, Some(_)) => bail!("--children goes with --table cases only"),
    }
    let name = |t: Table| -> String {
        let path = if t == Table::Children && table == Table::Cases {
            args.children.as_deref()
        } else {
            args.file.as_deref()
        };
        path.map_or_else(|| "standard input".to_owned(), |p| p.display().to_string())
    };
    let report = |problems: &[Problem]| {
        for p in problems {
            eprintln!(
                "{} line {}, {}: {}",
                name(p.table),
                p.line,
                p.column,
                p.message
            );
        }
    };
    let rows = read(table, args.file.as_deref(), stdin)?;
    let children = match &args.children {
        Some(path) => read(Table::Children, Some(path), stdin)?,
        None => Ok(Vec::new()),
    };
    let (rows, children) = match (rows, children) {
        (Ok(rows), Ok(children)) => (rows, children),
        (rows, children) => {
            let problems: Vec<Problem> = [rows.err(), children.err()]
                .into_iter()
                .flatten()
                .flatten()
                .collect();
            report(&problems);
            bail!(
                "{} could not be read; nothing was imported",
                plural(problems.len(), "problem")
            );
        }
    };
    let mut progress = |done: usize, total: usize| {
        if done.is_multiple_of(PROGRESS_EVERY) || done == total {
            eprint!("\rchecked {done} of {total} rows");
            if done == total {
                eprintln!();
            }
        }
    };
    let stamp = command_line_stamp();
    let outcome = store
        .import(table, &rows, &children, today, &stamp, &mut progress)
        .await
        .map_err(refused)?;
    match &outcome {
        ImportOutcome::Rejected(problems) => {
            report(problems);
            let lines: std::collections::BTreeSet<(Table, u64)> =
                problems.iter().map(|p| (p.table, p.line)).collect();
            bail!(
                "{} refused ({}); nothing was imported",
                plural(lines.len(), "row"),
                plural(problems.len(), "problem")
            );
        }
        ImportOutcome::Imported {
            rows,
            already_present,
            cases,
        } => {
            let already = if *already_present > 0 {
                format!(
                    ", {} already there with their case",
                    plural(*already_present, "lead application")
                )
            } else {
                String::new()
            };
            println!(
                "Imported {} into {}{already}.",
                plural(*rows, "row"),
                plural(*cases, "case")
            );
        }
    }
    Ok(outcome)
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
