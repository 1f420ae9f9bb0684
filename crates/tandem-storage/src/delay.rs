//! The delay projection (migration 0018): for every case, one row holding
//! what the drivers-of-delay analysis needs of it
//! ([`tandem_domain::delay::DelayCase`]), written with the rollups in the
//! same transaction as each change to the case. The analysis then reads
//! one short line a case, gathered by the database into a single value,
//! instead of every case's history.
//!
//! Besides the columns a scope or period is chosen by, a row keeps the case
//! as a short line of words separated by spaces, none of which holds a
//! space or a `;`:
//!
//! `law pathway received first-closed first-allocated adjournments
//! filed-late first-unfiled-due team court local-authority stage:day…`
//!
//! where `received` is an ISO date, the other dates are days after it (`-`
//! for one it does not have, as for the local authority), and each stage is
//! its place in the pathway. `tandem rollups verify` compares these lines
//! with a recomputation, so a change to a pathway's stages that alters them
//! is caught; a migration marking the rollups stale rewrites them.

use crate::backend::Tx;
use crate::error::{SqlError, StoreError};
use crate::rollups::{CaseTable, scope_condition};
use crate::row::Param;
use jiff::civil::Date;
use std::collections::BTreeMap;
use tandem_domain::casework::{LawType, pathway};
use tandem_domain::choice::Choice;
use tandem_domain::delay::DelayCase;
use tandem_domain::rollups::Scope;

/// What `considered_until` holds for a case not yet closed: a date after
/// every period, so that one index range finds the cases in an analysis.
const NEVER: Date = Date::constant(9999, 12, 31);

const COLUMNS: [&str; 7] = [
    "case_id",
    "team_id",
    "court_id",
    "local_authority_id",
    "received_on",
    "considered_until",
    "summary",
];

fn or_dash(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".into(), |v| v.to_string())
}

/// The case as one line (see the module's documentation).
pub(crate) fn summary(case: &DelayCase) -> String {
    let mut words = vec![
        case.law_type.slug().to_owned(),
        case.pathway.code.to_owned(),
        case.received_on.to_string(),
        or_dash(case.first_closed),
        or_dash(case.first_allocated),
        case.adjournments.to_string(),
        u8::from(case.filed_late).to_string(),
        or_dash(case.first_unfiled_due),
        case.team_id.to_string(),
        case.court_id.to_string(),
        or_dash(case.local_authority_id),
    ];
    words.extend(case.stages.iter().map(|(day, stage)| {
        let place = case
            .pathway
            .stages
            .iter()
            .position(|s| s.code == *stage)
            .unwrap_or(usize::MAX);
        format!("{place}:{day}")
    }));
    words.join(" ")
}

fn bad(line: &str, what: &str) -> StoreError {
    SqlError::decode(format!("delay_cases summary {line:?}: {what}")).into()
}

/// A `YYYY-MM-DD` date, read without a general parser: an analysis reads
/// one a case.
fn iso_date(word: &str) -> Option<Date> {
    let bytes = word.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i16 = word.get(0..4)?.parse().ok()?;
    let month: i8 = word.get(5..7)?.parse().ok()?;
    let day: i8 = word.get(8..10)?.parse().ok()?;
    Date::new(year, month, day).ok()
}

/// Reads back a line [`summary`] wrote.
fn parse(line: &str) -> Result<DelayCase, StoreError> {
    let mut words = line.split(' ');
    let mut next = |what: &str| words.next().ok_or_else(|| bad(line, what));
    let number = |word: &str| word.parse::<i64>().map_err(|_| bad(line, "a number"));
    let day = |word: &str| word.parse::<i32>().map_err(|_| bad(line, "a day"));
    let opt_day = |word: &str| (word != "-").then(|| day(word)).transpose();
    let law_type = LawType::parse(next("the law type")?).map_err(|e| bad(line, &e))?;
    let pathway = pathway(next("the pathway")?).map_err(|e| bad(line, &e))?;
    let received_on = iso_date(next("receipt")?).ok_or_else(|| bad(line, "the date of receipt"))?;
    let first_closed = opt_day(next("first closure")?)?;
    let first_allocated = opt_day(next("first allocation")?)?;
    let adjournments =
        usize::try_from(number(next("adjournments")?)?).map_err(|_| bad(line, "adjournments"))?;
    let filed_late = next("late filing")? == "1";
    let first_unfiled_due = opt_day(next("unfiled work")?)?;
    let team_id = number(next("the team")?)?;
    let court_id = number(next("the court")?)?;
    let la = next("the local authority")?;
    let local_authority_id = (la != "-").then(|| number(la)).transpose()?;
    let stages = words
        .map(|word| {
            let (place, on) = word.split_once(':').ok_or_else(|| bad(line, "a stage"))?;
            let stage = place
                .parse::<usize>()
                .ok()
                .and_then(|p| pathway.stages.get(p))
                .ok_or_else(|| bad(line, "a stage of its pathway"))?;
            Ok((day(on)?, stage.code))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(DelayCase {
        law_type,
        pathway,
        received_on,
        first_closed,
        stages,
        first_allocated,
        adjournments,
        filed_late,
        first_unfiled_due,
        team_id,
        court_id,
        local_authority_id,
    })
}

fn row(case_id: i64, case: &DelayCase) -> Vec<Param> {
    vec![
        case_id.into(),
        case.team_id.into(),
        case.court_id.into(),
        case.local_authority_id.into(),
        case.received_on.into(),
        case.first_closed_on().unwrap_or(NEVER).into(),
        summary(case).into(),
    ]
}

/// Stores the cases' rows, replacing any they had.
pub(crate) async fn put(
    tx: &mut dyn Tx,
    cases: impl IntoIterator<Item = (i64, &DelayCase)>,
) -> Result<(), StoreError> {
    let rows = cases.into_iter().map(|(id, case)| row(id, case)).collect();
    crate::bulk::insert_rows(
        tx,
        "delay_cases",
        &COLUMNS,
        rows,
        " ON CONFLICT (case_id) DO UPDATE SET team_id = excluded.team_id, \
         court_id = excluded.court_id, local_authority_id = excluded.local_authority_id, \
         received_on = excluded.received_on, considered_until = excluded.considered_until, \
         summary = excluded.summary",
    )
    .await?;
    Ok(())
}

/// Removes every row, before a rebuild.
pub(crate) async fn clear(tx: &mut dyn Tx) -> Result<(), StoreError> {
    tx.execute("DELETE FROM delay_cases", &[]).await?;
    Ok(())
}

/// Every stored row's line, by case, for checking against a recomputation.
pub(crate) async fn stored(tx: &mut dyn Tx) -> Result<BTreeMap<i64, String>, StoreError> {
    tx.fetch_all("SELECT case_id, summary FROM delay_cases", &[])
        .await?
        .iter()
        .map(|r| Ok((r.i64("case_id")?, r.text("summary")?)))
        .collect()
}

/// The cases ever held in `scope` that an analysis of the days `first` to
/// `last` considers: received by its end and not first closed before it.
pub(crate) async fn cases(
    tx: &mut dyn Tx,
    scope: Scope,
    first: Date,
    last: Date,
) -> Result<Vec<DelayCase>, StoreError> {
    let mut params: Vec<Param> = vec![first.into(), last.into()];
    let considered = "considered_until >= $1 AND received_on <= $2";
    let in_scope = scope_condition(
        scope,
        &mut params,
        &CaseTable {
            name: "delay_cases",
            id: "case_id",
            narrowed: considered,
        },
    );
    // One value, put together by the database: a national year is some
    // hundred thousand cases, and one row each costs far more to hand over.
    let sql = format!(
        "SELECT string_agg(summary, ';') AS cases FROM delay_cases \
         WHERE {considered} AND {in_scope}"
    );
    let rows = tx.fetch_all(&sql, &params).await?;
    let Some(all) = rows
        .first()
        .map(|r| r.opt_text("cases"))
        .transpose()?
        .flatten()
    else {
        return Ok(Vec::new());
    };
    all.split(';').map(parse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use tandem_domain::casework::PRIVATE_LAW;

    #[test]
    fn a_line_reads_back_as_the_case_it_was_written_from() {
        let mut case = DelayCase {
            law_type: LawType::Private,
            pathway: &PRIVATE_LAW,
            received_on: date(2025, 4, 1),
            first_closed: None,
            stages: vec![(0, "intake"), (8, "safeguarding-checks")],
            first_allocated: Some(62),
            adjournments: 2,
            filed_late: true,
            first_unfiled_due: None,
            team_id: 12,
            court_id: 3,
            local_authority_id: None,
        };
        assert_eq!(
            summary(&case),
            "private private-law 2025-04-01 - 62 2 1 - 12 3 - 0:0 1:8"
        );
        assert_eq!(parse(&summary(&case)).expect("parses"), case);
        case.first_closed = Some(276);
        case.first_unfiled_due = Some(-3);
        case.local_authority_id = Some(40);
        case.stages.clear();
        case.filed_late = false;
        assert_eq!(parse(&summary(&case)).expect("parses"), case);
        assert!(parse("private private-law 2025-04-01").is_err());
        assert!(parse(&summary(&case).replace("private-law", "planet")).is_err());
        assert!(parse("private private-law 2025-04-01 - 62 2 1 - 12 3 - 9:0").is_err());
        assert!(parse("private private-law 2025-02-30 - 62 2 1 - 12 3 -").is_err());
        assert!(parse("private private-law 2025-4-01 - 62 2 1 - 12 3 -").is_err());
        assert_eq!(iso_date("2024-02-29"), Some(date(2024, 2, 29)));
    }
}
