//! Showing a refused form again: every problem listed in the error summary
//! and shown at its own field, with what the user typed kept, as the GOV.UK
//! Design System asks. Case pages hold several small forms, so each problem
//! belongs to one named form and only that form is shown open and refilled.

use std::collections::HashMap;
use tandem_domain::{DomainError, ValidationErrors};

/// A refused form: which one, what is wrong, and what was typed.
#[derive(Debug, Clone, Default)]
pub struct Refused {
    /// The form's name on the page, e.g. `hearing` or `filing-12`.
    pub form: String,
    /// (id of the field at fault, message), in the order found.
    pub problems: Vec<(String, String)>,
    /// The submitted fields by name.
    pub values: HashMap<String, String>,
}

/// One field of a form as the page should draw it.
pub struct Field {
    pub id: String,
    pub name: String,
    pub value: String,
    pub error: Option<String>,
}

impl Field {
    /// The ids the field's `aria-describedby` names: its hint and its error.
    pub fn described_by(&self, hint: &str) -> Option<String> {
        let mut ids = Vec::new();
        if !hint.is_empty() {
            ids.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.id));
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }

    /// Whether this checkbox group's comma-separated value includes `option`.
    pub fn includes(&self, option: &dyn std::fmt::Display) -> bool {
        let option = option.to_string();
        self.value.split(',').any(|v| v.trim() == option)
    }

    /// Whether this select field holds `option`.
    pub fn holds(&self, option: &dyn std::fmt::Display) -> bool {
        self.value == option.to_string()
    }
}

/// The forms on one page and the one that was refused, if any.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    pub refused: Option<Refused>,
}

impl FormState {
    pub fn new(refused: Option<Refused>) -> Self {
        Self { refused }
    }

    pub fn has_problems(&self) -> bool {
        self.refused.is_some()
    }

    /// Every problem on the page, for the error summary.
    pub fn problems(&self) -> &[(String, String)] {
        self.refused.as_ref().map_or(&[], |r| r.problems.as_slice())
    }

    /// Whether `form` is the one that was refused, so it is shown open.
    pub fn open(&self, form: &str) -> bool {
        self.refused.as_ref().is_some_and(|r| r.form == form)
    }

    /// Field `name` of `form`, with id `id`: as typed if that form was
    /// refused, otherwise `default`.
    pub fn field(&self, form: &str, id: &str, name: &str, default: &str) -> Field {
        let refused = self.refused.as_ref().filter(|r| r.form == form);
        Field {
            id: id.to_owned(),
            name: name.to_owned(),
            value: refused
                .and_then(|r| r.values.get(name).cloned())
                .unwrap_or_else(|| default.to_owned()),
            error: refused.and_then(|r| {
                r.problems
                    .iter()
                    .find(|(anchor, _)| anchor == id)
                    .map(|(_, message)| message.clone())
            }),
        }
    }
}

/// Where a form's fields are: the id of field `name` is `prefix`, the name
/// with dashes, then `suffix`; a problem naming no field goes to `first`.
#[derive(Debug, Clone)]
pub struct FormIds {
    pub form: String,
    pub prefix: String,
    pub suffix: String,
    pub first: String,
}

impl FormIds {
    /// A form whose field ids are `{prefix}{field}`.
    pub fn new(form: &str, prefix: &str, first: &str) -> Self {
        Self {
            form: form.into(),
            prefix: prefix.into(),
            suffix: String::new(),
            first: first.into(),
        }
    }

    /// A form repeated per record: field ids end `-{item}`.
    pub fn per_item(form: &str, item: i64, first: &str) -> Self {
        Self {
            form: format!("{form}-{item}"),
            prefix: String::new(),
            suffix: format!("-{item}"),
            first: format!("{first}-{item}"),
        }
    }

    pub fn id_of(&self, field: &str) -> String {
        format!("{}{}{}", self.prefix, field.replace('_', "-"), self.suffix)
    }

    /// The page's account of a refusal: one problem per field at fault.
    pub fn refused(&self, error: &DomainError, values: HashMap<String, String>) -> Refused {
        let problems = match error {
            DomainError::Invalid(errors) if !errors.is_empty() => self.each(errors),
            other => vec![(self.first.clone(), other.to_string())],
        };
        Refused {
            form: self.form.clone(),
            problems,
            values,
        }
    }

    fn each(&self, errors: &ValidationErrors) -> Vec<(String, String)> {
        errors
            .fields()
            .iter()
            .map(|e| (self.id_of(&e.field), e.message.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_refused_form_is_refilled_and_shows_its_errors() {
        let ids = FormIds::per_item("filing", 7, "filed-on");
        let mut errors = ValidationErrors::new();
        errors.add("filed_on", "The date filed cannot be in the future");
        errors.add("late_reason", "Say why");
        let values = HashMap::from([("filed_on".to_owned(), "2099-01-01".to_owned())]);
        let state = FormState::new(Some(ids.refused(&DomainError::Invalid(errors), values)));
        assert_eq!(state.problems().len(), 2);
        assert!(state.open("filing-7"));
        let field = state.field("filing-7", "filed-on-7", "filed_on", "today");
        assert_eq!(field.value, "2099-01-01");
        assert_eq!(
            field.error.as_deref(),
            Some("The date filed cannot be in the future")
        );
        let reason = state.field("filing-7", "late-reason-7", "late_reason", "");
        assert_eq!(reason.error.as_deref(), Some("Say why"));
        let other = state.field("filing-8", "filed-on-8", "filed_on", "today");
        assert_eq!(other.value, "today");
        assert!(other.error.is_none());
    }

    #[test]
    fn a_refusal_naming_no_field_goes_to_the_first() {
        let ids = FormIds::new("move", "", "to");
        let refused = ids.refused(&DomainError::StaleVersion { kind: "case" }, HashMap::new());
        assert_eq!(refused.problems[0].0, "to");
    }
}
