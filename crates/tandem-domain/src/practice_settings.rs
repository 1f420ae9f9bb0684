//! The organisation's own practice settings: its targets in working days,
//! when a case counts as long-running, how much each case weighs in a
//! caseload, and which management oversight it requires. The defaults are
//! the service's published ones; an administrator changes them without a
//! code change, and every clock, caseload and flag follows.

use crate::case_notes::OversightRules;
use crate::casework::CaseloadWeights;
use crate::clocks::{LongRunningThresholds, PracticeTargets};
use crate::{DomainError, ValidationErrors};
use serde::Deserialize;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PracticeSettings {
    pub targets: PracticeTargets,
    pub thresholds: LongRunningThresholds,
    pub weights: CaseloadWeights,
    pub oversight: OversightRules,
}

/// As typed into the form or sent to the API: every field is text, so each
/// can be refused with its own message.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PracticeSettingsInput {
    pub safeguarding_letter_days: String,
    pub private_law_allocation_days: String,
    pub public_law_allocation_days: String,
    pub first_contact_with_child_days: String,
    pub private_law_weeks: String,
    pub public_law_weeks: String,
    pub weight_private_law: String,
    pub weight_section_7_report: String,
    pub weight_public_law: String,
    pub weight_adoption: String,
    /// `yes` or `no`.
    pub oversight_at_allocation: String,
    pub oversight_before_filing: String,
    pub version: String,
}

/// A whole number of working days or weeks within `range`.
fn whole(value: &str, what: &str, range: std::ops::RangeInclusive<u32>) -> Result<u32, String> {
    let (low, high) = (*range.start(), *range.end());
    match value.trim().parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(format!(
            "Enter the {what} as a whole number from {low} to {high}"
        )),
    }
}

/// A caseload weight: a positive number of points, at most 10.
fn weight(value: &str, what: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(w) if w.is_finite() && w > 0.0 && w <= 10.0 => Ok(w),
        _ => Err(format!(
            "Enter the weight of {what} as a number of points above 0 and at most 10, such as 1.5"
        )),
    }
}

fn yes_no(value: &str, what: &str) -> Result<bool, String> {
    match value.trim() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(format!("Choose whether {what}")),
    }
}

impl PracticeSettingsInput {
    pub fn validate(&self) -> Result<PracticeSettings, DomainError> {
        let mut e = ValidationErrors::new();
        let days = |e: &mut ValidationErrors, field: &str, value: &str, what: &str| {
            e.check(field, whole(value, what, 1..=100))
        };
        let letter = days(
            &mut e,
            "safeguarding_letter_days",
            &self.safeguarding_letter_days,
            "safeguarding letter target",
        );
        let private_allocation = days(
            &mut e,
            "private_law_allocation_days",
            &self.private_law_allocation_days,
            "private law allocation target",
        );
        let public_allocation = days(
            &mut e,
            "public_law_allocation_days",
            &self.public_law_allocation_days,
            "public law allocation target",
        );
        let first_contact = days(
            &mut e,
            "first_contact_with_child_days",
            &self.first_contact_with_child_days,
            "first contact target",
        );
        let private_weeks = e.check(
            "private_law_weeks",
            whole(
                &self.private_law_weeks,
                "private law threshold in weeks",
                4..=156,
            ),
        );
        let public_weeks = e.check(
            "public_law_weeks",
            whole(
                &self.public_law_weeks,
                "public law threshold in weeks",
                4..=156,
            ),
        );
        let w_private = e.check(
            "weight_private_law",
            weight(&self.weight_private_law, "a private law case"),
        );
        let w_section_7 = e.check(
            "weight_section_7_report",
            weight(&self.weight_section_7_report, "a section 7 report"),
        );
        let w_public = e.check(
            "weight_public_law",
            weight(&self.weight_public_law, "a public law case"),
        );
        let w_adoption = e.check(
            "weight_adoption",
            weight(&self.weight_adoption, "an adoption case"),
        );
        let at_allocation = e.check(
            "oversight_at_allocation",
            yes_no(
                &self.oversight_at_allocation,
                "oversight is required at allocation",
            ),
        );
        let before_filing = e.check(
            "oversight_before_filing",
            yes_no(
                &self.oversight_before_filing,
                "oversight is required before filing",
            ),
        );
        if !e.is_empty() {
            return Err(DomainError::Invalid(e));
        }
        // Every field passed, so every value is present.
        match (
            (letter, private_allocation, public_allocation, first_contact),
            (private_weeks, public_weeks),
            (w_private, w_section_7, w_public, w_adoption),
            (at_allocation, before_filing),
        ) {
            (
                (
                    Some(letter),
                    Some(private_allocation),
                    Some(public_allocation),
                    Some(first_contact),
                ),
                (Some(private_weeks), Some(public_weeks)),
                (Some(private_law), Some(section_7_report), Some(public_law), Some(adoption)),
                (Some(at_allocation), Some(before_filing)),
            ) => Ok(PracticeSettings {
                targets: PracticeTargets {
                    safeguarding_letter_days: letter,
                    public_law_allocation_days: public_allocation,
                    private_law_allocation_days: private_allocation,
                    first_contact_with_child_days: first_contact,
                },
                thresholds: LongRunningThresholds {
                    public_law_weeks: public_weeks.into(),
                    private_law_weeks: private_weeks.into(),
                },
                weights: CaseloadWeights {
                    private_law,
                    section_7_report,
                    public_law,
                    adoption,
                },
                oversight: OversightRules {
                    at_allocation,
                    before_filing,
                },
            }),
            _ => Err(DomainError::Invalid(e)),
        }
    }
}

impl PracticeSettings {
    /// The settings as the form shows them, at `version`.
    pub fn as_input(&self, version: i64) -> PracticeSettingsInput {
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
        PracticeSettingsInput {
            safeguarding_letter_days: self.targets.safeguarding_letter_days.to_string(),
            private_law_allocation_days: self.targets.private_law_allocation_days.to_string(),
            public_law_allocation_days: self.targets.public_law_allocation_days.to_string(),
            first_contact_with_child_days: self.targets.first_contact_with_child_days.to_string(),
            private_law_weeks: self.thresholds.private_law_weeks.to_string(),
            public_law_weeks: self.thresholds.public_law_weeks.to_string(),
            weight_private_law: self.weights.private_law.to_string(),
            weight_section_7_report: self.weights.section_7_report.to_string(),
            weight_public_law: self.weights.public_law.to_string(),
            weight_adoption: self.weights.adoption.to_string(),
            oversight_at_allocation: yes_no(self.oversight.at_allocation),
            oversight_before_filing: yes_no(self.oversight.before_filing),
            version: version.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_read_back_as_themselves() {
        let defaults = PracticeSettings::default();
        assert_eq!(defaults.as_input(0).validate(), Ok(defaults));
    }

    #[test]
    fn every_bad_value_is_named_at_once() {
        let input = PracticeSettingsInput {
            safeguarding_letter_days: "0".into(),
            private_law_weeks: "2".into(),
            weight_public_law: "NaN".into(),
            oversight_before_filing: "maybe".into(),
            ..PracticeSettings::default().as_input(1)
        };
        let Err(DomainError::Invalid(e)) = input.validate() else {
            panic!("refused");
        };
        for field in [
            "safeguarding_letter_days",
            "private_law_weeks",
            "weight_public_law",
            "oversight_before_filing",
        ] {
            assert!(e.for_field(field).is_some(), "{field}");
        }
        assert_eq!(e.fields().len(), 4);
    }

    #[test]
    fn changed_values_are_kept() {
        let input = PracticeSettingsInput {
            safeguarding_letter_days: "15".into(),
            weight_section_7_report: "2.5".into(),
            oversight_at_allocation: "no".into(),
            ..PracticeSettings::default().as_input(1)
        };
        let settings = input.validate().expect("valid");
        assert_eq!(settings.targets.safeguarding_letter_days, 15);
        assert!((settings.weights.section_7_report - 2.5).abs() < f64::EPSILON);
        assert!(!settings.oversight.at_allocation);
        assert!(settings.oversight.before_filing);
    }
}
