//! Case notes, the contact log and management oversight, and the flags a
//! case carries when oversight the organisation requires is missing.

use crate::casework::{Allocation, Case, WorkItem, multiline};
use crate::choice::Choice;
use crate::{DomainError, ValidationErrors, text};
use jiff::civil::Date;
use serde::Deserialize;

crate::choice::choice!(
    /// The type of entry.
    NoteKind, "type of entry", {
        Note => ("note", "Case note"),
        Contact => ("contact", "Contact"),
        Oversight => ("oversight", "Management oversight"),
    }
);

crate::choice::choice!(
    /// Who a contact was with.
    ContactWith, "who the contact was with", {
        Child => ("child", "The child"),
        Applicant => ("applicant", "Applicant"),
        Respondent => ("respondent", "Respondent"),
        LocalAuthority => ("local-authority", "Local authority"),
        School => ("school", "School"),
        Health => ("health", "Health professional"),
        Police => ("police", "Police"),
        Solicitor => ("solicitor", "Solicitor"),
        Other => ("other", "Someone else"),
    }
);

crate::choice::choice!(
    /// How a contact was made.
    ContactMethod, "how the contact was made", {
        InPerson => ("in-person", "In person"),
        HomeVisit => ("home-visit", "Home visit"),
        Phone => ("phone", "Phone"),
        Video => ("video", "Video call"),
        Letter => ("letter", "Letter"),
        Email => ("email", "Email"),
    }
);

crate::choice::choice!(
    /// The point in the case a manager's oversight is for.
    OversightPoint, "what the oversight is for", {
        Allocation => ("allocation", "Allocation"),
        BeforeFiling => ("before-filing", "Work before it is filed"),
        Review => ("review", "Case review"),
    }
);

/// An entry as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteDraft {
    pub kind: NoteKind,
    /// When the contact or oversight happened, or what the note is about.
    pub on: Date,
    pub contact: Option<(ContactWith, ContactMethod)>,
    pub oversight: Option<OversightPoint>,
    /// The work the oversight was of, before filing.
    pub work_item_id: Option<i64>,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNote {
    pub id: i64,
    pub details: NoteDraft,
    pub author: String,
    pub recorded_at: jiff::Timestamp,
}

/// As typed into a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoteInput {
    pub kind: String,
    pub on: String,
    pub contact_with: String,
    pub contact_method: String,
    pub oversight_for: String,
    pub work_item_id: String,
    pub body: String,
}

impl NoteInput {
    /// A contact says who with and how; oversight says what it is of, and
    /// before filing, which piece of the case's work.
    pub fn validate(
        &self,
        case: &Case,
        work: &[WorkItem],
        today: Date,
    ) -> Result<NoteDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let kind = errors.check("kind", NoteKind::parse(&self.kind));
        let on = errors.check("on", text::date(&self.on, "date"));
        if let Some(on) = on {
            if on > today {
                errors.add("on", "The date cannot be in the future");
            }
            if on < case.received_on {
                errors.add(
                    "on",
                    "The date cannot be before the application was received",
                );
            }
        }
        let body = match multiline(&self.body, "entry") {
            Ok(Some(body)) => Some(body),
            Ok(None) => {
                errors.add("body", "Write the entry");
                None
            }
            Err(e) => {
                errors.add("body", e);
                None
            }
        };
        let blank = |v: &str| v.trim().is_empty();
        let mut contact = None;
        let mut oversight = None;
        let mut work_item_id = None;
        match kind {
            Some(NoteKind::Contact) => {
                let with = errors.check("contact_with", ContactWith::parse(&self.contact_with));
                let how =
                    errors.check("contact_method", ContactMethod::parse(&self.contact_method));
                contact = with.zip(how);
            }
            Some(NoteKind::Oversight) => {
                oversight =
                    errors.check("oversight_for", OversightPoint::parse(&self.oversight_for));
                if oversight == Some(OversightPoint::BeforeFiling) {
                    let item = self.work_item_id.trim().parse::<i64>().ok();
                    match item.and_then(|id| work.iter().find(|w| w.id == id)) {
                        Some(w) if w.filed_on.is_some_and(|f| on.is_some_and(|on| on > f)) => {
                            errors.add(
                                "work_item_id",
                                "Oversight before filing cannot be dated after the work was filed",
                            );
                        }
                        Some(w) => work_item_id = Some(w.id),
                        None => errors.add("work_item_id", "Choose the work the oversight is of"),
                    }
                }
            }
            _ => {}
        }
        if kind != Some(NoteKind::Contact)
            && !(blank(&self.contact_with) && blank(&self.contact_method))
        {
            errors.add(
                "contact_with",
                "Only a contact says who it was with and how",
            );
        }
        if kind != Some(NoteKind::Oversight) && !blank(&self.oversight_for) {
            errors.add(
                "oversight_for",
                "Only management oversight says what it is for",
            );
        }
        if oversight != Some(OversightPoint::BeforeFiling)
            && kind == Some(NoteKind::Oversight)
            && !blank(&self.work_item_id)
        {
            errors.add(
                "work_item_id",
                "Only oversight before filing names a piece of work",
            );
        }
        match (kind, on, body) {
            (Some(kind), Some(on), Some(body)) if errors.is_empty() => Ok(NoteDraft {
                kind,
                on,
                contact,
                oversight,
                work_item_id,
                body,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Management oversight is recorded by the people who manage the work: those
/// who may allocate the case. Anyone who may update the case writes notes
/// and contacts.
pub fn check_author(kind: NoteKind, manages_the_case: bool) -> Result<(), DomainError> {
    if kind == NoteKind::Oversight && !manages_the_case {
        return Err(DomainError::invalid(
            "kind",
            "Only a practice supervisor or service manager can record management oversight",
        ));
    }
    Ok(())
}

/// Which management oversight the organisation requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OversightRules {
    /// A manager's entry on or after the date the current worker was allocated.
    pub at_allocation: bool,
    /// A manager's entry about each piece of work, on or before it was filed.
    pub before_filing: bool,
}

impl Default for OversightRules {
    fn default() -> Self {
        Self {
            at_allocation: true,
            before_filing: true,
        }
    }
}

/// What required oversight a case is missing, in words a manager acts on.
pub fn missing_oversight(
    case: &Case,
    allocations: &[Allocation],
    work: &[WorkItem],
    notes: &[CaseNote],
    rules: OversightRules,
) -> Vec<String> {
    let oversight = |point: OversightPoint| {
        notes
            .iter()
            .filter(move |n| n.details.oversight == Some(point))
    };
    let mut missing = Vec::new();
    if case.is_closed() {
        return missing;
    }
    if rules.at_allocation
        && let Some(current) = allocations.iter().rev().find(|a| a.ended_on.is_none())
        && !oversight(OversightPoint::Allocation).any(|n| n.details.on >= current.allocated_on)
    {
        missing.push(format!(
            "No management oversight recorded since allocation to {} on {}",
            current.staff_name, current.allocated_on
        ));
    }
    if rules.before_filing {
        for item in work.iter().filter(|w| w.filed_on.is_some()) {
            let seen = oversight(OversightPoint::BeforeFiling)
                .any(|n| n.details.work_item_id == Some(item.id));
            if !seen {
                missing.push(format!(
                    "The {} due {} was filed without management oversight",
                    item.kind.label().to_lowercase(),
                    item.due_on
                ));
            }
        }
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::work_tests::case;
    use crate::casework::{CaseId, WorkKind};
    use crate::organisation::StaffId;
    use jiff::civil::date;

    fn report(filed: Option<Date>) -> WorkItem {
        WorkItem {
            id: 9,
            case_id: CaseId(1),
            kind: WorkKind::Section7Report,
            due_on: date(2026, 5, 29),
            filed_on: filed,
            late_reason: None,
            version: 1,
        }
    }

    fn note(input: NoteInput) -> Result<NoteDraft, DomainError> {
        input.validate(
            &case(),
            &[report(Some(date(2026, 5, 28)))],
            date(2026, 6, 1),
        )
    }

    #[test]
    fn each_entry_says_what_its_kind_needs() {
        let contact = NoteInput {
            kind: "contact".into(),
            on: "2026-04-01".into(),
            contact_with: "child".into(),
            contact_method: "home-visit".into(),
            body: "Saw Ada at home with her mother".into(),
            ..Default::default()
        };
        assert_eq!(
            note(contact.clone()).expect("valid").contact,
            Some((ContactWith::Child, ContactMethod::HomeVisit))
        );
        assert!(
            note(NoteInput {
                contact_method: String::new(),
                ..contact.clone()
            })
            .is_err()
        );
        assert!(
            note(NoteInput {
                kind: "note".into(),
                ..contact.clone()
            })
            .is_err(),
            "a note has no contact"
        );
        assert!(
            note(NoteInput {
                body: " ".into(),
                ..contact
            })
            .is_err()
        );
        let oversight = NoteInput {
            kind: "oversight".into(),
            on: "2026-05-27".into(),
            oversight_for: "before-filing".into(),
            work_item_id: "9".into(),
            body: "Report read; analysis sound".into(),
            ..Default::default()
        };
        assert_eq!(
            note(oversight.clone()).expect("valid").work_item_id,
            Some(9)
        );
        assert!(
            note(NoteInput {
                work_item_id: "10".into(),
                ..oversight.clone()
            })
            .is_err(),
            "not this case's work"
        );
        assert!(
            note(NoteInput {
                on: "2026-05-30".into(),
                ..oversight
            })
            .is_err(),
            "after filing"
        );
    }

    #[test]
    fn missing_oversight_is_flagged_as_the_rules_require() {
        let allocation = Allocation {
            staff_id: StaffId(1),
            staff_name: "Wes Amis".into(),
            allocated_on: date(2026, 4, 1),
            ended_on: None,
            reason: None,
            allocated_by: "manager".into(),
            ended_reason: None,
        };
        let entry = |on: Date, point: OversightPoint, item: Option<i64>| CaseNote {
            id: 1,
            details: NoteDraft {
                kind: NoteKind::Oversight,
                on,
                contact: None,
                oversight: Some(point),
                work_item_id: item,
                body: "Seen".into(),
            },
            author: "manager".into(),
            recorded_at: jiff::Timestamp::UNIX_EPOCH,
        };
        let filed = [report(Some(date(2026, 5, 28)))];
        let rules = OversightRules::default();
        let flags = missing_oversight(
            &case(),
            std::slice::from_ref(&allocation),
            &filed,
            &[],
            rules,
        );
        assert_eq!(flags.len(), 2, "{flags:?}");
        let before = [entry(date(2026, 3, 30), OversightPoint::Allocation, None)];
        assert_eq!(
            missing_oversight(
                &case(),
                std::slice::from_ref(&allocation),
                &[],
                &before,
                rules
            )
            .len(),
            1,
            "oversight before this allocation does not count"
        );
        let done = [
            entry(date(2026, 4, 2), OversightPoint::Allocation, None),
            entry(date(2026, 5, 27), OversightPoint::BeforeFiling, Some(9)),
        ];
        assert!(
            missing_oversight(
                &case(),
                std::slice::from_ref(&allocation),
                &filed,
                &done,
                rules
            )
            .is_empty()
        );
        let relaxed = OversightRules {
            at_allocation: false,
            before_filing: false,
        };
        assert!(missing_oversight(&case(), &[allocation], &filed, &[], relaxed).is_empty());
    }
}
