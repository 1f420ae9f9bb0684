//! Storing a case's risk records: domestic abuse indicators, section 16A
//! assessments, referrals, and checks with their responses.

use crate::backend::Tx;
use crate::casework::{add_event, audit_case, decode, existing_case, fetch_as, opt_choice};
use crate::error::StoreError;
use crate::row::Row;
use jiff::civil::Date;
use tandem_domain::DomainError;
use tandem_domain::audit::Stamp;
use tandem_domain::casework::CaseId;
use tandem_domain::choice::Choice;
use tandem_domain::risk::*;

fn risk_from(r: &Row) -> Result<RiskEntry, StoreError> {
    let response = match (
        r.opt_date("responded_on")?,
        opt_choice::<CheckResponse>(r, "response")?,
    ) {
        (Some(on), Some(answer)) => Some((on, answer)),
        _ => None,
    };
    Ok(RiskEntry {
        id: r.i64("id")?,
        details: RiskDraft {
            kind: decode("kind", RiskKind::parse(&r.text("kind")?))?,
            noted_on: r.date("noted_on")?,
            indicator: opt_choice(r, "indicator")?,
            source: opt_choice(r, "source")?,
            conclusion: opt_choice(r, "conclusion")?,
            detail: r.opt_text("detail")?,
        },
        response,
        version: r.i64("version")?,
    })
}

/// A case's risk records, oldest first.
pub(crate) async fn risks(tx: &mut dyn Tx, case: CaseId) -> Result<Vec<RiskEntry>, StoreError> {
    fetch_as(
        tx,
        "SELECT * FROM risk_entries WHERE case_id = $1 ORDER BY noted_on, id",
        &[case.0.into()],
        risk_from,
    )
    .await
}

pub(crate) async fn add_risk(
    tx: &mut dyn Tx,
    case: CaseId,
    d: &RiskDraft,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    existing_case(tx, case).await?;
    tx.execute(
        "INSERT INTO risk_entries (case_id, kind, noted_on, indicator, source, conclusion, detail, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1)",
        &[
            case.0.into(),
            d.kind.slug().into(),
            d.noted_on.into(),
            d.indicator.map(|c| c.slug()).into(),
            d.source.map(|c| c.slug()).into(),
            d.conclusion.map(|c| c.slug()).into(),
            d.detail.clone().into(),
        ],
    )
    .await?;
    let what = format!("{} on {}", d.kind.label(), d.noted_on);
    add_event(tx, case, stamp, "risk", None, None, Some(&what)).await?;
    audit_case(tx, stamp, case, "update", Some("risk recorded".into())).await
}

/// Records the answer to a check, if the record is still at `version`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_check_response(
    tx: &mut dyn Tx,
    case: CaseId,
    entry: i64,
    version: i64,
    responded_on: &str,
    response: &str,
    today: Date,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    let found = risks(tx, case)
        .await?
        .into_iter()
        .find(|r| r.id == entry)
        .ok_or(StoreError::Domain(DomainError::NotFound {
            kind: "risk record",
        }))?;
    if found.version != version {
        return Err(DomainError::StaleVersion {
            kind: "risk record",
        }
        .into());
    }
    let (on, answer) = check_response(&found, responded_on, response, today)?;
    let changed = tx
        .execute(
            "UPDATE risk_entries SET responded_on = $1, response = $2, version = version + 1 \
             WHERE id = $3 AND version = $4",
            &[
                on.into(),
                answer.slug().into(),
                entry.into(),
                version.into(),
            ],
        )
        .await?;
    if changed != 1 {
        return Err(DomainError::StaleVersion {
            kind: "risk record",
        }
        .into());
    }
    let what = format!("{}: {} on {on}", found.details.kind.label(), answer.label());
    add_event(tx, case, stamp, "check-response", None, None, Some(&what)).await?;
    audit_case(tx, stamp, case, "update", Some("check response".into())).await
}
