//! How each organisational record type appears over HTTP: its form fields and
//! list columns in the admin pages, and its JSON shapes in the API. Handlers
//! for both are written once, generically, over [`Resource`].

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tandem_domain::access::{AccessScope, RecordKind};
use tandem_domain::casework::{
    ApplicationType, ApplicationTypeDraft, ApplicationTypeInput, LawType,
};
use tandem_domain::organisation::*;
use tandem_domain::{DomainError, ValidationErrors};
use tandem_storage::{Editable, StaffFilter, Store, StoreError};
use utoipa::ToSchema;

/// The records a form offers to choose from, and names to show for ids.
pub struct Lookups {
    pub regions: Vec<Region>,
    pub areas: Vec<ServiceArea>,
    pub offices: Vec<Office>,
    pub teams: Vec<Team>,
    pub managers: Vec<StaffMember>,
}

impl Lookups {
    /// Loads what forms choose from. Line managers are offered from the
    /// staff the viewer may see (`staff_scope`).
    pub async fn load(store: &Store, staff_scope: &AccessScope) -> Result<Self, StoreError> {
        let managers = store
            .list_staff(
                &StaffFilter {
                    per_page: 500,
                    ..Default::default()
                },
                staff_scope,
            )
            .await?
            .members
            .into_iter()
            .filter(|m| {
                matches!(
                    m.job_group,
                    JobGroup::PracticeManagement | JobGroup::SeniorLeadership
                )
            })
            .collect();
        Ok(Self {
            regions: store.list().await?,
            areas: store.list().await?,
            offices: store.list().await?,
            teams: store.list().await?,
            managers,
        })
    }

    fn name_of<T>(items: &[T], id: i64, key: impl Fn(&T) -> (i64, String)) -> String {
        items
            .iter()
            .map(key)
            .find(|(item, _)| *item == id)
            .map(|(_, name)| name)
            .unwrap_or_default()
    }

    pub fn region(&self, id: RegionId) -> String {
        Self::name_of(&self.regions, id.0, |r| (r.id.0, r.name.clone()))
    }
    pub fn area(&self, id: ServiceAreaId) -> String {
        Self::name_of(&self.areas, id.0, |a| {
            (a.id.0, format!("{} {}", a.code, a.name))
        })
    }
    pub fn office(&self, id: Option<OfficeId>) -> String {
        id.map(|id| Self::name_of(&self.offices, id.0, |o| (o.id.0, o.name.clone())))
            .unwrap_or_default()
    }
    pub fn team(&self, id: Option<TeamId>) -> String {
        id.map(|id| Self::name_of(&self.teams, id.0, |t| (t.id.0, t.name.clone())))
            .unwrap_or_default()
    }
}

// ------------------------------------------------------------ form fields

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Select,
    Date,
}

#[derive(Debug, Clone)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One question on an admin form, ready to render in the GOV.UK style.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: FieldKind,
    pub value: String,
    /// A GOV.UK input width class, or empty for full width.
    pub width: &'static str,
    pub options: Vec<SelectOption>,
    /// Day, month and year, for a date.
    pub date: [String; 3],
    pub error: Option<String>,
}

impl Field {
    pub fn text(name: &'static str, label: &'static str, value: &str) -> Self {
        Self {
            name,
            label,
            hint: "",
            kind: FieldKind::Text,
            value: value.to_owned(),
            width: "",
            options: Vec::new(),
            date: Default::default(),
            error: None,
        }
    }

    pub fn code(name: &'static str, label: &'static str, value: &str) -> Self {
        Self {
            hint: "Letters, digits and hyphens, up to 20 characters",
            width: "govuk-input--width-10",
            ..Self::text(name, label, value)
        }
    }

    pub fn hint(self, hint: &'static str) -> Self {
        Self { hint, ..self }
    }

    pub fn width(self, width: &'static str) -> Self {
        Self { width, ..self }
    }

    /// A choice among records or fixed values; `blank` labels the empty
    /// choice when one is allowed, or asks the person to choose.
    pub fn select(
        name: &'static str,
        label: &'static str,
        selected: &str,
        blank: &str,
        choices: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        let mut options = vec![SelectOption {
            value: String::new(),
            label: blank.to_owned(),
            selected: selected.is_empty(),
        }];
        options.extend(choices.into_iter().map(|(value, label)| SelectOption {
            selected: value == selected,
            value,
            label,
        }));
        Self {
            kind: FieldKind::Select,
            options,
            ..Self::text(name, label, selected)
        }
    }

    pub fn date(name: &'static str, label: &'static str, parts: &[String; 3]) -> Self {
        Self {
            kind: FieldKind::Date,
            date: parts.clone(),
            hint: "For example, 27 3 2024",
            ..Self::text(name, label, "")
        }
    }

    pub fn is_select(&self) -> bool {
        self.kind == FieldKind::Select
    }

    pub fn is_date(&self) -> bool {
        self.kind == FieldKind::Date
    }

    /// Where the error summary links to: a date's first box.
    pub fn anchor(&self) -> String {
        if self.is_date() {
            format!("{}-day", self.name)
        } else {
            self.name.to_owned()
        }
    }
}

fn choices<T>(items: &[T], f: impl Fn(&T) -> (i64, String)) -> Vec<(String, String)> {
    items
        .iter()
        .map(|item| {
            let (id, label) = f(item);
            (id.to_string(), label)
        })
        .collect()
}

fn slug_choices<C: Choice>() -> Vec<(String, String)> {
    C::ALL
        .iter()
        .map(|c| (c.slug().to_owned(), c.label().to_owned()))
        .collect()
}

/// A reference chosen in a form: blank (or anything not a number) is no choice.
fn reference(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}

fn id_text(id: Option<i64>) -> String {
    id.map(|id| id.to_string()).unwrap_or_default()
}

/// Puts the domain's errors beside the fields they belong to.
pub fn attach_errors(fields: &mut [Field], errors: &ValidationErrors) {
    for field in fields.iter_mut() {
        field.error = errors.for_field(field.name).map(str::to_owned);
    }
}

// ------------------------------------------------------------ the trait

/// A record type as the admin pages and the API present it.
pub trait Resource: Editable + Clone + Send + Sync + 'static {
    /// The path segment: `/admin/{SLUG}` and `/api/v1/{SLUG}`.
    const SLUG: &'static str;
    /// What the access policy protects these records as.
    const POLICY_KIND: RecordKind = RecordKind::Organisation;
    const PLURAL: &'static str;
    const DESCRIPTION: &'static str;

    /// The form's text fields, as submitted.
    type Form: DeserializeOwned + Default + Send + Sync + HasVersion;
    /// The API's JSON body for create and update.
    type Body: DeserializeOwned + ToSchema + Send + Sync + HasVersion;
    /// The API's JSON representation.
    type View: Serialize + ToSchema + Send + Sync;

    fn version(&self) -> i64;

    /// The team a record belongs to, which places it for the policy.
    fn team(&self) -> Option<TeamId> {
        None
    }

    /// The team a draft would put the record in.
    fn draft_team(_draft: &Self::Draft) -> Option<TeamId> {
        None
    }
    fn title(&self) -> String;

    fn form_of(&self) -> Self::Form;
    fn validate_form(form: &Self::Form) -> Result<Self::Draft, DomainError>;
    fn fields(form: &Self::Form, lookups: &Lookups) -> Vec<Field>;

    fn headers() -> &'static [&'static str];
    fn cells(&self, lookups: &Lookups) -> Vec<String>;

    fn validate_body(body: &Self::Body) -> Result<Self::Draft, DomainError>;
    fn view(&self) -> Self::View;
}

// ------------------------------------------------------------ regions

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegionForm {
    code: String,
    name: String,
    version: String,
}

/// A region's values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionBody {
    /// Short code, e.g. `NE`; used in scopes such as `region:NE`.
    code: String,
    name: String,
    /// Required when updating: the version you read.
    version: Option<i64>,
}

/// A region of the service.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionView {
    id: i64,
    code: String,
    name: String,
    version: i64,
}

impl Resource for Region {
    const SLUG: &'static str = "regions";
    const PLURAL: &'static str = "Regions";
    const DESCRIPTION: &'static str = "The service's regions, each made up of service areas.";
    type Form = RegionForm;
    type Body = RegionBody;
    type View = RegionView;

    fn version(&self) -> i64 {
        self.version
    }
    fn title(&self) -> String {
        self.name.clone()
    }
    fn form_of(&self) -> RegionForm {
        RegionForm {
            code: self.code.clone(),
            name: self.name.clone(),
            version: self.version.to_string(),
        }
    }
    fn validate_form(f: &RegionForm) -> Result<RegionDraft, DomainError> {
        RegionInput {
            code: f.code.clone(),
            name: f.name.clone(),
        }
        .validate()
    }
    fn fields(f: &RegionForm, _: &Lookups) -> Vec<Field> {
        vec![
            Field::code("code", "Region code", &f.code),
            Field::text("name", "Region name", &f.name),
        ]
    }
    fn headers() -> &'static [&'static str] {
        &["Name", "Code"]
    }
    fn cells(&self, _: &Lookups) -> Vec<String> {
        vec![self.name.clone(), self.code.clone()]
    }
    fn validate_body(b: &RegionBody) -> Result<RegionDraft, DomainError> {
        RegionInput {
            code: b.code.clone(),
            name: b.name.clone(),
        }
        .validate()
    }
    fn view(&self) -> RegionView {
        RegionView {
            id: self.id.0,
            code: self.code.clone(),
            name: self.name.clone(),
            version: self.version,
        }
    }
}

// ------------------------------------------------------------ service areas

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceAreaForm {
    code: String,
    name: String,
    region_id: String,
    version: String,
}

/// A service area's values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceAreaBody {
    /// Short code, e.g. `A1`; used in scopes such as `area:A1`.
    code: String,
    name: String,
    region_id: i64,
    /// Required when updating: the version you read.
    version: Option<i64>,
}

/// A service area: the unit that runs the service locally.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceAreaView {
    id: i64,
    code: String,
    name: String,
    region_id: i64,
    version: i64,
}

impl Resource for ServiceArea {
    const SLUG: &'static str = "service-areas";
    const PLURAL: &'static str = "Service areas";
    const DESCRIPTION: &'static str = "Service areas run the service locally. Each belongs to a region and has its own teams, offices, courts and local authorities.";
    type Form = ServiceAreaForm;
    type Body = ServiceAreaBody;
    type View = ServiceAreaView;

    fn version(&self) -> i64 {
        self.version
    }
    fn title(&self) -> String {
        format!("{} {}", self.code, self.name)
    }
    fn form_of(&self) -> ServiceAreaForm {
        ServiceAreaForm {
            code: self.code.clone(),
            name: self.name.clone(),
            region_id: self.region_id.to_string(),
            version: self.version.to_string(),
        }
    }
    fn validate_form(f: &ServiceAreaForm) -> Result<ServiceAreaDraft, DomainError> {
        ServiceAreaInput {
            code: f.code.clone(),
            name: f.name.clone(),
            region_id: reference(&f.region_id),
        }
        .validate()
    }
    fn fields(f: &ServiceAreaForm, l: &Lookups) -> Vec<Field> {
        vec![
            Field::code("code", "Service area code", &f.code),
            Field::text("name", "Service area name", &f.name),
            Field::select(
                "region_id",
                "Region",
                &f.region_id,
                "Choose a region",
                choices(&l.regions, |r| (r.id.0, r.name.clone())),
            ),
        ]
    }
    fn headers() -> &'static [&'static str] {
        &["Code", "Name", "Region"]
    }
    fn cells(&self, l: &Lookups) -> Vec<String> {
        vec![
            self.code.clone(),
            self.name.clone(),
            l.region(self.region_id),
        ]
    }
    fn validate_body(b: &ServiceAreaBody) -> Result<ServiceAreaDraft, DomainError> {
        ServiceAreaInput {
            code: b.code.clone(),
            name: b.name.clone(),
            region_id: Some(b.region_id),
        }
        .validate()
    }
    fn view(&self) -> ServiceAreaView {
        ServiceAreaView {
            id: self.id.0,
            code: self.code.clone(),
            name: self.name.clone(),
            region_id: self.region_id.0,
            version: self.version,
        }
    }
}

// ------------------------------------------------------------ offices

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OfficeForm {
    code: String,
    name: String,
    address: String,
    town: String,
    postcode: String,
    service_area_id: String,
    version: String,
}

/// An office's values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficeBody {
    code: String,
    name: String,
    address: String,
    town: String,
    postcode: String,
    service_area_id: i64,
    /// Required when updating: the version you read.
    version: Option<i64>,
}

/// An office teams work from.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfficeView {
    id: i64,
    code: String,
    name: String,
    address: String,
    town: String,
    postcode: String,
    service_area_id: i64,
    version: i64,
}

impl Resource for Office {
    const SLUG: &'static str = "offices";
    const PLURAL: &'static str = "Offices";
    const DESCRIPTION: &'static str = "The offices teams work from.";
    type Form = OfficeForm;
    type Body = OfficeBody;
    type View = OfficeView;

    fn version(&self) -> i64 {
        self.version
    }
    fn title(&self) -> String {
        self.name.clone()
    }
    fn form_of(&self) -> OfficeForm {
        OfficeForm {
            code: self.code.clone(),
            name: self.name.clone(),
            address: self.address.clone(),
            town: self.town.clone(),
            postcode: self.postcode.clone(),
            service_area_id: self.service_area_id.to_string(),
            version: self.version.to_string(),
        }
    }
    fn validate_form(f: &OfficeForm) -> Result<OfficeDraft, DomainError> {
        OfficeInput {
            code: f.code.clone(),
            name: f.name.clone(),
            address: f.address.clone(),
            town: f.town.clone(),
            postcode: f.postcode.clone(),
            service_area_id: reference(&f.service_area_id),
        }
        .validate()
    }
    fn fields(f: &OfficeForm, l: &Lookups) -> Vec<Field> {
        vec![
            Field::code("code", "Office code", &f.code),
            Field::text("name", "Office name", &f.name),
            Field::text("address", "Address", &f.address)
                .hint("Building and street, for example Floor 3, 1 Example Street"),
            Field::text("town", "Town or city", &f.town).width("govuk-!-width-two-thirds"),
            Field::text("postcode", "Postcode", &f.postcode).width("govuk-input--width-10"),
            area_select(&f.service_area_id, l),
        ]
    }
    fn headers() -> &'static [&'static str] {
        &["Name", "Code", "Town", "Service area"]
    }
    fn cells(&self, l: &Lookups) -> Vec<String> {
        vec![
            self.name.clone(),
            self.code.clone(),
            self.town.clone(),
            l.area(self.service_area_id),
        ]
    }
    fn validate_body(b: &OfficeBody) -> Result<OfficeDraft, DomainError> {
        OfficeInput {
            code: b.code.clone(),
            name: b.name.clone(),
            address: b.address.clone(),
            town: b.town.clone(),
            postcode: b.postcode.clone(),
            service_area_id: Some(b.service_area_id),
        }
        .validate()
    }
    fn view(&self) -> OfficeView {
        OfficeView {
            id: self.id.0,
            code: self.code.clone(),
            name: self.name.clone(),
            address: self.address.clone(),
            town: self.town.clone(),
            postcode: self.postcode.clone(),
            service_area_id: self.service_area_id.0,
            version: self.version,
        }
    }
}

fn area_select(selected: &str, l: &Lookups) -> Field {
    Field::select(
        "service_area_id",
        "Service area",
        selected,
        "Choose a service area",
        choices(&l.areas, |a| (a.id.0, format!("{} {}", a.code, a.name))),
    )
}

// ------------------------------------------------------------ teams

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TeamForm {
    code: String,
    name: String,
    service_area_id: String,
    office_id: String,
    version: String,
}

/// A team's values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamBody {
    /// Short code, e.g. `A1-PRL1`; used in scopes such as `team:A1-PRL1`.
    code: String,
    name: String,
    service_area_id: i64,
    /// The office the team is based at, in the same service area.
    office_id: Option<i64>,
    /// Required when updating: the version you read.
    version: Option<i64>,
}

/// A team within a service area.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamView {
    id: i64,
    code: String,
    name: String,
    service_area_id: i64,
    office_id: Option<i64>,
    version: i64,
}

impl Resource for Team {
    const SLUG: &'static str = "teams";
    const PLURAL: &'static str = "Teams";
    const DESCRIPTION: &'static str = "Teams do the casework. Each belongs to a service area and may be based at one of its offices.";
    type Form = TeamForm;
    type Body = TeamBody;
    type View = TeamView;

    fn version(&self) -> i64 {
        self.version
    }
    fn title(&self) -> String {
        self.name.clone()
    }
    fn form_of(&self) -> TeamForm {
        TeamForm {
            code: self.code.clone(),
            name: self.name.clone(),
            service_area_id: self.service_area_id.to_string(),
            office_id: id_text(self.office_id.map(|o| o.0)),
            version: self.version.to_string(),
        }
    }
    fn validate_form(f: &TeamForm) -> Result<TeamDraft, DomainError> {
        TeamInput {
            code: f.code.clone(),
            name: f.name.clone(),
            service_area_id: reference(&f.service_area_id),
            office_id: reference(&f.office_id),
        }
        .validate()
    }
    fn fields(f: &TeamForm, l: &Lookups) -> Vec<Field> {
        vec![
            Field::code("code", "Team code", &f.code),
            Field::text("name", "Team name", &f.name),
            area_select(&f.service_area_id, l),
            Field::select(
                "office_id",
                "Office (optional)",
                &f.office_id,
                "No office",
                choices(&l.offices, |o| (o.id.0, format!("{} ({})", o.name, o.town))),
            )
            .hint("The office must be in the team's service area"),
        ]
    }
    fn headers() -> &'static [&'static str] {
        &["Code", "Name", "Service area", "Office"]
    }
    fn cells(&self, l: &Lookups) -> Vec<String> {
        vec![
            self.code.clone(),
            self.name.clone(),
            l.area(self.service_area_id),
            l.office(self.office_id),
        ]
    }
    fn validate_body(b: &TeamBody) -> Result<TeamDraft, DomainError> {
        TeamInput {
            code: b.code.clone(),
            name: b.name.clone(),
            service_area_id: Some(b.service_area_id),
            office_id: b.office_id,
        }
        .validate()
    }
    fn view(&self) -> TeamView {
        TeamView {
            id: self.id.0,
            code: self.code.clone(),
            name: self.name.clone(),
            service_area_id: self.service_area_id.0,
            office_id: self.office_id.map(|o| o.0),
            version: self.version,
        }
    }
}

// ------------------------------------------------------------ courts

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CourtForm {
    code: String,
    name: String,
    dfj_area: String,
    service_area_id: String,
    version: String,
}

/// A family court's values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CourtBody {
    code: String,
    name: String,
    /// The Designated Family Judge area the court belongs to.
    dfj_area: String,
    /// The service area that works with this court.
    service_area_id: i64,
    /// Required when updating: the version you read.
    version: Option<i64>,
}

/// A family court.
#[derive(Debug, Serialize, ToSchema)]
pub struct CourtView {
    id: i64,
    code: String,
    name: String,
    dfj_area: String,
    service_area_id: i64,
    version: i64,
}

impl Resource for Court {
    const SLUG: &'static str = "courts";
    const PLURAL: &'static str = "Family courts";
    const DESCRIPTION: &'static str = "The family courts the service advises, with their Designated Family Judge (DFJ) areas, the geography court statistics use.";
    type Form = CourtForm;
    type Body = CourtBody;
    type View = CourtView;

    fn version(&self) -> i64 {
        self.version
    }
    fn title(&self) -> String {
        self.name.clone()
    }
    fn form_of(&self) -> CourtForm {
        CourtForm {
            code: self.code.clone(),
            name: self.name.clone(),
            dfj_area: self.dfj_area.clone(),
            service_area_id: self.service_area_id.to_string(),
            version: self.version.to_string(),
        }
    }
    fn validate_form(f: &CourtForm) -> Result<CourtDraft, DomainError> {
        CourtInput {
            code: f.code.clone(),
            name: f.name.clone(),
            dfj_area: f.dfj_area.clone(),
            service_area_id: reference(&f.service_area_id),
        }
        .validate()
    }
    fn fields(f: &CourtForm, l: &Lookups) -> Vec<Field> {
        vec![
            Field::code("code", "Court code", &f.code),
            Field::text("name", "Court name", &f.name),
            Field::text("dfj_area", "Designated Family Judge area", &f.dfj_area)
                .width("govuk-!-width-two-thirds"),
            area_select(&f.service_area_id, l),
        ]
    }
    fn headers() -> &'static [&'static str] {
        &["Name", "Code", "DFJ area", "Service area"]
    }
    fn cells(&self, l: &Lookups) -> Vec<String> {
        vec![
            self.name.clone(),
            self.code.clone(),
            self.dfj_area.clone(),
            l.area(self.service_area_id),
        ]
    }
    fn validate_body(b: &CourtBody) -> Result<CourtDraft, DomainError> {
        CourtInput {
            code: b.code.clone(),
            name: b.name.clone(),
            dfj_area: b.dfj_area.clone(),
            service_area_id: Some(b.service_area_id),
        }
        .validate()
    }
    fn view(&self) -> CourtView {
        CourtView {
            id: self.id.0,
            code: self.code.clone(),
            name: self.name.clone(),
            dfj_area: self.dfj_area.clone(),
            service_area_id: self.service_area_id.0,
            version: self.version,
        }
    }
}

// ------------------------------------------------------------ application types

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApplicationTypeForm {
    code: String,
    label: String,
    law_type: String,
    version: String,
}

/// An application type's values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationTypeBody {
    /// Lower case with hyphens, e.g. `child-arrangements`; fixed once cases use it.
    code: String,
    label: String,
    /// `private`, `public` or `adoption`; fixed once cases use it.
    law_type: String,
    /// Required when updating: the version you read.
    version: Option<i64>,
}

/// A type of application the service works on.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationTypeView {
    id: i64,
    code: String,
    label: String,
    law_type: &'static str,
    version: i64,
}

impl Resource for ApplicationType {
    const SLUG: &'static str = "application-types";
    const PLURAL: &'static str = "Application types";
    const DESCRIPTION: &'static str = "The types of application the service works on, each under one law type, offered when a case is opened.";
    type Form = ApplicationTypeForm;
    type Body = ApplicationTypeBody;
    type View = ApplicationTypeView;

    fn version(&self) -> i64 {
        self.version
    }
    fn title(&self) -> String {
        self.label.clone()
    }
    fn form_of(&self) -> ApplicationTypeForm {
        ApplicationTypeForm {
            code: self.code.clone(),
            label: self.label.clone(),
            law_type: self.law_type.slug().to_owned(),
            version: self.version.to_string(),
        }
    }
    fn validate_form(f: &ApplicationTypeForm) -> Result<ApplicationTypeDraft, DomainError> {
        ApplicationTypeInput {
            code: f.code.clone(),
            label: f.label.clone(),
            law_type: f.law_type.clone(),
        }
        .validate()
    }
    fn fields(f: &ApplicationTypeForm, _: &Lookups) -> Vec<Field> {
        vec![
            Field::code("code", "Code", &f.code)
                .hint("Lower case letters, digits and hyphens, for example child-arrangements"),
            Field::text("label", "Name", &f.label),
            Field::select(
                "law_type",
                "Law type",
                &f.law_type,
                "Choose a law type",
                slug_choices::<LawType>(),
            ),
        ]
    }
    fn headers() -> &'static [&'static str] {
        &["Name", "Code", "Law type"]
    }
    fn cells(&self, _: &Lookups) -> Vec<String> {
        vec![
            self.label.clone(),
            self.code.clone(),
            self.law_type.label().to_owned(),
        ]
    }
    fn validate_body(b: &ApplicationTypeBody) -> Result<ApplicationTypeDraft, DomainError> {
        ApplicationTypeInput {
            code: b.code.clone(),
            label: b.label.clone(),
            law_type: b.law_type.clone(),
        }
        .validate()
    }
    fn view(&self) -> ApplicationTypeView {
        ApplicationTypeView {
            id: self.id,
            code: self.code.clone(),
            label: self.label.clone(),
            law_type: self.law_type.slug(),
            version: self.version,
        }
    }
}

// ------------------------------------------------------------ local authorities

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LocalAuthorityForm {
    code: String,
    name: String,
    service_area_id: String,
    version: String,
}

/// A local authority's values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalAuthorityBody {
    /// The ONS (GSS) code, e.g. `E08000021`.
    code: String,
    name: String,
    service_area_id: i64,
    /// Required when updating: the version you read.
    version: Option<i64>,
}

/// A local authority with children's services responsibilities.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalAuthorityView {
    id: i64,
    code: String,
    name: String,
    service_area_id: i64,
    version: i64,
}

impl Resource for LocalAuthority {
    const SLUG: &'static str = "local-authorities";
    const PLURAL: &'static str = "Local authorities";
    const DESCRIPTION: &'static str = "Local authorities with children's services responsibilities, by the service area that works with them. Codes are ONS (GSS) codes.";
    type Form = LocalAuthorityForm;
    type Body = LocalAuthorityBody;
    type View = LocalAuthorityView;

    fn version(&self) -> i64 {
        self.version
    }
    fn title(&self) -> String {
        self.name.clone()
    }
    fn form_of(&self) -> LocalAuthorityForm {
        LocalAuthorityForm {
            code: self.code.clone(),
            name: self.name.clone(),
            service_area_id: self.service_area_id.to_string(),
            version: self.version.to_string(),
        }
    }
    fn validate_form(f: &LocalAuthorityForm) -> Result<LocalAuthorityDraft, DomainError> {
        LocalAuthorityInput {
            code: f.code.clone(),
            name: f.name.clone(),
            service_area_id: reference(&f.service_area_id),
        }
        .validate()
    }
    fn fields(f: &LocalAuthorityForm, l: &Lookups) -> Vec<Field> {
        vec![
            Field::code("code", "ONS code", &f.code).hint("For example, E08000021"),
            Field::text("name", "Local authority name", &f.name),
            area_select(&f.service_area_id, l),
        ]
    }
    fn headers() -> &'static [&'static str] {
        &["Name", "ONS code", "Service area"]
    }
    fn cells(&self, l: &Lookups) -> Vec<String> {
        vec![
            self.name.clone(),
            self.code.clone(),
            l.area(self.service_area_id),
        ]
    }
    fn validate_body(b: &LocalAuthorityBody) -> Result<LocalAuthorityDraft, DomainError> {
        LocalAuthorityInput {
            code: b.code.clone(),
            name: b.name.clone(),
            service_area_id: Some(b.service_area_id),
        }
        .validate()
    }
    fn view(&self) -> LocalAuthorityView {
        LocalAuthorityView {
            id: self.id.0,
            code: self.code.clone(),
            name: self.name.clone(),
            service_area_id: self.service_area_id.0,
            version: self.version,
        }
    }
}

// ------------------------------------------------------------ staff

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaffForm {
    given_name: String,
    family_name: String,
    job_group: String,
    grade: String,
    fte: String,
    team_id: String,
    line_manager_id: String,
    contract_type: String,
    #[serde(rename = "start_date-day")]
    start_day: String,
    #[serde(rename = "start_date-month")]
    start_month: String,
    #[serde(rename = "start_date-year")]
    start_year: String,
    #[serde(rename = "end_date-day")]
    end_day: String,
    #[serde(rename = "end_date-month")]
    end_month: String,
    #[serde(rename = "end_date-year")]
    end_year: String,
    version: String,
}

/// Joins a GOV.UK date input's three boxes into `YYYY-MM-DD` for the domain
/// to check; all blank means no date.
fn joined_date(day: &str, month: &str, year: &str) -> String {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    if day.is_empty() && month.is_empty() && year.is_empty() {
        String::new()
    } else {
        format!("{year:0>4}-{month:0>2}-{day:0>2}")
    }
}

fn date_parts(date: Option<jiff::civil::Date>) -> [String; 3] {
    date.map(|d| {
        [
            d.day().to_string(),
            d.month().to_string(),
            d.year().to_string(),
        ]
    })
    .unwrap_or_default()
}

/// A staff member's values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffBody {
    given_name: String,
    family_name: String,
    /// `practitioner`, `practice-management`, `business-support`, `corporate` or `senior-leadership`.
    job_group: String,
    grade: String,
    /// Full-time equivalence, more than 0 and at most 1, to 3 decimal places.
    fte: f64,
    team_id: Option<i64>,
    line_manager_id: Option<i64>,
    /// `employed`, `self-employed-contractor`, `bank` or `agency`.
    contract_type: String,
    /// `YYYY-MM-DD`.
    start_date: String,
    /// `YYYY-MM-DD`, or absent while in post.
    end_date: Option<String>,
    /// Required when updating: the version you read.
    version: Option<i64>,
}

/// A member of staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffView {
    id: i64,
    given_name: String,
    family_name: String,
    job_group: String,
    grade: String,
    fte: f64,
    team_id: Option<i64>,
    line_manager_id: Option<i64>,
    contract_type: String,
    start_date: String,
    end_date: Option<String>,
    version: i64,
}

impl Resource for StaffMember {
    const SLUG: &'static str = "staff";
    const POLICY_KIND: RecordKind = RecordKind::StaffMember;
    const PLURAL: &'static str = "Staff";
    const DESCRIPTION: &'static str = "Everyone who works for the service, including self-employed contractors, bank and agency staff.";
    type Form = StaffForm;
    type Body = StaffBody;
    type View = StaffView;

    fn version(&self) -> i64 {
        self.version
    }
    fn title(&self) -> String {
        self.full_name()
    }
    fn team(&self) -> Option<TeamId> {
        self.team_id
    }
    fn draft_team(draft: &StaffDraft) -> Option<TeamId> {
        draft.team_id
    }
    fn form_of(&self) -> StaffForm {
        let [start_day, start_month, start_year] = date_parts(Some(self.start_date));
        let [end_day, end_month, end_year] = date_parts(self.end_date);
        StaffForm {
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            job_group: self.job_group.slug().to_owned(),
            grade: self.grade.clone(),
            fte: self.fte.to_string(),
            team_id: id_text(self.team_id.map(|t| t.0)),
            line_manager_id: id_text(self.line_manager_id.map(|m| m.0)),
            contract_type: self.contract_type.slug().to_owned(),
            start_day,
            start_month,
            start_year,
            end_day,
            end_month,
            end_year,
            version: self.version.to_string(),
        }
    }
    fn validate_form(f: &StaffForm) -> Result<StaffDraft, DomainError> {
        StaffInput {
            given_name: f.given_name.clone(),
            family_name: f.family_name.clone(),
            job_group: f.job_group.clone(),
            grade: f.grade.clone(),
            fte: f.fte.clone(),
            team_id: reference(&f.team_id),
            line_manager_id: reference(&f.line_manager_id),
            contract_type: f.contract_type.clone(),
            start_date: joined_date(&f.start_day, &f.start_month, &f.start_year),
            end_date: joined_date(&f.end_day, &f.end_month, &f.end_year),
        }
        .validate()
    }
    fn fields(f: &StaffForm, l: &Lookups) -> Vec<Field> {
        vec![
            Field::text("given_name", "First name", &f.given_name).width("govuk-!-width-one-half"),
            Field::text("family_name", "Last name", &f.family_name).width("govuk-!-width-one-half"),
            Field::select(
                "job_group",
                "Job group",
                &f.job_group,
                "Choose a job group",
                slug_choices::<JobGroup>(),
            ),
            Field::text("grade", "Grade", &f.grade)
                .hint("For example, Family court adviser or Service manager")
                .width("govuk-!-width-one-half"),
            Field::text("fte", "Full-time equivalent (FTE)", &f.fte)
                .hint("1 is full time; for example, 0.8 is four days a week")
                .width("govuk-input--width-4"),
            Field::select(
                "team_id",
                "Team (optional)",
                &f.team_id,
                "No team",
                choices(&l.teams, |t| (t.id.0, format!("{} ({})", t.name, t.code))),
            ),
            Field::select(
                "line_manager_id",
                "Line manager (optional)",
                &f.line_manager_id,
                "No line manager",
                choices(&l.managers, |m| {
                    (m.id.0, format!("{} – {}", m.full_name(), m.grade))
                }),
            ),
            Field::select(
                "contract_type",
                "Contract type",
                &f.contract_type,
                "Choose a contract type",
                slug_choices::<ContractType>(),
            ),
            Field::date(
                "start_date",
                "Start date",
                &[
                    f.start_day.clone(),
                    f.start_month.clone(),
                    f.start_year.clone(),
                ],
            ),
            Field::date(
                "end_date",
                "End date (optional)",
                &[f.end_day.clone(), f.end_month.clone(), f.end_year.clone()],
            )
            .hint("Leave blank while the person is in post"),
        ]
    }
    fn headers() -> &'static [&'static str] {
        &[
            "Name", "Grade", "Team", "FTE", "Contract", "Started", "Left",
        ]
    }
    fn cells(&self, l: &Lookups) -> Vec<String> {
        vec![
            self.full_name(),
            self.grade.clone(),
            l.team(self.team_id),
            self.fte.to_string(),
            self.contract_type.label().to_owned(),
            self.start_date.to_string(),
            self.end_date.map(|d| d.to_string()).unwrap_or_default(),
        ]
    }
    fn validate_body(b: &StaffBody) -> Result<StaffDraft, DomainError> {
        StaffInput {
            given_name: b.given_name.clone(),
            family_name: b.family_name.clone(),
            job_group: b.job_group.clone(),
            grade: b.grade.clone(),
            fte: b.fte.to_string(),
            team_id: b.team_id,
            line_manager_id: b.line_manager_id,
            contract_type: b.contract_type.clone(),
            start_date: b.start_date.clone(),
            end_date: b.end_date.clone().unwrap_or_default(),
        }
        .validate()
    }
    fn view(&self) -> StaffView {
        StaffView {
            id: self.id.0,
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            job_group: self.job_group.slug().to_owned(),
            grade: self.grade.clone(),
            fte: f64::from(self.fte.thousandths()) / 1000.0,
            team_id: self.team_id.map(|t| t.0),
            line_manager_id: self.line_manager_id.map(|m| m.0),
            contract_type: self.contract_type.slug().to_owned(),
            start_date: self.start_date.to_string(),
            end_date: self.end_date.map(|d| d.to_string()),
            version: self.version,
        }
    }
}

/// The version a form or body carries: editing needs the version that was read.
pub trait HasVersion {
    fn version(&self) -> Result<i64, DomainError>;
}

fn missing_version() -> DomainError {
    DomainError::invalid(
        "version",
        "The version you are editing is missing; reload the record and make your change again",
    )
}

macro_rules! has_version {
    (forms: $($form:ty),*; bodies: $($body:ty),*) => {
        $(impl HasVersion for $form {
            fn version(&self) -> Result<i64, DomainError> {
                self.version.trim().parse().map_err(|_| missing_version())
            }
        })*
        $(impl HasVersion for $body {
            fn version(&self) -> Result<i64, DomainError> {
                self.version.ok_or_else(missing_version)
            }
        })*
    };
}
has_version!(
    forms: RegionForm, ServiceAreaForm, OfficeForm, TeamForm, CourtForm, LocalAuthorityForm, StaffForm, ApplicationTypeForm;
    bodies: RegionBody, ServiceAreaBody, OfficeBody, TeamBody, CourtBody, LocalAuthorityBody, StaffBody, ApplicationTypeBody
);
