//! The organisation: national → regions → service areas → teams, plus
//! offices, the family courts and local authorities each area works with,
//! and the staff who do the work.
//!
//! Each record type has an `*Input` (the raw values a form or the API sends),
//! a `*Draft` (the same values once every rule has passed) and the stored
//! record itself, which carries its id and a version for optimistic locking.

use crate::choice;
pub use crate::choice::Choice;
use crate::error::{DomainError, ValidationErrors};
use crate::text::{self, MAX_NAME_LEN};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! record_id {
    ($($(#[$meta:meta])* $name:ident),* $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

record_id!(
    /// Identifies a region.
    RegionId,
    /// Identifies a service area.
    ServiceAreaId,
    /// Identifies a team.
    TeamId,
    /// Identifies an office.
    OfficeId,
    /// Identifies a family court.
    CourtId,
    /// Identifies a local authority.
    LocalAuthorityId,
    /// Identifies a staff member.
    StaffId,
);

choice::choice!(
    /// The broad family of jobs a staff member belongs to.
    JobGroup, "job group", {
        Practitioner => ("practitioner", "Practitioner"),
        PracticeManagement => ("practice-management", "Practice management"),
        BusinessSupport => ("business-support", "Business support"),
        Corporate => ("corporate", "Corporate services"),
        SeniorLeadership => ("senior-leadership", "Senior leadership"),
    }
);

choice::choice!(
    /// How a staff member is engaged. Cases can be held by people who are not employees.
    ContractType, "contract type", {
        Employed => ("employed", "Employed"),
        SelfEmployedContractor => ("self-employed-contractor", "Self-employed contractor"),
        Bank => ("bank", "Bank"),
        Agency => ("agency", "Agency"),
    }
);

/// Full-time equivalence in thousandths: 1000 is full time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Fte(u16);

impl Fte {
    pub const FULL_TIME: Fte = Fte(1000);

    pub fn from_thousandths(value: i64) -> Result<Self, String> {
        u16::try_from(value)
            .ok()
            .filter(|v| (1..=1000).contains(v))
            .map(Fte)
            .ok_or_else(|| "The FTE must be more than 0 and no more than 1".to_owned())
    }

    pub fn thousandths(self) -> u16 {
        self.0
    }

    /// Parses the decimal a person writes, such as `1`, `0.8` or `0.625`.
    pub fn parse(value: &str) -> Result<Self, String> {
        let value = value.trim();
        let shape_error = || "Enter the FTE as a number between 0 and 1, like 0.8 or 1".to_owned();
        if value.is_empty() {
            return Err("Enter the FTE".into());
        }
        let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
        let digits_ok = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty()
            || !digits_ok(whole)
            || !digits_ok(fraction)
            || whole.len() > 4
        {
            return Err(shape_error());
        }
        if fraction.len() > 3 {
            return Err("The FTE can have at most 3 decimal places".into());
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| shape_error())?
        };
        let fraction: i64 = format!("{fraction:0<3}")
            .parse()
            .map_err(|_| shape_error())?;
        Self::from_thousandths(whole * 1000 + fraction)
    }
}

impl fmt::Display for Fte {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 1000;
        let fraction = self.0 % 1000;
        if fraction == 0 {
            write!(f, "{whole}")
        } else {
            let digits = format!("{fraction:03}");
            write!(f, "{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// Turns a validator's collected errors into the validated draft.
fn finish<T>(errors: ValidationErrors, draft: Option<T>) -> Result<T, DomainError> {
    match draft {
        Some(draft) if errors.is_empty() => Ok(draft),
        _ => Err(DomainError::Invalid(errors)),
    }
}

// ---------------------------------------------------------------- regions

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Region {
    pub id: RegionId,
    pub code: String,
    pub name: String,
    pub version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct RegionInput {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionDraft {
    pub code: String,
    pub name: String,
}

impl RegionInput {
    pub fn validate(&self) -> Result<RegionDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let code = errors.check("code", text::code(&self.code, "region code"));
        let name = errors.check("name", text::name(&self.name, "region name", MAX_NAME_LEN));
        finish(
            errors,
            code.zip(name)
                .map(|(code, name)| RegionDraft { code, name }),
        )
    }
}

// ---------------------------------------------------------- service areas

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceArea {
    pub id: ServiceAreaId,
    pub code: String,
    pub name: String,
    pub region_id: RegionId,
    pub version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct ServiceAreaInput {
    pub code: String,
    pub name: String,
    pub region_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAreaDraft {
    pub code: String,
    pub name: String,
    pub region_id: RegionId,
}

fn required_reference(value: Option<i64>, what: &str) -> Result<i64, String> {
    value.ok_or_else(|| format!("Choose the {what}"))
}

impl ServiceAreaInput {
    pub fn validate(&self) -> Result<ServiceAreaDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let code = errors.check("code", text::code(&self.code, "service area code"));
        let name = errors.check(
            "name",
            text::name(&self.name, "service area name", MAX_NAME_LEN),
        );
        let region = errors.check("region_id", required_reference(self.region_id, "region"));
        let draft = match (code, name, region) {
            (Some(code), Some(name), Some(region)) => Some(ServiceAreaDraft {
                code,
                name,
                region_id: RegionId(region),
            }),
            _ => None,
        };
        finish(errors, draft)
    }
}

// ---------------------------------------------------------------- offices

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Office {
    pub id: OfficeId,
    pub code: String,
    pub name: String,
    pub address: String,
    pub town: String,
    pub postcode: String,
    pub service_area_id: ServiceAreaId,
    pub version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct OfficeInput {
    pub code: String,
    pub name: String,
    pub address: String,
    pub town: String,
    pub postcode: String,
    pub service_area_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeDraft {
    pub code: String,
    pub name: String,
    pub address: String,
    pub town: String,
    pub postcode: String,
    pub service_area_id: ServiceAreaId,
}

impl OfficeInput {
    pub fn validate(&self) -> Result<OfficeDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let code = errors.check("code", text::code(&self.code, "office code"));
        let name = errors.check("name", text::name(&self.name, "office name", MAX_NAME_LEN));
        let address = errors.check("address", text::name(&self.address, "address", 200));
        let town = errors.check("town", text::name(&self.town, "town or city", MAX_NAME_LEN));
        let postcode = errors.check("postcode", text::postcode(&self.postcode));
        let area = errors.check(
            "service_area_id",
            required_reference(self.service_area_id, "service area"),
        );
        let draft = match (code, name, address, town, postcode, area) {
            (Some(code), Some(name), Some(address), Some(town), Some(postcode), Some(area)) => {
                Some(OfficeDraft {
                    code,
                    name,
                    address,
                    town,
                    postcode,
                    service_area_id: ServiceAreaId(area),
                })
            }
            _ => None,
        };
        finish(errors, draft)
    }
}

// ------------------------------------------------------------------ teams

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Team {
    pub id: TeamId,
    pub code: String,
    pub name: String,
    pub service_area_id: ServiceAreaId,
    pub office_id: Option<OfficeId>,
    pub version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct TeamInput {
    pub code: String,
    pub name: String,
    pub service_area_id: Option<i64>,
    pub office_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamDraft {
    pub code: String,
    pub name: String,
    pub service_area_id: ServiceAreaId,
    pub office_id: Option<OfficeId>,
}

impl TeamInput {
    pub fn validate(&self) -> Result<TeamDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let code = errors.check("code", text::code(&self.code, "team code"));
        let name = errors.check("name", text::name(&self.name, "team name", MAX_NAME_LEN));
        let area = errors.check(
            "service_area_id",
            required_reference(self.service_area_id, "service area"),
        );
        let draft = match (code, name, area) {
            (Some(code), Some(name), Some(area)) => Some(TeamDraft {
                code,
                name,
                service_area_id: ServiceAreaId(area),
                office_id: self.office_id.map(OfficeId),
            }),
            _ => None,
        };
        finish(errors, draft)
    }
}

/// A team's office must belong to the team's own service area.
pub fn check_team_office(team: &TeamDraft, office: &Office) -> Result<(), DomainError> {
    if office.service_area_id == team.service_area_id {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "office_id",
            format!(
                "{} is not in this team's service area; choose one of the area's offices",
                office.name
            ),
        ))
    }
}

// ----------------------------------------------------------------- courts

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Court {
    pub id: CourtId,
    pub code: String,
    pub name: String,
    /// The Designated Family Judge area: published court statistics use this geography.
    pub dfj_area: String,
    pub service_area_id: ServiceAreaId,
    pub version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct CourtInput {
    pub code: String,
    pub name: String,
    pub dfj_area: String,
    pub service_area_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourtDraft {
    pub code: String,
    pub name: String,
    pub dfj_area: String,
    pub service_area_id: ServiceAreaId,
}

impl CourtInput {
    pub fn validate(&self) -> Result<CourtDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let code = errors.check("code", text::code(&self.code, "court code"));
        let name = errors.check("name", text::name(&self.name, "court name", MAX_NAME_LEN));
        let dfj = errors.check(
            "dfj_area",
            text::name(&self.dfj_area, "Designated Family Judge area", MAX_NAME_LEN),
        );
        let area = errors.check(
            "service_area_id",
            required_reference(self.service_area_id, "service area"),
        );
        let draft = match (code, name, dfj, area) {
            (Some(code), Some(name), Some(dfj_area), Some(area)) => Some(CourtDraft {
                code,
                name,
                dfj_area,
                service_area_id: ServiceAreaId(area),
            }),
            _ => None,
        };
        finish(errors, draft)
    }
}

// ------------------------------------------------------ local authorities

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalAuthority {
    pub id: LocalAuthorityId,
    /// The ONS (GSS) code, such as E08000021.
    pub code: String,
    pub name: String,
    pub service_area_id: ServiceAreaId,
    pub version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct LocalAuthorityInput {
    pub code: String,
    pub name: String,
    pub service_area_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAuthorityDraft {
    pub code: String,
    pub name: String,
    pub service_area_id: ServiceAreaId,
}

impl LocalAuthorityInput {
    pub fn validate(&self) -> Result<LocalAuthorityDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let code = errors.check("code", text::code(&self.code, "local authority code"));
        let name = errors.check(
            "name",
            text::name(&self.name, "local authority name", MAX_NAME_LEN),
        );
        let area = errors.check(
            "service_area_id",
            required_reference(self.service_area_id, "service area"),
        );
        let draft = match (code, name, area) {
            (Some(code), Some(name), Some(area)) => Some(LocalAuthorityDraft {
                code,
                name,
                service_area_id: ServiceAreaId(area),
            }),
            _ => None,
        };
        finish(errors, draft)
    }
}

// ------------------------------------------------------------------ staff

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffMember {
    pub id: StaffId,
    pub given_name: String,
    pub family_name: String,
    pub job_group: JobGroup,
    pub grade: String,
    #[serde(skip)]
    pub fte: Fte,
    pub team_id: Option<TeamId>,
    pub line_manager_id: Option<StaffId>,
    pub contract_type: ContractType,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub version: i64,
}

impl StaffMember {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }

    /// Whether the person is in post on `day`: started, and not yet left.
    pub fn in_post_on(&self, day: Date) -> bool {
        self.start_date <= day && self.end_date.is_none_or(|end| day <= end)
    }
}

#[derive(Debug, Clone, Default)]
pub struct StaffInput {
    pub given_name: String,
    pub family_name: String,
    pub job_group: String,
    pub grade: String,
    pub fte: String,
    pub team_id: Option<i64>,
    pub line_manager_id: Option<i64>,
    pub contract_type: String,
    pub start_date: String,
    pub end_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffDraft {
    pub given_name: String,
    pub family_name: String,
    pub job_group: JobGroup,
    pub grade: String,
    pub fte: Fte,
    pub team_id: Option<TeamId>,
    pub line_manager_id: Option<StaffId>,
    pub contract_type: ContractType,
    pub start_date: Date,
    pub end_date: Option<Date>,
}

impl StaffInput {
    pub fn validate(&self) -> Result<StaffDraft, DomainError> {
        let mut errors = ValidationErrors::new();
        let given = errors.check("given_name", text::name(&self.given_name, "first name", 60));
        let family = errors.check(
            "family_name",
            text::name(&self.family_name, "last name", 60),
        );
        let job_group = errors.check("job_group", JobGroup::parse(&self.job_group));
        let grade = errors.check("grade", text::name(&self.grade, "grade", 40));
        let fte = errors.check("fte", Fte::parse(&self.fte));
        let contract = errors.check("contract_type", ContractType::parse(&self.contract_type));
        let start = errors.check("start_date", text::date(&self.start_date, "start date"));
        let end = errors.check("end_date", text::optional_date(&self.end_date, "end date"));
        if let (Some(start), Some(Some(end))) = (start, end)
            && end < start
        {
            errors.add(
                "end_date",
                "The end date must be the same as or after the start date",
            );
        }
        let draft = match (given, family, job_group, grade, fte, contract, start, end) {
            (
                Some(given_name),
                Some(family_name),
                Some(job_group),
                Some(grade),
                Some(fte),
                Some(contract_type),
                Some(start_date),
                Some(end_date),
            ) => Some(StaffDraft {
                given_name,
                family_name,
                job_group,
                grade,
                fte,
                team_id: self.team_id.map(TeamId),
                line_manager_id: self.line_manager_id.map(StaffId),
                contract_type,
                start_date,
                end_date,
            }),
            _ => None,
        };
        finish(errors, draft)
    }
}

/// Nobody may manage themselves, directly or through a chain of managers.
///
/// `chain` is the proposed manager's own line of managers, nearest first, as
/// far as it goes; it is checked for the member being edited.
pub fn check_line_manager(
    member: Option<StaffId>,
    manager: StaffId,
    chain: &[StaffId],
) -> Result<(), DomainError> {
    let Some(member) = member else {
        return Ok(());
    };
    if manager == member || chain.contains(&member) {
        return Err(DomainError::invalid(
            "line_manager_id",
            "A person cannot be their own line manager, directly or through the people they manage",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn staff_input() -> StaffInput {
        StaffInput {
            given_name: "Amira".into(),
            family_name: "Khan".into(),
            job_group: "practitioner".into(),
            grade: "Family court adviser".into(),
            fte: "0.8".into(),
            team_id: Some(3),
            line_manager_id: None,
            contract_type: "employed".into(),
            start_date: "2021-09-01".into(),
            end_date: String::new(),
        }
    }

    #[test]
    fn a_valid_staff_member_passes() {
        let draft = staff_input().validate().expect("valid");
        assert_eq!(draft.fte.thousandths(), 800);
        assert_eq!(draft.job_group, JobGroup::Practitioner);
        assert_eq!(draft.end_date, None);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let input = StaffInput {
            given_name: " ".into(),
            job_group: "wizard".into(),
            fte: "1.5".into(),
            contract_type: "zero-hours".into(),
            start_date: "2021-02-30".into(),
            ..staff_input()
        };
        let Err(DomainError::Invalid(errors)) = input.validate() else {
            panic!("expected invalid");
        };
        let fields: Vec<&str> = errors.fields().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "given_name",
                "job_group",
                "fte",
                "contract_type",
                "start_date"
            ]
        );
        assert!(
            errors
                .for_field("job_group")
                .is_some_and(|m| m.contains("practitioner"))
        );
    }

    #[test]
    fn an_end_before_the_start_is_refused() {
        let input = StaffInput {
            end_date: "2021-08-31".into(),
            ..staff_input()
        };
        let Err(DomainError::Invalid(errors)) = input.validate() else {
            panic!("expected invalid");
        };
        assert!(errors.for_field("end_date").is_some());
    }

    #[test]
    fn fte_parses_the_way_people_write_it() {
        assert_eq!(Fte::parse("1").map(Fte::thousandths), Ok(1000));
        assert_eq!(Fte::parse("0.5").map(Fte::thousandths), Ok(500));
        assert_eq!(Fte::parse(".625").map(Fte::thousandths), Ok(625));
        assert!(Fte::parse("0").is_err());
        assert!(Fte::parse("1.001").is_err());
        assert!(Fte::parse("0.1234").is_err());
        assert!(Fte::parse("-0.5").is_err());
        assert!(Fte::parse("half").is_err());
        assert!(Fte::parse(".").is_err());
    }

    proptest! {
        #[test]
        fn fte_display_round_trips(thousandths in 1i64..=1000) {
            let fte = Fte::from_thousandths(thousandths).expect("in range");
            prop_assert_eq!(Fte::parse(&fte.to_string()), Ok(fte));
        }
    }

    #[test]
    fn line_management_cannot_loop() {
        let (a, b, c) = (StaffId(1), StaffId(2), StaffId(3));
        assert!(check_line_manager(Some(a), a, &[]).is_err());
        // b manages a? a's manager would be b whose chain contains a: loop.
        assert!(check_line_manager(Some(a), b, &[c, a]).is_err());
        assert!(check_line_manager(Some(a), b, &[c]).is_ok());
        assert!(check_line_manager(None, b, &[a]).is_ok());
    }

    #[test]
    fn choices_parse_their_slugs_and_name_the_allowed_ones() {
        assert_eq!(
            ContractType::parse("self-employed-contractor"),
            Ok(ContractType::SelfEmployedContractor)
        );
        let error = ContractType::parse("casual").expect_err("unknown");
        assert!(error.contains("employed, self-employed-contractor, bank, agency"));
        assert_eq!(
            ContractType::parse(" "),
            Err("Choose a contract type".to_owned())
        );
    }

    #[test]
    fn a_team_office_must_be_in_the_same_area() {
        let draft = TeamInput {
            code: "A1-PL".into(),
            name: "Private law".into(),
            service_area_id: Some(1),
            office_id: Some(9),
        }
        .validate()
        .expect("valid");
        let office = Office {
            id: OfficeId(9),
            code: "NCL".into(),
            name: "Newcastle".into(),
            address: "1 Street".into(),
            town: "Newcastle".into(),
            postcode: "NE1 4XB".into(),
            service_area_id: ServiceAreaId(2),
            version: 1,
        };
        assert!(check_team_office(&draft, &office).is_err());
    }
}
