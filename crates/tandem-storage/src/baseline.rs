//! The benchmark's baseline: measures computed the way an analyst would
//! with a BI tool, by straightforward SQL over the raw tables, with no
//! rollups. Used only to check that the rollups give identical numbers and
//! to measure how much faster they are.

use crate::backend::Tx;
use crate::casework::fetch_as;
use crate::error::StoreError;
use jiff::civil::Date;
use tandem_domain::casework::{CLOSED, CaseId};

/// New cases by month (`YYYY-MM`), for months `from` to `to` inclusive.
pub(crate) async fn new_cases(
    tx: &mut dyn Tx,
    first: Date,
    last: Date,
) -> Result<Vec<(String, i64)>, StoreError> {
    fetch_as(
        tx,
        "SELECT SUBSTR(CAST(received_on AS TEXT), 1, 7) AS month, COUNT(*) AS n FROM cases \
         WHERE received_on >= $1 AND received_on <= $2 GROUP BY SUBSTR(CAST(received_on AS TEXT), 1, 7) \
         ORDER BY month",
        &[first.into(), last.into()],
        |r| Ok((r.text("month")?, r.i64("n")?)),
    )
    .await
}

/// Cases open at the end of `day`: received by then, and not closed by
/// their latest closure or re-opening on or before it.
pub(crate) async fn open_cases(tx: &mut dyn Tx, day: Date) -> Result<i64, StoreError> {
    let rows = tx
        .fetch_all(
            &format!(
                "SELECT COUNT(*) AS n FROM cases c WHERE c.received_on <= $1 AND COALESCE(( \
                 SELECT e.kind FROM case_events e WHERE e.case_id = c.id \
                 AND ((e.kind = 'moved' AND e.to_stage = '{CLOSED}') OR e.kind = 'reopened') \
                 AND e.on_date <= $1 ORDER BY e.on_date DESC, e.id DESC LIMIT 1), 'reopened') = 'reopened'"
            ),
            &[day.into()],
        )
        .await?;
    Ok(rows.first().map(|r| r.i64("n")).transpose()?.unwrap_or(0))
}

/// Work due by month: how many were due, and how many of those were filed
/// on or before their due date.
pub(crate) async fn work_on_time(
    tx: &mut dyn Tx,
    first: Date,
    last: Date,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    fetch_as(
        tx,
        "SELECT SUBSTR(CAST(due_on AS TEXT), 1, 7) AS month, COUNT(*) AS due, \
         SUM(CASE WHEN filed_on IS NOT NULL AND filed_on <= due_on THEN 1 ELSE 0 END) AS on_time \
         FROM work_items WHERE due_on >= $1 AND due_on <= $2 \
         GROUP BY SUBSTR(CAST(due_on AS TEXT), 1, 7) ORDER BY month",
        &[first.into(), last.into()],
        |r| Ok((r.text("month")?, r.i64("due")?, r.i64("on_time")?)),
    )
    .await
}

/// The day the latest case was received, if there are any.
pub(crate) async fn latest_receipt(tx: &mut dyn Tx) -> Result<Option<Date>, StoreError> {
    let rows = tx
        .fetch_all("SELECT MAX(received_on) AS latest FROM cases", &[])
        .await?;
    Ok(rows
        .first()
        .map(|r| r.opt_date("latest"))
        .transpose()?
        .flatten())
}

/// Up to `limit` open cases, for timing writes.
pub(crate) async fn open_case_ids(tx: &mut dyn Tx, limit: i64) -> Result<Vec<CaseId>, StoreError> {
    fetch_as(
        tx,
        &format!("SELECT id FROM cases WHERE stage <> '{CLOSED}' ORDER BY id LIMIT $1"),
        &[limit.into()],
        |r| Ok(CaseId(r.i64("id")?)),
    )
    .await
}
