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
use tandem_domain::access::{RecordKind, operator_scope};
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
    /// cases, children, parties, applications, hearings, work_items, allocations or outcomes
    #[arg(long)]
    table: String,
    /// The CSV file, with the export's header; standard input if absent.
    #[arg(long)]
    file: Option<PathBuf>,
    /// With --table cases: the children of those cases (a children file),
    /// since a case is never opened without a child.
    #[arg(long)]
    children: Option<PathBuf>,
    /// With --table cases: the outcomes of those cases' children (an
    /// outcomes file), needed for closed cases.
    #[arg(long)]
    outcomes: Option<PathBuf>,
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
    let mut entry = stamp.entry(
        "export",
        Outcome::Allowed,
        None,
        Some(export_summary(table, format, &period, rows.len())),
    );
    // Many cases, no one record: the kind is named, as for a list.
    entry.record_type = Some(RecordKind::Case.name().to_owned());
    store.audit(&entry).await?;
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
    if table != Table::Cases && args.outcomes.is_some() {
        bail!("--outcomes goes with --table cases only");
    }
    let name = |t: Table| -> String {
        let path = match (table, t) {
            (Table::Cases, Table::Children) => args.children.as_deref(),
            (Table::Cases, Table::Outcomes) => args.outcomes.as_deref(),
            _ => args.file.as_deref(),
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
    let outcomes = match &args.outcomes {
        Some(path) => read(Table::Outcomes, Some(path), stdin)?,
        None => Ok(Vec::new()),
    };
    let (rows, children, outcomes) = match (rows, children, outcomes) {
        (Ok(rows), Ok(children), Ok(outcomes)) => (rows, children, outcomes),
        (rows, children, outcomes) => {
            let problems: Vec<Problem> = [rows.err(), children.err(), outcomes.err()]
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
        .import(
            table,
            &rows,
            &children,
            &outcomes,
            today,
            &stamp,
            &mut progress,
        )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::Database;
    use tandem_domain::casework::*;
    use tandem_domain::organisation::{Court, Team};
    use tandem_storage::AuditFilter;
    use tandem_testkit::{TestBackend, with_store};

    const TODAY: jiff::civil::Date = jiff::civil::date(2026, 9, 1);

    fn db() -> Database {
        Database { database_url: None }
    }

    fn export_args(table: &str, format: &str, out: Option<PathBuf>) -> ExportArgs {
        ExportArgs {
            table: table.into(),
            format: format.into(),
            out,
            from: None,
            to: None,
            db: db(),
        }
    }

    fn import_args(table: &str, file: &Path, children: Option<&Path>) -> ImportArgs {
        ImportArgs {
            table: table.into(),
            file: Some(file.to_owned()),
            children: children.map(Path::to_owned),
            outcomes: None,
            db: db(),
        }
    }

    async fn the_commands_export_import_and_audit(store: Store) {
        tandem_demo::load(&store, 2026, &command_line_stamp())
            .await
            .expect("organisation");
        let team = store.list::<Team>().await.expect("teams")[0].clone();
        let court = store.list::<Court>().await.expect("courts")[0].clone();
        let dir = tempfile::tempdir().expect("dir");
        let path = |name: &str| dir.path().join(name);
        let write = |name: &str, text: String| std::fs::write(path(name), text).expect("write");
        write(
            "cases.csv",
            format!(
                "court_code,case_number,law_type,pathway,stage,application_type,harm_alleged,received_on,issued_on,closed_on,local_authority_code,team_code\n\
                 {},IM26P001,private,private-law,intake,child-arrangements,no,2026-03-02,,,,{}\n",
                court.code, team.code
            ),
        );
        write(
            "children.csv",
            format!(
                "court_code,case_number,given_name,family_name,date_of_birth,sex,ethnicity,disability,first_language,interpreter_needed,first_met_fca_on\n\
                 {},IM26P001,Ava,Rivers,2019-05-01,female,,,,,\n",
                court.code
            ),
        );
        let none: &mut dyn Read = &mut std::io::empty();
        let outcome = import(
            &store,
            import_args("cases", &path("cases.csv"), Some(&path("children.csv"))),
            none,
            TODAY,
        )
        .await
        .expect("imported");
        assert!(matches!(outcome, ImportOutcome::Imported { rows: 2, .. }));

        // A second case with a confidential address and an open one.
        let draft = CaseInput {
            case_number: "IM26P002".into(),
            court_id: Some(court.id.0),
            law_type: "private".into(),
            application_type: "child-arrangements".into(),
            received_on: "2026-03-02".into(),
            team_id: Some(team.id.0),
            ..Default::default()
        }
        .validate(TODAY, &tandem_domain::casework::default_application_kinds())
        .expect("valid");
        let party = |address: &str, confidential: bool| {
            PartyInput {
                role: "respondent".into(),
                given_name: "Sam".into(),
                family_name: "Jones".into(),
                relationship: "Mother".into(),
                address: address.into(),
                postcode: "NE1 4XB".into(),
                address_confidential: confidential,
                ..Default::default()
            }
            .validate()
            .expect("valid")
        };
        let child = ChildInput {
            given_name: "Ben".into(),
            family_name: "Jones".into(),
            date_of_birth: "2018-01-01".into(),
            ..Default::default()
        }
        .validate(jiff::civil::date(2026, 3, 2))
        .expect("valid");
        store
            .open_case(
                &draft,
                &[child],
                &[party("2 Refuge Road", true), party("1 Open Street", false)],
                &[],
                &command_line_stamp(),
            )
            .await
            .expect("open");

        let mut stdout = Vec::new();
        let rows = export(&store, export_args("parties", "csv", None), &mut stdout)
            .await
            .expect("csv");
        assert_eq!(rows, 2);
        let text = String::from_utf8(stdout).expect("utf-8");
        assert!(
            text.contains("1 Open Street") && !text.contains("Refuge"),
            "{text}"
        );
        let workbook = path("parties.xlsx");
        export(
            &store,
            export_args("parties", "xlsx", Some(workbook.clone())),
            &mut Vec::new(),
        )
        .await
        .expect("xlsx");
        let sheets = tandem_testkit::workbook_text(&std::fs::read(&workbook).expect("read"));
        assert!(sheets.contains("1 Open Street") && !sheets.contains("Refuge"));

        // Both exports are in the audit trail: who, what, filter, how many.
        let exports: Vec<_> = store
            .audit_search(&AuditFilter {
                record_type: Some("case".into()),
                limit: 100,
                ..Default::default()
            })
            .await
            .expect("audit")
            .into_iter()
            .filter(|e| e.entry.action == "export")
            .collect();
        assert_eq!(exports.len(), 2);
        for e in &exports {
            assert!(e.entry.actor_username.starts_with("command-line:"));
            let reason = e.entry.reason.as_deref().unwrap_or_default();
            assert!(
                reason.contains("table parties")
                    && reason.contains("all dates")
                    && reason.contains("2 rows"),
                "{reason}"
            );
        }

        // A bad row: refused, reported, nothing written.
        write(
            "hearings.csv",
            format!(
                "court_code,case_number,hearing_type,held_on,outcome,directions\n\
                 {0},IM26P001,review,2026-05-01,,\n{0},IM26P001,trial,2026-05-01,,\n",
                court.code
            ),
        );
        let error = import(
            &store,
            import_args("hearings", &path("hearings.csv"), None),
            none,
            TODAY,
        )
        .await
        .expect_err("refused");
        assert_eq!(
            format!("{error}"),
            "1 row refused (1 problem); nothing was imported"
        );
        let mut out = Vec::new();
        export(&store, export_args("hearings", "csv", None), &mut out)
            .await
            .expect("csv");
        assert_eq!(
            String::from_utf8_lossy(&out).lines().count(),
            1,
            "header only"
        );

        // Misuse is refused with a plain message.
        for (args, message) in [
            (export_args("parties", "xlsx", None), "--out"),
            (export_args("staff", "csv", None), "Choose a table"),
            (export_args("cases", "pdf", None), "Choose a format"),
        ] {
            let error = export(&store, args, &mut Vec::new())
                .await
                .expect_err(message);
            assert!(format!("{error}").contains(message), "{error}");
        }
        for (args, message) in [
            (
                import_args("events", &path("hearings.csv"), None),
                "cannot be imported",
            ),
            (import_args("cases", &path("cases.csv"), None), "--children"),
            (
                import_args("parties", &path("cases.csv"), Some(&path("children.csv"))),
                "--children goes with",
            ),
            (
                import_args("hearings", &path("missing.csv"), None),
                "cannot open",
            ),
            (
                import_args("hearings", &path("cases.csv"), None),
                "could not be read",
            ),
        ] {
            let error = import(&store, args, none, TODAY).await.expect_err(message);
            assert!(format!("{error:#}").contains(message), "{error:#}");
        }
    }

    #[tokio::test]
    async fn sqlite_export_and_import() {
        with_store(TestBackend::Sqlite, the_commands_export_import_and_audit).await;
    }

    #[tokio::test]
    async fn postgres_export_and_import() {
        with_store(TestBackend::Postgres, the_commands_export_import_and_audit).await;
    }
}
