//! Case data in and out as tables (see `tandem_domain::interchange`): the
//! rows of an export, within an access scope and a period; and an import,
//! every row checked by the domain's rules, all in one transaction that is
//! written only if no row was refused.

use crate::audit;
use crate::backend::Tx;
use crate::casework::{
    self, APPLICATION_SELECT, CASE_COLUMNS, WORK_COLUMNS, add_event, allocation_from,
    application_from, audit_case, case_by_id, case_from, child_from, event_from, fetch_as,
    hearing_from, kind_from, party_from, work_from,
};
use crate::child_experience;
use crate::error::StoreError;
use crate::organisation::team_scope_condition;
use crate::record;
use crate::row::{Param, Row};
use crate::store::Store;
use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap};
use tandem_domain::DomainError;
use tandem_domain::access::AccessScope;
use tandem_domain::audit::{Outcome, Stamp};
use tandem_domain::casework::*;
use tandem_domain::child_experience::{ChildOutcomeInput, ready_to_close};
use tandem_domain::choice::Choice;
use tandem_domain::interchange::{CaseKey, CaseLine, Period, Problem, Record, SourceRow, Table};
use tandem_domain::organisation::StaffMember;

// ---------------------------------------------------------------- export

/// ` AND column >= $n AND column <= $m` for the period's ends that are set.
fn within<T: Into<Param>>(
    column: &str,
    from: Option<T>,
    to: Option<T>,
    to_excluded: bool,
    params: &mut Vec<Param>,
) -> String {
    let mut sql = String::new();
    if let Some(from) = from {
        params.push(from.into());
        sql.push_str(&format!(" AND {column} >= ${}", params.len()));
    }
    if let Some(to) = to {
        params.push(to.into());
        let op = if to_excluded { "<" } else { "<=" };
        sql.push_str(&format!(" AND {column} {op} ${}", params.len()));
    }
    sql
}

fn key_of(row: &Row) -> Result<CaseKey, StoreError> {
    Ok(CaseKey {
        court_code: row.text("court_code")?,
        case_number: row.text("case_number")?,
    })
}

/// Reads one row of an export query.
type Decoder = fn(&Row) -> Result<Record, StoreError>;

async fn export_rows(
    tx: &mut dyn Tx,
    table: Table,
    period: &Period,
    scope: &AccessScope,
) -> Result<Vec<Record>, StoreError> {
    let mut params = Vec::new();
    let in_scope = team_scope_condition(scope, &mut params);
    // Cases, and the rows dated by their case, filter on its receipt.
    let received = within("received_on", period.from, period.to, false, &mut params);
    let case_ids = format!("SELECT id FROM cases WHERE {in_scope}{received}");
    let scoped = format!("SELECT id FROM cases WHERE {in_scope}");
    // Every other row is in scope through its case, and dated by itself.
    let mut own_dates = |column: &str| match table {
        Table::Events => {
            let (from, to) = period.instants();
            within(column, from, to, true, &mut params)
        }
        _ => within(column, period.from, period.to, false, &mut params),
    };
    let key = "co.code AS court_code, c.case_number";
    let joins = "JOIN cases c ON c.id = x.case_id JOIN courts co ON co.id = c.court_id";
    let (sql, decode_row): (String, Decoder) = match table {
        Table::Cases => {
            let columns: Vec<String> = CASE_COLUMNS.split(", ").map(|c| format!("c.{c}")).collect();
            (
                format!(
                    "SELECT {}, co.code AS court_code, t.code AS team_code, la.code AS local_authority_code, \
                     a.kind AS application_type, a.harm_alleged, k.label AS kind_label, k.law_type AS kind_law_type \
                     FROM cases c JOIN courts co ON co.id = c.court_id JOIN teams t ON t.id = c.team_id \
                     LEFT JOIN local_authorities la ON la.id = c.local_authority_id \
                     LEFT JOIN applications a ON a.case_id = c.id AND a.lead \
                     LEFT JOIN application_types k ON k.code = a.kind \
                     WHERE c.id IN ({case_ids}) ORDER BY c.id",
                    columns.join(", ")
                ),
                |r| {
                    Ok(Record::Case(
                        key_of(r)?,
                        Box::new(CaseLine {
                            case: case_from(r)?,
                            application_type: kind_from(r, "application_type")?,
                            harm_alleged: r.bool("harm_alleged")?,
                            local_authority_code: r.opt_text("local_authority_code")?,
                            team_code: r.text("team_code")?,
                        }),
                    ))
                },
            )
        }
        Table::Children => (
            format!(
                "SELECT x.*, {key} FROM children x {joins} WHERE x.case_id IN ({case_ids}) ORDER BY c.id, x.id"
            ),
            |r| Ok(Record::Child(key_of(r)?, child_from(r)?)),
        ),
        Table::Parties => (
            format!(
                "SELECT x.*, {key} FROM parties x {joins} WHERE x.case_id IN ({case_ids}) ORDER BY c.id, x.id"
            ),
            |r| Ok(Record::Party(key_of(r)?, party_from(r)?)),
        ),
        Table::Applications => (
            format!(
                "SELECT x.*, k.label AS kind_label, k.law_type AS kind_law_type, {key} \
                 FROM applications x JOIN application_types k ON k.code = x.kind {joins} \
                 WHERE x.case_id IN ({case_ids}) ORDER BY c.id, x.id"
            ),
            |r| Ok(Record::Application(key_of(r)?, application_from(r)?)),
        ),
        Table::Hearings => {
            let dated = own_dates("x.held_on");
            (
                format!(
                    "SELECT x.*, {key} FROM hearings x {joins} WHERE x.case_id IN ({scoped}){dated} ORDER BY c.id, x.held_on, x.id"
                ),
                |r| Ok(Record::Hearing(key_of(r)?, hearing_from(r)?)),
            )
        }
        Table::WorkItems => {
            let dated = own_dates("x.due_on");
            let columns: Vec<String> = WORK_COLUMNS.split(", ").map(|c| format!("x.{c}")).collect();
            (
                format!(
                    "SELECT {}, {key} FROM work_items x {joins} WHERE x.case_id IN ({scoped}){dated} ORDER BY c.id, x.due_on, x.id",
                    columns.join(", ")
                ),
                |r| Ok(Record::WorkItem(key_of(r)?, work_from(r)?)),
            )
        }
        Table::Events => {
            let dated = own_dates("x.at");
            (
                format!(
                    "SELECT x.*, {key} FROM case_events x {joins} WHERE x.case_id IN ({scoped}){dated} ORDER BY c.id, x.id"
                ),
                |r| Ok(Record::Event(key_of(r)?, event_from(r)?)),
            )
        }
        Table::Allocations => {
            let dated = own_dates("x.allocated_on");
            (
                format!(
                    "SELECT x.staff_id, x.allocated_on, x.ended_on, x.reason, x.allocated_by, x.ended_reason, s.given_name, s.family_name, {key} \
                     FROM allocations x JOIN staff s ON s.id = x.staff_id {joins} \
                     WHERE x.case_id IN ({scoped}){dated} ORDER BY c.id, x.id"
                ),
                |r| Ok(Record::Allocation(key_of(r)?, allocation_from(r)?)),
            )
        }
        Table::Outcomes => {
            let dated = own_dates("x.outcome_recorded_on");
            (
                format!(
                    "SELECT x.*, {key} FROM children x {joins} \
                     WHERE x.case_id IN ({scoped}) AND x.outcome_orders IS NOT NULL{dated} ORDER BY c.id, x.id"
                ),
                |r| Ok(Record::Outcome(key_of(r)?, child_from(r)?)),
            )
        }
    };
    fetch_as(tx, &sql, &params, decode_row).await
}

// ---------------------------------------------------------------- import

/// What an import did: every row written, or every problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportOutcome {
    Imported {
        /// Rows written, in every file read.
        rows: usize,
        /// Lead applications that were already there, having come with their case.
        already_present: usize,
        /// Cases created or added to.
        cases: usize,
    },
    /// Nothing was written.
    Rejected(Vec<Problem>),
}

/// A row's refusal: its problems, or a fault that stops the whole import.
enum Refused {
    Row(Vec<Problem>),
    Fault(StoreError),
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused::Fault(e)
    }
}

impl From<crate::error::SqlError> for Refused {
    fn from(e: crate::error::SqlError) -> Self {
        Refused::Fault(e.into())
    }
}

type RowResult = Result<Written, Refused>;

enum Written {
    Row(CaseId),
    AlreadyPresent,
}

/// A domain refusal becomes the row's problems; anything else stops the import.
fn refusal(row: &SourceRow, error: StoreError) -> Refused {
    match error {
        StoreError::Domain(e) => Refused::Row(row.problems(&e)),
        other => Refused::Fault(other),
    }
}

fn problem(row: &SourceRow, column: &str, message: impl Into<String>) -> Refused {
    Refused::Row(vec![row.problem(column, message)])
}

struct Importer<'a> {
    tx: &'a mut dyn Tx,
    today: Date,
    stamp: &'a Stamp,
    /// Codes already looked up, by table and code.
    codes: HashMap<(&'static str, String), Option<i64>>,
    /// Cases written by this import, with the line that wrote them.
    created: BTreeMap<CaseKey, (u64, CaseId)>,
    /// Case rows refused by this import, by line, so their other rows say so.
    refused_cases: HashMap<CaseKey, u64>,
    /// Cases this import touched, and whether it created them.
    touched: BTreeMap<CaseId, bool>,
    /// The organisation's application types.
    kinds: Vec<ApplicationKind>,
}

impl Importer<'_> {
    async fn code(&mut self, table: &'static str, code: &str) -> Result<Option<i64>, StoreError> {
        let code = code.trim().to_ascii_uppercase();
        if let Some(found) = self.codes.get(&(table, code.clone())) {
            return Ok(*found);
        }
        let rows = self
            .tx
            .fetch_all(
                &format!("SELECT id FROM {table} WHERE code = $1"),
                &[code.clone().into()],
            )
            .await?;
        let id = rows.first().map(|r| r.i64("id")).transpose()?;
        self.codes.insert((table, code), id);
        Ok(id)
    }

    /// The court's id, or the row's problem.
    async fn court(&mut self, row: &SourceRow) -> Result<i64, Refused> {
        let code = row.get("court_code");
        if code.trim().is_empty() {
            return Err(problem(row, "court_code", "Enter the court's code"));
        }
        self.code("courts", code).await?.ok_or_else(|| {
            problem(
                row,
                "court_code",
                format!("There is no court with the code {}", code.trim()),
            )
        })
    }

    /// The existing case the row names (written earlier in this import or before).
    async fn case(&mut self, row: &SourceRow) -> Result<Case, Refused> {
        let court = self.court(row).await?;
        let key = row.key();
        let rows = self
            .tx
            .fetch_all(
                &format!(
                    "SELECT {CASE_COLUMNS} FROM cases WHERE court_id = $1 AND case_number = $2"
                ),
                &[court.into(), key.case_number.clone().into()],
            )
            .await?;
        match rows.first() {
            Some(r) => Ok(case_from(r)?),
            None => Err(problem(
                row,
                "case_number",
                match self.refused_cases.get(&key) {
                    Some(line) => format!("Its case, {key}, was refused (cases line {line})"),
                    None => format!("There is no case {key}: import its case first"),
                },
            )),
        }
    }

    async fn import_case(&mut self, row: &SourceRow) -> RowResult {
        let mut problems = Vec::new();
        let court = match self.court(row).await {
            Ok(id) => Some(id),
            Err(Refused::Row(p)) => {
                problems.extend(p);
                None
            }
            Err(fault) => return Err(fault),
        };
        let team_code = row.get("team_code");
        let team = self.code("teams", team_code).await?;
        if team.is_none() {
            problems.push(row.problem(
                "team_code",
                format!("There is no team with the code {}", team_code.trim()),
            ));
        }
        let la_code = row.get("local_authority_code");
        let la = if la_code.trim().is_empty() {
            None
        } else {
            let found = self.code("local_authorities", la_code).await?;
            if found.is_none() {
                problems.push(row.problem(
                    "local_authority_code",
                    format!(
                        "There is no local authority with the code {}",
                        la_code.trim()
                    ),
                ));
            }
            found
        };
        let harm = row.yes_no("harm_alleged");
        let input = CaseInput {
            case_number: row.get("case_number").to_owned(),
            court_id: court,
            law_type: row.get("law_type").to_owned(),
            application_type: row.get("application_type").to_owned(),
            harm_alleged: *harm.as_ref().unwrap_or(&false),
            received_on: row.get("received_on").to_owned(),
            issued_on: row.get("issued_on").to_owned(),
            local_authority_id: la,
            team_id: team,
        };
        if let Err(message) = harm {
            problems.push(row.problem("harm_alleged", message));
        }
        let draft = match input.validate(self.today, &self.kinds) {
            // An unknown code was reported above, against its own column.
            Err(DomainError::Invalid(errors)) => {
                let reported = |column: &str| {
                    (column == "court_code" && court.is_none())
                        || (column == "team_code" && team.is_none())
                };
                problems.extend(
                    row.problems(&DomainError::Invalid(errors))
                        .into_iter()
                        .filter(|p| !reported(&p.column)),
                );
                None
            }
            Err(other) => {
                problems.extend(row.problems(&other));
                None
            }
            Ok(draft) => Some(draft),
        };
        let position = match &draft {
            Some(d) => match check_position(
                d.law_type,
                row.get("pathway"),
                row.get("stage"),
                row.get("closed_on"),
                d.received_on,
                self.today,
            ) {
                Ok(p) => Some(p),
                Err(e) => {
                    problems.extend(row.problems(&e));
                    None
                }
            },
            None => None,
        };
        if let Some(d) = &draft {
            let taken = self
                .tx
                .fetch_all(
                    "SELECT id FROM cases WHERE court_id = $1 AND case_number = $2",
                    &[d.court_id.into(), d.case_number.clone().into()],
                )
                .await?;
            if !taken.is_empty() {
                let earlier = self
                    .created
                    .get(&row.key())
                    .map(|(line, _)| format!(" (cases line {line})"))
                    .unwrap_or_default();
                problems.push(row.problem(
                    "case_number",
                    format!("That court already has a case with this number{earlier}"),
                ));
            }
        }
        let (Some(draft), Some((pathway, stage, closed_on)), true) =
            (draft, position, problems.is_empty())
        else {
            self.refused_cases.insert(row.key(), row.line);
            return Err(Refused::Row(problems));
        };
        let id = casework::insert_case(self.tx, &draft, pathway, stage, closed_on)
            .await
            .map_err(|e| refusal(row, e))?;
        add_event(self.tx, id, self.stamp, "imported", None, Some(stage), None).await?;
        self.created.insert(row.key(), (row.line, id));
        self.touched.insert(id, true);
        Ok(Written::Row(id))
    }

    async fn import_child(&mut self, row: &SourceRow) -> RowResult {
        let case = self.case(row).await?;
        let child = ChildInput {
            given_name: row.get("given_name").to_owned(),
            family_name: row.get("family_name").to_owned(),
            date_of_birth: row.get("date_of_birth").to_owned(),
            sex: row.get("sex").to_owned(),
            ethnicity: row.get("ethnicity").to_owned(),
            disability: row.get("disability").to_owned(),
            first_language: row.get("first_language").to_owned(),
            interpreter_needed: row.get("interpreter_needed").to_owned(),
        }
        .validate(case.received_on)
        .map_err(|e| Refused::Row(row.problems(&e)))?;
        let first_met = check_first_met(
            row.get("first_met_fca_on"),
            &child,
            case.received_on,
            self.today,
        )
        .map_err(|m| problem(row, "first_met_fca_on", m))?;
        casework::insert_child(self.tx, case.id, &child, first_met).await?;
        Ok(Written::Row(case.id))
    }

    async fn import_party(&mut self, row: &SourceRow) -> RowResult {
        let case = self.case(row).await?;
        let represented = row.yes_no("represented");
        let confidential = row.yes_no("address_confidential");
        let party = PartyInput {
            role: row.get("role").to_owned(),
            given_name: row.get("given_name").to_owned(),
            family_name: row.get("family_name").to_owned(),
            relationship: row.get("relationship").to_owned(),
            represented: *represented.as_ref().unwrap_or(&false),
            address: row.get("address").to_owned(),
            postcode: row.get("postcode").to_owned(),
            address_confidential: *confidential.as_ref().unwrap_or(&false),
        }
        .validate_withheld();
        let mut problems = Vec::new();
        for (column, result) in [
            ("represented", &represented),
            ("address_confidential", &confidential),
        ] {
            if let Err(message) = result {
                problems.push(row.problem(column, message.clone()));
            }
        }
        match party {
            Ok(party) if problems.is_empty() => {
                casework::insert_party(self.tx, case.id, &party).await?;
                Ok(Written::Row(case.id))
            }
            Ok(_) => Err(Refused::Row(problems)),
            Err(e) => {
                problems.extend(row.problems(&e));
                Err(Refused::Row(problems))
            }
        }
    }

    async fn import_application(&mut self, row: &SourceRow) -> RowResult {
        let case = self.case(row).await?;
        let lead = row.yes_no("lead").map_err(|m| problem(row, "lead", m))?;
        let harm = row
            .yes_no("harm_alleged")
            .map_err(|m| problem(row, "harm_alleged", m))?;
        let draft = ApplicationInput {
            application_type: row.get("application_type").to_owned(),
            received_on: row.get("received_on").to_owned(),
            issued_on: row.get("issued_on").to_owned(),
            harm_alleged: harm,
        }
        .validate(&case, self.today, &self.kinds)
        .map_err(|e| Refused::Row(row.problems(&e)))?;
        if lead {
            // The lead application comes with its case (from the cases
            // file); a lead row is accepted only as a match for it.
            let rows = self
                .tx
                .fetch_all(
                    &format!("{APPLICATION_SELECT} WHERE x.case_id = $1 AND x.lead"),
                    &[case.id.0.into()],
                )
                .await?;
            let existing = rows.first().map(application_from).transpose()?;
            return match existing {
                Some(a)
                    if a.kind.code == draft.kind.code
                        && a.received_on == draft.received_on
                        && a.issued_on == draft.issued_on
                        && a.harm_alleged == draft.harm_alleged =>
                {
                    Ok(Written::AlreadyPresent)
                }
                _ => Err(problem(
                    row,
                    "lead",
                    "The lead application comes with its case from the cases file, and this one does not match it: \
                     import it with lead set to no, or correct it",
                )),
            };
        }
        self.tx
            .execute(
                "INSERT INTO applications (case_id, kind, received_on, issued_on, lead, harm_alleged) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    case.id.0.into(),
                    (&draft.kind.code).into(),
                    draft.received_on.into(),
                    draft.issued_on.into(),
                    false.into(),
                    draft.harm_alleged.into(),
                ],
            )
            .await?;
        Ok(Written::Row(case.id))
    }

    async fn import_hearing(&mut self, row: &SourceRow) -> RowResult {
        let case = self.case(row).await?;
        let hearing = HearingInput {
            kind: row.get("hearing_type").to_owned(),
            on: row.get("held_on").to_owned(),
            outcome: row.get("outcome").to_owned(),
            directions: row.get("directions").to_owned(),
        }
        .validate_past(&case)
        .map_err(|e| Refused::Row(row.problems(&e)))?;
        casework::insert_hearing(self.tx, case.id, &hearing).await?;
        Ok(Written::Row(case.id))
    }

    async fn import_work(&mut self, row: &SourceRow) -> RowResult {
        let case = self.case(row).await?;
        let draft = WorkItemInput {
            kind: row.get("work_type").to_owned(),
            due_on: row.get("due_on").to_owned(),
        }
        .validate_past(&case)
        .map_err(|e| Refused::Row(row.problems(&e)))?;
        let (filed_on, late_reason) = (row.get("filed_on"), row.get("late_reason"));
        let filing = if filed_on.trim().is_empty() {
            if !late_reason.trim().is_empty() {
                return Err(problem(
                    row,
                    "late_reason",
                    "Only filed work has a reason for being late: enter the date filed, or leave this blank",
                ));
            }
            None
        } else {
            let unfiled = WorkItem {
                id: 0,
                case_id: case.id,
                kind: draft.kind,
                due_on: draft.due_on,
                filed_on: None,
                late_reason: None,
                version: 1,
            };
            Some(
                check_filing(
                    &unfiled,
                    case.received_on,
                    filed_on,
                    late_reason,
                    self.today,
                )
                .map_err(|e| Refused::Row(row.problems(&e)))?,
            )
        };
        let id = casework::insert_work(self.tx, case.id, &draft).await?;
        if let Some((filed, reason)) = filing {
            self.tx
                .execute(
                    "UPDATE work_items SET filed_on = $1, late_reason = $2 WHERE id = $3",
                    &[filed.into(), reason.into(), id.into()],
                )
                .await?;
        }
        Ok(Written::Row(case.id))
    }

    async fn import_allocation(&mut self, row: &SourceRow) -> RowResult {
        let case = self.case(row).await?;
        let staff_text = row.get("staff_id").trim();
        let staff_id: i64 = staff_text
            .parse()
            .map_err(|_| problem(row, "staff_id", "Enter the staff number, in digits"))?;
        let worker = match record::get::<StaffMember>(self.tx, staff_id).await {
            Ok(worker) => worker,
            Err(StoreError::Domain(DomainError::NotFound { .. })) => {
                return Err(problem(
                    row,
                    "staff_id",
                    format!("There is no staff member {staff_id}"),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        let named = row.get("staff_name").trim();
        if !named.is_empty() && named != worker.full_name() {
            return Err(problem(
                row,
                "staff_name",
                format!(
                    "Staff member {staff_id} is {}, not {named}: check the staff numbers match this organisation",
                    worker.full_name()
                ),
            ));
        }
        let mut errors = tandem_domain::ValidationErrors::new();
        let allocated_on = errors.check(
            "allocated_on",
            tandem_domain::text::date(row.get("allocated_on"), "date allocated"),
        );
        let ended_on = errors.check(
            "ended_on",
            tandem_domain::text::optional_date(row.get("ended_on"), "date the allocation ended"),
        );
        let reason = errors.check("reason", reason(row.get("reason"), false));
        let by = errors.check(
            "allocated_by",
            tandem_domain::text::name(row.get("allocated_by"), "who allocated the case", 100),
        );
        let (Some(allocated_on), Some(ended_on), Some(reason), Some(by)) =
            (allocated_on, ended_on, reason, by)
        else {
            return Err(Refused::Row(row.problems(&DomainError::Invalid(errors))));
        };
        check_past_allocation(&case, &worker, allocated_on, ended_on, self.today)
            .map_err(|e| Refused::Row(row.problems(&e)))?;
        if ended_on.is_none() {
            // The allocation still running is who holds the case now.
            if case.allocated_to.is_some() {
                return Err(problem(
                    row,
                    "ended_on",
                    format!(
                        "{} is already held by someone: only one allocation can be running",
                        row.key()
                    ),
                ));
            }
            self.tx
                .execute(
                    "UPDATE cases SET allocated_to = $1, version = version + 1 WHERE id = $2",
                    &[worker.id.0.into(), case.id.0.into()],
                )
                .await?;
        }
        self.tx
            .execute(
                "INSERT INTO allocations (case_id, staff_id, allocated_on, ended_on, reason, allocated_by) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    case.id.0.into(),
                    worker.id.0.into(),
                    allocated_on.into(),
                    ended_on.into(),
                    reason.into(),
                    by.into(),
                ],
            )
            .await?;
        Ok(Written::Row(case.id))
    }

    /// A child's outcome: the child is found in its case by name and date of birth.
    async fn import_outcome(&mut self, row: &SourceRow) -> RowResult {
        let case = self.case(row).await?;
        let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
        let child = casework::children_of(self.tx, case.id)
            .await?
            .into_iter()
            .find(|c| {
                same(&c.details.given_name, row.get("given_name"))
                    && same(&c.details.family_name, row.get("family_name"))
                    && c.details.date_of_birth.to_string() == row.get("date_of_birth").trim()
            })
            .ok_or_else(|| {
                problem(
                    row,
                    "given_name",
                    format!(
                        "{} has no child {} {} born {}",
                        row.key(),
                        row.get("given_name").trim(),
                        row.get("family_name").trim(),
                        row.get("date_of_birth").trim()
                    ),
                )
            })?;
        if child.outcome.is_some() {
            return Err(problem(
                row,
                "orders",
                format!("{}'s outcome is already recorded", child.full_name()),
            ));
        }
        let outcome = ChildOutcomeInput {
            // Codes may be separated by commas or semicolons.
            orders: row.get("orders").replace(';', ","),
            lives_with: row.get("lives_with").to_owned(),
            contact: row.get("contact").to_owned(),
            recorded_on: row.get("recorded_on").to_owned(),
            version: child.version.to_string(),
        }
        .validate(&case, self.today)
        .map_err(|e| Refused::Row(row.problems(&e)))?;
        child_experience::set_outcome(self.tx, case.id, &child, &outcome, self.stamp)
            .await
            .map_err(|e| refusal(row, e))?;
        Ok(Written::Row(case.id))
    }

    async fn import_row(&mut self, row: &SourceRow) -> RowResult {
        match row.table {
            Table::Cases => self.import_case(row).await,
            Table::Children => self.import_child(row).await,
            Table::Parties => self.import_party(row).await,
            Table::Applications => self.import_application(row).await,
            Table::Hearings => self.import_hearing(row).await,
            Table::WorkItems => self.import_work(row).await,
            Table::Allocations => self.import_allocation(row).await,
            Table::Outcomes => self.import_outcome(row).await,
            Table::Events => Err(Refused::Fault(
                row.table.check_importable().err().map_or_else(
                    || DomainError::invalid("table", "This table cannot be imported").into(),
                    StoreError::from,
                ),
            )),
        }
    }
}

impl Store {
    /// The rows of `table` within `scope` and `period`, in case order.
    pub async fn export(
        &self,
        table: Table,
        period: &Period,
        scope: &AccessScope,
    ) -> Result<Vec<Record>, StoreError> {
        export_rows(self.read().await?.as_mut(), table, period, scope).await
    }

    /// Imports the rows of one table, as of `today`: every row is checked,
    /// and nothing is written unless every row passes. Cases come with
    /// their children (`children`), since a case is never without one, and
    /// closed cases with each child's outcome (`outcomes`), since a case
    /// closes only once every outcome is recorded.
    /// `progress` is told how many rows of how many have been checked.
    #[allow(clippy::too_many_arguments)]
    pub async fn import(
        &self,
        table: Table,
        rows: &[SourceRow],
        children: &[SourceRow],
        outcomes: &[SourceRow],
        today: Date,
        stamp: &Stamp,
        progress: &mut (dyn FnMut(usize, usize) + Send),
    ) -> Result<ImportOutcome, StoreError> {
        table.check_importable()?;
        if table != Table::Cases && !(children.is_empty() && outcomes.is_empty()) {
            return Err(DomainError::invalid(
                "children",
                "Children and outcomes come with the cases file only; import them on their own as their own tables",
            )
            .into());
        }
        let companion = |r: &SourceRow| {
            table == Table::Cases && matches!(r.table, Table::Children | Table::Outcomes)
        };
        if let Some(stray) = rows
            .iter()
            .chain(children)
            .chain(outcomes)
            .find(|r| r.table != table && !companion(r))
        {
            return Err(DomainError::invalid(
                "table",
                format!(
                    "A {} row was given to the {} import",
                    stray.table.slug(),
                    table.slug()
                ),
            )
            .into());
        }
        let mut tx = self.write().await?;
        let kinds = casework::application_kinds(tx.as_mut()).await?;
        let mut importer = Importer {
            kinds,
            tx: tx.as_mut(),
            today,
            stamp,
            codes: HashMap::new(),
            created: BTreeMap::new(),
            refused_cases: HashMap::new(),
            touched: BTreeMap::new(),
        };
        let total = rows.len() + children.len() + outcomes.len();
        let mut problems = Vec::new();
        let (mut written, mut already_present) = (0, 0);
        let mut children_of: HashMap<CaseId, usize> = HashMap::new();
        for (done, row) in rows.iter().chain(children).chain(outcomes).enumerate() {
            match importer.import_row(row).await {
                Ok(Written::Row(case)) => {
                    written += 1;
                    importer.touched.entry(case).or_insert(false);
                    if row.table == Table::Children {
                        *children_of.entry(case).or_default() += 1;
                    }
                }
                Ok(Written::AlreadyPresent) => already_present += 1,
                Err(Refused::Row(p)) => problems.extend(p),
                Err(Refused::Fault(e)) => return Err(e),
            }
            progress(done + 1, total);
        }
        // A case is never without a child: each new case needs one in the
        // children file; and a closed one, every child's outcome.
        for (key, (line, id)) in &importer.created {
            let closed = case_by_id(importer.tx, *id)
                .await?
                .is_some_and(|c| c.is_closed());
            if closed
                && children_of.contains_key(id)
                && let Err(DomainError::Invalid(e)) =
                    ready_to_close(&casework::children_of(importer.tx, *id).await?)
            {
                for f in e.fields() {
                    problems.push(Problem {
                        table: Table::Cases,
                        line: *line,
                        column: "stage".into(),
                        message: format!("{key} is closed: {} (an outcomes file)", f.message),
                    });
                }
            }
            if !children_of.contains_key(id) {
                problems.push(Problem {
                    table: Table::Cases,
                    line: *line,
                    column: "case_number".into(),
                    message: format!(
                        "{key} has no child in the children file: a case is opened with at least one child"
                    ),
                });
            }
        }
        if !problems.is_empty() {
            problems.sort_by_key(|p| (p.table != table, p.line));
            // Dropping the transaction rolls back every row written.
            return Ok(ImportOutcome::Rejected(problems));
        }
        let touched = std::mem::take(&mut importer.touched);
        // New cases add their cells; a change to cases already here would
        // need their cells from before the import, so the sums are rebuilt.
        if touched.values().all(|created| *created) {
            for case in touched.keys() {
                crate::rollups::add_case(importer.tx, &self.rollup_contexts, *case).await?;
            }
        } else {
            crate::rollups::rebuild(importer.tx, crate::rollups::Rebuild::Everything).await?;
        }
        for (case, created) in &touched {
            let (action, why) = if *created {
                ("create", "imported".to_owned())
            } else {
                ("update", format!("{} imported", table.slug()))
            };
            audit_case(importer.tx, stamp, *case, action, Some(why)).await?;
        }
        let mut entry = stamp.entry(
            "import",
            Outcome::Allowed,
            None,
            Some(format!(
                "table {}, {written} rows written, {already_present} already present, {} cases",
                table.slug(),
                touched.len()
            )),
        );
        // Many cases, no one record: the kind is named, as for a list.
        entry.record_type = Some(tandem_domain::access::RecordKind::Case.name().to_owned());
        audit::append(importer.tx, &entry).await?;
        tx.commit().await?;
        Ok(ImportOutcome::Imported {
            rows: written,
            already_present,
            cases: touched.len(),
        })
    }
}
