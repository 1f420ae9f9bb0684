//! The child's experience of the proceedings: when they first met their
//! family court adviser, what they want the court to know, how they would
//! like to be told the outcome, and what the outcome was.

use crate::casework::{Case, Child, multiline, refuse_if_closed};
use crate::choice::Choice;
use crate::{DomainError, ValidationErrors, text};
use jiff::civil::Date;
use serde::Deserialize;

crate::choice::choice!(
    /// How a child would like to be told what the court decided.
    ToldOutcomeBy, "how the child would like to be told", {
        Adviser => ("family-court-adviser", "By their family court adviser"),
        AdviserWithCarer => ("adviser-with-carer", "By their adviser, with a parent or carer"),
        Carer => ("parent-or-carer", "By a parent or carer"),
        SocialWorker => ("social-worker", "By their social worker"),
        Letter => ("letter", "In a letter written to them"),
        NotYetAsked => ("not-yet-asked", "Not asked yet"),
    }
);

crate::choice::choice!(
    /// An order the court made, or how the proceedings otherwise ended.
    OrderMade, "order", {
        LivesWith => ("child-arrangements-lives-with", "Child arrangements order: lives with"),
        SpendsTime => ("child-arrangements-spends-time", "Child arrangements order: spends time with"),
        ProhibitedSteps => ("prohibited-steps", "Prohibited steps order"),
        SpecificIssue => ("specific-issue", "Specific issue order"),
        FamilyAssistance => ("family-assistance", "Family assistance order"),
        Care => ("care", "Care order"),
        Supervision => ("supervision", "Supervision order"),
        Placement => ("placement", "Placement order"),
        Adoption => ("adoption", "Adoption order"),
        SpecialGuardianship => ("special-guardianship", "Special guardianship order"),
        NoOrder => ("no-order", "No order"),
        Withdrawn => ("withdrawn", "Application withdrawn"),
    }
);

crate::choice::choice!(
    /// Who the child lives with after the proceedings.
    LivesWith, "who the child lives with", {
        Mother => ("mother", "Mother"),
        Father => ("father", "Father"),
        SharedCare => ("shared-care", "Both parents, in shared care"),
        Kinship => ("kinship-carer", "A relative or friend"),
        SpecialGuardian => ("special-guardian", "A special guardian"),
        FosterCarer => ("foster-carer", "Foster carers"),
        Adopters => ("adoptive-parents", "Adoptive parents"),
        Residential => ("residential-care", "Residential care"),
        Other => ("other", "Somewhere else"),
    }
);

/// What the child has told the service, and when they first met.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChildExperience {
    pub first_met_fca_on: Option<Date>,
    pub wishes_and_feelings: Option<String>,
    pub told_outcome_by: Option<ToldOutcomeBy>,
    pub told_outcome_notes: Option<String>,
}

/// As typed into a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChildExperienceInput {
    pub first_met_fca_on: String,
    pub wishes_and_feelings: String,
    pub told_outcome_by: String,
    pub told_outcome_notes: String,
    pub version: String,
}

impl ChildExperienceInput {
    /// A first meeting cannot come before the case was received or the child
    /// was born, nor in the future. Blank fields are simply not known yet.
    pub fn validate(
        &self,
        case: &Case,
        child: &Child,
        today: Date,
    ) -> Result<ChildExperience, DomainError> {
        let mut errors = ValidationErrors::new();
        refuse_if_closed(case, "first_met_fca_on", &mut errors);
        let met = errors.check(
            "first_met_fca_on",
            text::optional_date(
                &self.first_met_fca_on,
                "date the child first met their adviser",
            ),
        );
        if let Some(Some(met)) = met {
            if met > today {
                errors.add(
                    "first_met_fca_on",
                    "The first meeting cannot be in the future",
                );
            }
            if met < case.received_on {
                errors.add(
                    "first_met_fca_on",
                    "The first meeting cannot be before the application was received",
                );
            }
        }
        let wishes = errors.check(
            "wishes_and_feelings",
            multiline(&self.wishes_and_feelings, "wishes and feelings"),
        );
        let by = errors.check(
            "told_outcome_by",
            crate::choice::optional::<ToldOutcomeBy>(&self.told_outcome_by),
        );
        let notes = errors.check(
            "told_outcome_notes",
            multiline(&self.told_outcome_notes, "notes on telling the child"),
        );
        if let Some(Some(met)) = met
            && met < child.details.date_of_birth
        {
            errors.add(
                "first_met_fca_on",
                "The first meeting cannot be before the child was born",
            );
        }
        match (met, wishes, by, notes) {
            (Some(met), Some(wishes), Some(by), Some(notes)) if errors.is_empty() => {
                Ok(ChildExperience {
                    first_met_fca_on: met,
                    wishes_and_feelings: wishes,
                    told_outcome_by: by,
                    told_outcome_notes: notes,
                })
            }
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// What the proceedings decided for one child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildOutcome {
    pub orders: Vec<OrderMade>,
    pub lives_with: LivesWith,
    /// Time with the people the child does not live with.
    pub contact: Option<String>,
    pub recorded_on: Date,
}

impl ChildOutcome {
    /// The orders as their codes, comma-separated, as stored and exported.
    pub fn order_codes(&self) -> String {
        self.orders
            .iter()
            .map(|o| o.slug())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// As typed into a form (orders comma-separated) or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChildOutcomeInput {
    pub orders: String,
    pub lives_with: String,
    pub contact: String,
    pub recorded_on: String,
    pub version: String,
}

/// Reads comma-separated order codes, each once.
pub fn parse_orders(codes: &str) -> Result<Vec<OrderMade>, String> {
    let mut orders = Vec::new();
    for code in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        let order = OrderMade::parse(code)?;
        if !orders.contains(&order) {
            orders.push(order);
        }
    }
    if orders.is_empty() {
        return Err("Choose the orders made, or \"No order\" or \"Application withdrawn\"".into());
    }
    let ending = |o: &OrderMade| matches!(o, OrderMade::NoOrder | OrderMade::Withdrawn);
    if orders.len() > 1 && orders.iter().any(ending) {
        return Err(
            "\"No order\" and \"Application withdrawn\" cannot go with other orders".into(),
        );
    }
    Ok(orders)
}

impl ChildOutcomeInput {
    /// Recorded on or after the case was received, and not in the future.
    /// It may be recorded on a closed case, to complete its record.
    pub fn validate(&self, case: &Case, today: Date) -> Result<ChildOutcome, DomainError> {
        let mut errors = ValidationErrors::new();
        let orders = errors.check("orders", parse_orders(&self.orders));
        let lives_with = errors.check("lives_with", LivesWith::parse(&self.lives_with));
        let contact = errors.check("contact", multiline(&self.contact, "contact arrangements"));
        let on = errors.check(
            "recorded_on",
            text::date(&self.recorded_on, "date of the outcome"),
        );
        if let Some(on) = on {
            if on > today {
                errors.add(
                    "recorded_on",
                    "The date of the outcome cannot be in the future",
                );
            }
            if on < case.received_on {
                errors.add(
                    "recorded_on",
                    "The outcome cannot be before the application was received",
                );
            }
        }
        match (orders, lives_with, contact, on) {
            (Some(orders), Some(lives_with), Some(contact), Some(recorded_on))
                if errors.is_empty() =>
            {
                Ok(ChildOutcome {
                    orders,
                    lives_with,
                    contact,
                    recorded_on,
                })
            }
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// A case closes only when every child's outcome is recorded: the outcome
/// is what the service reports on, child by child.
pub fn ready_to_close(children: &[Child]) -> Result<(), DomainError> {
    let missing: Vec<String> = children
        .iter()
        .filter(|c| c.outcome.is_none())
        .map(Child::full_name)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "to",
            format!(
                "Record the outcome for {} before closing the case",
                missing.join(" and ")
            ),
        ))
    }
}

/// A child in an allocated, open case who has not yet met their adviser,
/// and how long they have waited since allocation.
pub fn days_waiting_to_meet(allocated_on: Date, today: Date) -> i64 {
    (today - allocated_on).get_days().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::work_tests::case;
    use crate::casework::{ChildDraft, Ethnicity, Sex, YesNoNotKnown};
    use jiff::civil::date;

    fn child(outcome: Option<ChildOutcome>) -> Child {
        Child {
            id: 1,
            details: ChildDraft {
                given_name: "Ada".into(),
                family_name: "Lane".into(),
                date_of_birth: date(2026, 3, 10),
                sex: Sex::Female,
                ethnicity: Ethnicity::NotKnown,
                disability: YesNoNotKnown::NotKnown,
                first_language: None,
                interpreter_needed: YesNoNotKnown::NotKnown,
            },
            experience: ChildExperience::default(),
            outcome,
            version: 1,
        }
    }

    #[test]
    fn a_first_meeting_is_real_and_in_the_past() {
        let today = date(2026, 6, 1);
        let input = |met: &str| ChildExperienceInput {
            first_met_fca_on: met.into(),
            wishes_and_feelings: "Wants to see Dad at weekends".into(),
            told_outcome_by: "adviser-with-carer".into(),
            ..Default::default()
        };
        let ok = input("2026-04-01")
            .validate(&case(), &child(None), today)
            .expect("valid");
        assert_eq!(ok.first_met_fca_on, Some(date(2026, 4, 1)));
        assert_eq!(ok.told_outcome_by, Some(ToldOutcomeBy::AdviserWithCarer));
        assert!(
            input("").validate(&case(), &child(None), today).is_ok(),
            "not met yet"
        );
        for bad in ["2026-06-02", "2026-03-01", "1 April"] {
            assert!(
                input(bad).validate(&case(), &child(None), today).is_err(),
                "{bad}"
            );
        }
        let born_later = Child {
            details: ChildDraft {
                date_of_birth: date(2026, 5, 1),
                ..child(None).details
            },
            ..child(None)
        };
        assert!(
            input("2026-04-01")
                .validate(&case(), &born_later, today)
                .is_err()
        );
    }

    #[test]
    fn an_outcome_names_its_orders_and_ending_orders_stand_alone() {
        assert_eq!(
            parse_orders("care, supervision,care"),
            Ok(vec![OrderMade::Care, OrderMade::Supervision])
        );
        assert!(parse_orders("").is_err());
        assert!(parse_orders("no-order,care").is_err());
        assert!(parse_orders("essay").is_err());
        let outcome = ChildOutcomeInput {
            orders: "child-arrangements-lives-with,child-arrangements-spends-time".into(),
            lives_with: "mother".into(),
            contact: "Alternate weekends with father".into(),
            recorded_on: "2026-05-20".into(),
            version: String::new(),
        }
        .validate(&case(), date(2026, 6, 1))
        .expect("valid");
        assert_eq!(
            outcome.order_codes(),
            "child-arrangements-lives-with,child-arrangements-spends-time"
        );
    }

    #[test]
    fn a_case_closes_only_with_every_childs_outcome() {
        let outcome = ChildOutcome {
            orders: vec![OrderMade::NoOrder],
            lives_with: LivesWith::Mother,
            contact: None,
            recorded_on: date(2026, 5, 1),
        };
        assert!(ready_to_close(&[child(Some(outcome.clone()))]).is_ok());
        let refused = ready_to_close(&[child(Some(outcome)), child(None)]);
        assert!(
            matches!(&refused, Err(DomainError::Invalid(e))
                if e.for_field("to").is_some_and(|m| m.contains("Ada Lane"))),
            "{refused:?}"
        );
    }
}
