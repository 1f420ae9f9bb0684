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
//! `LP received first-closed first-allocated adjournments filed-late
//! first-unfiled-due team court local-authority stage…`
//!
//! where `L` is the law type's place in [`LawType::ALL`] and `P` the
//! pathway's in [`PATHWAYS`]; `received` is a day number (days since
//! 1 January 1970); the other dates are days after receipt (`-` for one it
//! does not have, as for the local authority); and each stage is a letter
//! for its place in the pathway (`a` the first) followed by the day it was
//! entered. A national year is a hundred thousand lines, so they are kept
//! short: the time to gather them grows with their length. `tandem rollups
//! verify` compares these lines with a recomputation, so a change to a
//! pathway's stages that alters them is caught; a migration marking the
//! rollups stale rewrites them.

use crate::backend::Tx;
use crate::error::{SqlError, StoreError};
use crate::rollups::{CaseTable, scope_condition};
use crate::row::Param;
use jiff::civil::Date;
use std::collections::BTreeMap;
use std::fmt::Write;
use tandem_domain::casework::{LawType, PATHWAYS};
use tandem_domain::choice::Choice;
use tandem_domain::delay::{DAYS, DelayCase, Location, date_of_day, day_number};
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

/// Stage places are written as letters from `a`.
const STAGE_LETTERS: u8 = 26;

fn put_word(line: &mut String, value: Option<impl std::fmt::Display>) {
    // Writing to a String cannot fail.
    let _ = match value {
        Some(v) => write!(line, " {v}"),
        None => write!(line, " -"),
    };
}

/// The case as one line (see the module's documentation); an error names
/// a law type, pathway or stage the line cannot hold.
pub(crate) fn summary(case: &DelayCase) -> Result<String, StoreError> {
    let law = LawType::ALL
        .iter()
        .position(|l| *l == case.law_type)
        .ok_or_else(|| SqlError::decode("delay_cases summary: an unknown law type"))?;
    let pathway = PATHWAYS
        .iter()
        .position(|p| p.code == case.pathway.code)
        .ok_or_else(|| SqlError::decode("delay_cases summary: an unknown pathway"))?;
    let mut line = format!("{law}{pathway}");
    put_word(&mut line, Some(case.received));
    put_word(&mut line, case.first_closed);
    put_word(&mut line, case.first_allocated);
    put_word(&mut line, Some(case.adjournments));
    put_word(&mut line, Some(u8::from(case.filed_late)));
    put_word(&mut line, case.first_unfiled_due);
    put_word(&mut line, Some(case.location.team_id));
    put_word(&mut line, Some(case.location.court_id));
    put_word(&mut line, case.location.local_authority_id);
    for (day, place) in &case.stages {
        let letter = u8::try_from(*place)
            .ok()
            .filter(|p| *p < STAGE_LETTERS)
            .ok_or_else(|| SqlError::decode("delay_cases summary: a stage beyond z"))?;
        let _ = write!(line, " {}{day}", char::from(b'a' + letter));
    }
    Ok(line)
}

fn bad(line: &str, what: &str) -> StoreError {
    SqlError::decode(format!("delay_cases summary {line:?}: {what}")).into()
}

/// A whole number written in ASCII digits, perhaps after a minus sign: a
/// national analysis reads a million of them, and they need no more.
fn number(word: &[u8]) -> Option<i64> {
    let (negative, digits) = match word.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, word),
    };
    // Eighteen digits always fit.
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut value: i64 = 0;
    for digit in digits {
        let digit = digit.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value * 10 + i64::from(digit);
    }
    Some(if negative { -value } else { value })
}

/// Reads back a line [`summary`] wrote, keeping its stages in `stages`
/// (emptied first): an analysis reads a hundred thousand, and allocates
/// for none of them.
fn parse(line: &str, mut stages: Vec<(i32, usize)>) -> Result<DelayCase, StoreError> {
    let mut words = line.as_bytes().split(|b| *b == b' ');
    let mut next = |what: &str| words.next().ok_or_else(|| bad(line, what));
    let int = |word: &[u8], what: &str| number(word).ok_or_else(|| bad(line, what));
    let day = |word: &[u8]| {
        number(word)
            .and_then(|d| i32::try_from(d).ok())
            .ok_or_else(|| bad(line, "a day"))
    };
    // Slice patterns, not comparisons: they need no call to `memcmp`.
    let opt_day = |word: &[u8]| (!matches!(word, [b'-'])).then(|| day(word)).transpose();
    let kind = next("the law type and pathway")?;
    let digit = |at: usize| {
        kind.get(at)
            .and_then(|d| d.checked_sub(b'0'))
            .map(usize::from)
    };
    let law_type = digit(0)
        .and_then(|l| LawType::ALL.get(l))
        .filter(|_| kind.len() == 2)
        .ok_or_else(|| bad(line, "a law type"))?;
    let pathway = digit(1)
        .and_then(|p| PATHWAYS.get(p))
        .ok_or_else(|| bad(line, "a pathway"))?;
    let received = day(next("receipt")?)
        .ok()
        .filter(|d| DAYS.contains(d))
        .ok_or_else(|| bad(line, "the date of receipt"))?;
    let first_closed = opt_day(next("first closure")?)?;
    let first_allocated = opt_day(next("first allocation")?)?;
    let adjournments = usize::try_from(int(next("adjournments")?, "adjournments")?)
        .map_err(|_| bad(line, "adjournments"))?;
    let filed_late = matches!(next("late filing")?, [b'1']);
    let first_unfiled_due = opt_day(next("unfiled work")?)?;
    let team_id = int(next("the team")?, "the team")?;
    let court_id = int(next("the court")?, "the court")?;
    let la = next("the local authority")?;
    let local_authority_id = (!matches!(la, [b'-']))
        .then(|| int(la, "the local authority"))
        .transpose()?;
    stages.clear();
    for word in words {
        let (letter, on) = word.split_first().ok_or_else(|| bad(line, "a stage"))?;
        let place = usize::from(letter.wrapping_sub(b'a'));
        if place >= pathway.stages.len() {
            return Err(bad(line, "a stage of its pathway"));
        }
        stages.push((day(on)?, place));
    }
    Ok(DelayCase {
        law_type: *law_type,
        pathway,
        received,
        first_closed,
        stages,
        first_allocated,
        adjournments,
        filed_late,
        first_unfiled_due,
        location: Location {
            team_id,
            court_id,
            local_authority_id,
        },
    })
}

fn row(case_id: i64, case: &DelayCase) -> Result<Vec<Param>, StoreError> {
    Ok(vec![
        case_id.into(),
        case.location.team_id.into(),
        case.location.court_id.into(),
        case.location.local_authority_id.into(),
        case.received_on()
            .ok_or_else(|| SqlError::decode("delay_cases: a receipt beyond the calendar"))?
            .into(),
        case.first_closed_on().unwrap_or(NEVER).into(),
        summary(case)?.into(),
    ])
}

/// Stores the cases' rows, replacing any they had.
pub(crate) async fn put(
    tx: &mut dyn Tx,
    cases: impl IntoIterator<Item = (i64, &DelayCase)>,
) -> Result<(), StoreError> {
    let rows = cases
        .into_iter()
        .map(|(id, case)| row(id, case))
        .collect::<Result<_, _>>()?;
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

/// The cases whose stored row is missing, stale or left over, against the
/// lines `expected` of a recomputation, by case.
pub(crate) async fn check_stored(
    tx: &mut dyn Tx,
    expected: &BTreeMap<i64, String>,
) -> Result<Vec<i64>, StoreError> {
    let mut stored = tx
        .fetch_all("SELECT case_id, summary FROM delay_cases", &[])
        .await?
        .iter()
        .map(|r| Ok((r.i64("case_id")?, r.text("summary")?)))
        .collect::<Result<BTreeMap<i64, String>, StoreError>>()?;
    let mut wrong: Vec<i64> = expected
        .iter()
        .filter(|(id, line)| stored.remove(id).as_ref() != Some(*line))
        .map(|(id, _)| *id)
        .collect();
    // Rows for cases that no longer have any are wrong too.
    wrong.extend(stored.into_keys());
    wrong.sort_unstable();
    Ok(wrong)
}

/// Some of the cases an analysis of a period reads: those first closed
/// from `from` to `to` (a case not yet closed counts as closed after every
/// period). Each part is a range of the projection's order, read on its
/// own connection while the others are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    from: Date,
    to: Date,
}

impl Part {
    /// The cases an analysis of `first` to `last` reads, in `count` parts
    /// (at least one) that hold each case once: the cases first closed in
    /// the period, in spans of equal length, and those still open at its
    /// end. A year has about as many of each.
    pub fn split(first: Date, last: Date, count: usize) -> Vec<Part> {
        let (start, end) = (day_number(first), day_number(last));
        let spans = i32::try_from(count.saturating_sub(1)).unwrap_or(1);
        let mut parts = Vec::with_capacity(count.max(1));
        let mut from = start;
        for i in 1..=spans {
            let to = start + (end - start + 1) * i / spans - 1;
            if to >= from {
                parts.extend(
                    date_of_day(from)
                        .zip(date_of_day(to))
                        .map(|(from, to)| Part { from, to }),
                );
                from = to + 1;
            }
        }
        parts.push(Part {
            from: date_of_day(from).unwrap_or(first),
            to: NEVER,
        });
        parts
    }
}

/// Cases for the delay analysis as the database gathered them: one value
/// holding every line, read a case at a time by [`DelayLines::each`].
pub struct DelayLines(Option<String>);

impl DelayLines {
    /// Hands `visit` each case in turn; the case lends its storage to the
    /// next, so a hundred thousand are read without allocating for each.
    pub fn each(&self, mut visit: impl FnMut(&DelayCase)) -> Result<usize, StoreError> {
        let Some(all) = &self.0 else { return Ok(0) };
        let mut stages = Vec::new();
        let mut count = 0;
        for line in all.split(';') {
            let case = parse(line, stages)?;
            visit(&case);
            stages = case.stages;
            count += 1;
        }
        Ok(count)
    }

    /// Every case, each its own value.
    pub fn to_vec(&self) -> Result<Vec<DelayCase>, StoreError> {
        let mut cases = Vec::new();
        self.each(|case| cases.push(case.clone()))?;
        Ok(cases)
    }
}

/// The cases ever held in `scope` that an analysis of the days `first` to
/// `last` considers (received by its end and not first closed before it),
/// those of `part` only.
pub(crate) async fn cases(
    tx: &mut dyn Tx,
    scope: Scope,
    first: Date,
    last: Date,
    part: Part,
) -> Result<DelayLines, StoreError> {
    let mut params: Vec<Param> = vec![part.from.max(first).into(), part.to.into()];
    let closed = "considered_until BETWEEN $1 AND $2";
    // A case closed in the period was received by its end: only the cases
    // still open then need their receipt checked, a cost on every row.
    let considered = if part.to <= last {
        closed.to_owned()
    } else {
        params.push(last.into());
        format!("{closed} AND received_on <= $3")
    };
    let in_scope = scope_condition(
        scope,
        &mut params,
        &CaseTable {
            name: "delay_cases",
            id: "case_id",
            // Only what the place indexes hold, so that finding a team's
            // cases reads no rows: receipt is checked on the cases found.
            narrowed: closed,
        },
    );
    // One value, put together by the database: a national year is some
    // hundred thousand cases, and one row each costs far more to hand over.
    let sql = format!(
        "SELECT string_agg(summary, ';') AS cases FROM delay_cases \
         WHERE {considered} AND {in_scope}"
    );
    let rows = tx.fetch_all(&sql, &params).await?;
    let all = rows
        .first()
        .map(|r| r.opt_text("cases"))
        .transpose()?
        .flatten();
    Ok(DelayLines(all))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use tandem_domain::casework::PRIVATE_LAW;

    fn read(line: &str) -> Result<DelayCase, StoreError> {
        parse(line, Vec::new())
    }

    #[test]
    fn a_line_reads_back_as_the_case_it_was_written_from() {
        let mut case = DelayCase {
            law_type: LawType::Private,
            pathway: &PRIVATE_LAW,
            received: day_number(date(2025, 4, 1)),
            first_closed: None,
            stages: vec![(0, 0), (8, 1)],
            first_allocated: Some(62),
            adjournments: 2,
            filed_late: true,
            first_unfiled_due: None,
            location: Location {
                team_id: 12,
                court_id: 3,
                local_authority_id: None,
            },
        };
        let line = summary(&case).expect("a line");
        assert_eq!(line, "00 20179 - 62 2 1 - 12 3 - a0 b8");
        assert_eq!(read(&line).expect("parses"), case);
        case.first_closed = Some(276);
        case.first_unfiled_due = Some(-3);
        case.location.local_authority_id = Some(40);
        case.stages.clear();
        case.filed_late = false;
        assert_eq!(
            read(&summary(&case).expect("a line")).expect("parses"),
            case
        );
        for (line, why) in [
            ("00 20179", "cut short"),
            ("09 20179 - 62 2 1 - 12 3 -", "no tenth pathway"),
            (
                "000 20179 - 62 2 1 - 12 3 -",
                "law and pathway are two digits",
            ),
            ("00 20179 - 62 2 1 - 12 3 - z0", "no such stage"),
            ("00 20179 - 62 2 1 - 12 3 - b", "a stage without its day"),
            ("00 2025-04-01 - 62 2 1 - 12 3 -", "receipt as a date"),
            ("00 99999999 - 62 2 1 - 12 3 -", "no such date"),
            ("00 20179 - 62 x 1 - 12 3 -", "adjournments not a number"),
            ("00 20179 - 62 -1 1 - 12 3 -", "adjournments below none"),
            ("00 20179 - 62 2 1 - 12 3 -- a0", "local authority"),
            (
                "00 20179 - 62 2 1 - 1234567890123456789 3 -",
                "team too long",
            ),
            ("00 20179 - 62 2 1 - 12 3 - a0 ", "an empty word"),
        ] {
            assert!(read(line).is_err(), "{why}: {line}");
        }
    }

    #[test]
    fn numbers_are_read_as_written() {
        assert_eq!(number(b"0"), Some(0));
        assert_eq!(number(b"-3"), Some(-3));
        assert_eq!(number(b"123456789012345678"), Some(123_456_789_012_345_678));
        assert_eq!(
            number(b"-999999999999999999"),
            Some(-999_999_999_999_999_999)
        );
        for bad in [
            &b""[..],
            b"-",
            b"1-",
            b"+1",
            b"1 ",
            b"1234567890123456789",
            b"\xff",
        ] {
            assert_eq!(number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn lines_gathered_together_are_read_one_case_at_a_time() {
        let lines = DelayLines(Some(
            "00 20179 - 62 2 1 - 12 3 - a0 b8;23 20180 5 - 0 0 - 1 2 7 a0".into(),
        ));
        let cases = lines.to_vec().expect("parses");
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[1].stages, [(0, 0)], "its own stages, not the first's");
        assert_eq!(cases[1].law_type, LawType::Adoption);
        assert_eq!(cases[1].location.local_authority_id, Some(7));
        assert_eq!(DelayLines(None).each(|_| {}).expect("none"), 0);
        let broken = DelayLines(Some("00 20179 - 62 2 1 - 12 3 -;nonsense".into()));
        assert!(broken.to_vec().is_err());
    }

    #[test]
    fn a_period_is_split_into_parts_that_hold_each_case_once() {
        let (first, last) = (date(2025, 4, 1), date(2026, 3, 31));
        let whole = Part::split(first, last, 1);
        assert_eq!(
            whole,
            [Part {
                from: first,
                to: NEVER
            }]
        );
        assert_eq!(
            Part::split(first, last, 2),
            [
                Part {
                    from: first,
                    to: last
                },
                Part {
                    from: date(2026, 4, 1),
                    to: NEVER
                }
            ],
            "closed in the period, and open at its end"
        );
        for count in 3..8 {
            let parts = Part::split(first, last, count);
            assert_eq!(parts.len(), count);
            assert_eq!(parts[0].from, first);
            for pair in parts.windows(2) {
                assert!(pair[0].from <= pair[0].to, "{pair:?}");
                assert_eq!(pair[0].to.tomorrow().ok(), Some(pair[1].from), "{pair:?}");
            }
            assert_eq!(parts[count - 2].to, last);
            assert_eq!(parts[count - 1].to, NEVER);
        }
        let day = Part::split(first, first, 4);
        assert_eq!(
            day,
            [
                Part {
                    from: first,
                    to: first
                },
                Part {
                    from: date(2025, 4, 2),
                    to: NEVER
                }
            ],
            "no empty spans"
        );
    }

    #[test]
    fn every_stage_of_every_pathway_has_a_letter() {
        for pathway in PATHWAYS {
            assert!(
                pathway.stages.len() <= usize::from(STAGE_LETTERS),
                "{}",
                pathway.code
            );
        }
    }
}
