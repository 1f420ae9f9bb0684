//! Writing many rows at once: case histories checked by
//! `tandem_domain::case_history`, stored in multi-row statements so that
//! years of national history load in minutes rather than hours.

use crate::audit;
use crate::backend::Tx;
use crate::casework::{CHILD_COLUMNS, PARTY_COLUMNS, child_row, party_row};
use crate::error::{SqlError, SqlErrorKind, StoreError};
use crate::rollups::CountedHistory;
use crate::row::{Param, Row};
use std::collections::HashMap;
use std::fmt::Write as _;
use tandem_domain::DomainError;
use tandem_domain::audit::{Outcome, Stamp};
use tandem_domain::case_history::CaseHistory;
use tandem_domain::casework::{CaseId, default_pathway};
use tandem_domain::choice::Choice;

/// Bound values a statement carries: well under SQLite's 32,766 and
/// PostgreSQL's 65,535, and enough that a statement's own cost is spread
/// over many rows.
const MAX_PARAMS: usize = 8_000;

/// Inserts `rows` (each with one value per column) into `table`, as few
/// statements as the parameter limit allows, followed by `suffix` (an
/// `ON CONFLICT` or `RETURNING` clause, or nothing). Returns the rows any
/// `RETURNING` gives back.
pub(crate) async fn insert_rows(
    tx: &mut dyn Tx,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Param>>,
    suffix: &str,
) -> Result<Vec<Row>, StoreError> {
    let per_statement = (MAX_PARAMS / columns.len()).max(1);
    let mut returned = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Param>> = rows.by_ref().take(per_statement).collect();
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut params = Vec::with_capacity(chunk.len() * columns.len());
        for (i, row) in chunk.into_iter().enumerate() {
            if row.len() != columns.len() {
                return Err(SqlError::decode("a bulk row has the wrong number of values").into());
            }
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for c in 0..columns.len() {
                if c > 0 {
                    sql.push_str(", ");
                }
                // Written in place: a statement has thousands of these.
                let _ = write!(sql, "${}", params.len() + c + 1);
            }
            sql.push(')');
            params.extend(row);
        }
        sql.push_str(suffix);
        if suffix.contains("RETURNING") {
            returned.extend(tx.fetch_all(&sql, &params).await?);
        } else {
            tx.execute(&sql, &params).await?;
        }
    }
    Ok(returned)
}

/// Rows of bound values, one `Vec` a row.
type Rows = Vec<Vec<Param>>;

/// Stores `histories` as new cases with everything that happened to them,
/// all or nothing, with one audit entry for the batch. Each case must
/// follow the pathway its opening team's service area uses. Returns the
/// new cases' ids, in order.
pub(crate) async fn load_case_histories(
    tx: &mut dyn Tx,
    counted: &[CountedHistory],
    stamp: &Stamp,
) -> Result<Vec<i64>, StoreError> {
    if counted.is_empty() {
        return Ok(Vec::new());
    }
    let histories: Vec<&CaseHistory> = counted.iter().map(CountedHistory::history).collect();
    check_pathways(tx, &histories).await?;
    let cases = histories
        .iter()
        .map(|h| {
            let c = &h.case;
            vec![
                (&c.case_number).into(),
                c.court_id.0.into(),
                c.law_type.slug().into(),
                c.pathway.code.into(),
                c.stage.into(),
                c.received_on.into(),
                c.issued_on.into(),
                c.local_authority_id.map(|l| l.0).into(),
                c.team_id.0.into(),
                c.allocated_to.map(|s| s.0).into(),
                c.closed_on.into(),
                c.version.into(),
            ]
        })
        .collect();
    let returned = insert_rows(
        tx,
        "cases",
        &[
            "case_number",
            "court_id",
            "law_type",
            "pathway",
            "stage",
            "received_on",
            "issued_on",
            "local_authority_id",
            "team_id",
            "allocated_to",
            "closed_on",
            "version",
        ],
        cases,
        " RETURNING id, court_id, case_number",
    )
    .await
    .map_err(|e| match e {
        StoreError::Database(SqlError {
            kind: SqlErrorKind::UniqueViolation { .. },
            ..
        }) => StoreError::Domain(DomainError::Duplicate {
            field: "case_number".into(),
            message: "A court already has a case with one of these numbers".into(),
        }),
        other => other,
    })?;
    // The database need not return rows in the order given, so each is
    // matched on its court and number, which are unique together.
    let mut by_number = HashMap::with_capacity(returned.len());
    for r in &returned {
        by_number.insert((r.i64("court_id")?, r.text("case_number")?), r.i64("id")?);
    }
    let ids = histories
        .iter()
        .map(|h| {
            by_number
                .get(&(h.case.court_id.0, h.case.case_number.clone()))
                .copied()
                .ok_or_else(|| SqlError::decode("a bulk case was not returned").into())
        })
        .collect::<Result<Vec<i64>, StoreError>>()?;
    let each = |f: &dyn Fn(i64, &CaseHistory, &mut Rows)| {
        let mut rows = Vec::new();
        for (id, h) in ids.iter().zip(&histories) {
            f(*id, h, &mut rows);
        }
        rows
    };
    let applications = each(&|id, h, rows| {
        rows.push(vec![
            id.into(),
            (&h.lead_application_kind).into(),
            h.case.received_on.into(),
            h.case.issued_on.into(),
            true.into(),
            h.lead_application_harm_alleged.into(),
        ])
    });
    insert_rows(
        tx,
        "applications",
        &[
            "case_id",
            "kind",
            "received_on",
            "issued_on",
            "lead",
            "harm_alleged",
        ],
        applications,
        "",
    )
    .await?;
    let children = each(&|id, h, rows| {
        for child in &h.children {
            let outcome = child.outcome.as_ref();
            let mut row = child_row(
                CaseId(id),
                &child.details,
                child.experience.first_met_fca_on,
            );
            row.extend([
                outcome.map(|o| o.order_codes()).into(),
                outcome.map(|o| o.lives_with.slug()).into(),
                outcome.and_then(|o| o.contact.clone()).into(),
                outcome.map(|o| o.recorded_on).into(),
                child.version.into(),
            ]);
            rows.push(row);
        }
    });
    let columns: Vec<&str> = CHILD_COLUMNS
        .iter()
        .copied()
        .chain([
            "outcome_orders",
            "outcome_lives_with",
            "outcome_contact",
            "outcome_recorded_on",
            "version",
        ])
        .collect();
    insert_rows(tx, "children", &columns, children, "").await?;
    let parties = each(&|id, h, rows| {
        rows.extend(h.parties.iter().map(|p| party_row(CaseId(id), p)));
    });
    insert_rows(tx, "parties", PARTY_COLUMNS, parties, "").await?;
    let work = each(&|id, h, rows| {
        for w in &h.work {
            rows.push(vec![
                id.into(),
                w.kind.slug().into(),
                w.due_on.into(),
                w.filed_on.into(),
                w.late_reason.clone().into(),
                w.version.into(),
            ]);
        }
    });
    insert_rows(
        tx,
        "work_items",
        &[
            "case_id",
            "kind",
            "due_on",
            "filed_on",
            "late_reason",
            "version",
        ],
        work,
        "",
    )
    .await?;
    let hearings = each(&|id, h, rows| {
        for hearing in &h.hearings {
            rows.push(vec![
                id.into(),
                hearing.kind.slug().into(),
                hearing.on.into(),
                hearing.outcome.clone().into(),
                hearing.directions.clone().into(),
            ]);
        }
    });
    insert_rows(
        tx,
        "hearings",
        &["case_id", "kind", "held_on", "outcome", "directions"],
        hearings,
        "",
    )
    .await?;
    let actor = stamp.actor_username.as_str();
    let allocations = each(&|id, h, rows| {
        for a in &h.allocations {
            rows.push(vec![
                id.into(),
                a.staff_id.0.into(),
                a.allocated_on.into(),
                a.ended_on.into(),
                a.reason.clone().into(),
                actor.into(),
                a.ended_reason.into(),
            ]);
        }
    });
    insert_rows(
        tx,
        "allocations",
        &[
            "case_id",
            "staff_id",
            "allocated_on",
            "ended_on",
            "reason",
            "allocated_by",
            "ended_reason",
        ],
        allocations,
        "",
    )
    .await?;
    let transfers = each(&|id, h, rows| {
        for t in &h.transfers {
            rows.push(vec![
                id.into(),
                t.from_team_id.0.into(),
                t.to_team_id.0.into(),
                t.transferred_on.into(),
                (&t.reason).into(),
                actor.into(),
            ]);
        }
    });
    insert_rows(
        tx,
        "case_transfers",
        &[
            "case_id",
            "from_team_id",
            "to_team_id",
            "transferred_on",
            "reason",
            "transferred_by",
        ],
        transfers,
        "",
    )
    .await?;
    let events = each(&|id, h, rows| {
        for e in &h.events {
            rows.push(vec![
                id.into(),
                stamp.at.into(),
                actor.into(),
                e.kind.into(),
                e.from_stage.into(),
                e.to_stage.into(),
                e.reason.clone().into(),
                e.on.into(),
            ]);
        }
    });
    insert_rows(
        tx,
        "case_events",
        &[
            "case_id",
            "at",
            "actor",
            "kind",
            "from_stage",
            "to_stage",
            "reason",
            "on_date",
        ],
        events,
        "",
    )
    .await?;
    crate::delay::put(tx, ids.iter().zip(counted).map(|(id, c)| (*id, c.delay()))).await?;
    let (first, last) = (
        ids.iter().min().copied().unwrap_or(0),
        ids.iter().max().copied().unwrap_or(0),
    );
    audit::append(
        tx,
        &stamp.entry(
            "create",
            Outcome::Allowed,
            Some(("case", String::new())),
            Some(format!(
                "{} cases loaded with their history: ids {first} to {last}",
                ids.len()
            )),
        ),
    )
    .await?;
    Ok(ids)
}

/// Refuses a history whose pathway is not the one its opening team's
/// service area uses for its law type.
async fn check_pathways(tx: &mut dyn Tx, histories: &[&CaseHistory]) -> Result<(), StoreError> {
    let mut area_of = HashMap::new();
    for r in tx
        .fetch_all("SELECT id, service_area_id FROM teams", &[])
        .await?
    {
        area_of.insert(r.i64("id")?, r.i64("service_area_id")?);
    }
    let mut chosen = HashMap::new();
    for r in tx
        .fetch_all(
            "SELECT service_area_id, law_type, pathway FROM area_pathways",
            &[],
        )
        .await?
    {
        chosen.insert(
            (r.i64("service_area_id")?, r.text("law_type")?),
            r.text("pathway")?,
        );
    }
    for h in histories {
        let opening_team = h
            .transfers
            .first()
            .map_or(h.case.team_id, |t| t.from_team_id);
        let area = area_of
            .get(&opening_team.0)
            .ok_or_else(|| StoreError::Domain(DomainError::invalid("team_id", "No such team")))?;
        let expected = chosen
            .get(&(*area, h.case.law_type.slug().to_owned()))
            .map_or(default_pathway(h.case.law_type).code, String::as_str);
        if expected != h.case.pathway.code {
            return Err(DomainError::invalid(
                "pathway",
                format!(
                    "Case {} follows {}, but its team's service area uses {expected}",
                    h.case.case_number, h.case.pathway.code
                ),
            )
            .into());
        }
    }
    Ok(())
}
