//! Case data as tables: what `tandem export` writes, what `tandem import`
//! reads, and what authorised people download from the case pages.
//!
//! Each table has fixed, documented columns (README, "Export and import").
//! Rows name their case by court code and court case number, never by an
//! internal id, so a file can be read into another database. Choices are
//! written as their codes, dates as ISO 8601, yes/no facts as `yes`/`no`.
//!
//! Adding a table is a change here: a variant of [`Table`], its columns and
//! its [`Record`] (with its cells), then its query in storage.
//!
//! A confidential address is never written to any file: [`Record::cells`]
//! leaves it blank, whoever asks.

use crate::casework::{
    Allocation, Application, ApplicationKind, Case, CaseEvent, Child, Hearing, Party, WorkItem,
};
use crate::child_experience::ChildOutcome;
use crate::choice::{self, Choice};
use crate::error::{DomainError, ValidationErrors};
use crate::text;
use jiff::Timestamp;
use jiff::civil::Date;
use std::fmt;

choice::choice!(
    /// A table of case data that can be exported (and most, imported).
    Table, "table", {
        Cases => ("cases", "Cases"),
        Children => ("children", "Children"),
        Parties => ("parties", "Adult parties"),
        Applications => ("applications", "Applications"),
        Hearings => ("hearings", "Hearings"),
        WorkItems => ("work_items", "Work for the court"),
        Events => ("events", "Case history"),
        Allocations => ("allocations", "Allocations"),
        Outcomes => ("outcomes", "Outcomes at closure"),
    }
);

choice::choice!(
    /// The kind of file written.
    Format, "format", {
        Csv => ("csv", "CSV (comma-separated values)"),
        Xlsx => ("xlsx", "Excel workbook (XLSX)"),
    }
);

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// Every row that belongs to a case starts with these two columns.
const CASE_KEY: [&str; 2] = ["court_code", "case_number"];

impl Table {
    /// The columns, in the order they are written.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Table::Cases => &[
                CASE_KEY[0],
                CASE_KEY[1],
                "law_type",
                "pathway",
                "stage",
                "application_type",
                "harm_alleged",
                "received_on",
                "issued_on",
                "closed_on",
                "local_authority_code",
                "team_code",
            ],
            Table::Children => &[
                CASE_KEY[0],
                CASE_KEY[1],
                "given_name",
                "family_name",
                "date_of_birth",
                "sex",
                "ethnicity",
                "disability",
                "first_language",
                "interpreter_needed",
                "first_met_fca_on",
            ],
            Table::Parties => &[
                CASE_KEY[0],
                CASE_KEY[1],
                "role",
                "given_name",
                "family_name",
                "relationship",
                "represented",
                "address_confidential",
                "address",
                "postcode",
            ],
            Table::Applications => &[
                CASE_KEY[0],
                CASE_KEY[1],
                "application_type",
                "lead",
                "harm_alleged",
                "received_on",
                "issued_on",
            ],
            Table::Hearings => &[
                CASE_KEY[0],
                CASE_KEY[1],
                "hearing_type",
                "held_on",
                "outcome",
                "directions",
            ],
            Table::WorkItems => &[
                CASE_KEY[0],
                CASE_KEY[1],
                "work_type",
                "due_on",
                "filed_on",
                "late_reason",
            ],
            Table::Events => &[
                CASE_KEY[0],
                CASE_KEY[1],
                "at",
                "actor",
                "kind",
                "from_stage",
                "to_stage",
                "reason",
            ],
            Table::Allocations => &[
                CASE_KEY[0],
                CASE_KEY[1],
                "staff_id",
                "staff_name",
                "allocated_on",
                "ended_on",
                "reason",
                "allocated_by",
            ],
            Table::Outcomes => &[
                CASE_KEY[0],
                CASE_KEY[1],
                "given_name",
                "family_name",
                "date_of_birth",
                "orders",
                "lives_with",
                "contact",
                "recorded_on",
            ],
        }
    }

    /// What `--from`/`--to` compare with, for the README and the form.
    pub fn dated_by(self) -> &'static str {
        match self {
            Table::Cases => "the date the case was received",
            Table::Children | Table::Parties | Table::Applications => {
                "the date their case was received"
            }
            Table::Hearings => "the hearing date",
            Table::WorkItems => "the due date",
            Table::Events => "the time of the event (UTC days)",
            Table::Allocations => "the date of the allocation",
            Table::Outcomes => "the date of the outcome",
        }
    }

    /// Whether a file of this table can be read in.
    pub fn check_importable(self) -> Result<(), DomainError> {
        match self {
            Table::Events => Err(DomainError::invalid(
                "table",
                "The case history cannot be imported: it is Tandem's own append-only record of who did what and when, \
                 so a file must not be able to write it. Each imported case gets an \"Imported\" entry instead",
            )),
            _ => Ok(()),
        }
    }

    /// The file's name for a download.
    pub fn file_name(self, format: Format) -> String {
        format!("tandem-{}.{}", self.slug().replace('_', "-"), format.slug())
    }

    /// The README's line for this table's columns, kept true by a test.
    pub fn documented_columns(self) -> String {
        let names: Vec<String> = self.columns().iter().map(|c| format!("`{c}`")).collect();
        format!("`{}`: {}", self.slug(), names.join(", "))
    }

    /// The column a domain rule's field is shown against.
    fn column_for(self, field: &str) -> String {
        let renamed = match (self, field) {
            (_, "court_id") => "court_code",
            (_, "team_id") => "team_code",
            (_, "local_authority_id") => "local_authority_code",
            (Table::Hearings, "kind") => "hearing_type",
            (Table::Hearings, "on") => "held_on",
            (Table::WorkItems, "kind") => "work_type",
            (_, other) => other,
        };
        if self.columns().contains(&renamed) {
            renamed.to_owned()
        } else {
            // A rule about the row as a whole (say, "Add at least one
            // child") is shown against the case it belongs to.
            CASE_KEY[1].to_owned()
        }
    }
}

// --------------------------------------------------------------- periods

/// The `--from`/`--to` filter: both days included, either open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl Period {
    pub fn parse(from: &str, to: &str) -> Result<Self, DomainError> {
        let mut errors = ValidationErrors::new();
        let from = errors.check("from", text::optional_date(from, "from date"));
        let to = errors.check("to", text::optional_date(to, "to date"));
        if let (Some(Some(a)), Some(Some(b))) = (from, to)
            && b < a
        {
            errors.add("to", "The to date must be on or after the from date");
        }
        match (from, to) {
            (Some(from), Some(to)) if errors.is_empty() => Ok(Self { from, to }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }

    /// The same days as UTC instants: from the start of `from` to the start
    /// of the day after `to`, for timestamps.
    pub fn instants(&self) -> (Option<Timestamp>, Option<Timestamp>) {
        let start = |d: Date| {
            d.to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp())
        };
        (
            self.from.and_then(start),
            self.to.and_then(|d| d.tomorrow().ok()).and_then(start),
        )
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.from, self.to) {
            (None, None) => f.write_str("all dates"),
            (Some(a), None) => write!(f, "from {a}"),
            (None, Some(b)) => write!(f, "to {b}"),
            (Some(a), Some(b)) => write!(f, "{a} to {b}"),
        }
    }
}

/// What an export's audit entry says: the table, the filter and the count,
/// never the values.
pub fn export_summary(table: Table, format: Format, period: &Period, rows: usize) -> String {
    format!(
        "table {}, {}, {period}, {rows} rows",
        table.slug(),
        format.slug()
    )
}

// ---------------------------------------------------------------- export

/// A case as a court knows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseKey {
    pub court_code: String,
    pub case_number: String,
}

impl fmt::Display for CaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.case_number, self.court_code)
    }
}

/// A case as exported: the case, its lead application and its places by code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseLine {
    pub case: Case,
    pub application_type: ApplicationKind,
    pub harm_alleged: bool,
    pub local_authority_code: Option<String>,
    pub team_code: String,
}

/// One row of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Case(CaseKey, Box<CaseLine>),
    Child(CaseKey, Child),
    Party(CaseKey, Party),
    Application(CaseKey, Application),
    Hearing(CaseKey, Hearing),
    WorkItem(CaseKey, WorkItem),
    Event(CaseKey, CaseEvent),
    Allocation(CaseKey, Allocation),
    /// A child whose outcome is recorded.
    Outcome(CaseKey, Child),
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

fn day(value: Option<Date>) -> String {
    value.map(|d| d.to_string()).unwrap_or_default()
}

fn text_or_blank(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

impl Record {
    pub fn table(&self) -> Table {
        match self {
            Record::Case(..) => Table::Cases,
            Record::Child(..) => Table::Children,
            Record::Party(..) => Table::Parties,
            Record::Application(..) => Table::Applications,
            Record::Hearing(..) => Table::Hearings,
            Record::WorkItem(..) => Table::WorkItems,
            Record::Event(..) => Table::Events,
            Record::Allocation(..) => Table::Allocations,
            Record::Outcome(..) => Table::Outcomes,
        }
    }

    /// The row's cells, in [`Table::columns`] order.
    pub fn cells(&self) -> Vec<String> {
        let (key, rest) = match self {
            Record::Case(key, line) => {
                let c = &line.case;
                (
                    key,
                    vec![
                        c.law_type.slug().to_owned(),
                        c.pathway.code.to_owned(),
                        c.stage.to_owned(),
                        line.application_type.code.to_owned(),
                        yes_no(line.harm_alleged),
                        c.received_on.to_string(),
                        day(c.issued_on),
                        day(c.closed_on),
                        text_or_blank(line.local_authority_code.as_deref()),
                        line.team_code.clone(),
                    ],
                )
            }
            Record::Child(key, child) => {
                let d = &child.details;
                (
                    key,
                    vec![
                        d.given_name.clone(),
                        d.family_name.clone(),
                        d.date_of_birth.to_string(),
                        d.sex.slug().to_owned(),
                        d.ethnicity.slug().to_owned(),
                        d.disability.slug().to_owned(),
                        text_or_blank(d.first_language.as_deref()),
                        d.interpreter_needed.slug().to_owned(),
                        day(child.experience.first_met_fca_on),
                    ],
                )
            }
            Record::Party(key, party) => {
                let d = &party.details;
                // Never written, for anyone: the address and its postcode.
                let (address, postcode) = if d.address_confidential {
                    (String::new(), String::new())
                } else {
                    (
                        text_or_blank(d.address.as_deref()),
                        text_or_blank(d.postcode.as_deref()),
                    )
                };
                (
                    key,
                    vec![
                        d.role.slug().to_owned(),
                        d.given_name.clone(),
                        d.family_name.clone(),
                        d.relationship.clone(),
                        yes_no(d.represented),
                        yes_no(d.address_confidential),
                        address,
                        postcode,
                    ],
                )
            }
            Record::Application(key, a) => (
                key,
                vec![
                    a.kind.code.to_owned(),
                    yes_no(a.lead),
                    yes_no(a.harm_alleged),
                    a.received_on.to_string(),
                    day(a.issued_on),
                ],
            ),
            Record::Hearing(key, h) => (
                key,
                vec![
                    h.details.kind.slug().to_owned(),
                    h.details.on.to_string(),
                    text_or_blank(h.details.outcome.as_deref()),
                    text_or_blank(h.details.directions.as_deref()),
                ],
            ),
            Record::WorkItem(key, w) => (
                key,
                vec![
                    w.kind.slug().to_owned(),
                    w.due_on.to_string(),
                    day(w.filed_on),
                    text_or_blank(w.late_reason.as_deref()),
                ],
            ),
            Record::Event(key, e) => (
                key,
                vec![
                    e.at.to_string(),
                    e.actor.clone(),
                    e.kind.clone(),
                    text_or_blank(e.from_stage.as_deref()),
                    text_or_blank(e.to_stage.as_deref()),
                    text_or_blank(e.reason.as_deref()),
                ],
            ),
            Record::Allocation(key, a) => (
                key,
                vec![
                    a.staff_id.0.to_string(),
                    a.staff_name.clone(),
                    a.allocated_on.to_string(),
                    day(a.ended_on),
                    text_or_blank(a.reason.as_deref()),
                    a.allocated_by.clone(),
                ],
            ),
            Record::Outcome(key, child) => {
                let d = &child.details;
                let o = child.outcome.as_ref();
                (
                    key,
                    vec![
                        d.given_name.clone(),
                        d.family_name.clone(),
                        d.date_of_birth.to_string(),
                        o.map(ChildOutcome::order_codes).unwrap_or_default(),
                        o.map(|o| o.lives_with.slug())
                            .unwrap_or_default()
                            .to_owned(),
                        text_or_blank(o.and_then(|o| o.contact.as_deref())),
                        day(o.map(|o| o.recorded_on)),
                    ],
                )
            }
        };
        let mut cells = vec![key.court_code.clone(), key.case_number.clone()];
        cells.extend(rest);
        cells
    }
}

// ---------------------------------------------------------------- import

/// One problem with one row of an imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The table whose file it is in.
    pub table: Table,
    /// The line in the file (the header is line 1).
    pub line: u64,
    pub column: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} line {}, {}: {}",
            self.table.slug(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// One data row of an imported file, its cells in [`Table::columns`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    pub table: Table,
    pub line: u64,
    cells: Vec<String>,
}

impl SourceRow {
    /// The cell under `column`; blank for a column the table does not have.
    pub fn get(&self, column: &str) -> &str {
        self.table
            .columns()
            .iter()
            .position(|c| *c == column)
            .and_then(|i| self.cells.get(i))
            .map(String::as_str)
            .unwrap_or_default()
    }

    pub fn key(&self) -> CaseKey {
        CaseKey {
            court_code: self.get(CASE_KEY[0]).trim().to_ascii_uppercase(),
            // The same normalisation as the case form, so keys match.
            case_number: crate::casework::case_number(self.get(CASE_KEY[1]))
                .unwrap_or_else(|_| self.get(CASE_KEY[1]).trim().to_owned()),
        }
    }

    /// A yes/no cell.
    pub fn yes_no(&self, column: &str) -> Result<bool, String> {
        match self.get(column).trim().to_ascii_lowercase().as_str() {
            "yes" => Ok(true),
            "no" => Ok(false),
            _ => Err(format!("Write {column} as yes or no")),
        }
    }

    /// A problem with this row at `column`.
    pub fn problem(&self, column: &str, message: impl Into<String>) -> Problem {
        Problem {
            table: self.table,
            line: self.line,
            column: column.to_owned(),
            message: message.into(),
        }
    }

    /// A domain refusal of this row, each field against its column.
    pub fn problems(&self, error: &DomainError) -> Vec<Problem> {
        let column = |field: &str| self.table.column_for(field);
        match error {
            DomainError::Invalid(errors) => errors
                .fields()
                .iter()
                .map(|e| self.problem(&column(&e.field), e.message.clone()))
                .collect(),
            DomainError::Duplicate { field, message } => {
                vec![self.problem(&column(field), message.clone())]
            }
            other => vec![self.problem(CASE_KEY[1], other.to_string())],
        }
    }
}

/// Matches a file's header to the table: every column, once, and nothing
/// else, in any order. Returns where each table column sits in the file.
pub fn check_header(table: Table, header: &[String]) -> Result<Vec<usize>, Problem> {
    let problem = |message: String| Problem {
        table,
        line: 1,
        column: "header".into(),
        message,
    };
    let mut positions = Vec::with_capacity(table.columns().len());
    for column in table.columns() {
        let found: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.trim() == *column)
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [one] => positions.push(*one),
            [] => return Err(problem(format!("The {column} column is missing"))),
            _ => {
                return Err(problem(format!(
                    "The {column} column appears more than once"
                )));
            }
        }
    }
    if let Some(unknown) = header.iter().find(|h| !table.columns().contains(&h.trim())) {
        return Err(problem(format!(
            "{} is not a column of the {} table, which has: {}",
            unknown.trim(),
            table.slug(),
            table.columns().join(", ")
        )));
    }
    Ok(positions)
}

impl Table {
    /// A data row, its cells taken from the file's positions (from [`check_header`]).
    pub fn source_row(self, line: u64, positions: &[usize], record: &[String]) -> SourceRow {
        SourceRow {
            table: self,
            line,
            cells: positions
                .iter()
                .map(|&i| record.get(i).cloned().unwrap_or_default())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::*;
    use crate::organisation::{CourtId, StaffId, TeamId};
    use jiff::civil::date;

    fn key() -> CaseKey {
        CaseKey {
            court_code: "NCL".into(),
            case_number: "NE26P001".into(),
        }
    }

    fn party(confidential: bool) -> Record {
        Record::Party(
            key(),
            Party {
                id: 1,
                details: PartyDraft {
                    role: PartyRole::Respondent,
                    given_name: "Sam".into(),
                    family_name: "Jones".into(),
                    relationship: "Mother".into(),
                    represented: true,
                    address: Some("1 Refuge Road".into()),
                    postcode: Some("NE1 4XB".into()),
                    address_confidential: confidential,
                },
                relationships: Vec::new(),
            },
        )
    }

    fn every_record() -> Vec<Record> {
        let case = Case {
            id: CaseId(1),
            case_number: "NE26P001".into(),
            court_id: CourtId(1),
            law_type: LawType::Private,
            pathway: &PRIVATE_LAW,
            stage: "allocated",
            received_on: date(2026, 3, 2),
            issued_on: Some(date(2026, 2, 27)),
            local_authority_id: None,
            team_id: TeamId(1),
            allocated_to: Some(StaffId(5)),
            closed_on: None,
            version: 3,
        };
        let kinds = crate::casework::default_application_kinds();
        let kind = application_kind(&kinds, "child-arrangements")
            .expect("kind")
            .clone();
        vec![
            Record::Case(
                key(),
                Box::new(CaseLine {
                    case,
                    application_type: kind.clone(),
                    harm_alleged: true,
                    local_authority_code: None,
                    team_code: "A1-PRL1".into(),
                }),
            ),
            Record::Child(
                key(),
                Child {
                    id: 1,
                    details: ChildInput {
                        given_name: "Ava".into(),
                        family_name: "Jones".into(),
                        date_of_birth: "2019-05-01".into(),
                        ..Default::default()
                    }
                    .validate(date(2026, 3, 2))
                    .expect("child"),
                    experience: Default::default(),
                    outcome: None,
                    version: 1,
                },
            ),
            party(false),
            Record::Application(
                key(),
                Application {
                    id: 1,
                    kind,
                    received_on: date(2026, 3, 2),
                    issued_on: None,
                    lead: true,
                    harm_alleged: false,
                },
            ),
            Record::Hearing(
                key(),
                Hearing {
                    id: 1,
                    details: HearingDraft {
                        kind: HearingKind::FirstHearing,
                        on: date(2026, 4, 1),
                        outcome: None,
                        directions: Some("Section 7 report".into()),
                    },
                },
            ),
            Record::WorkItem(
                key(),
                WorkItem {
                    id: 1,
                    case_id: CaseId(1),
                    kind: WorkKind::SafeguardingLetter,
                    due_on: date(2026, 3, 25),
                    filed_on: None,
                    late_reason: None,
                    version: 1,
                },
            ),
            Record::Event(
                key(),
                CaseEvent {
                    at: Timestamp::UNIX_EPOCH,
                    actor: "amira".into(),
                    kind: "opened".into(),
                    from_stage: None,
                    to_stage: Some("intake".into()),
                    reason: None,
                },
            ),
            Record::Allocation(
                key(),
                Allocation {
                    staff_id: StaffId(5),
                    staff_name: "Amira Khan".into(),
                    allocated_on: date(2026, 3, 10),
                    ended_on: None,
                    reason: None,
                    allocated_by: "supervisor".into(),
                    ended_reason: None,
                },
            ),
            Record::Outcome(
                key(),
                Child {
                    id: 1,
                    details: ChildInput {
                        given_name: "Ava".into(),
                        family_name: "Jones".into(),
                        date_of_birth: "2019-05-01".into(),
                        ..Default::default()
                    }
                    .validate(date(2026, 3, 2))
                    .expect("child"),
                    experience: Default::default(),
                    outcome: Some(ChildOutcome {
                        orders: vec![
                            crate::child_experience::OrderMade::LivesWith,
                            crate::child_experience::OrderMade::SpendsTime,
                        ],
                        lives_with: crate::child_experience::LivesWith::Mother,
                        contact: Some("Saturdays with father".into()),
                        recorded_on: date(2026, 6, 1),
                    }),
                    version: 2,
                },
            ),
        ]
    }

    #[test]
    fn every_record_fills_its_tables_columns_and_starts_with_its_case() {
        let records = every_record();
        for record in &records {
            let cells = record.cells();
            let table = record.table();
            assert_eq!(cells.len(), table.columns().len(), "{}", table.slug());
            assert_eq!(&cells[..2], ["NCL", "NE26P001"], "{}", table.slug());
        }
        // Every table has a record kind.
        let covered: Vec<Table> = records.iter().map(Record::table).collect();
        for table in Table::ALL {
            assert!(covered.contains(table), "{}", table.slug());
        }
        assert_eq!(
            records[0].cells()[2..10],
            [
                "private",
                "private-law",
                "allocated",
                "child-arrangements",
                "yes",
                "2026-03-02",
                "2026-02-27",
                ""
            ]
        );
    }

    #[test]
    fn confidential_addresses_are_never_written() {
        let open = party(false).cells();
        assert_eq!(open[7..], ["no", "1 Refuge Road", "NE1 4XB"]);
        let hidden = party(true).cells();
        assert_eq!(hidden[7..], ["yes", "", ""]);
        assert!(
            !hidden
                .iter()
                .any(|c| c.contains("Refuge") || c.contains("NE1 4XB"))
        );
    }

    #[test]
    fn events_are_refused_plainly() {
        let Err(DomainError::Invalid(e)) = Table::Events.check_importable() else {
            panic!("the history is not imported");
        };
        assert!(
            e.for_field("table")
                .unwrap_or_default()
                .contains("append-only")
        );
        assert!(Table::Outcomes.check_importable().is_ok());
        assert!(Table::Cases.check_importable().is_ok());
        assert_eq!(Table::parse("work_items"), Ok(Table::WorkItems));
        assert!(Table::parse("staff").is_err());
    }

    #[test]
    fn headers_must_name_every_column_once() {
        let table = Table::Hearings;
        let mut header: Vec<String> = table
            .columns()
            .iter()
            .rev()
            .map(|c| (*c).to_owned())
            .collect();
        let positions = check_header(table, &header).expect("any order");
        let record: Vec<String> = header.iter().map(|h| format!("<{h}>")).collect();
        let row = table.source_row(2, &positions, &record);
        assert_eq!(row.get("held_on"), "<held_on>");
        assert_eq!(row.get("no_such"), "");
        header.push("held_on".into());
        assert!(check_header(table, &header).is_err(), "twice");
        header.pop();
        header.pop();
        assert!(check_header(table, &header).is_err(), "missing");
        header.push("court_code".into());
        header.push("secret".into());
        let problem = check_header(table, &header).expect_err("unknown");
        assert!(problem.message.contains("secret"), "{problem}");
    }

    #[test]
    fn domain_fields_are_reported_against_their_columns() {
        let positions: Vec<usize> = (0..6).collect();
        let row = Table::Hearings.source_row(7, &positions, &[]);
        let error = HearingInput {
            kind: "trial".into(),
            on: "2026-02-30".into(),
            ..Default::default()
        }
        .validate(&match &every_record()[0] {
            Record::Case(_, line) => line.case.clone(),
            _ => unreachable!(),
        })
        .expect_err("invalid");
        let problems = row.problems(&error);
        let columns: Vec<&str> = problems.iter().map(|p| p.column.as_str()).collect();
        assert_eq!(columns, ["hearing_type", "held_on"]);
        assert!(problems.iter().all(|p| p.line == 7));
        assert_eq!(
            Table::Cases.column_for("children"),
            "case_number",
            "a row-wide rule"
        );
    }

    #[test]
    fn the_readme_documents_every_tables_columns_in_order() {
        let readme = include_str!("../../../README.md");
        for table in Table::ALL {
            let line = format!("- {}", table.documented_columns());
            assert!(
                readme.lines().any(|l| l == line),
                "README is missing: {line}"
            );
        }
    }

    #[test]
    fn periods_include_both_days() {
        let p = Period::parse("2026-01-01", "2026-01-31").expect("valid");
        let (a, b) = p.instants();
        assert_eq!(
            a.map(|t| t.to_string()).as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        assert_eq!(
            b.map(|t| t.to_string()).as_deref(),
            Some("2026-02-01T00:00:00Z")
        );
        assert_eq!(p.to_string(), "2026-01-01 to 2026-01-31");
        assert_eq!(
            Period::parse("", "").expect("open").to_string(),
            "all dates"
        );
        assert!(Period::parse("2026-02-01", "2026-01-31").is_err());
        assert!(Period::parse("2026-02-30", "").is_err());
    }
}
