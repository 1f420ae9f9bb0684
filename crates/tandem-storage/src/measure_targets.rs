//! Storing the organisation's targets for its measures: one row a measure,
//! versioned so two people changing one at once cannot both win silently.

use crate::audit;
use crate::backend::Tx;
use crate::casework::fetch_as;
use crate::error::StoreError;
use std::collections::BTreeMap;
use tandem_domain::DomainError;
use tandem_domain::audit::{Outcome, Stamp};

/// Each measure's target and its version.
pub(crate) async fn targets(tx: &mut dyn Tx) -> Result<BTreeMap<String, (f64, i64)>, StoreError> {
    Ok(fetch_as(
        tx,
        "SELECT measure_id, target, version FROM measure_targets",
        &[],
        |r| Ok((r.text("measure_id")?, (r.f64("target")?, r.i64("version")?))),
    )
    .await?
    .into_iter()
    .collect())
}

/// Sets (or with none, removes) a measure's target if it is still at
/// `version` (0: no target yet).
pub(crate) async fn set_target(
    tx: &mut dyn Tx,
    measure: &str,
    target: Option<f64>,
    version: i64,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    let current = targets(tx).await?.get(measure).map_or(0, |(_, v)| *v);
    let stale = || DomainError::StaleVersion { kind: "target" };
    if current != version {
        return Err(stale().into());
    }
    let changed = match (target, version) {
        (None, 0) => 1,
        (None, _) => {
            tx.execute(
                "DELETE FROM measure_targets WHERE measure_id = $1 AND version = $2",
                &[measure.into(), version.into()],
            )
            .await?
        }
        (Some(t), 0) => {
            tx.execute(
                "INSERT INTO measure_targets (measure_id, target, version) VALUES ($1, $2, 1) \
                 ON CONFLICT (measure_id) DO NOTHING",
                &[measure.into(), t.into()],
            )
            .await?
        }
        (Some(t), _) => {
            tx.execute(
                "UPDATE measure_targets SET target = $1, version = version + 1 \
                 WHERE measure_id = $2 AND version = $3",
                &[t.into(), measure.into(), version.into()],
            )
            .await?
        }
    };
    if changed != 1 {
        return Err(stale().into());
    }
    let what = match target {
        Some(t) => format!("target for {measure} set to {t}"),
        None => format!("target for {measure} removed"),
    };
    audit::append(
        tx,
        &stamp.entry(
            "update",
            Outcome::Allowed,
            Some(("measure_target", measure.to_owned())),
            Some(what),
        ),
    )
    .await?;
    Ok(())
}
