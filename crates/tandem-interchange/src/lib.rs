//! Case data files: the tables of `tandem_domain::interchange` written as
//! CSV or as an Excel workbook, and read back from CSV.
//!
//! What goes in each cell is the domain's business ([`Record::cells`]);
//! this crate only encodes. It is shared by the `tandem` command and the
//! download on the case pages, so both write the same bytes.
//!
//! A CSV cell that a spreadsheet would run as a formula (starting with `=`,
//! `+`, `-`, `@`, a tab or a carriage return) is written with a leading `'`,
//! as OWASP advises against formula injection; a cell that already starts
//! with `'` gets one more. Reading removes exactly one, so text goes round
//! unchanged. Workbook cells are typed as text and need no such guard.

// Library code reports failures as errors; a panic could be reached from a request.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::io::Read;
use tandem_domain::choice::Choice;
use tandem_domain::interchange::{Format, Problem, Record, SourceRow, Table, check_header};

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot write the CSV file: {0}")]
    Csv(String),
    #[error("cannot write the workbook: {0}")]
    Xlsx(String),
}

/// Writes `records` (all of `table`) in `format`.
pub fn write(format: Format, table: Table, records: &[Record]) -> Result<Vec<u8>, FileError> {
    write_rows(
        format,
        table.label(),
        table.columns(),
        records.iter().map(Record::cells),
    )
}

fn starts_a_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\''])
}

/// A cell as written to CSV.
fn guarded(cell: &str) -> std::borrow::Cow<'_, str> {
    if starts_a_formula(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// A cell as read from CSV: the guard, if any, removed.
fn unguarded(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_a_formula(rest) => rest,
        _ => cell,
    }
}

pub fn write_csv(table: Table, records: &[Record]) -> Result<Vec<u8>, FileError> {
    write(Format::Csv, table, records)
}

/// Writes any table of text cells in `format`: a header row, then `rows`.
/// `sheet` names the workbook's one sheet.
pub fn write_rows<R: AsRef<[String]>>(
    format: Format,
    sheet: &str,
    header: &[&str],
    rows: impl Iterator<Item = R>,
) -> Result<Vec<u8>, FileError> {
    match format {
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(Vec::new());
            let error = |e: csv::Error| FileError::Csv(e.to_string());
            writer.write_record(header).map_err(error)?;
            for row in rows {
                writer
                    .write_record(row.as_ref().iter().map(|c| guarded(c).into_owned()))
                    .map_err(error)?;
            }
            writer
                .into_inner()
                .map_err(|e| FileError::Csv(e.to_string()))
        }
        Format::Xlsx => {
            use rust_xlsxwriter::{Format as CellFormat, Workbook};
            let error = |e: rust_xlsxwriter::XlsxError| FileError::Xlsx(e.to_string());
            let mut workbook = Workbook::new();
            let worksheet = workbook.add_worksheet();
            worksheet.set_name(sheet).map_err(error)?;
            let bold = CellFormat::new().set_bold();
            for (col, name) in (0u16..).zip(header) {
                worksheet
                    .write_string_with_format(0, col, *name, &bold)
                    .map_err(error)?;
                worksheet.set_column_width(col, 16).map_err(error)?;
            }
            worksheet.set_freeze_panes(1, 0).map_err(error)?;
            for (row, cells) in (1u32..).zip(rows) {
                for (col, cell) in (0u16..).zip(cells.as_ref()) {
                    if !cell.is_empty() {
                        worksheet.write_string(row, col, cell).map_err(error)?;
                    }
                }
            }
            workbook.save_to_buffer().map_err(error)
        }
    }
}

/// Reads a CSV file of `table`: its header must name every column once (in
/// any order). Every problem found is returned, not just the first.
pub fn read_csv(table: Table, input: impl Read) -> Result<Vec<SourceRow>, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let problem = |line: u64, column: &str, message: String| Problem {
        table,
        line,
        column: column.to_owned(),
        message,
    };
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        None => return Err(vec![problem(1, "header", "The file is empty".into())]),
        Some(Err(e)) => return Err(vec![problem(1, "header", reason(&e))]),
        Some(Ok(h)) => h
            .iter()
            .enumerate()
            // A spreadsheet may start the file with a byte-order mark.
            .map(|(i, c)| {
                if i == 0 {
                    c.trim_start_matches('\u{feff}')
                } else {
                    c
                }
                .to_owned()
            })
            .collect(),
    };
    let positions = check_header(table, &header).map_err(|p| vec![p])?;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (index, record) in records.enumerate() {
        // Lines as a person counts them in the file: the header is line 1.
        let fallback = index as u64 + 2;
        match record {
            Err(e) => {
                let line = e.position().map_or(fallback, |p| p.line());
                problems.push(problem(line, "row", reason(&e)));
            }
            Ok(r) => {
                let line = r.position().map_or(fallback, |p| p.line());
                if r.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                if r.len() != header.len() {
                    problems.push(problem(
                        line,
                        "row",
                        format!(
                            "The row has {} cells but the header has {}",
                            r.len(),
                            header.len()
                        ),
                    ));
                    continue;
                }
                let cells: Vec<String> = r.iter().map(|c| unguarded(c).to_owned()).collect();
                rows.push(table.source_row(line, &positions, &cells));
            }
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

fn reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "The file must be saved as UTF-8 text".into(),
        _ => format!("The row cannot be read as CSV: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;
    use tandem_domain::casework::*;
    use tandem_domain::interchange::CaseKey;

    fn party(address: &str, confidential: bool) -> Record {
        Record::Party(
            CaseKey {
                court_code: "NCL".into(),
                case_number: "NE26P001".into(),
            },
            Party {
                id: 1,
                details: PartyInput {
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
                .expect("valid"),
                relationships: Vec::new(),
            },
        )
    }

    #[test]
    fn csv_goes_round_and_never_carries_a_confidential_address() {
        let records = [party("1 Open Street", false), party("2 Refuge Road", true)];
        let bytes = write_csv(Table::Parties, &records).expect("csv");
        let text = String::from_utf8(bytes.clone()).expect("utf-8");
        assert!(text.starts_with("court_code,case_number,role,"), "{text}");
        assert!(text.contains("1 Open Street"));
        assert!(!text.contains("Refuge"), "{text}");
        let rows = read_csv(Table::Parties, bytes.as_slice()).expect("read");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].get("address_confidential"), "yes");
        assert_eq!(rows[1].get("address"), "");
        assert_eq!(rows[1].get("postcode"), "");
        assert_eq!(rows[0].get("address"), "1 Open Street");
        assert_eq!((rows[0].line, rows[1].line), (2, 3));
    }

    #[test]
    fn bad_files_report_every_problem() {
        assert!(read_csv(Table::Hearings, "".as_bytes()).is_err());
        let wrong = "court_code,case_number,hearing_type\nNCL,X,final\n";
        let problems = read_csv(Table::Hearings, wrong.as_bytes()).expect_err("missing");
        assert_eq!(problems[0].line, 1);
        let short = "court_code,case_number,hearing_type,held_on,outcome,directions\n\
                     NCL,X,final,2026-04-01,,\nNCL,X\nNCL,Y,final,2026-04-02,,\nNCL,Z\n";
        let problems = read_csv(Table::Hearings, short.as_bytes()).expect_err("short rows");
        let lines: Vec<u64> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 5]);
        let bom = "\u{feff}court_code,case_number,hearing_type,held_on,outcome,directions\n\
                   NCL,X,final,2026-04-01,,\n\n";
        assert_eq!(
            read_csv(Table::Hearings, bom.as_bytes())
                .expect("bom")
                .len(),
            1
        );
        let latin1: &[u8] = b"court_code,case_number,hearing_type,held_on,outcome,directions\nNCL,X,final,2026-04-01,caf\xe9,\n";
        let problems = read_csv(Table::Hearings, latin1).expect_err("not utf-8");
        assert!(problems[0].message.contains("UTF-8"), "{:?}", problems);
    }

    #[test]
    fn workbooks_never_carry_a_confidential_address() {
        let records = [party("1 Open Street", false), party("2 Refuge Road", true)];
        let bytes = write(Format::Xlsx, Table::Parties, &records).expect("xlsx");
        let text = tandem_testkit::workbook_text(&bytes);
        assert!(text.contains("1 Open Street"), "the open address is there");
        assert!(text.contains("address_confidential"));
        assert!(!text.contains("Refuge"));
        assert!(!text.contains("2 Refuge Road"));
    }

    proptest! {
        /// Any text, formula-like or not, reads back as it was written.
        #[test]
        fn cells_go_round_unchanged(outcome in "['=+@\\-]{0,2}[ -~]{0,20}") {
            let record = Record::Hearing(
                CaseKey { court_code: "NCL".into(), case_number: "X".into() },
                Hearing {
                    id: 1,
                    details: HearingDraft {
                        kind: HearingKind::Final,
                        on: date(2026, 4, 1),
                        outcome: Some(outcome.clone()),
                        directions: None,
                    },
                },
            );
            let bytes = write_csv(Table::Hearings, std::slice::from_ref(&record)).expect("csv");
            // As a spreadsheet would see the cells: none starts a formula.
            for raw in csv::Reader::from_reader(bytes.as_slice()).records() {
                let raw = raw.expect("csv");
                for cell in raw.iter() {
                    prop_assert!(!cell.starts_with(['=', '+', '-', '@']), "{:?}", raw);
                }
            }
            let rows = read_csv(Table::Hearings, bytes.as_slice()).expect("read");
            prop_assert_eq!(rows[0].get("outcome"), outcome.as_str());
        }
    }
}
