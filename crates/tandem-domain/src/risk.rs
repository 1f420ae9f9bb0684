//! Risk on a case: domestic abuse indicators, section 16A risk assessments,
//! referrals to the local authority, and the police and local authority
//! checks made before the first hearing.

use crate::casework::{Case, multiline, refuse_if_closed};
use crate::choice::{Choice, optional};
use crate::{DomainError, ValidationErrors, text};
use jiff::civil::Date;
use serde::Deserialize;

crate::choice::choice!(
    /// What kind of risk record this is.
    RiskKind, "type of risk record", {
        DomesticAbuse => ("domestic-abuse", "Domestic abuse indicator"),
        Section16a => ("section-16a", "Section 16A risk assessment"),
        Referral => ("local-authority-referral", "Referral to the local authority"),
        PoliceCheck => ("police-check", "Police check"),
        LocalAuthorityCheck => ("local-authority-check", "Local authority check"),
    }
);

crate::choice::choice!(
    /// The kind of domestic abuse indicated.
    AbuseIndicator, "indicator", {
        Physical => ("physical", "Physical abuse"),
        Emotional => ("emotional", "Emotional or psychological abuse"),
        CoerciveControl => ("coercive-control", "Coercive or controlling behaviour"),
        Sexual => ("sexual", "Sexual abuse"),
        Economic => ("economic", "Economic abuse"),
        Threats => ("threats", "Threats or intimidation"),
        Stalking => ("stalking", "Stalking or harassment"),
        ChildExposed => ("child-exposed", "Child exposed to domestic abuse"),
        Other => ("other", "Other"),
    }
);

crate::choice::choice!(
    /// Where information about risk came from.
    InformationSource, "source", {
        Applicant => ("applicant", "Applicant"),
        Respondent => ("respondent", "Respondent"),
        Child => ("child", "The child"),
        Police => ("police", "Police"),
        LocalAuthority => ("local-authority", "Local authority"),
        Court => ("court", "Court papers, such as a C1A"),
        HealthOrSchool => ("health-or-school", "Health or school"),
        Other => ("other", "Other"),
    }
);

crate::choice::choice!(
    /// What a section 16A risk assessment concluded.
    AssessmentConclusion, "conclusion", {
        RiskIdentified => ("risk-identified", "Risk of harm identified"),
        NoRiskIdentified => ("no-risk-identified", "No risk of harm identified"),
        Inconclusive => ("inconclusive", "Inconclusive: more assessment needed"),
    }
);

crate::choice::choice!(
    /// What a police or local authority check returned.
    CheckResponse, "response", {
        NothingKnown => ("nothing-known", "Nothing known"),
        InformationHeld => ("information-held", "Information held"),
    }
);

/// One risk record as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskDraft {
    pub kind: RiskKind,
    /// Identified, assessed, referred or requested on.
    pub noted_on: Date,
    pub indicator: Option<AbuseIndicator>,
    pub source: Option<InformationSource>,
    pub conclusion: Option<AssessmentConclusion>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskEntry {
    pub id: i64,
    pub details: RiskDraft,
    /// For checks: when the answer came and what it was.
    pub response: Option<(Date, CheckResponse)>,
    pub version: i64,
}

impl RiskKind {
    pub fn is_check(self) -> bool {
        matches!(self, RiskKind::PoliceCheck | RiskKind::LocalAuthorityCheck)
    }
}

impl RiskEntry {
    /// A check still waiting for its answer.
    pub fn awaiting_response(&self) -> bool {
        self.details.kind.is_check() && self.response.is_none()
    }
}

/// As typed into a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskInput {
    pub kind: String,
    pub noted_on: String,
    pub indicator: String,
    pub source: String,
    pub conclusion: String,
    pub detail: String,
}

impl RiskInput {
    /// Each kind asks for what makes it useful: an indicator needs its type
    /// and source, an assessment its conclusion, a referral what concerned us.
    /// Fields that do not belong to the kind are refused rather than dropped.
    pub fn validate(&self, case: &Case, today: Date) -> Result<RiskDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        refuse_if_closed(case, "kind", &mut errors);
        let kind = errors.check("kind", RiskKind::parse(&self.kind));
        let noted_on = errors.check("noted_on", text::date(&self.noted_on, "date"));
        if let Some(on) = noted_on {
            if on > today {
                errors.add("noted_on", "The date cannot be in the future");
            }
            if on < case.received_on {
                errors.add(
                    "noted_on",
                    "The date cannot be before the application was received",
                );
            }
        }
        let indicator = errors.check("indicator", optional::<AbuseIndicator>(&self.indicator));
        let source = errors.check("source", optional::<InformationSource>(&self.source));
        let conclusion = errors.check(
            "conclusion",
            optional::<AssessmentConclusion>(&self.conclusion),
        );
        let detail = errors.check("detail", multiline(&self.detail, "detail"));
        if let Some(kind) = kind {
            let abuse = kind == RiskKind::DomesticAbuse;
            let assessment = kind == RiskKind::Section16a;
            let need = |errors: &mut ValidationErrors,
                        field: &str,
                        given: bool,
                        wanted: bool,
                        message: &str| {
                if wanted && !given {
                    errors.add(field, message);
                } else if !wanted && given {
                    errors.add(
                        field,
                        format!("A {} does not have this", kind.label().to_lowercase()),
                    );
                }
            };
            if let Some(indicator) = &indicator {
                need(
                    &mut errors,
                    "indicator",
                    indicator.is_some(),
                    abuse,
                    "Choose the kind of abuse indicated",
                );
            }
            if let Some(source) = &source {
                need(
                    &mut errors,
                    "source",
                    source.is_some(),
                    abuse,
                    "Choose where the information came from",
                );
            }
            if let Some(conclusion) = &conclusion {
                need(
                    &mut errors,
                    "conclusion",
                    conclusion.is_some(),
                    assessment,
                    "Choose what the assessment concluded",
                );
            }
            if kind == RiskKind::Referral && matches!(detail, Some(None)) {
                errors.add("detail", "Say what the referral is about");
            }
        }
        match (kind, noted_on, indicator, source, conclusion, detail) {
            (
                Some(kind),
                Some(noted_on),
                Some(indicator),
                Some(source),
                Some(conclusion),
                Some(detail),
            ) if errors.is_empty() => Ok(RiskDraft {
                kind,
                noted_on,
                indicator,
                source,
                conclusion,
                detail,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Checks the answer to a police or local authority check.
pub fn check_response(
    entry: &RiskEntry,
    responded_on: &str,
    response: &str,
    today: Date,
) -> Result<(Date, CheckResponse), DomainError> {
    if !entry.details.kind.is_check() {
        return Err(DomainError::invalid(
            "response",
            "Only a police or local authority check has a response",
        ));
    }
    if entry.response.is_some() {
        return Err(DomainError::invalid(
            "response",
            "The response to this check is already recorded",
        ));
    }
    let mut errors = ValidationErrors::new();
    let on = errors.check(
        "responded_on",
        text::date(responded_on, "date of the response"),
    );
    let answer = errors.check("response", CheckResponse::parse(response));
    if let Some(on) = on {
        if on < entry.details.noted_on {
            errors.add(
                "responded_on",
                "The response cannot come before the check was requested",
            );
        }
        if on > today {
            errors.add(
                "responded_on",
                "The date of the response cannot be in the future",
            );
        }
    }
    match (on, answer) {
        (Some(on), Some(answer)) if errors.is_empty() => Ok((on, answer)),
        _ => Err(DomainError::Invalid(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::work_tests::case;
    use jiff::civil::date;

    fn input(kind: &str) -> RiskInput {
        RiskInput {
            kind: kind.into(),
            noted_on: "2026-03-05".into(),
            ..Default::default()
        }
    }

    #[test]
    fn each_kind_asks_for_what_makes_it_useful() {
        let today = date(2026, 6, 1);
        let abuse = RiskInput {
            indicator: "coercive-control".into(),
            source: "court".into(),
            ..input("domestic-abuse")
        };
        let draft = abuse.validate(&case(), today).expect("valid");
        assert_eq!(draft.indicator, Some(AbuseIndicator::CoerciveControl));
        let bare = input("domestic-abuse").validate(&case(), today);
        assert!(
            matches!(&bare, Err(DomainError::Invalid(e))
                if e.for_field("indicator").is_some() && e.for_field("source").is_some()),
            "{bare:?}"
        );
        assert!(input("section-16a").validate(&case(), today).is_err());
        let misplaced = RiskInput {
            conclusion: "risk-identified".into(),
            ..input("police-check")
        };
        assert!(
            misplaced.validate(&case(), today).is_err(),
            "a check has no conclusion"
        );
        assert!(input("police-check").validate(&case(), today).is_ok());
        assert!(
            input("local-authority-referral")
                .validate(&case(), today)
                .is_err(),
            "says why"
        );
        assert!(input("hunch").validate(&case(), today).is_err());
        let early = RiskInput {
            noted_on: "2026-02-01".into(),
            ..input("police-check")
        };
        assert!(early.validate(&case(), today).is_err());
    }

    #[test]
    fn a_check_is_answered_once_after_it_was_asked() {
        let today = date(2026, 6, 1);
        let check = RiskEntry {
            id: 1,
            details: input("police-check")
                .validate(&case(), today)
                .expect("valid"),
            response: None,
            version: 1,
        };
        assert!(check.awaiting_response());
        assert_eq!(
            check_response(&check, "2026-03-12", "nothing-known", today),
            Ok((date(2026, 3, 12), CheckResponse::NothingKnown))
        );
        assert!(check_response(&check, "2026-03-01", "nothing-known", today).is_err());
        assert!(check_response(&check, "2026-03-12", "maybe", today).is_err());
        let answered = RiskEntry {
            response: Some((date(2026, 3, 12), CheckResponse::InformationHeld)),
            ..check
        };
        assert!(!answered.awaiting_response());
        assert!(check_response(&answered, "2026-03-13", "nothing-known", today).is_err());
    }
}
