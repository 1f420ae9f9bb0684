//! Children's cases: their pathways from application to closure, and the
//! rules a case's facts must satisfy.
//!
//! A pathway is data: its stages and the moves allowed between them. The
//! defaults follow the private and public law lifecycles (see the domain
//! notes, section 1); a service area may switch a case type to another
//! pathway, such as the investigative "pathfinder" model for private law.

use crate::choice::{self, Choice};
use crate::error::{DomainError, ValidationErrors};
use crate::text;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

choice::choice!(
    /// Which body of law the proceedings fall under.
    LawType, "law type", {
        Private => ("private", "Private law"),
        Public => ("public", "Public law"),
        Adoption => ("adoption", "Adoption"),
    }
);

/// Identifies a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseId(pub i64);

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A kind of application the service can be asked to work on. The list is
/// the organisation's own (administrators keep it); each kind belongs to one
/// law type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationKind {
    pub code: String,
    pub label: String,
    pub law_type: LawType,
}

/// The application types a new organisation starts with.
pub const DEFAULT_APPLICATION_KINDS: &[(&str, &str, LawType)] = &[
    (
        "child-arrangements",
        "Child arrangements order (C100)",
        LawType::Private,
    ),
    (
        "prohibited-steps",
        "Prohibited steps order",
        LawType::Private,
    ),
    ("specific-issue", "Specific issue order", LawType::Private),
    ("enforcement", "Enforcement", LawType::Private),
    ("care", "Care order (s31)", LawType::Public),
    ("supervision", "Supervision order (s31)", LawType::Public),
    (
        "emergency-protection",
        "Emergency protection order",
        LawType::Public,
    ),
    ("placement", "Placement order", LawType::Public),
    ("adoption", "Adoption order", LawType::Adoption),
];

/// [`DEFAULT_APPLICATION_KINDS`] as kinds.
pub fn default_application_kinds() -> Vec<ApplicationKind> {
    DEFAULT_APPLICATION_KINDS
        .iter()
        .map(|(code, label, law_type)| ApplicationKind {
            code: (*code).into(),
            label: (*label).into(),
            law_type: *law_type,
        })
        .collect()
}

/// An application type as administrators keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationType {
    pub id: i64,
    pub code: String,
    pub label: String,
    pub law_type: LawType,
    pub version: i64,
}

impl ApplicationType {
    pub fn kind(&self) -> ApplicationKind {
        ApplicationKind {
            code: self.code.clone(),
            label: self.label.clone(),
            law_type: self.law_type,
        }
    }
}

/// An application type as typed into the form or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct ApplicationTypeInput {
    pub code: String,
    pub label: String,
    pub law_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationTypeDraft {
    pub code: String,
    pub label: String,
    pub law_type: LawType,
}

impl ApplicationTypeInput {
    /// Codes are lower case with hyphens, like the defaults
    /// (`child-arrangements`), since exports and imports carry them.
    pub fn validate(&self) -> Result<ApplicationTypeDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let code = errors.check(
            "code",
            text::code(&self.code, "application type code").map(|c| c.to_ascii_lowercase()),
        );
        let label = errors.check("label", text::name(&self.label, "name", 100));
        let law_type = errors.check("law_type", LawType::parse(&self.law_type));
        match (code, label, law_type) {
            (Some(code), Some(label), Some(law_type)) if errors.is_empty() => {
                Ok(ApplicationTypeDraft {
                    code,
                    label,
                    law_type,
                })
            }
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// The kind with this code among the organisation's `kinds`.
pub fn application_kind<'a>(
    kinds: &'a [ApplicationKind],
    code: &str,
) -> Result<&'a ApplicationKind, String> {
    let code = code.trim();
    if code.is_empty() {
        return Err("Choose the type of application".into());
    }
    kinds.iter().find(|k| k.code == code).ok_or_else(|| {
        let known: Vec<&str> = kinds.iter().map(|k| k.code.as_str()).collect();
        format!("Choose an application type from: {}", known.join(", "))
    })
}

// ------------------------------------------------------------------ pathways

/// One stage of a pathway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub code: &'static str,
    pub label: &'static str,
}

/// The stages a case moves through, and which moves are allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pathway {
    pub code: &'static str,
    pub label: &'static str,
    pub law_type: LawType,
    /// In order; the first is where a case starts.
    pub stages: &'static [Stage],
    /// `(from, to)` moves allowed besides closing, which is always allowed
    /// from an open stage (an application can be withdrawn at any point).
    pub moves: &'static [(&'static str, &'static str)],
}

/// Every pathway's final stage.
pub const CLOSED: &str = "closed";

const fn stage(code: &'static str, label: &'static str) -> Stage {
    Stage { code, label }
}

pub const PRIVATE_LAW: Pathway = Pathway {
    code: "private-law",
    label: "Private law (Child Arrangements Programme)",
    law_type: LawType::Private,
    stages: &[
        stage("intake", "Intake and screening"),
        stage("safeguarding-checks", "Safeguarding checks"),
        stage("safeguarding-letter", "Safeguarding letter"),
        stage("first-hearing", "First hearing (FHDRA)"),
        stage("awaiting-allocation", "Awaiting allocation"),
        stage("allocated", "Allocated"),
        stage("section-7-report", "Section 7 report"),
        stage("final-hearing", "Final hearing"),
        stage(CLOSED, "Closed"),
    ],
    moves: &[
        ("intake", "safeguarding-checks"),
        ("safeguarding-checks", "safeguarding-letter"),
        ("safeguarding-letter", "first-hearing"),
        ("first-hearing", "awaiting-allocation"),
        ("first-hearing", "final-hearing"),
        ("awaiting-allocation", "allocated"),
        ("allocated", "section-7-report"),
        ("section-7-report", "final-hearing"),
        ("final-hearing", CLOSED),
    ],
};

/// The investigative private law model: the service gathers information
/// and writes a child impact report before the court decides.
pub const PRIVATE_LAW_PATHFINDER: Pathway = Pathway {
    code: "private-law-pathfinder",
    label: "Private law (Pathfinder investigative model)",
    law_type: LawType::Private,
    stages: &[
        stage("intake", "Intake and screening"),
        stage("information-gathering", "Information gathering"),
        stage("child-impact-report", "Child impact report"),
        stage("decision-hearing", "Decision hearing"),
        stage("review", "Review"),
        stage(CLOSED, "Closed"),
    ],
    moves: &[
        ("intake", "information-gathering"),
        ("information-gathering", "child-impact-report"),
        ("child-impact-report", "decision-hearing"),
        ("decision-hearing", "review"),
        ("review", CLOSED),
        ("decision-hearing", CLOSED),
    ],
};

pub const PUBLIC_LAW: Pathway = Pathway {
    code: "public-law",
    label: "Public law (care and supervision)",
    law_type: LawType::Public,
    stages: &[
        stage("received", "Received"),
        stage("guardian-allocated", "Children's guardian allocated"),
        stage("case-management-hearing", "Case management hearing"),
        stage("case-analysis", "Case analysis"),
        stage("issues-resolution-hearing", "Issues resolution hearing"),
        stage("final-hearing", "Final hearing"),
        stage(CLOSED, "Closed"),
    ],
    moves: &[
        ("received", "guardian-allocated"),
        ("guardian-allocated", "case-management-hearing"),
        ("case-management-hearing", "case-analysis"),
        ("case-analysis", "issues-resolution-hearing"),
        ("issues-resolution-hearing", "final-hearing"),
        ("issues-resolution-hearing", CLOSED),
        ("final-hearing", CLOSED),
    ],
};

pub const ADOPTION: Pathway = Pathway {
    code: "adoption",
    label: "Adoption",
    law_type: LawType::Adoption,
    stages: &[
        stage("received", "Received"),
        stage("allocated", "Reporting officer or guardian allocated"),
        stage("report", "Report"),
        stage("final-hearing", "Final hearing"),
        stage(CLOSED, "Closed"),
    ],
    moves: &[
        ("received", "allocated"),
        ("allocated", "report"),
        ("report", "final-hearing"),
        ("final-hearing", CLOSED),
    ],
};

pub const PATHWAYS: &[&Pathway] = &[
    &PRIVATE_LAW,
    &PRIVATE_LAW_PATHFINDER,
    &PUBLIC_LAW,
    &ADOPTION,
];

/// The pathway a law type follows unless its service area chose a variant.
pub fn default_pathway(law: LawType) -> &'static Pathway {
    match law {
        LawType::Private => &PRIVATE_LAW,
        LawType::Public => &PUBLIC_LAW,
        LawType::Adoption => &ADOPTION,
    }
}

pub fn pathway(code: &str) -> Result<&'static Pathway, String> {
    PATHWAYS
        .iter()
        .copied()
        .find(|p| p.code == code)
        .ok_or_else(|| format!("There is no pathway called {code}"))
}

impl Pathway {
    pub fn first_stage(&self) -> &'static str {
        self.stages.first().map(|s| s.code).unwrap_or(CLOSED)
    }

    pub fn stage(&self, code: &str) -> Option<&'static Stage> {
        self.stages.iter().find(|s| s.code == code)
    }

    pub fn label_of(&self, code: &str) -> &'static str {
        self.stage(code).map(|s| s.label).unwrap_or("Unknown stage")
    }

    /// Where a case at `from` may move next, in pathway order.
    pub fn next_stages(&self, from: &str) -> Vec<&'static str> {
        if from == CLOSED {
            return Vec::new();
        }
        let mut next: Vec<&'static str> = self
            .moves
            .iter()
            .filter(|(f, _)| *f == from)
            .map(|(_, to)| *to)
            .collect();
        if !next.contains(&CLOSED) {
            next.push(CLOSED);
        }
        next
    }

    /// Checks a move, naming the allowed ones when it is refused.
    pub fn check_move(&self, from: &str, to: &str) -> Result<(), DomainError> {
        if self.stage(to).is_none() {
            return Err(DomainError::invalid(
                "to",
                format!("{to} is not a stage of the {} pathway", self.label),
            ));
        }
        if from == CLOSED {
            return Err(DomainError::invalid(
                "to",
                "The case is closed. Re-open it to move it on",
            ));
        }
        let allowed = self.next_stages(from);
        if allowed.contains(&to) {
            return Ok(());
        }
        let names: Vec<&str> = allowed.iter().map(|s| self.label_of(s)).collect();
        Err(DomainError::invalid(
            "to",
            format!(
                "A case at {} can move only to: {}",
                self.label_of(from),
                names.join(", ")
            ),
        ))
    }

    /// Checks re-opening a closed case at `to`.
    pub fn check_reopen(&self, from: &str, to: &str) -> Result<(), DomainError> {
        if from != CLOSED {
            return Err(DomainError::invalid(
                "to",
                "Only a closed case can be re-opened",
            ));
        }
        match self.stage(to) {
            Some(s) if s.code != CLOSED => Ok(()),
            _ => Err(DomainError::invalid(
                "to",
                format!(
                    "Choose the stage of the {} pathway to re-open the case at",
                    self.label
                ),
            )),
        }
    }
}

/// A reason given for a move: required for closing, re-opening and
/// reallocation, where someone reading the record later needs to know why.
pub fn reason(value: &str, required: bool) -> Result<Option<String>, String> {
    let value = value.trim();
    if value.is_empty() {
        return if required {
            Err("Give a reason".into())
        } else {
            Ok(None)
        };
    }
    text::name(value, "reason", 1000).map(Some)
}

// ------------------------------------------------------------------ the case

/// The facts that open a case: which court, which proceedings, and the
/// first application.
#[derive(Debug, Clone, Default)]
pub struct CaseInput {
    pub case_number: String,
    pub court_id: Option<i64>,
    pub law_type: String,
    pub application_type: String,
    pub harm_alleged: bool,
    pub received_on: String,
    pub issued_on: String,
    pub local_authority_id: Option<i64>,
    pub team_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseDraft {
    pub case_number: String,
    pub court_id: i64,
    pub law_type: LawType,
    pub application_type: String,
    pub harm_alleged: bool,
    pub received_on: Date,
    pub issued_on: Option<Date>,
    pub local_authority_id: Option<i64>,
    pub team_id: i64,
}

/// A court case number as the court gives it: letters, digits, slashes and
/// hyphens, stored upper case.
pub fn case_number(value: &str) -> Result<String, String> {
    let number = value.trim().to_ascii_uppercase();
    if number.is_empty() {
        return Err("Enter the court case number".into());
    }
    if number.len() > 30
        || !number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | ' '))
    {
        return Err(
            "The court case number must be up to 30 letters, digits, spaces, slashes or hyphens"
                .into(),
        );
    }
    Ok(number)
}

/// What an application's type and dates may be, for the first application
/// and any further one alike: a type of the case's law (when known),
/// received not in the future, issued on or before it was received.
fn application_facts<'a>(
    errors: &mut ValidationErrors,
    kinds: &'a [ApplicationKind],
    application_type: &str,
    law: Option<LawType>,
    received_on: &str,
    issued_on: &str,
    today: Date,
) -> (
    Option<&'a ApplicationKind>,
    Option<Date>,
    Option<Option<Date>>,
) {
    let kind = errors.check(
        "application_type",
        application_kind(kinds, application_type),
    );
    let received = errors.check("received_on", text::date(received_on, "date received"));
    let issued = errors.check("issued_on", text::optional_date(issued_on, "date issued"));
    if let (Some(law), Some(kind)) = (law, kind)
        && kind.law_type != law
    {
        errors.add(
            "application_type",
            format!(
                "A {} application is {}, not {}",
                kind.label,
                kind.law_type.label().to_lowercase(),
                law.label().to_lowercase()
            ),
        );
    }
    if let Some(received) = received
        && received > today
    {
        errors.add("received_on", "The date received cannot be in the future");
    }
    if let (Some(received), Some(Some(issued))) = (received, issued)
        && issued > received
    {
        // The court issues an application before the service receives it.
        errors.add(
            "issued_on",
            "The date issued must be on or before the date received",
        );
    }
    (kind, received, issued)
}

impl CaseInput {
    /// Checks the case's facts, and that its dates are possible together;
    /// its application must be one of the organisation's `kinds`.
    pub fn validate(
        &self,
        today: Date,
        kinds: &[ApplicationKind],
    ) -> Result<CaseDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let number = errors.check("case_number", case_number(&self.case_number));
        let court = errors.check(
            "court_id",
            self.court_id.ok_or_else(|| "Choose the court".to_owned()),
        );
        let law = errors.check("law_type", LawType::parse(&self.law_type));
        let (kind, received, issued) = application_facts(
            &mut errors,
            kinds,
            &self.application_type,
            law,
            &self.received_on,
            &self.issued_on,
            today,
        );
        let team = errors.check(
            "team_id",
            self.team_id.ok_or_else(|| "Choose the team".to_owned()),
        );
        if law == Some(LawType::Public) && self.local_authority_id.is_none() {
            errors.add(
                "local_authority_id",
                "Choose the local authority that applied",
            );
        }
        match (number, court, law, kind, received, issued, team) {
            (
                Some(case_number),
                Some(court_id),
                Some(law_type),
                Some(kind),
                Some(received_on),
                Some(issued_on),
                Some(team_id),
            ) if errors.is_empty() => Ok(CaseDraft {
                case_number,
                court_id,
                law_type,
                application_type: kind.code.clone(),
                harm_alleged: self.harm_alleged,
                received_on,
                issued_on,
                local_authority_id: self.local_authority_id,
                team_id,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

choice::choice!(
    /// Sex as recorded for a child. Special-category facts are never guessed:
    /// "not known" is always a choice.
    Sex, "sex", {
        Female => ("female", "Female"),
        Male => ("male", "Male"),
        Other => ("other", "Other"),
        NotKnown => ("not-known", "Not known"),
    }
);

choice::choice!(
    /// An answer that may not be known.
    YesNoNotKnown, "answer", {
        Yes => ("yes", "Yes"),
        No => ("no", "No"),
        NotKnown => ("not-known", "Not known"),
    }
);

choice::choice!(
    /// Ethnicity, in the 2021 census categories used by children's social care data.
    Ethnicity, "ethnicity", {
        WhiteBritish => ("white-british", "White: English, Welsh, Scottish, Northern Irish or British"),
        WhiteIrish => ("white-irish", "White: Irish"),
        WhiteGypsyTraveller => ("white-gypsy-traveller", "White: Gypsy or Irish Traveller"),
        WhiteRoma => ("white-roma", "White: Roma"),
        WhiteOther => ("white-other", "White: any other White background"),
        MixedWhiteBlackCaribbean => ("mixed-white-black-caribbean", "Mixed: White and Black Caribbean"),
        MixedWhiteBlackAfrican => ("mixed-white-black-african", "Mixed: White and Black African"),
        MixedWhiteAsian => ("mixed-white-asian", "Mixed: White and Asian"),
        MixedOther => ("mixed-other", "Mixed: any other mixed or multiple background"),
        AsianIndian => ("asian-indian", "Asian: Indian"),
        AsianPakistani => ("asian-pakistani", "Asian: Pakistani"),
        AsianBangladeshi => ("asian-bangladeshi", "Asian: Bangladeshi"),
        AsianChinese => ("asian-chinese", "Asian: Chinese"),
        AsianOther => ("asian-other", "Asian: any other Asian background"),
        BlackAfrican => ("black-african", "Black: African"),
        BlackCaribbean => ("black-caribbean", "Black: Caribbean"),
        BlackOther => ("black-other", "Black: any other Black background"),
        Arab => ("arab", "Other: Arab"),
        OtherEthnicGroup => ("other", "Other: any other ethnic group"),
        NotKnown => ("not-known", "Not known"),
    }
);

/// A child in the proceedings, as entered.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChildInput {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    pub sex: String,
    pub ethnicity: String,
    pub disability: String,
    pub first_language: String,
    pub interpreter_needed: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildDraft {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Date,
    pub sex: Sex,
    pub ethnicity: Ethnicity,
    pub disability: YesNoNotKnown,
    /// `None` when not known.
    pub first_language: Option<String>,
    pub interpreter_needed: YesNoNotKnown,
}

/// A blank special-category answer is recorded as "not known", never guessed.
fn or_not_known<C: Choice>(value: &str, not_known: C) -> Result<C, String> {
    if value.trim().is_empty() {
        Ok(not_known)
    } else {
        C::parse(value)
    }
}

impl ChildInput {
    /// Checks the child's details; `received_on` is when the case's
    /// application reached the service: no child can be born after it.
    pub fn validate(&self, received_on: Date) -> Result<ChildDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let given = errors.check(
            "given_name",
            text::name(&self.given_name, "child's first name", 60),
        );
        let family = errors.check(
            "family_name",
            text::name(&self.family_name, "child's last name", 60),
        );
        let born = errors.check(
            "date_of_birth",
            text::date(&self.date_of_birth, "date of birth"),
        );
        let sex = errors.check("sex", or_not_known(&self.sex, Sex::NotKnown));
        let ethnicity = errors.check(
            "ethnicity",
            or_not_known(&self.ethnicity, Ethnicity::NotKnown),
        );
        let disability = errors.check(
            "disability",
            or_not_known(&self.disability, YesNoNotKnown::NotKnown),
        );
        let language = errors.check(
            "first_language",
            text::optional_name(&self.first_language, "first language", 60),
        );
        let interpreter = errors.check(
            "interpreter_needed",
            or_not_known(&self.interpreter_needed, YesNoNotKnown::NotKnown),
        );
        if let Some(born) = born
            && born > received_on
        {
            errors.add(
                "date_of_birth",
                "The date of birth must be on or before the date the application was received",
            );
        }
        if let Some(born) = born
            && born.year() < received_on.year() - 18
        {
            errors.add(
                "date_of_birth",
                "A child in the proceedings must be under 18",
            );
        }
        match (
            given,
            family,
            born,
            sex,
            ethnicity,
            disability,
            language,
            interpreter,
        ) {
            (
                Some(given_name),
                Some(family_name),
                Some(date_of_birth),
                Some(sex),
                Some(ethnicity),
                Some(disability),
                Some(first_language),
                Some(interpreter_needed),
            ) if errors.is_empty() => Ok(ChildDraft {
                given_name,
                family_name,
                date_of_birth,
                sex,
                ethnicity,
                disability,
                first_language,
                interpreter_needed,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

choice::choice!(
    /// An adult's part in the proceedings.
    PartyRole, "party role", {
        Applicant => ("applicant", "Applicant"),
        Respondent => ("respondent", "Respondent"),
        LocalAuthority => ("local-authority", "Local authority"),
        Intervenor => ("intervenor", "Intervenor"),
        Other => ("other", "Other party"),
    }
);

/// An adult party, as entered.
#[derive(Debug, Clone, Default)]
pub struct PartyInput {
    pub role: String,
    pub given_name: String,
    pub family_name: String,
    /// How they relate to the children, e.g. "Mother".
    pub relationship: String,
    pub represented: bool,
    pub address: String,
    pub postcode: String,
    /// Shown only to the allocated worker and their management line.
    pub address_confidential: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyDraft {
    pub role: PartyRole,
    pub given_name: String,
    pub family_name: String,
    pub relationship: String,
    pub represented: bool,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub address_confidential: bool,
}

impl PartyInput {
    pub fn validate(&self) -> Result<PartyDraft, DomainError> {
        self.check(false)
    }

    /// As [`PartyInput::validate`], except that a confidential address may
    /// be absent: exports never carry one, so a party imported from an
    /// export arrives with the flag and no address. The flag is kept, so the
    /// address stays protected when it is entered again.
    pub fn validate_withheld(&self) -> Result<PartyDraft, DomainError> {
        self.check(true)
    }

    fn check(&self, address_may_be_withheld: bool) -> Result<PartyDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let role = errors.check("role", PartyRole::parse(&self.role));
        let given = errors.check("given_name", text::name(&self.given_name, "first name", 60));
        let family = errors.check(
            "family_name",
            text::name(&self.family_name, "last name", 60),
        );
        let relationship = errors.check(
            "relationship",
            text::name(&self.relationship, "relationship to the children", 60),
        );
        let address = errors.check(
            "address",
            text::optional_name(&self.address, "address", 200),
        );
        let postcode = if self.postcode.trim().is_empty() {
            Some(None)
        } else {
            errors
                .check("postcode", text::postcode(&self.postcode))
                .map(Some)
        };
        if self.address_confidential && self.address.trim().is_empty() && !address_may_be_withheld {
            errors.add(
                "address",
                "Enter the address that is to be kept confidential",
            );
        }
        match (role, given, family, relationship, address, postcode) {
            (
                Some(role),
                Some(given_name),
                Some(family_name),
                Some(relationship),
                Some(address),
                Some(postcode),
            ) if errors.is_empty() => Ok(PartyDraft {
                role,
                given_name,
                family_name,
                relationship,
                represented: self.represented,
                address,
                postcode,
                address_confidential: self.address_confidential,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// The placeholder shown wherever a confidential address may not be.
pub const CONFIDENTIAL_ADDRESS: &str = "Confidential address";

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn case_input() -> CaseInput {
        CaseInput {
            case_number: "ne24p00123".into(),
            court_id: Some(1),
            law_type: "private".into(),
            application_type: "child-arrangements".into(),
            harm_alleged: true,
            received_on: "2026-03-02".into(),
            issued_on: "2026-02-27".into(),
            local_authority_id: None,
            team_id: Some(4),
        }
    }

    #[test]
    fn a_valid_case_passes() {
        let draft = case_input()
            .validate(date(2026, 6, 1), &default_application_kinds())
            .expect("valid");
        assert_eq!(draft.case_number, "NE24P00123");
        assert_eq!(draft.application_type, "child-arrangements");
    }

    #[test]
    fn impossible_dates_and_mismatches_are_refused() {
        let bad = CaseInput {
            law_type: "public".into(),
            received_on: "2026-03-02".into(),
            issued_on: "2026-03-09".into(),
            ..case_input()
        };
        let Err(DomainError::Invalid(errors)) =
            bad.validate(date(2026, 6, 1), &default_application_kinds())
        else {
            panic!("expected invalid");
        };
        assert!(
            errors.for_field("application_type").is_some(),
            "a C100 is not public law"
        );
        assert!(
            errors.for_field("issued_on").is_some(),
            "issued after received"
        );
        assert!(
            errors.for_field("local_authority_id").is_some(),
            "public law needs the LA"
        );
        let future = CaseInput {
            received_on: "2026-07-01".into(),
            issued_on: String::new(),
            ..case_input()
        };
        assert!(
            future
                .validate(date(2026, 6, 1), &default_application_kinds())
                .is_err()
        );
    }

    #[test]
    fn children_born_after_the_application_are_refused() {
        let child = ChildInput {
            given_name: "Ava".into(),
            family_name: "Smith".into(),
            date_of_birth: "2026-03-03".into(),
            ..Default::default()
        };
        assert!(child.validate(date(2026, 3, 2)).is_err());
        let ok = ChildInput {
            date_of_birth: "2019-05-01".into(),
            ..child
        }
        .validate(date(2026, 3, 2))
        .expect("valid");
        // Blank special-category answers are "not known", never guessed.
        assert_eq!(
            (ok.sex, ok.ethnicity, ok.disability),
            (Sex::NotKnown, Ethnicity::NotKnown, YesNoNotKnown::NotKnown)
        );
        assert_eq!(ok.first_language, None);
    }

    #[test]
    fn a_confidential_address_must_be_given() {
        let party = PartyInput {
            role: "respondent".into(),
            given_name: "Sam".into(),
            family_name: "Jones".into(),
            relationship: "Mother".into(),
            address_confidential: true,
            ..Default::default()
        };
        assert!(party.validate().is_err());
        // Only an import may bring the flag without the address it withholds.
        let withheld = party.validate_withheld().expect("valid");
        assert!(withheld.address_confidential && withheld.address.is_none());
        let ok = PartyInput {
            address: "1 Refuge Road".into(),
            postcode: "ne14xb".into(),
            ..party
        }
        .validate()
        .expect("valid");
        assert_eq!(ok.postcode.as_deref(), Some("NE1 4XB"));
    }

    #[test]
    fn moves_follow_the_pathway_and_name_the_allowed_ones() {
        let p = &PRIVATE_LAW;
        assert!(p.check_move("intake", "safeguarding-checks").is_ok());
        assert!(
            p.check_move("first-hearing", CLOSED).is_ok(),
            "no further role"
        );
        let Err(DomainError::Invalid(errors)) = p.check_move("intake", "final-hearing") else {
            panic!("expected a refusal");
        };
        let message = errors.for_field("to").unwrap_or_default();
        assert!(
            message.contains("Safeguarding checks") && message.contains("Closed"),
            "{message}"
        );
        assert!(p.check_move("intake", "nowhere").is_err());
        assert!(
            p.check_move(CLOSED, "intake").is_err(),
            "closed cases move only by re-opening"
        );
        assert!(p.check_reopen(CLOSED, "final-hearing").is_ok());
        assert!(p.check_reopen("intake", "final-hearing").is_err());
        assert!(p.check_reopen(CLOSED, CLOSED).is_err());
    }

    #[test]
    fn every_pathway_is_well_formed() {
        for p in PATHWAYS {
            assert_eq!(p.stages.last().map(|s| s.code), Some(CLOSED), "{}", p.code);
            for (from, to) in p.moves {
                assert!(
                    p.stage(from).is_some() && p.stage(to).is_some(),
                    "{}: {from} → {to}",
                    p.code
                );
            }
            // Every stage can be reached from the first.
            let mut reached = vec![p.first_stage()];
            let mut i = 0;
            while i < reached.len() {
                for next in p.next_stages(reached[i]) {
                    if !reached.contains(&next) {
                        reached.push(next);
                    }
                }
                i += 1;
            }
            assert_eq!(
                reached.len(),
                p.stages.len(),
                "{}: unreachable stages",
                p.code
            );
        }
    }

    proptest! {
        /// Following any allowed moves always ends in a stage of the pathway,
        /// and from anywhere open the case can be closed.
        #[test]
        fn random_walks_stay_on_the_pathway(pathway in 0..PATHWAYS.len(), steps in proptest::collection::vec(0usize..8, 0..20)) {
            let p = PATHWAYS[pathway];
            let mut at = p.first_stage();
            for choice in steps {
                let next = p.next_stages(at);
                if next.is_empty() {
                    prop_assert_eq!(at, CLOSED);
                    break;
                }
                prop_assert!(next.contains(&CLOSED));
                let to = next[choice % next.len()];
                prop_assert!(p.check_move(at, to).is_ok());
                at = to;
            }
            prop_assert!(p.stage(at).is_some());
        }
    }
}

// ------------------------------------------------------------------ stored

use crate::organisation::{CourtId, LocalAuthorityId, StaffId, TeamId};

/// A case as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: CaseId,
    pub case_number: String,
    pub court_id: CourtId,
    pub law_type: LawType,
    pub pathway: &'static Pathway,
    pub stage: &'static str,
    pub received_on: Date,
    pub issued_on: Option<Date>,
    pub local_authority_id: Option<LocalAuthorityId>,
    pub team_id: TeamId,
    pub allocated_to: Option<StaffId>,
    pub closed_on: Option<Date>,
    pub version: i64,
}

impl Case {
    pub fn is_closed(&self) -> bool {
        self.stage == CLOSED
    }

    pub fn stage_label(&self) -> &'static str {
        self.pathway.label_of(self.stage)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: i64,
    pub kind: ApplicationKind,
    pub received_on: Date,
    pub issued_on: Option<Date>,
    pub lead: bool,
    pub harm_alleged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    pub id: i64,
    pub details: ChildDraft,
    pub experience: crate::child_experience::ChildExperience,
    /// Recorded at the end of the proceedings.
    pub outcome: Option<crate::child_experience::ChildOutcome>,
    pub version: i64,
}

impl Child {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.details.given_name, self.details.family_name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub id: i64,
    pub details: PartyDraft,
    /// How they are related to particular children, where that is not
    /// simply `details.relationship` (a stepfather to one, father to another).
    pub relationships: Vec<ChildRelationship>,
}

/// An adult party's relationship to one child of the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRelationship {
    pub child_id: i64,
    pub relationship: String,
}

impl Party {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.details.given_name, self.details.family_name)
    }

    /// Their relationship to child `child`: its own, or the general one.
    pub fn relationship_to(&self, child: i64) -> &str {
        self.relationships
            .iter()
            .find(|r| r.child_id == child)
            .map_or(self.details.relationship.as_str(), |r| {
                r.relationship.as_str()
            })
    }

    /// The address as `viewer_may_see` allows: a confidential one is
    /// replaced by [`CONFIDENTIAL_ADDRESS`] for anyone else.
    pub fn address_for(&self, viewer_may_see: bool) -> Option<String> {
        let address = self.details.address.as_ref()?;
        if self.details.address_confidential && !viewer_may_see {
            return Some(CONFIDENTIAL_ADDRESS.to_owned());
        }
        let postcode = self.details.postcode.as_deref().unwrap_or_default();
        Some(format!("{address} {postcode}").trim().to_owned())
    }
}

/// One entry in a case's history. Entries are never changed or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEvent {
    pub at: jiff::Timestamp,
    pub actor: String,
    /// `opened`, `moved`, `reopened`, `allocated`…
    pub kind: String,
    pub from_stage: Option<String>,
    pub to_stage: Option<String>,
    pub reason: Option<String>,
}

/// A case with everything recorded on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub case: Case,
    pub applications: Vec<Application>,
    pub children: Vec<Child>,
    pub parties: Vec<Party>,
    pub events: Vec<CaseEvent>,
}

/// Who may see a confidential address: the allocated worker and the people
/// above them in line management, and nobody else. `chain` is the allocated
/// worker's line managers, nearest first.
pub fn may_see_confidential_address(
    viewer: Option<StaffId>,
    allocated: Option<StaffId>,
    chain: &[StaffId],
) -> bool {
    match (viewer, allocated) {
        (Some(viewer), Some(allocated)) => viewer == allocated || chain.contains(&viewer),
        _ => false,
    }
}

#[cfg(test)]
mod record_tests {
    use super::*;

    fn party(confidential: bool) -> Party {
        Party {
            id: 1,
            details: PartyDraft {
                role: PartyRole::Respondent,
                given_name: "Sam".into(),
                family_name: "Jones".into(),
                relationship: "Mother".into(),
                represented: false,
                address: Some("1 Refuge Road".into()),
                postcode: Some("NE1 4XB".into()),
                address_confidential: confidential,
            },
            relationships: Vec::new(),
        }
    }

    #[test]
    fn confidential_addresses_are_for_the_worker_and_their_managers_only() {
        let (worker, manager, head, other) = (StaffId(1), StaffId(2), StaffId(3), StaffId(4));
        let chain = [manager, head];
        assert!(may_see_confidential_address(
            Some(worker),
            Some(worker),
            &chain
        ));
        assert!(may_see_confidential_address(
            Some(head),
            Some(worker),
            &chain
        ));
        assert!(!may_see_confidential_address(
            Some(other),
            Some(worker),
            &chain
        ));
        assert!(!may_see_confidential_address(None, Some(worker), &chain));
        assert!(
            !may_see_confidential_address(Some(worker), None, &[]),
            "unallocated: nobody"
        );
        assert_eq!(
            party(true).address_for(false).as_deref(),
            Some(CONFIDENTIAL_ADDRESS)
        );
        assert_eq!(
            party(true).address_for(true).as_deref(),
            Some("1 Refuge Road NE1 4XB")
        );
        assert_eq!(
            party(false).address_for(false).as_deref(),
            Some("1 Refuge Road NE1 4XB")
        );
    }
}

// ---------------------------------------------------------------- allocation

/// A case's allocation to a worker, as kept in its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    pub staff_id: StaffId,
    pub staff_name: String,
    pub allocated_on: Date,
    pub ended_on: Option<Date>,
    /// Why the allocation was made, when it replaced another.
    pub reason: Option<String>,
    pub allocated_by: String,
    /// Why it ended, when no one in its team took the case on: only
    /// [`ENDED_BY_TRANSFER`] so far.
    pub ended_reason: Option<String>,
}

/// The stage a pathway moves to when a case waiting for a worker gets one.
pub fn stage_on_allocation(case: &Case) -> Option<&'static str> {
    let next = case.pathway.next_stages(case.stage);
    ["allocated", "guardian-allocated"]
        .into_iter()
        .find(|s| next.contains(s))
        .and_then(|s| case.pathway.stage(s).map(|st| st.code))
}

/// A closure or re-opening cannot be dated before the case's last one:
/// the spans in which a case was open follow one another.
pub fn check_after_last_closure(on: Date, last: Option<Date>) -> Result<(), DomainError> {
    match last {
        Some(last) if on < last => Err(DomainError::invalid(
            "on",
            format!("The date cannot be before the last closure or re-opening, on {last}"),
        )),
        _ => Ok(()),
    }
}

/// Checks an allocation: to someone who can hold cases, is in post on the
/// day, and works in the case's own service area; a reallocation needs a
/// reason, and so does anything but a first allocation.
pub fn check_allocation(
    case: &Case,
    worker: &crate::organisation::StaffMember,
    worker_area: Option<crate::organisation::ServiceAreaId>,
    case_area: crate::organisation::ServiceAreaId,
    on: Date,
    reason: Option<&str>,
) -> Result<(), DomainError> {
    if case.is_closed() {
        return Err(DomainError::invalid(
            "staff_id",
            "A closed case cannot be allocated",
        ));
    }
    if case.allocated_to == Some(worker.id) {
        return Err(DomainError::invalid(
            "staff_id",
            format!("The case is already allocated to {}", worker.full_name()),
        ));
    }
    if worker.job_group != crate::organisation::JobGroup::Practitioner {
        return Err(DomainError::invalid(
            "staff_id",
            format!(
                "{} is not a practitioner, so cannot hold cases",
                worker.full_name()
            ),
        ));
    }
    if !worker.in_post_on(on) {
        return Err(DomainError::invalid(
            "staff_id",
            format!("{} is not in post on {on}", worker.full_name()),
        ));
    }
    if worker_area != Some(case_area) {
        return Err(DomainError::invalid(
            "staff_id",
            format!(
                "{} works outside this case's service area; choose someone in the team's area",
                worker.full_name()
            ),
        ));
    }
    if on < case.received_on {
        return Err(DomainError::invalid(
            "on",
            "A case cannot be allocated before it was received",
        ));
    }
    if case.allocated_to.is_some() && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(DomainError::invalid(
            "reason",
            "Say why the case is being reallocated",
        ));
    }
    Ok(())
}

// ----------------------------------------------------------------- transfers

/// A case's move from one team to another, as kept in its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseTransfer {
    pub id: i64,
    pub case_id: CaseId,
    pub from_team_id: TeamId,
    pub to_team_id: TeamId,
    pub transferred_on: Date,
    pub reason: String,
    pub transferred_by: String,
}

/// Why an allocation ended without anyone in its team taking the case on:
/// the case went to another team, which allocates it afresh.
pub const ENDED_BY_TRANSFER: &str = "transferred";

/// A transfer as typed into the form or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct TransferInput {
    /// The receiving team; `None` when none was chosen.
    pub to_team_id: Option<i64>,
    pub transferred_on: String,
    pub reason: String,
}

/// A transfer that keeps to the rules, ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferDraft {
    pub from_team_id: TeamId,
    pub to_team_id: TeamId,
    pub transferred_on: Date,
    pub reason: String,
}

/// "2 March 2026", for messages that name a date already on the record.
fn long_date(date: Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

impl TransferInput {
    /// Checks a transfer of `case` to `to_team` (the team `to_team_id`
    /// names, looked up by the caller; `None` if none was chosen). Only an
    /// open case moves, to a team other than its own, with a reason. The
    /// date cannot be in the future, nor before anything it would reorder:
    /// the case's receipt, its last transfer (`last_transfer_on`) and the
    /// start of the allocation it ends (`allocated_on`).
    pub fn validate(
        &self,
        case: &Case,
        to_team: Option<&crate::organisation::Team>,
        today: Date,
        last_transfer_on: Option<Date>,
        allocated_on: Option<Date>,
    ) -> Result<TransferDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        match to_team {
            _ if case.is_closed() => errors.add(
                "to_team_id",
                "A closed case cannot be transferred: re-open it first",
            ),
            None => errors.add("to_team_id", "Choose the team to transfer the case to"),
            Some(team) if team.id == case.team_id => errors.add(
                "to_team_id",
                format!(
                    "The case is already with {}: choose another team",
                    team.name
                ),
            ),
            Some(_) => {}
        }
        let on = errors.check(
            "transferred_on",
            text::date(&self.transferred_on, "date of transfer"),
        );
        if let Some(on) = on {
            if on > today {
                errors.add(
                    "transferred_on",
                    "The date of transfer cannot be in the future",
                );
            }
            let earliest = [
                (Some(case.received_on), "the case was received"),
                (last_transfer_on, "the case's last transfer"),
                (allocated_on, "the current allocation began"),
            ];
            if let Some((Some(limit), what)) = earliest
                .into_iter()
                .filter(|(limit, _)| limit.is_some_and(|limit| on < limit))
                .max_by_key(|(limit, _)| *limit)
            {
                errors.add(
                    "transferred_on",
                    format!(
                        "The date of transfer cannot be before {what}, on {}",
                        long_date(limit)
                    ),
                );
            }
        }
        let reason = errors.check("reason", reason(&self.reason, true));
        match (to_team, on, reason) {
            (Some(team), Some(transferred_on), Some(Some(reason))) if errors.is_empty() => {
                Ok(TransferDraft {
                    from_team_id: case.team_id,
                    to_team_id: team.id,
                    transferred_on,
                    reason,
                })
            }
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

#[cfg(test)]
mod transfer_tests {
    use super::*;
    use crate::organisation::{CourtId, OfficeId, ServiceAreaId, Team};
    use jiff::civil::date;

    fn case(stage: &'static str) -> Case {
        Case {
            id: CaseId(1),
            case_number: "NE26P001".into(),
            court_id: CourtId(1),
            law_type: LawType::Private,
            pathway: default_pathway(LawType::Private),
            stage,
            received_on: date(2026, 3, 2),
            issued_on: None,
            local_authority_id: None,
            team_id: TeamId(1),
            allocated_to: None,
            closed_on: (stage == CLOSED).then_some(date(2026, 5, 1)),
            version: 3,
        }
    }

    fn team(id: i64, name: &str) -> Team {
        Team {
            id: TeamId(id),
            code: format!("T{id}"),
            name: name.into(),
            service_area_id: ServiceAreaId(2),
            office_id: Some(OfficeId(1)),
            version: 1,
        }
    }

    fn input(on: &str, reason: &str) -> TransferInput {
        TransferInput {
            to_team_id: Some(2),
            transferred_on: on.into(),
            reason: reason.into(),
        }
    }

    const TODAY: Date = date(2026, 6, 15);

    /// The message for `field`, when the transfer is refused.
    fn refusal(result: Result<TransferDraft, DomainError>, field: &str) -> String {
        match result {
            Err(DomainError::Invalid(errors)) => errors
                .for_field(field)
                .unwrap_or_else(|| panic!("no problem with {field}: {errors:?}"))
                .to_owned(),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn an_open_case_moves_to_another_team_with_a_trimmed_reason() {
        let durham = team(2, "Durham private law");
        let draft = input(" 2026-06-01 ", "  The family moved to Durham  ")
            .validate(&case("allocated"), Some(&durham), TODAY, None, None)
            .expect("valid");
        assert_eq!(
            draft,
            TransferDraft {
                from_team_id: TeamId(1),
                to_team_id: TeamId(2),
                transferred_on: date(2026, 6, 1),
                reason: "The family moved to Durham".into(),
            }
        );
        let on_the_day = input("2026-03-02", "Moved")
            .validate(&case("intake"), Some(&durham), TODAY, None, None)
            .expect("the day it was received is allowed");
        assert_eq!(on_the_day.transferred_on, date(2026, 3, 2));
        assert!(
            input("2026-06-15", "Moved")
                .validate(&case("intake"), Some(&durham), TODAY, None, None)
                .is_ok(),
            "today is allowed"
        );
    }

    #[test]
    fn a_closed_case_stays_where_it_is() {
        let message = refusal(
            input("2026-06-01", "Moved").validate(
                &case(CLOSED),
                Some(&team(2, "Durham")),
                TODAY,
                None,
                None,
            ),
            "to_team_id",
        );
        assert_eq!(
            message,
            "A closed case cannot be transferred: re-open it first"
        );
    }

    #[test]
    fn the_receiving_team_must_be_chosen_and_be_another_team() {
        let none = input("2026-06-01", "Moved").validate(&case("intake"), None, TODAY, None, None);
        assert_eq!(
            refusal(none, "to_team_id"),
            "Choose the team to transfer the case to"
        );
        let own = input("2026-06-01", "Moved").validate(
            &case("intake"),
            Some(&team(1, "Newcastle private law")),
            TODAY,
            None,
            None,
        );
        assert_eq!(
            refusal(own, "to_team_id"),
            "The case is already with Newcastle private law: choose another team"
        );
    }

    #[test]
    fn the_date_is_real_not_in_the_future_and_keeps_the_history_in_order() {
        let durham = team(2, "Durham");
        let check = |on: &str, last: Option<Date>, allocated: Option<Date>| {
            refusal(
                input(on, "Moved").validate(
                    &case("allocated"),
                    Some(&durham),
                    TODAY,
                    last,
                    allocated,
                ),
                "transferred_on",
            )
        };
        assert_eq!(check("", None, None), "Enter the date of transfer");
        assert!(check("2026-02-30", None, None).contains("real date"));
        assert_eq!(
            check("2026-06-16", None, None),
            "The date of transfer cannot be in the future"
        );
        assert_eq!(
            check("2026-03-01", None, None),
            "The date of transfer cannot be before the case was received, on 2 March 2026"
        );
        assert_eq!(
            check("2026-04-01", Some(date(2026, 4, 10)), None),
            "The date of transfer cannot be before the case's last transfer, on 10 April 2026"
        );
        assert_eq!(
            check(
                "2026-04-01",
                Some(date(2026, 3, 20)),
                Some(date(2026, 4, 2))
            ),
            "The date of transfer cannot be before the current allocation began, on 2 April 2026",
            "the latest limit broken is the one named"
        );
        assert!(
            input("2026-04-10", "Moved")
                .validate(
                    &case("allocated"),
                    Some(&durham),
                    TODAY,
                    Some(date(2026, 4, 10)),
                    Some(date(2026, 4, 10)),
                )
                .is_ok(),
            "the same day as the last transfer and the allocation is allowed"
        );
    }

    #[test]
    fn a_reason_is_required_and_kept_to_a_sensible_length() {
        let durham = team(2, "Durham");
        let blank =
            input("2026-06-01", "   ").validate(&case("intake"), Some(&durham), TODAY, None, None);
        assert_eq!(refusal(blank, "reason"), "Give a reason");
        let long = input("2026-06-01", &"x".repeat(1001)).validate(
            &case("intake"),
            Some(&durham),
            TODAY,
            None,
            None,
        );
        assert!(refusal(long, "reason").contains("1000 characters or fewer"));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let everything_wrong =
            TransferInput::default().validate(&case(CLOSED), None, TODAY, None, None);
        let Err(DomainError::Invalid(errors)) = everything_wrong else {
            panic!("expected a refusal");
        };
        let fields: Vec<&str> = errors.fields().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["to_team_id", "transferred_on", "reason"]);
    }
}

/// How much of a worker's capacity a case takes, by law type and stage.
/// Configurable per organisation; these defaults weigh a public law case
/// and a section 7 report more than a case awaiting its first hearing.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseloadWeights {
    pub private_law: f64,
    pub section_7_report: f64,
    pub public_law: f64,
    pub adoption: f64,
}

impl Default for CaseloadWeights {
    fn default() -> Self {
        Self {
            private_law: 1.0,
            section_7_report: 1.5,
            public_law: 2.0,
            adoption: 1.0,
        }
    }
}

impl CaseloadWeights {
    pub fn weight(&self, case: &Case) -> f64 {
        match (case.law_type, case.stage) {
            (_, CLOSED) => 0.0,
            (LawType::Private, "section-7-report") => self.section_7_report,
            (LawType::Private, _) => self.private_law,
            (LawType::Public, _) => self.public_law,
            (LawType::Adoption, _) => self.adoption,
        }
    }
}

/// One worker's load: open cases, weighted points, and both per FTE.
#[derive(Debug, Clone, PartialEq)]
pub struct Caseload {
    pub cases: usize,
    pub points: f64,
    pub fte: f64,
}

impl Caseload {
    pub fn of(cases: &[&Case], weights: &CaseloadWeights, fte: crate::organisation::Fte) -> Self {
        let open: Vec<&&Case> = cases.iter().filter(|c| !c.is_closed()).collect();
        Self {
            cases: open.len(),
            points: open.iter().map(|c| weights.weight(c)).sum(),
            fte: f64::from(fte.thousandths()) / 1000.0,
        }
    }

    /// Points per full-time equivalent: what the safe limit is set against.
    pub fn points_per_fte(&self) -> f64 {
        self.points / self.fte
    }

    pub fn cases_per_fte(&self) -> f64 {
        self.cases as f64 / self.fte
    }

    /// Over the team's safe limit (in points per FTE)?
    pub fn is_over(&self, safe_limit: f64) -> bool {
        self.points_per_fte() > safe_limit
    }
}

/// The safe caseload, in weighted points per FTE, when a team has not set its own.
pub const DEFAULT_SAFE_CASELOAD: f64 = 24.0;

#[cfg(test)]
mod allocation_tests {
    use super::*;
    use crate::organisation::*;
    use jiff::civil::date;

    fn case(stage: &'static str, law: LawType, allocated: Option<i64>) -> Case {
        Case {
            id: CaseId(1),
            case_number: "NE1".into(),
            court_id: CourtId(1),
            law_type: law,
            pathway: default_pathway(law),
            stage,
            received_on: date(2026, 3, 2),
            issued_on: None,
            local_authority_id: None,
            team_id: TeamId(1),
            allocated_to: allocated.map(StaffId),
            closed_on: None,
            version: 1,
        }
    }

    fn worker(id: i64, group: JobGroup, end: Option<jiff::civil::Date>) -> StaffMember {
        StaffMember {
            id: StaffId(id),
            given_name: "Amira".into(),
            family_name: "Khan".into(),
            job_group: group,
            grade: "FCA".into(),
            fte: Fte::parse("0.8").expect("fte"),
            team_id: Some(TeamId(1)),
            line_manager_id: None,
            contract_type: ContractType::Employed,
            start_date: date(2020, 1, 1),
            end_date: end,
            version: 1,
        }
    }

    #[test]
    fn allocation_rules() {
        let area = ServiceAreaId(1);
        let on = date(2026, 3, 10);
        let fresh = case("awaiting-allocation", LawType::Private, None);
        let fca = worker(5, JobGroup::Practitioner, None);
        assert!(check_allocation(&fresh, &fca, Some(area), area, on, None).is_ok());
        assert!(
            check_allocation(&fresh, &fca, Some(ServiceAreaId(2)), area, on, None).is_err(),
            "outside the area"
        );
        assert!(
            check_allocation(
                &fresh,
                &worker(6, JobGroup::BusinessSupport, None),
                Some(area),
                area,
                on,
                None
            )
            .is_err()
        );
        assert!(
            check_allocation(
                &fresh,
                &worker(7, JobGroup::Practitioner, Some(date(2026, 3, 1))),
                Some(area),
                area,
                on,
                None
            )
            .is_err(),
            "left"
        );
        assert!(
            check_allocation(&fresh, &fca, Some(area), area, date(2026, 3, 1), None).is_err(),
            "before receipt"
        );
        let held = case("allocated", LawType::Private, Some(9));
        assert!(
            check_allocation(&held, &fca, Some(area), area, on, None).is_err(),
            "a reallocation needs a reason"
        );
        assert!(
            check_allocation(
                &held,
                &fca,
                Some(area),
                area,
                on,
                Some("Worker on long-term leave")
            )
            .is_ok()
        );
        assert!(
            check_allocation(
                &case("allocated", LawType::Private, Some(5)),
                &fca,
                Some(area),
                area,
                on,
                Some("again")
            )
            .is_err()
        );
        assert!(
            check_allocation(
                &case(CLOSED, LawType::Private, None),
                &fca,
                Some(area),
                area,
                on,
                None
            )
            .is_err()
        );
    }

    #[test]
    fn caseloads_are_weighted_and_per_fte() {
        let weights = CaseloadWeights::default();
        let a = case("allocated", LawType::Private, Some(5));
        let b = case("section-7-report", LawType::Private, Some(5));
        let c = case("case-analysis", LawType::Public, Some(5));
        let d = case(CLOSED, LawType::Public, Some(5));
        let load = Caseload::of(&[&a, &b, &c, &d], &weights, Fte::parse("0.5").expect("fte"));
        assert_eq!(load.cases, 3);
        assert!((load.points - 4.5).abs() < 1e-9);
        assert!((load.points_per_fte() - 9.0).abs() < 1e-9);
        assert!((load.cases_per_fte() - 6.0).abs() < 1e-9);
        assert!(load.is_over(8.0) && !load.is_over(9.0));
    }
}

// -------------------------------------------------------------------- clocks

use crate::calendar::WorkingCalendar;
use crate::clocks::{
    Extension, LongRunningThresholds, PracticeTargets, Rag, TwentySixWeeks, due_rag,
    validate_extension,
};

/// The issue date the 26-week limit counts from, when the case has one: only
/// issued care and supervision proceedings run to 26 weeks.
pub fn twenty_six_weeks_from(record: &CaseRecord) -> Option<Date> {
    let statutory = record
        .applications
        .iter()
        .any(|a| matches!(a.kind.code.as_str(), "care" | "supervision"));
    record.case.issued_on.filter(|_| statutory)
}

/// A court-granted extension to this case's 26-week limit, as typed: not in
/// the future, not before issue, and only where the limit applies.
pub fn case_extension(
    record: &CaseRecord,
    weeks: &str,
    granted_on: &str,
    reason: &str,
    today: Date,
) -> Result<Extension, DomainError> {
    let Some(issued) = twenty_six_weeks_from(record) else {
        return Err(DomainError::invalid(
            "weeks",
            "Only issued care and supervision proceedings have a 26-week limit to extend",
        ));
    };
    let mut errors = ValidationErrors::new();
    refuse_if_closed(&record.case, "weeks", &mut errors);
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let extension = validate_extension(weeks, granted_on, reason, issued)?;
    if extension.granted_on > today {
        return Err(DomainError::invalid(
            "granted_on",
            "The date the extension was granted cannot be in the future",
        ));
    }
    Ok(extension)
}

/// How a case event reads in the case's history.
pub fn event_label(kind: &str) -> &str {
    match kind {
        "allocated" => "Allocated",
        "reallocated" => "Reallocated",
        "hearing" => "Hearing recorded",
        "work-due" => "Work set",
        "filed" => "Work filed",
        "extension" => "26-week limit extended",
        "work-extension-requested" => "More time asked for",
        "work-extension-decided" => "Court decided on more time",
        "child-experience" => "Child's experience updated",
        "child-outcome" => "Child's outcome recorded",
        "child-added" => "Child added",
        "party-added" => "Party added",
        "risk" => "Risk recorded",
        "relationship" => "Relationship to a child recorded",
        "check-response" => "Check response recorded",
        "imported" => "Imported",
        "transferred" => "Transferred to another team",
        other => other,
    }
}

/// One clock shown on a case: what it measures, where it stands, and its
/// RAG status (none when it cannot be worked out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockLine {
    pub label: &'static str,
    pub value: String,
    pub rag: Option<Rag>,
}

/// Working days' warning before a practice target falls due.
const TARGET_WARNING_DAYS: u32 = 3;

/// The clocks that apply to a case on `today` (or, once closed, on the day it closed).
#[allow(clippy::too_many_arguments)]
pub fn case_clocks(
    record: &CaseRecord,
    work: &[WorkItem],
    extensions: &[Extension],
    allocations: &[Allocation],
    calendar: &WorkingCalendar,
    today: Date,
    thresholds: &LongRunningThresholds,
    targets: &PracticeTargets,
) -> Vec<ClockLine> {
    let case = &record.case;
    let on = case.closed_on.unwrap_or(today);
    let mut lines = Vec::new();
    if let Some(issued) = twenty_six_weeks_from(record) {
        let clock = TwentySixWeeks::new(issued, extensions);
        lines.push(ClockLine {
            label: "26-week limit",
            value: clock.describe(on),
            rag: Some(clock.rag(on)),
        });
    }
    let threshold = match case.law_type {
        LawType::Private => thresholds.private_law_weeks,
        LawType::Public | LawType::Adoption => thresholds.public_law_weeks,
    };
    let weeks = (on - case.received_on).get_days() as i64 / 7;
    lines.push(ClockLine {
        label: "Time since received",
        value: format!("{weeks} weeks (long-running after {threshold})"),
        rag: Some(if weeks >= threshold {
            Rag::Red
        } else if weeks >= threshold - 4 {
            Rag::Amber
        } else {
            Rag::Green
        }),
    });
    if case.is_closed() {
        return lines;
    }
    // The letter's own work item, once set, is the clock: it stops when filed.
    let letter = work.iter().find(|w| w.kind == WorkKind::SafeguardingLetter);
    if let Some(w) = letter {
        let due = w.due_on.strftime("%-d %B %Y");
        lines.push(match w.filed_on {
            Some(filed) => ClockLine {
                label: "Safeguarding letter",
                value: format!("Filed {} (due {due})", filed.strftime("%-d %B %Y")),
                rag: Some(if filed > w.due_on {
                    Rag::Red
                } else {
                    Rag::Green
                }),
            },
            None => ClockLine {
                label: "Safeguarding letter",
                value: format!("Due {due}"),
                rag: due_rag(calendar, w.due_on, today, TARGET_WARNING_DAYS).ok(),
            },
        });
    }
    let mut target = |label: &'static str, days: u32| {
        let line = match targets.due(calendar, case.received_on, days) {
            Ok(due) => ClockLine {
                label,
                value: format!(
                    "Due {} ({days} working days from receipt)",
                    due.strftime("%-d %B %Y")
                ),
                rag: due_rag(calendar, due, today, TARGET_WARNING_DAYS).ok(),
            },
            Err(e) => ClockLine {
                label,
                value: format!("Cannot be worked out: {e}"),
                rag: None,
            },
        };
        lines.push(line);
    };
    let before_letter = matches!(
        case.stage,
        "intake" | "safeguarding-checks" | "safeguarding-letter"
    );
    if case.law_type == LawType::Private && before_letter && letter.is_none() {
        target("Safeguarding letter", targets.safeguarding_letter_days);
    }
    if case.allocated_to.is_none() {
        let days = match case.law_type {
            LawType::Private => targets.private_law_allocation_days,
            _ => targets.public_law_allocation_days,
        };
        target("Allocation", days);
    }
    // Each child's first contact, counted from the current allocation.
    if let Some(current) = allocations.iter().rev().find(|a| a.ended_on.is_none()) {
        let days = targets.first_contact_with_child_days;
        for child in &record.children {
            let due = targets.due(calendar, current.allocated_on, days);
            let label = "First contact with the child";
            let name = &child.details.given_name;
            lines.push(match (due, child.experience.first_met_fca_on) {
                (Ok(due), Some(met)) => ClockLine {
                    label,
                    value: format!(
                        "{name}: met {} (due {})",
                        met.strftime("%-d %B %Y"),
                        due.strftime("%-d %B %Y")
                    ),
                    rag: Some(if met > due { Rag::Red } else { Rag::Green }),
                },
                (Ok(due), None) => ClockLine {
                    label,
                    value: format!(
                        "{name}: due {} ({days} working days from allocation)",
                        due.strftime("%-d %B %Y")
                    ),
                    rag: due_rag(calendar, due, today, TARGET_WARNING_DAYS).ok(),
                },
                (Err(e), _) => ClockLine {
                    label,
                    value: format!("{name}: cannot be worked out: {e}"),
                    rag: None,
                },
            });
        }
    }
    lines
}

#[cfg(test)]
mod clock_tests {
    use super::*;
    use crate::organisation::*;
    use jiff::civil::date;

    fn record(
        law: LawType,
        kind: &'static str,
        stage: &'static str,
        issued: Option<Date>,
        allocated: bool,
    ) -> CaseRecord {
        CaseRecord {
            case: Case {
                id: CaseId(1),
                case_number: "X".into(),
                court_id: CourtId(1),
                law_type: law,
                pathway: default_pathway(law),
                stage,
                received_on: date(2026, 3, 2),
                issued_on: issued,
                local_authority_id: None,
                team_id: TeamId(1),
                allocated_to: allocated.then_some(StaffId(4)),
                closed_on: None,
                version: 1,
            },
            applications: vec![Application {
                id: 1,
                kind: application_kind(&default_application_kinds(), kind)
                    .expect("kind")
                    .clone(),
                received_on: date(2026, 3, 2),
                issued_on: issued,
                lead: true,
                harm_alleged: false,
            }],
            children: Vec::new(),
            parties: Vec::new(),
            events: Vec::new(),
        }
    }

    #[test]
    fn each_child_has_a_first_contact_target_from_allocation() {
        let calendar = WorkingCalendar::england_and_wales().expect("calendar");
        let mut r = record(
            LawType::Private,
            "child-arrangements",
            "allocated",
            None,
            true,
        );
        let born = date(2019, 5, 1);
        r.children.push(Child {
            id: 1,
            details: ChildInput {
                given_name: "Ava".into(),
                family_name: "Lane".into(),
                date_of_birth: born.to_string(),
                ..Default::default()
            }
            .validate(date(2026, 3, 2))
            .expect("child"),
            experience: Default::default(),
            outcome: None,
            version: 1,
        });
        let allocation = Allocation {
            staff_id: StaffId(4),
            staff_name: "Wes".into(),
            allocated_on: date(2026, 3, 10),
            ended_on: None,
            reason: None,
            allocated_by: "bea".into(),
            ended_reason: None,
        };
        let contact = |r: &CaseRecord, today| {
            case_clocks(
                r,
                &[],
                &[],
                std::slice::from_ref(&allocation),
                &calendar,
                today,
                &Default::default(),
                &Default::default(),
            )
            .into_iter()
            .find(|l| l.label == "First contact with the child")
            .expect("a line")
        };
        // Ten working days from Tuesday 10 March is Tuesday 24 March.
        let waiting = contact(&r, date(2026, 3, 20));
        assert_eq!(
            waiting.value,
            "Ava: due 24 March 2026 (10 working days from allocation)"
        );
        assert_eq!(waiting.rag, Some(Rag::Amber));
        assert_eq!(contact(&r, date(2026, 3, 25)).rag, Some(Rag::Red));
        r.children[0].experience.first_met_fca_on = Some(date(2026, 3, 16));
        let met = contact(&r, date(2026, 3, 25));
        assert_eq!(met.value, "Ava: met 16 March 2026 (due 24 March 2026)");
        assert_eq!(met.rag, Some(Rag::Green));
    }

    #[test]
    fn care_cases_show_their_26_weeks() {
        let calendar = WorkingCalendar::england_and_wales().expect("calendar");
        let r = record(
            LawType::Public,
            "care",
            "case-analysis",
            Some(date(2026, 2, 27)),
            true,
        );
        let lines = case_clocks(
            &r,
            &[],
            &[],
            &[],
            &calendar,
            date(2026, 6, 1),
            &Default::default(),
            &Default::default(),
        );
        let limit = lines
            .iter()
            .find(|l| l.label == "26-week limit")
            .expect("26 weeks");
        assert!(limit.value.starts_with("Week 14 of 26"), "{}", limit.value);
        assert_eq!(limit.rag, Some(Rag::Green));
        assert!(lines.iter().all(|l| l.label != "Allocation"), "allocated");
        let today = date(2026, 9, 14);
        assert!(
            case_extension(&r, "8", "2026-09-15", "Expert report", today).is_err(),
            "future"
        );
        assert!(
            case_extension(&r, "9", "2026-08-01", "Expert report", today).is_err(),
            "over 8 weeks"
        );
        let extension =
            case_extension(&r, "8", "2026-08-01", "Expert report", today).expect("valid");
        let mut closed = r.clone();
        closed.case.stage = CLOSED;
        closed.case.closed_on = Some(date(2026, 9, 1));
        assert!(
            case_extension(&closed, "8", "2026-08-01", "Expert report", today).is_err(),
            "closed"
        );
        let limit = |extensions: &[Extension]| {
            case_clocks(
                &r,
                &[],
                extensions,
                &[],
                &calendar,
                today,
                &Default::default(),
                &Default::default(),
            )
            .into_iter()
            .find(|l| l.label == "26-week limit")
            .expect("26 weeks")
        };
        assert_eq!(limit(&[]).value, "Week 29 of 26: 3 weeks over");
        let extended = limit(&[extension]);
        assert_eq!(extended.value, "Week 29 of 34");
        let private = record(
            LawType::Private,
            "child-arrangements",
            "intake",
            Some(date(2026, 2, 27)),
            false,
        );
        assert!(
            case_extension(&private, "8", "2026-08-01", "x", today).is_err(),
            "private law has no 26-week limit"
        );
    }

    #[test]
    fn private_cases_show_their_targets() {
        let calendar = WorkingCalendar::england_and_wales().expect("calendar");
        let r = record(
            LawType::Private,
            "child-arrangements",
            "safeguarding-checks",
            None,
            false,
        );
        let lines = case_clocks(
            &r,
            &[],
            &[],
            &[],
            &calendar,
            date(2026, 3, 20),
            &Default::default(),
            &Default::default(),
        );
        let letter = lines
            .iter()
            .find(|l| l.label == "Safeguarding letter")
            .expect("letter");
        // 17 working days from Monday 2 March 2026.
        assert!(
            letter.value.starts_with("Due 25 March 2026"),
            "{}",
            letter.value
        );
        assert_eq!(letter.rag, Some(Rag::Amber));
        assert!(lines.iter().all(|l| l.label != "26-week limit"));
        let long = lines
            .iter()
            .find(|l| l.label == "Time since received")
            .expect("age");
        assert_eq!(long.rag, Some(Rag::Green));
        // No bank holiday data for the year: said plainly, never guessed.
        let empty = WorkingCalendar::new(Vec::new());
        let lines = case_clocks(
            &r,
            &[],
            &[],
            &[],
            &empty,
            date(2026, 3, 20),
            &Default::default(),
            &Default::default(),
        );
        let letter = lines
            .iter()
            .find(|l| l.label == "Safeguarding letter")
            .expect("letter");
        assert!(
            letter.value.contains("no bank holiday dates"),
            "{}",
            letter.value
        );
        assert_eq!(letter.rag, None);
    }

    #[test]
    fn a_filed_safeguarding_letter_stops_its_clock() {
        let calendar = WorkingCalendar::england_and_wales().expect("calendar");
        let r = record(
            LawType::Private,
            "child-arrangements",
            "safeguarding-letter",
            None,
            true,
        );
        let mut item = WorkItem {
            id: 1,
            case_id: CaseId(1),
            kind: WorkKind::SafeguardingLetter,
            due_on: date(2026, 3, 25),
            filed_on: None,
            late_reason: None,
            version: 1,
        };
        let letter = |item: &WorkItem| {
            case_clocks(
                &r,
                std::slice::from_ref(item),
                &[],
                &[],
                &calendar,
                date(2026, 4, 20),
                &Default::default(),
                &Default::default(),
            )
            .into_iter()
            .filter(|l| l.label == "Safeguarding letter")
            .collect::<Vec<_>>()
        };
        let unfiled = letter(&item);
        assert_eq!(unfiled.len(), 1, "one letter clock, from the work item");
        assert_eq!(unfiled[0].value, "Due 25 March 2026");
        assert_eq!(unfiled[0].rag, Some(Rag::Red));
        item.filed_on = Some(date(2026, 3, 24));
        let filed = letter(&item);
        assert_eq!(filed[0].value, "Filed 24 March 2026 (due 25 March 2026)");
        assert_eq!(filed[0].rag, Some(Rag::Green));
    }
}

// ------------------------------------------------------- hearings and work

choice::choice!(
    /// A kind of court hearing.
    HearingKind, "hearing type", {
        FirstHearing => ("first-hearing", "First hearing (FHDRA)"),
        DisputeResolution => ("dispute-resolution", "Dispute resolution appointment"),
        FactFinding => ("fact-finding", "Fact-finding hearing"),
        CaseManagement => ("case-management", "Case management hearing"),
        IssuesResolution => ("issues-resolution", "Issues resolution hearing"),
        Final => ("final", "Final hearing"),
        Review => ("review", "Review hearing"),
        Other => ("other", "Other hearing"),
    }
);

choice::choice!(
    /// A piece of work the service owes the court.
    WorkKind, "type of work", {
        SafeguardingLetter => ("safeguarding-letter", "Safeguarding letter"),
        Section7Report => ("section-7-report", "Section 7 report"),
        ChildImpactReport => ("child-impact-report", "Child impact report"),
        CaseAnalysis => ("case-analysis", "Case analysis"),
        PositionStatement => ("position-statement", "Position statement"),
        IroLetter => ("iro-letter", "Final letter to the independent reviewing officer"),
        Other => ("other", "Other work"),
    }
);

/// As typed into a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HearingInput {
    pub kind: String,
    pub on: String,
    pub outcome: String,
    pub directions: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HearingDraft {
    pub kind: HearingKind,
    pub on: Date,
    pub outcome: Option<String>,
    pub directions: Option<String>,
}

impl HearingInput {
    /// No hearing can come before the application was issued (or, with no
    /// issue date recorded, received).
    pub fn validate(&self, case: &Case) -> Result<HearingDraft, DomainError> {
        self.check(case, Recording::Now)
    }

    /// A hearing from the case's past, as an import brings it: allowed on a
    /// closed case when it was held by the day the case closed.
    pub fn validate_past(&self, case: &Case) -> Result<HearingDraft, DomainError> {
        self.check(case, Recording::Past)
    }

    fn check(&self, case: &Case, when: Recording) -> Result<HearingDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let kind = errors.check("kind", HearingKind::parse(&self.kind));
        let on = errors.check("on", text::date(&self.on, "hearing date"));
        let outcome = errors.check("outcome", multiline(&self.outcome, "outcome"));
        let directions = errors.check("directions", multiline(&self.directions, "directions"));
        when.check(
            case,
            "kind",
            on,
            "on",
            "A hearing cannot be after the case closed",
            &mut errors,
        );
        let start = case.issued_on.unwrap_or(case.received_on);
        if let Some(on) = on
            && on < start
        {
            errors.add(
                "on",
                "A hearing cannot be before the application was issued",
            );
        }
        match (kind, on, outcome, directions) {
            (Some(kind), Some(on), Some(outcome), Some(directions)) if errors.is_empty() => {
                Ok(HearingDraft {
                    kind,
                    on,
                    outcome,
                    directions,
                })
            }
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Nothing new is recorded on a closed case until it is re-opened.
pub(crate) fn refuse_if_closed(case: &Case, field: &str, errors: &mut ValidationErrors) {
    if case.is_closed() {
        errors.add(field, "The case is closed: re-open it to record this");
    }
}

/// Checks a party's relationship to one child: both in the case, the case
/// open, the relationship named.
pub fn check_relationship(
    record: &CaseRecord,
    party: i64,
    child: i64,
    relationship: &str,
) -> Result<ChildRelationship, DomainError> {
    if !record.parties.iter().any(|p| p.id == party) {
        return Err(DomainError::NotFound { kind: "party" });
    }
    let mut errors = ValidationErrors::new();
    refuse_if_closed(&record.case, "relationship", &mut errors);
    if !record.children.iter().any(|c| c.id == child) {
        errors.add("child_id", "Choose one of the case's children");
    }
    let relationship = errors.check(
        "relationship",
        text::name(relationship, "relationship to the child", 60),
    );
    match relationship {
        Some(relationship) if errors.is_empty() => Ok(ChildRelationship {
            child_id: child,
            relationship,
        }),
        _ => Err(DomainError::Invalid(errors)),
    }
}

/// Children and parties join a case only while it is open.
pub fn check_can_join(case: &Case) -> Result<(), DomainError> {
    let mut errors = ValidationErrors::new();
    refuse_if_closed(case, "given_name", &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// Whether a fact is being recorded as it happens, or brought in from the
/// case's past by an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Recording {
    /// Nothing new on a closed case.
    Now,
    /// A closed case's history may be brought in, up to the day it closed.
    Past,
}

impl Recording {
    fn check(
        self,
        case: &Case,
        field: &str,
        on: Option<Date>,
        date_field: &str,
        after_closing: &str,
        errors: &mut ValidationErrors,
    ) {
        match (self, case.closed_on, on) {
            (Recording::Now, _, _) => refuse_if_closed(case, field, errors),
            (Recording::Past, Some(closed), Some(on)) if on > closed => {
                errors.add(date_field, after_closing);
            }
            (Recording::Past, _, _) => {}
        }
    }
}

/// Free text that may run over several lines: blank is `None`.
pub(crate) fn multiline(value: &str, what: &str) -> Result<Option<String>, String> {
    let value = value.replace("\r\n", "\n");
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > 4000 {
        return Err(format!("The {what} must be 4,000 characters or fewer"));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(format!("The {what} must not contain control characters"));
    }
    Ok(Some(trimmed.to_owned()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hearing {
    pub id: i64,
    pub details: HearingDraft,
}

/// As typed into a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkItemInput {
    pub kind: String,
    pub due_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkItemDraft {
    pub kind: WorkKind,
    pub due_on: Date,
}

impl WorkItemInput {
    pub fn validate(&self, case: &Case) -> Result<WorkItemDraft, DomainError> {
        self.check(case, Recording::Now)
    }

    /// Work from the case's past, as an import brings it: allowed on a
    /// closed case.
    pub fn validate_past(&self, case: &Case) -> Result<WorkItemDraft, DomainError> {
        self.check(case, Recording::Past)
    }

    fn check(&self, case: &Case, when: Recording) -> Result<WorkItemDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let kind = errors.check("kind", WorkKind::parse(&self.kind));
        let due = errors.check("due_on", text::date(&self.due_on, "due date"));
        // Work set while the case was open may fall due after it closed
        // (an application withdrawn before its letter was due), so a past
        // item is not held to the closing date.
        when.check(case, "kind", None, "due_on", "", &mut errors);
        if let Some(due) = due
            && due < case.received_on
        {
            errors.add(
                "due_on",
                "Work cannot fall due before the application was received",
            );
        }
        match (kind, due) {
            (Some(kind), Some(due_on)) if errors.is_empty() => Ok(WorkItemDraft { kind, due_on }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Work owed to the court, and whether and when it was filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkItem {
    pub id: i64,
    pub case_id: CaseId,
    pub kind: WorkKind,
    pub due_on: Date,
    pub filed_on: Option<Date>,
    /// Why it was filed after it was due.
    pub late_reason: Option<String>,
    pub version: i64,
}

crate::choice::choice!(
    /// Where a piece of work for the court stands.
    WorkStatus, "work status", {
        Due => ("due", "Due"),
        Overdue => ("overdue", "Overdue"),
        FiledOnTime => ("filed-on-time", "Filed on time"),
        FiledLate => ("filed-late", "Filed late"),
    }
);

impl WorkItem {
    /// Filed on or before its due date is on time; the due date itself is not late.
    pub fn status(&self, today: Date) -> WorkStatus {
        match self.filed_on {
            Some(filed) if filed > self.due_on => WorkStatus::FiledLate,
            Some(_) => WorkStatus::FiledOnTime,
            None if today > self.due_on => WorkStatus::Overdue,
            None => WorkStatus::Due,
        }
    }
}

/// Checks a filing: not before the case was received, not in the future,
/// and with a reason when it is after the due date.
pub fn check_filing(
    item: &WorkItem,
    received_on: Date,
    filed_on: &str,
    late_reason: &str,
    today: Date,
) -> Result<(Date, Option<String>), DomainError> {
    if item.filed_on.is_some() {
        return Err(DomainError::invalid(
            "filed_on",
            "This work has already been filed",
        ));
    }
    let mut errors = ValidationErrors::new();
    let filed = errors.check("filed_on", text::date(filed_on, "date filed"));
    let reason = errors.check("late_reason", multiline(late_reason, "reason"));
    if let Some(filed) = filed {
        if filed > today {
            errors.add("filed_on", "The date filed cannot be in the future");
        }
        if filed < received_on {
            errors.add(
                "filed_on",
                "Work cannot be filed before the application was received",
            );
        }
        if filed > item.due_on && reason.as_ref().is_some_and(Option::is_none) {
            errors.add(
                "late_reason",
                "The work was filed after it was due: say why",
            );
        }
    }
    match (filed, reason) {
        (Some(filed), Some(reason)) if errors.is_empty() => {
            // A reason is kept only for late work.
            let reason = if filed > item.due_on { reason } else { None };
            Ok((filed, reason))
        }
        _ => Err(DomainError::Invalid(errors)),
    }
}

crate::choice::choice!(
    /// What the court decided on a request for more time.
    ExtensionDecision, "decision", {
        Granted => ("granted", "Granted"),
        Refused => ("refused", "Refused"),
    }
);

/// A request to the court for more time to file a piece of work, and the
/// court's decision once it is known. A granted request moves the due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkExtension {
    pub id: i64,
    pub work_item_id: i64,
    pub requested_on: Date,
    /// The due date when the request was made.
    pub due_on_before: Date,
    pub requested_due_on: Date,
    pub reason: String,
    pub decision: Option<(ExtensionDecision, Date)>,
}

/// As typed into a form or sent to the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkExtensionInput {
    pub requested_on: String,
    pub new_due_on: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkExtensionDraft {
    pub requested_on: Date,
    pub due_on_before: Date,
    pub requested_due_on: Date,
    pub reason: String,
}

impl WorkExtensionInput {
    /// Only unfiled work on an open case can be given more time, one request
    /// at a time, to a date after the one it is due now.
    pub fn validate(
        &self,
        case: &Case,
        item: &WorkItem,
        earlier: &[WorkExtension],
        today: Date,
    ) -> Result<WorkExtensionDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        refuse_if_closed(case, "requested_on", &mut errors);
        if item.filed_on.is_some() {
            errors.add("requested_on", "This work has already been filed");
        }
        if earlier.iter().any(|e| e.decision.is_none()) {
            errors.add(
                "requested_on",
                "A request for more time is waiting for the court's decision: record that first",
            );
        }
        let asked = errors.check(
            "requested_on",
            text::date(&self.requested_on, "date requested"),
        );
        let new_due = errors.check("new_due_on", text::date(&self.new_due_on, "new due date"));
        let reason = errors.check("reason", reason(&self.reason, true));
        if let Some(asked) = asked {
            if asked > today {
                errors.add("requested_on", "The date requested cannot be in the future");
            }
            if asked < case.received_on {
                errors.add(
                    "requested_on",
                    "More time cannot be asked for before the application was received",
                );
            }
        }
        if let Some(new_due) = new_due
            && new_due <= item.due_on
        {
            errors.add(
                "new_due_on",
                format!("The new due date must be after {}", item.due_on),
            );
        }
        match (asked, new_due, reason) {
            (Some(requested_on), Some(requested_due_on), Some(Some(reason)))
                if errors.is_empty() =>
            {
                Ok(WorkExtensionDraft {
                    requested_on,
                    due_on_before: item.due_on,
                    requested_due_on,
                    reason,
                })
            }
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Checks the court's decision on a waiting request.
pub fn check_extension_decision(
    request: &WorkExtension,
    decision: &str,
    decided_on: &str,
    today: Date,
) -> Result<(ExtensionDecision, Date), DomainError> {
    if request.decision.is_some() {
        return Err(DomainError::invalid(
            "decision",
            "The court's decision on this request is already recorded",
        ));
    }
    let mut errors = ValidationErrors::new();
    let decision = errors.check("decision", ExtensionDecision::parse(decision));
    let on = errors.check("decided_on", text::date(decided_on, "date decided"));
    if let Some(on) = on {
        if on < request.requested_on {
            errors.add(
                "decided_on",
                "The court cannot decide before the request was made",
            );
        }
        if on > today {
            errors.add("decided_on", "The date decided cannot be in the future");
        }
    }
    match (decision, on) {
        (Some(decision), Some(on)) if errors.is_empty() => Ok((decision, on)),
        _ => Err(DomainError::Invalid(errors)),
    }
}

/// The work a new case's pathway creates: a private law case owes the
/// court a safeguarding letter within the target number of working days.
pub fn pathway_work(
    draft: &CaseDraft,
    calendar: &WorkingCalendar,
    targets: &PracticeTargets,
) -> Result<Vec<WorkItemDraft>, crate::calendar::CalendarError> {
    match draft.law_type {
        LawType::Private => Ok(vec![WorkItemDraft {
            kind: WorkKind::SafeguardingLetter,
            due_on: targets.due(
                calendar,
                draft.received_on,
                targets.safeguarding_letter_days,
            )?,
        }]),
        LawType::Public | LawType::Adoption => Ok(Vec::new()),
    }
}

#[cfg(test)]
pub(crate) mod work_tests {
    use super::*;
    use crate::organisation::*;
    use jiff::civil::date;

    pub(crate) fn case() -> Case {
        Case {
            id: CaseId(1),
            case_number: "X".into(),
            court_id: CourtId(1),
            law_type: LawType::Private,
            pathway: &PRIVATE_LAW,
            stage: "intake",
            received_on: date(2026, 3, 2),
            issued_on: Some(date(2026, 2, 27)),
            local_authority_id: None,
            team_id: TeamId(1),
            allocated_to: None,
            closed_on: None,
            version: 1,
        }
    }

    #[test]
    fn hearings_cannot_precede_issue() {
        let early = HearingInput {
            kind: "first-hearing".into(),
            on: "2026-02-20".into(),
            ..Default::default()
        };
        assert!(early.validate(&case()).is_err());
        let ok = HearingInput {
            kind: "first-hearing".into(),
            on: "2026-04-01".into(),
            directions: "Section 7 report\r\nby 1 July".into(),
            ..Default::default()
        }
        .validate(&case())
        .expect("valid");
        assert_eq!(
            ok.directions.as_deref(),
            Some("Section 7 report\nby 1 July")
        );
        let closed = Case {
            stage: CLOSED,
            closed_on: Some(date(2026, 5, 1)),
            ..case()
        };
        let refused = HearingInput {
            kind: "first-hearing".into(),
            on: "2026-04-01".into(),
            ..Default::default()
        }
        .validate(&closed);
        assert!(
            matches!(&refused, Err(DomainError::Invalid(e)) if e.for_field("kind").is_some()),
            "{refused:?}"
        );
        let work = WorkItemInput {
            kind: "section-7-report".into(),
            due_on: "2026-06-01".into(),
        };
        assert!(work.validate(&case()).is_ok());
        assert!(
            work.validate(&closed).is_err(),
            "no new work on a closed case"
        );
        assert!(
            HearingInput {
                kind: "trial".into(),
                on: "2026-04-01".into(),
                ..Default::default()
            }
            .validate(&case())
            .is_err()
        );
    }

    #[test]
    fn late_filing_needs_a_reason() {
        let item = WorkItem {
            id: 1,
            case_id: CaseId(1),
            kind: WorkKind::SafeguardingLetter,
            due_on: date(2026, 3, 25),
            filed_on: None,
            late_reason: None,
            version: 1,
        };
        let today = date(2026, 4, 1);
        assert_eq!(
            check_filing(&item, date(2026, 3, 2), "2026-03-24", "", today),
            Ok((date(2026, 3, 24), None))
        );
        assert!(check_filing(&item, date(2026, 3, 2), "2026-03-27", "", today).is_err());
        assert_eq!(
            check_filing(
                &item,
                date(2026, 3, 2),
                "2026-03-27",
                "Police checks came back late",
                today
            ),
            Ok((
                date(2026, 3, 27),
                Some("Police checks came back late".into())
            ))
        );
        assert!(
            check_filing(&item, date(2026, 3, 2), "2026-04-02", "", today).is_err(),
            "future"
        );
        assert_eq!(item.status(today), WorkStatus::Overdue);
        assert_eq!(item.status(date(2026, 3, 25)), WorkStatus::Due, "due today");
        let on_time = WorkItem {
            filed_on: Some(date(2026, 3, 25)),
            ..item.clone()
        };
        assert_eq!(on_time.status(today), WorkStatus::FiledOnTime);
        let filed = WorkItem {
            filed_on: Some(date(2026, 3, 27)),
            ..item
        };
        assert_eq!(filed.status(today), WorkStatus::FiledLate);
        assert!(
            check_filing(&filed, date(2026, 3, 2), "2026-03-28", "x", today).is_err(),
            "already filed"
        );
    }

    #[test]
    fn more_time_is_asked_for_once_and_moves_the_date_only_when_granted() {
        let item = WorkItem {
            id: 1,
            case_id: CaseId(1),
            kind: WorkKind::Section7Report,
            due_on: date(2026, 5, 29),
            filed_on: None,
            late_reason: None,
            version: 1,
        };
        let today = date(2026, 5, 20);
        let ask = |new_due: &str, reason: &str| WorkExtensionInput {
            requested_on: "2026-05-19".into(),
            new_due_on: new_due.into(),
            reason: reason.into(),
        };
        let draft = ask("2026-06-12", "School records outstanding")
            .validate(&case(), &item, &[], today)
            .expect("valid");
        assert_eq!(draft.due_on_before, date(2026, 5, 29));
        let refused = ask("2026-05-29", "").validate(&case(), &item, &[], today);
        assert!(
            matches!(&refused, Err(DomainError::Invalid(e))
                if e.for_field("new_due_on").is_some() && e.for_field("reason").is_some()),
            "not later than now due, and no reason: {refused:?}"
        );
        let waiting = WorkExtension {
            id: 1,
            work_item_id: 1,
            requested_on: date(2026, 5, 19),
            due_on_before: date(2026, 5, 29),
            requested_due_on: date(2026, 6, 12),
            reason: "x".into(),
            decision: None,
        };
        assert!(
            ask("2026-06-12", "again")
                .validate(&case(), &item, std::slice::from_ref(&waiting), today)
                .is_err(),
            "one request at a time"
        );
        assert_eq!(
            check_extension_decision(&waiting, "granted", "2026-05-20", today),
            Ok((ExtensionDecision::Granted, date(2026, 5, 20)))
        );
        assert!(check_extension_decision(&waiting, "granted", "2026-05-18", today).is_err());
        assert!(check_extension_decision(&waiting, "maybe", "2026-05-20", today).is_err());
        let decided = WorkExtension {
            decision: Some((ExtensionDecision::Refused, date(2026, 5, 20))),
            ..waiting
        };
        assert!(check_extension_decision(&decided, "granted", "2026-05-20", today).is_err());
    }

    #[test]
    fn a_private_case_owes_a_safeguarding_letter() {
        let calendar = WorkingCalendar::england_and_wales().expect("calendar");
        let draft = CaseInput {
            case_number: "X1".into(),
            court_id: Some(1),
            law_type: "private".into(),
            application_type: "child-arrangements".into(),
            harm_alleged: false,
            received_on: "2026-03-02".into(),
            issued_on: String::new(),
            local_authority_id: None,
            team_id: Some(1),
        }
        .validate(date(2026, 6, 1), &default_application_kinds())
        .expect("valid");
        let work = pathway_work(&draft, &calendar, &Default::default()).expect("work");
        assert_eq!(
            work,
            [WorkItemDraft {
                kind: WorkKind::SafeguardingLetter,
                due_on: date(2026, 3, 25)
            }]
        );
    }
}

// ------------------------------------------- a case's past, as imported

/// Where a case brought in from elsewhere stands: its pathway must be one
/// for its law type, its stage one of that pathway's, and it is closed
/// exactly when it has a closing date, on or after receipt and not in the
/// future.
pub fn check_position(
    law: LawType,
    pathway_code: &str,
    stage: &str,
    closed_on: &str,
    received_on: Date,
    today: Date,
) -> Result<(&'static Pathway, &'static str, Option<Date>), DomainError> {
    let mut errors = ValidationErrors::new();
    let chosen = errors.check(
        "pathway",
        pathway(pathway_code.trim()).and_then(|p| {
            if p.law_type == law {
                Ok(p)
            } else {
                let fits: Vec<&str> = PATHWAYS
                    .iter()
                    .filter(|p| p.law_type == law)
                    .map(|p| p.code)
                    .collect();
                Err(format!(
                    "A {} case follows one of: {}",
                    law.label().to_lowercase(),
                    fits.join(", ")
                ))
            }
        }),
    );
    let closed = errors.check("closed_on", text::optional_date(closed_on, "date closed"));
    let at = chosen.and_then(|p| {
        let found = p.stage(stage.trim()).map(|s| s.code);
        if found.is_none() {
            let codes: Vec<&str> = p.stages.iter().map(|s| s.code).collect();
            errors.add(
                "stage",
                format!(
                    "Choose a stage of the {} pathway: {}",
                    p.code,
                    codes.join(", ")
                ),
            );
        }
        found
    });
    if let (Some(at), Some(closed)) = (at, closed) {
        match (at == CLOSED, closed) {
            (true, None) => errors.add("closed_on", "Enter the date the case closed"),
            (false, Some(_)) => errors.add(
                "closed_on",
                "Only a closed case has a closing date: leave it blank or put the case at closed",
            ),
            (true, Some(day)) if day < received_on => {
                errors.add("closed_on", "A case cannot close before it was received")
            }
            (true, Some(day)) if day > today => {
                errors.add("closed_on", "The date closed cannot be in the future")
            }
            _ => {}
        }
    }
    match (chosen, at, closed) {
        (Some(p), Some(at), Some(closed)) if errors.is_empty() => Ok((p, at, closed)),
        _ => Err(DomainError::Invalid(errors)),
    }
}

/// The day a child first met their family court adviser, when known: not
/// before they were born, nor before the application, nor in the future.
pub fn check_first_met(
    value: &str,
    child: &ChildDraft,
    received_on: Date,
    today: Date,
) -> Result<Option<Date>, String> {
    let Some(day) = text::optional_date(value, "date the child first met their adviser")? else {
        return Ok(None);
    };
    if day < received_on.max(child.date_of_birth) {
        return Err("A child cannot meet their adviser before the application was received".into());
    }
    if day > today {
        return Err("The date the child first met their adviser cannot be in the future".into());
    }
    Ok(Some(day))
}

/// A further application in a case, as brought in by an import.
#[derive(Debug, Clone, Default)]
pub struct ApplicationInput {
    pub application_type: String,
    pub received_on: String,
    pub issued_on: String,
    pub harm_alleged: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationDraft {
    pub kind: ApplicationKind,
    pub received_on: Date,
    pub issued_on: Option<Date>,
    pub harm_alleged: bool,
}

impl ApplicationInput {
    /// The same rules as the case's first application: a type of the case's
    /// law, received not in the future and not before the case, issued on
    /// or before it was received.
    pub fn validate(
        &self,
        case: &Case,
        today: Date,
        kinds: &[ApplicationKind],
    ) -> Result<ApplicationDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let (kind, received, issued) = application_facts(
            &mut errors,
            kinds,
            &self.application_type,
            Some(case.law_type),
            &self.received_on,
            &self.issued_on,
            today,
        );
        if let Some(received) = received
            && received < case.received_on
        {
            errors.add(
                "received_on",
                "A further application cannot be received before the case was",
            );
        }
        match (kind, received, issued) {
            (Some(kind), Some(received_on), Some(issued_on)) if errors.is_empty() => {
                Ok(ApplicationDraft {
                    kind: kind.clone(),
                    received_on,
                    issued_on,
                    harm_alleged: self.harm_alleged,
                })
            }
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Checks an allocation from a case's history, as brought in by an import:
/// to someone who can hold cases and was in post on the day, not before
/// the case was received nor in the future, and ending (if it has ended)
/// on or after it began. Who was in which team then is not known, so the
/// service-area rule of a live allocation does not apply.
pub fn check_past_allocation(
    case: &Case,
    worker: &crate::organisation::StaffMember,
    allocated_on: Date,
    ended_on: Option<Date>,
    today: Date,
) -> Result<(), DomainError> {
    let mut errors = ValidationErrors::new();
    if worker.job_group != crate::organisation::JobGroup::Practitioner {
        errors.add(
            "staff_id",
            format!(
                "{} is not a practitioner, so cannot hold cases",
                worker.full_name()
            ),
        );
    } else if !worker.in_post_on(allocated_on) {
        errors.add(
            "staff_id",
            format!("{} was not in post on {allocated_on}", worker.full_name()),
        );
    }
    if allocated_on < case.received_on {
        errors.add(
            "allocated_on",
            "A case cannot be allocated before it was received",
        );
    }
    if allocated_on > today {
        errors.add("allocated_on", "The date allocated cannot be in the future");
    }
    if let Some(ended) = ended_on {
        if ended < allocated_on {
            errors.add("ended_on", "An allocation cannot end before it began");
        }
        if ended > today {
            errors.add(
                "ended_on",
                "The date the allocation ended cannot be in the future",
            );
        }
    }
    errors.into_result()
}

#[cfg(test)]
mod past_tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn an_imported_position_must_fit_its_pathway() {
        let received = date(2026, 3, 2);
        let today = date(2026, 6, 1);
        let ok = check_position(
            LawType::Private,
            "private-law",
            "allocated",
            "",
            received,
            today,
        )
        .expect("valid");
        assert_eq!((ok.0.code, ok.1, ok.2), ("private-law", "allocated", None));
        let closed = check_position(
            LawType::Public,
            "public-law",
            CLOSED,
            "2026-05-01",
            received,
            today,
        )
        .expect("valid");
        assert_eq!(closed.2, Some(date(2026, 5, 1)));
        for (law, pathway, stage, closed_on, field) in [
            (LawType::Public, "private-law", "intake", "", "pathway"),
            (LawType::Private, "no-such", "intake", "", "pathway"),
            (
                LawType::Private,
                "private-law",
                "case-analysis",
                "",
                "stage",
            ),
            (LawType::Private, "private-law", CLOSED, "", "closed_on"),
            (
                LawType::Private,
                "private-law",
                "intake",
                "2026-04-01",
                "closed_on",
            ),
            (
                LawType::Private,
                "private-law",
                CLOSED,
                "2026-02-01",
                "closed_on",
            ),
            (
                LawType::Private,
                "private-law",
                CLOSED,
                "2026-07-01",
                "closed_on",
            ),
            (
                LawType::Private,
                "private-law",
                CLOSED,
                "2026-02-30",
                "closed_on",
            ),
        ] {
            let Err(DomainError::Invalid(errors)) =
                check_position(law, pathway, stage, closed_on, received, today)
            else {
                panic!("{pathway} {stage} {closed_on} should be refused");
            };
            assert!(
                errors.for_field(field).is_some(),
                "{pathway} {stage} {closed_on}: {errors:?}"
            );
        }
    }

    #[test]
    fn past_hearings_may_be_on_closed_cases_until_they_closed() {
        let case = Case {
            id: CaseId(1),
            case_number: "X".into(),
            court_id: crate::organisation::CourtId(1),
            law_type: LawType::Private,
            pathway: &PRIVATE_LAW,
            stage: CLOSED,
            received_on: date(2026, 3, 2),
            issued_on: None,
            local_authority_id: None,
            team_id: crate::organisation::TeamId(1),
            allocated_to: None,
            closed_on: Some(date(2026, 5, 1)),
            version: 1,
        };
        let hearing = |on: &str| HearingInput {
            kind: "final".into(),
            on: on.into(),
            ..Default::default()
        };
        assert!(
            hearing("2026-04-20").validate(&case).is_err(),
            "live: closed"
        );
        assert!(hearing("2026-04-20").validate_past(&case).is_ok());
        assert!(
            hearing("2026-05-02").validate_past(&case).is_err(),
            "after closing"
        );
        let work = WorkItemInput {
            kind: "safeguarding-letter".into(),
            due_on: "2026-05-20".into(),
        };
        assert!(work.validate(&case).is_err());
        assert!(work.validate_past(&case).is_ok());
        let further = ApplicationInput {
            application_type: "care".into(),
            received_on: "2026-03-01".into(),
            ..Default::default()
        };
        let Err(DomainError::Invalid(errors)) =
            further.validate(&case, date(2026, 6, 1), &default_application_kinds())
        else {
            panic!("public law type on a private case, received before the case");
        };
        assert!(errors.for_field("application_type").is_some());
        assert!(errors.for_field("received_on").is_some());
    }
}
