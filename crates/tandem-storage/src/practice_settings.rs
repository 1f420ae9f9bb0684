//! Storing the organisation's practice settings: one row, versioned.

use crate::audit;
use crate::backend::Tx;
use crate::casework::fetch_as;
use crate::error::{SqlError, StoreError};
use crate::row::Row;
use tandem_domain::DomainError;
use tandem_domain::audit::{Outcome, Stamp};
use tandem_domain::case_notes::OversightRules;
use tandem_domain::casework::CaseloadWeights;
use tandem_domain::clocks::{LongRunningThresholds, PracticeTargets};
use tandem_domain::practice_settings::PracticeSettings;

fn days(r: &Row, column: &str) -> Result<u32, StoreError> {
    u32::try_from(r.i64(column)?)
        .map_err(|e| SqlError::decode(format!("column {column}: {e}")).into())
}

fn settings_from(r: &Row) -> Result<(PracticeSettings, i64), StoreError> {
    Ok((
        PracticeSettings {
            targets: PracticeTargets {
                safeguarding_letter_days: days(r, "safeguarding_letter_days")?,
                private_law_allocation_days: days(r, "private_law_allocation_days")?,
                public_law_allocation_days: days(r, "public_law_allocation_days")?,
                first_contact_with_child_days: days(r, "first_contact_with_child_days")?,
            },
            thresholds: LongRunningThresholds {
                private_law_weeks: r.i64("private_law_weeks")?,
                public_law_weeks: r.i64("public_law_weeks")?,
            },
            weights: CaseloadWeights {
                private_law: r.f64("weight_private_law")?,
                section_7_report: r.f64("weight_section_7_report")?,
                public_law: r.f64("weight_public_law")?,
                adoption: r.f64("weight_adoption")?,
            },
            oversight: OversightRules {
                at_allocation: r.bool("oversight_at_allocation")?,
                before_filing: r.bool("oversight_before_filing")?,
            },
        },
        r.i64("version")?,
    ))
}

/// The settings and their version; the defaults at version 0 until saved.
pub(crate) async fn settings(tx: &mut dyn Tx) -> Result<(PracticeSettings, i64), StoreError> {
    let saved = fetch_as(
        tx,
        "SELECT * FROM practice_settings WHERE id = 1",
        &[],
        settings_from,
    )
    .await?;
    Ok(saved
        .into_iter()
        .next()
        .unwrap_or((PracticeSettings::default(), 0)))
}

/// Saves the settings if they are still at `version`.
pub(crate) async fn set_settings(
    tx: &mut dyn Tx,
    s: &PracticeSettings,
    version: i64,
    stamp: &Stamp,
) -> Result<(), StoreError> {
    let (before, current) = settings(tx).await?;
    if current != version {
        return Err(DomainError::StaleVersion {
            kind: "practice settings",
        }
        .into());
    }
    let values = [
        i64::from(s.targets.safeguarding_letter_days).into(),
        i64::from(s.targets.private_law_allocation_days).into(),
        i64::from(s.targets.public_law_allocation_days).into(),
        i64::from(s.targets.first_contact_with_child_days).into(),
        s.thresholds.private_law_weeks.into(),
        s.thresholds.public_law_weeks.into(),
        s.weights.private_law.into(),
        s.weights.section_7_report.into(),
        s.weights.public_law.into(),
        s.weights.adoption.into(),
        s.oversight.at_allocation.into(),
        s.oversight.before_filing.into(),
        version.into(),
    ];
    let changed = if version == 0 {
        tx.execute(
            "INSERT INTO practice_settings (id, safeguarding_letter_days, private_law_allocation_days, \
             public_law_allocation_days, first_contact_with_child_days, private_law_weeks, public_law_weeks, \
             weight_private_law, weight_section_7_report, weight_public_law, weight_adoption, \
             oversight_at_allocation, oversight_before_filing, version) \
             VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 + 1) ON CONFLICT (id) DO NOTHING",
            &values,
        )
        .await?
    } else {
        tx.execute(
            "UPDATE practice_settings SET safeguarding_letter_days = $1, private_law_allocation_days = $2, \
             public_law_allocation_days = $3, first_contact_with_child_days = $4, private_law_weeks = $5, \
             public_law_weeks = $6, weight_private_law = $7, weight_section_7_report = $8, \
             weight_public_law = $9, weight_adoption = $10, oversight_at_allocation = $11, \
             oversight_before_filing = $12, version = version + 1 WHERE id = 1 AND version = $13",
            &values,
        )
        .await?
    };
    if changed != 1 {
        return Err(DomainError::StaleVersion {
            kind: "practice settings",
        }
        .into());
    }
    audit::append(
        tx,
        &stamp.entry(
            "update",
            Outcome::Allowed,
            Some(("practice_settings", "1".into())),
            Some("practice settings changed".into()),
        ),
    )
    .await?;
    // The long-running thresholds decide when each case starts counting as
    // long-running, so every case's cells change with them.
    if before.thresholds != s.thresholds {
        crate::rollups::rebuild(tx, crate::rollups::Rebuild::Cells).await?;
    }
    Ok(())
}
