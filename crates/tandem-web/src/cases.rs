//! Case pages: the list and search, opening a case, a case's record, and
//! moving it along its pathway.

use crate::AppState;
use crate::error::{AppError, PageError};
use crate::extract::{HtmlForm, TypedForm, record_id};
use crate::forms::{FormIds, FormState};
use crate::guard::{Guard, Refusal, forbidden};
use crate::html::{Layout, render};
use crate::session::{Principal, RequestMeta, SignedIn};
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::HashMap;
use tandem_domain::access::{self, Action, Grant, RecordKind, Target};
use tandem_domain::casework::{self, *};
use tandem_domain::choice::Choice;
use tandem_domain::organisation::{Court, LocalAuthority, ServiceArea, Team, TeamId};
use tandem_domain::{DomainError, ValidationErrors};
use tandem_storage::{CaseFilter, StoreError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list))
        .route("/cases/new", get(new_form).post(create))
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/move", post(move_case))
        .route("/cases/{id}/transfer", post(transfer))
        .route("/cases/{id}/access-log", get(access_log))
        .route("/cases/{id}/hearings", post(add_hearing))
        .route("/cases/{id}/extensions", post(add_extension))
        .route("/cases/{id}/work", post(add_work))
        .route("/cases/{id}/work/{item}/filing", post(file_work))
        .route("/cases/{id}/work/{item}/more-time", post(ask_more_time))
        .route(
            "/cases/{id}/work/{item}/more-time/{request}/decision",
            post(decide_more_time),
        )
        .route("/cases/{id}/children", post(add_child))
        .route("/cases/{id}/parties", post(add_party))
        .route("/cases/{id}/relationships", post(set_relationship))
        .route(
            "/cases/{id}/break-glass",
            post(crate::html::break_glass_case),
        )
}

// ------------------------------------------------------------ shared

/// Where a case sits, for the policy.
pub async fn case_target(
    state: &AppState,
    id: CaseId,
    team: Option<tandem_domain::organisation::TeamId>,
) -> Result<Target, AppError> {
    Ok(Target {
        kind: RecordKind::Case,
        record_id: Some(id.0),
        placement: Some(state.store.placement_of_team(team).await?),
    })
}

/// Opens case `id` for `action`, auditing the reading. A case outside the
/// caller's scope and one that does not exist look the same.
pub async fn open_case(
    guard: &Guard<'_>,
    id: i64,
    action: Action,
) -> Result<(CaseRecord, Grant), Refusal> {
    let record = guard
        .state
        .store
        .case(CaseId(id))
        .await
        .map_err(|e| Refusal::Failed(e.into()))?;
    let team = record.as_ref().map(|r| r.case.team_id);
    let target = case_target(guard.state, CaseId(id), team)
        .await
        .map_err(Refusal::Failed)?;
    let grant = guard.record(action, &target).await?;
    let record = record.ok_or(Refusal::Hidden)?;
    guard
        .audit_read(grant, RecordKind::Case, Some(id), "view")
        .await
        .map_err(Refusal::Failed)?;
    Ok((record, grant))
}

/// The work a new case's pathway sets, by the organisation's targets.
/// Without bank holiday data for the year the letter's due date cannot be
/// worked out; the case opens, and its clocks say so.
pub async fn opening_work(
    state: &AppState,
    draft: &CaseDraft,
) -> Result<Vec<WorkItemDraft>, AppError> {
    let calendar = state.store.working_calendar().await?;
    let (settings, _) = state.store.practice_settings().await?;
    Ok(casework::pathway_work(draft, &calendar, &settings.targets).unwrap_or_default())
}

/// Opens the case the path names for a change, through the policy.
pub async fn for_update(
    guard: &Guard<'_>,
    id: &str,
) -> Result<(i64, CaseRecord, Grant), PageError> {
    let id = record_id(id)?;
    let (record, grant) = open_case(guard, id, Action::Update)
        .await
        .map_err(AppError::from)?;
    Ok((id, record, grant))
}

/// Whether the principal manages the case's work: those who may allocate
/// it. Management oversight is theirs to record.
pub fn manages(principal: &Principal, target: &Target) -> bool {
    access::authorize(&principal.actor, Action::Allocate, target).is_ok()
}

/// Opens case `id` for a change only those who manage it may make. Someone
/// who may read the case but does not manage it is refused outright (403),
/// the refusal audited; someone who may not read it learns nothing of it.
pub async fn open_to_manage(guard: &Guard<'_>, id: i64) -> Result<(CaseRecord, Grant), AppError> {
    let (record, _) = open_case(guard, id, Action::View).await?;
    let target = case_target(guard.state, record.case.id, Some(record.case.team_id)).await?;
    match guard.record(Action::Allocate, &target).await {
        Ok(grant) => Ok((record, grant)),
        Err(Refusal::Failed(e)) => Err(e),
        Err(Refusal::Hidden | Refusal::BreakGlass) => Err(forbidden()),
    }
}

/// Whether the principal may see confidential addresses on this case: the
/// allocated worker and their line managers only.
pub async fn sees_confidential(
    state: &AppState,
    principal: &Principal,
    case: &Case,
) -> Result<bool, AppError> {
    let chain = match case.allocated_to {
        Some(worker) => state.store.management_chain(worker).await?,
        None => Vec::new(),
    };
    Ok(casework::may_see_confidential_address(
        principal.account.staff_id,
        case.allocated_to,
        &chain,
    ))
}

pub(crate) fn london(ts: jiff::Timestamp) -> String {
    let tz = jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC);
    ts.to_zoned(tz).strftime("%-d %b %Y %H:%M").to_string()
}

pub(crate) fn day(date: jiff::civil::Date) -> String {
    date.strftime("%-d %B %Y").to_string()
}

// ------------------------------------------------------------ list

pub struct CaseRow {
    pub id: i64,
    pub number: String,
    pub children: String,
    pub law: &'static str,
    pub stage: &'static str,
    pub received: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CasesPage {
    layout: Layout,
    search: String,
    open_only: bool,
    rows: Vec<CaseRow>,
    may_open: bool,
    may_export: bool,
    notice: &'static str,
}

async fn list(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::View, RecordKind::Case).await?;
    let query = crate::extract::query_map(query);
    let search = query.get("search").cloned().unwrap_or_default();
    let open_only = !query.contains_key("closed");
    let cases = state
        .store
        .cases(
            &CaseFilter {
                search: Some(search.clone()),
                open_only,
                limit: 200,
                ..Default::default()
            },
            &guard.list_scope(Action::View, RecordKind::Case),
        )
        .await?;
    guard
        .audit_read(grant, RecordKind::Case, None, "list")
        .await?;
    render(&CasesPage {
        layout: Layout::new("/cases", Some(&principal)),
        may_open: access::authorize(
            &principal.actor,
            Action::Create,
            &Target::kind(RecordKind::Case),
        )
        .is_ok(),
        may_export: access::authorize(
            &principal.actor,
            Action::Export,
            &Target::kind(RecordKind::Case),
        )
        .is_ok(),
        rows: cases
            .into_iter()
            .map(|s| CaseRow {
                id: s.case.id.0,
                number: s.case.case_number.clone(),
                children: s.children.join(", "),
                law: s.case.law_type.label(),
                stage: s.case.stage_label(),
                received: day(s.case.received_on),
            })
            .collect(),
        search,
        open_only,
        notice: if query.contains_key("opened") {
            "The case has been opened"
        } else if query.contains_key("transferred") {
            "The case has been transferred. It is now outside the cases you can see"
        } else {
            ""
        },
    })
}

// ------------------------------------------------------------ new case

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NewCaseForm {
    case_number: String,
    court_id: String,
    law_type: String,
    application_type: String,
    harm_alleged: Option<String>,
    #[serde(rename = "received_on-day")]
    received_day: String,
    #[serde(rename = "received_on-month")]
    received_month: String,
    #[serde(rename = "received_on-year")]
    received_year: String,
    #[serde(rename = "issued_on-day")]
    issued_day: String,
    #[serde(rename = "issued_on-month")]
    issued_month: String,
    #[serde(rename = "issued_on-year")]
    issued_year: String,
    local_authority_id: String,
    team_id: String,
    child_given_name: String,
    child_family_name: String,
    #[serde(rename = "child_date_of_birth-day")]
    child_dob_day: String,
    #[serde(rename = "child_date_of_birth-month")]
    child_dob_month: String,
    #[serde(rename = "child_date_of_birth-year")]
    child_dob_year: String,
    child_sex: String,
    child_ethnicity: String,
    child_disability: String,
    child_first_language: String,
    child_interpreter_needed: String,
    party_role: String,
    party_given_name: String,
    party_family_name: String,
    party_relationship: String,
    party_represented: Option<String>,
    party_address: String,
    party_postcode: String,
    party_address_confidential: Option<String>,
}

pub(crate) fn joined(day: &str, month: &str, year: &str) -> String {
    let (d, m, y) = (day.trim(), month.trim(), year.trim());
    if d.is_empty() && m.is_empty() && y.is_empty() {
        String::new()
    } else {
        format!("{y:0>4}-{m:0>2}-{d:0>2}")
    }
}

fn reference(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}

/// Prefixes every field error with `prefix`, so the child's and party's
/// fields stay distinct from the case's on one form.
fn prefixed(errors: &ValidationErrors, prefix: &str, into: &mut ValidationErrors) {
    for e in errors.fields() {
        into.add(&format!("{prefix}{}", e.field), e.message.clone());
    }
}

impl NewCaseForm {
    fn has_party(&self) -> bool {
        !(self.party_given_name.trim().is_empty()
            && self.party_family_name.trim().is_empty()
            && self.party_role.trim().is_empty())
    }

    /// Every problem with the case, its child and its party, at once.
    fn validate(
        &self,
        today: jiff::civil::Date,
        kinds: &[ApplicationKind],
    ) -> Result<(CaseDraft, ChildDraft, Option<PartyDraft>), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let case = CaseInput {
            case_number: self.case_number.clone(),
            court_id: reference(&self.court_id),
            law_type: self.law_type.clone(),
            application_type: self.application_type.clone(),
            harm_alleged: self.harm_alleged.is_some(),
            received_on: joined(
                &self.received_day,
                &self.received_month,
                &self.received_year,
            ),
            issued_on: joined(&self.issued_day, &self.issued_month, &self.issued_year),
            local_authority_id: reference(&self.local_authority_id),
            team_id: reference(&self.team_id),
        }
        .validate(today, kinds);
        let received = tandem_domain::text::date(
            &joined(
                &self.received_day,
                &self.received_month,
                &self.received_year,
            ),
            "date received",
        )
        .unwrap_or(today);
        let child = ChildInput {
            given_name: self.child_given_name.clone(),
            family_name: self.child_family_name.clone(),
            date_of_birth: joined(
                &self.child_dob_day,
                &self.child_dob_month,
                &self.child_dob_year,
            ),
            sex: self.child_sex.clone(),
            ethnicity: self.child_ethnicity.clone(),
            disability: self.child_disability.clone(),
            first_language: self.child_first_language.clone(),
            interpreter_needed: self.child_interpreter_needed.clone(),
        }
        .validate(received);
        let party = self.has_party().then(|| {
            PartyInput {
                role: self.party_role.clone(),
                given_name: self.party_given_name.clone(),
                family_name: self.party_family_name.clone(),
                relationship: self.party_relationship.clone(),
                represented: self.party_represented.is_some(),
                address: self.party_address.clone(),
                postcode: self.party_postcode.clone(),
                address_confidential: self.party_address_confidential.is_some(),
            }
            .validate()
        });
        if let Err(DomainError::Invalid(e)) = &case {
            prefixed(e, "", &mut errors);
        }
        if let Err(DomainError::Invalid(e)) = &child {
            prefixed(e, "child_", &mut errors);
        }
        if let Some(Err(DomainError::Invalid(e))) = &party {
            prefixed(e, "party_", &mut errors);
        }
        match (case, child, party.transpose()) {
            (Ok(case), Ok(child), Ok(party)) if errors.is_empty() => Ok((case, child, party)),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewCasePage {
    layout: Layout,
    form: NewCaseForm,
    problems: Vec<(String, String)>,
    errors: HashMap<String, String>,
    courts: Vec<(i64, String)>,
    authorities: Vec<(i64, String)>,
    teams: Vec<(i64, String)>,
    law_types: Vec<(&'static str, &'static str)>,
    application_types: Vec<(String, String)>,
    sexes: Vec<(&'static str, &'static str)>,
    ethnicities: Vec<(&'static str, &'static str)>,
    answers: Vec<(&'static str, &'static str)>,
    roles: Vec<(&'static str, &'static str)>,
}

impl NewCasePage {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    /// Whether a select's option is the value the form holds.
    pub fn chosen(&self, option: &dyn std::fmt::Display, value: &str) -> bool {
        option.to_string() == value
    }
}

pub(crate) fn choices<C: Choice>() -> Vec<(&'static str, &'static str)> {
    C::ALL.iter().map(|c| (c.slug(), c.label())).collect()
}

/// A form's problems: for the error summary (linked to each field), and by field.
pub(crate) type FormProblems = (Vec<(String, String)>, HashMap<String, String>);

pub(crate) fn problems_and_errors(errors: Option<&ValidationErrors>) -> FormProblems {
    match errors {
        Some(e) => (
            e.fields()
                .iter()
                .map(|f| (anchor(&f.field), f.message.clone()))
                .collect(),
            e.fields()
                .iter()
                .map(|f| (f.field.clone(), f.message.clone()))
                .collect(),
        ),
        None => (Vec::new(), HashMap::new()),
    }
}

/// Date fields are linked from the error summary at their day box.
fn anchor(field: &str) -> String {
    if field.ends_with("_on") || field.ends_with("date_of_birth") {
        format!("{field}-day")
    } else {
        field.to_owned()
    }
}

async fn new_case_page(
    state: &AppState,
    principal: &Principal,
    form: NewCaseForm,
    errors: Option<&ValidationErrors>,
) -> Result<Html<String>, PageError> {
    let scope = access::list_scope(&principal.actor, Action::Create, RecordKind::Case);
    let mut teams = Vec::new();
    for team in state.store.list::<Team>().await? {
        let placement = state.store.placement_of_team(Some(team.id)).await?;
        if scope.covers(&placement) {
            teams.push((team.id.0, format!("{} ({})", team.name, team.code)));
        }
    }
    let courts: Vec<Court> = state.store.list().await?;
    let authorities: Vec<LocalAuthority> = state.store.list().await?;
    let (problems, errors) = problems_and_errors(errors);
    render(&NewCasePage {
        layout: Layout::new("/cases", Some(principal)),
        form,
        problems,
        errors,
        courts: courts.into_iter().map(|c| (c.id.0, c.name)).collect(),
        authorities: authorities.into_iter().map(|a| (a.id.0, a.name)).collect(),
        teams,
        law_types: choices::<LawType>(),
        application_types: state
            .store
            .application_kinds()
            .await?
            .into_iter()
            .map(|k| (k.code, k.label))
            .collect(),
        sexes: choices::<Sex>(),
        ethnicities: choices::<Ethnicity>(),
        answers: choices::<YesNoNotKnown>(),
        roles: choices::<PartyRole>(),
    })
}

async fn new_form(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
) -> Result<Html<String>, PageError> {
    Guard::new(&state, &principal, &meta)
        .kind(Action::Create, RecordKind::Case)
        .await?;
    new_case_page(&state, &principal, NewCaseForm::default(), None).await
}

async fn create(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    HtmlForm(form): HtmlForm<NewCaseForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    guard.kind(Action::Create, RecordKind::Case).await?;
    let kinds = state.store.application_kinds().await?;
    let (case, child, party) = match form.validate(state.clock.today(), &kinds) {
        Ok(valid) => valid,
        Err(errors) => {
            let page = new_case_page(&state, &principal, form, Some(&errors)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    // The case's team must be within the opener's scope.
    let placement = state
        .store
        .placement_of_team(Some(tandem_domain::organisation::TeamId(case.team_id)))
        .await?;
    let target = Target {
        kind: RecordKind::Case,
        record_id: None,
        placement: Some(placement),
    };
    let grant = match guard.record(Action::Create, &target).await {
        Ok(grant) => grant,
        Err(Refusal::Failed(e)) => return Err(e.into()),
        Err(_) => {
            let errors = ValidationErrors::single("team_id", "Choose one of your own teams");
            let page = new_case_page(&state, &principal, form, Some(&errors)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let parties: Vec<PartyDraft> = party.into_iter().collect();
    let work = opening_work(&state, &case).await?;
    match state
        .store
        .open_case(&case, &[child], &parties, &work, &guard.stamp(Some(grant)))
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(StoreError::Domain(DomainError::Invalid(errors))) => {
            let page = new_case_page(&state, &principal, form, Some(&errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(StoreError::Domain(DomainError::Duplicate { field, message })) => {
            let errors = ValidationErrors::single(&field, message);
            let page = new_case_page(&state, &principal, form, Some(&errors)).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------ one case

pub struct ChildView {
    pub name: String,
    pub born: String,
    pub sex: &'static str,
    pub ethnicity: &'static str,
    pub first_language: String,
    pub interpreter: &'static str,
}

pub struct PartyView {
    pub name: String,
    pub role: &'static str,
    pub relationship: String,
    pub represented: bool,
    pub address: String,
}

pub struct EventView {
    pub when: String,
    pub who: String,
    pub what: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    layout: Layout,
    head: CaseHead,
    id: i64,
    number: String,
    pathway: &'static str,
    closed: bool,
    received: String,
    issued: String,
    applications: Vec<String>,
    children: Vec<ChildView>,
    parties: Vec<PartyView>,
    events: Vec<EventView>,
    next: Vec<(&'static str, &'static str)>,
    reopen_to: Vec<(&'static str, &'static str)>,
    version: i64,
    may_update: bool,
    forms: FormState,
    today: String,
    allocated_to: String,
    /// The team holding the case, with its service area.
    team: String,
    /// Teams the case may be transferred to, under their service areas.
    transfer_to: Vec<(String, Vec<(i64, String)>)>,
    /// Today's date for the transfer form's day, month and year boxes.
    today_parts: (String, String, String),
    /// (what, where it stands, RAG class, RAG label)
    clocks: Vec<(&'static str, String, &'static str, &'static str)>,
    allocations: Vec<(String, String, String, String)>,
    may_allocate: bool,
    workers: Vec<(i64, String)>,
    may_see_access_log: bool,
    /// (date, kind, outcome, directions)
    hearings: Vec<(String, &'static str, String, String)>,
    work: Vec<WorkView>,
    hearing_kinds: Vec<(&'static str, &'static str)>,
    /// Only where the case has a 26-week limit to extend.
    may_extend: bool,
    work_kinds: Vec<(&'static str, &'static str)>,
    decisions: Vec<(&'static str, &'static str)>,
    /// Oversight the organisation requires that the case is missing.
    missing_oversight: Vec<String>,
    sexes: Vec<(&'static str, &'static str)>,
    ethnicities: Vec<(&'static str, &'static str)>,
    answers: Vec<(&'static str, &'static str)>,
    roles: Vec<(&'static str, &'static str)>,
    /// (id, name) of the case's parties and children, for relationships.
    party_choices: Vec<(i64, String)>,
    child_choices: Vec<(i64, String)>,
}

pub struct WorkView {
    pub id: i64,
    pub kind: &'static str,
    pub due: String,
    pub filed: String,
    pub status: &'static str,
    pub tag: &'static str,
    pub open: bool,
    pub version: i64,
    /// Requests for more time and what the court decided, oldest first.
    pub more_time: Vec<String>,
    /// The request waiting for the court's decision.
    pub waiting: Option<i64>,
}

pub async fn case_page(
    state: &AppState,
    principal: &Principal,
    record: &CaseRecord,
    forms: FormState,
) -> Result<Html<String>, PageError> {
    let case = &record.case;
    let confidential_ok = sees_confidential(state, principal, case).await?;
    let target = case_target(state, case.id, Some(case.team_id)).await?;
    let pathway = case.pathway;
    let history = state.store.allocations(case.id).await?;
    let calendar = state.store.working_calendar().await?;
    let may_update = access::authorize(&principal.actor, Action::Update, &target).is_ok();
    let work = state.store.work_items(case.id).await?;
    let extensions = state.store.extensions(case.id).await?;
    let (settings, _) = state.store.practice_settings().await?;
    let more_time = state.store.work_extensions(case.id).await?;
    let missing_oversight = tandem_domain::case_notes::missing_oversight(
        case,
        &history,
        &work,
        &state.store.notes(case.id).await?,
        settings.oversight,
    );
    let clocks = casework::case_clocks(
        record,
        &work,
        &extensions,
        &history,
        &calendar,
        state.clock.today(),
        &settings.thresholds,
        &settings.targets,
    )
    .into_iter()
    .map(|line| {
        let (class, label) = match line.rag {
            Some(tandem_domain::clocks::Rag::Green) => ("govuk-tag--green", "On track"),
            Some(tandem_domain::clocks::Rag::Amber) => ("govuk-tag--yellow", "At risk"),
            Some(tandem_domain::clocks::Rag::Red) => ("govuk-tag--red", "Over"),
            None => ("govuk-tag--grey", "Unknown"),
        };
        (line.label, line.value, class, label)
    })
    .collect();
    let may_allocate = !case.is_closed() && manages(principal, &target);
    let teams: Vec<Team> = state.store.list().await?;
    let areas: Vec<ServiceArea> = state.store.list().await?;
    let team_name = |id: TeamId| {
        teams
            .iter()
            .find(|t| t.id == id)
            .map_or_else(|| format!("team {}", id.0), |t| t.name.clone())
    };
    let transfers = state.store.transfers(case.id).await?;
    let today = state.clock.today();
    let own_team = teams
        .iter()
        .find(|t| t.id == case.team_id)
        .ok_or_else(AppError::not_found)?;
    let workers = if may_allocate {
        state
            .store
            .practitioners_in_area(own_team.service_area_id, today)
            .await?
            .into_iter()
            .filter(|w| Some(w.id) != case.allocated_to)
            .map(|w| (w.id.0, format!("{} – {}", w.full_name(), w.grade)))
            .collect()
    } else {
        Vec::new()
    };
    render(&CasePage {
        layout: Layout::new("/cases", Some(principal)),
        head: CaseHead::of(state, case, CaseTab::Overview).await?,
        id: case.id.0,
        number: case.case_number.clone(),
        pathway: pathway.label,
        closed: case.is_closed(),
        received: day(case.received_on),
        issued: case
            .issued_on
            .map(day)
            .unwrap_or_else(|| "Not recorded".into()),
        applications: record
            .applications
            .iter()
            .map(|a| {
                let c1a = if a.harm_alleged {
                    ", harm alleged (C1A)"
                } else {
                    ""
                };
                format!("{}{c1a}", a.kind.label)
            })
            .collect(),
        children: record
            .children
            .iter()
            .map(|c| ChildView {
                name: c.full_name(),
                born: day(c.details.date_of_birth),
                sex: c.details.sex.label(),
                ethnicity: c.details.ethnicity.label(),
                first_language: c
                    .details
                    .first_language
                    .clone()
                    .unwrap_or_else(|| "Not known".into()),
                interpreter: c.details.interpreter_needed.label(),
            })
            .collect(),
        parties: record
            .parties
            .iter()
            .map(|p| PartyView {
                name: p.full_name(),
                role: p.details.role.label(),
                relationship: {
                    let particular: Vec<String> = p
                        .relationships
                        .iter()
                        .filter_map(|r| {
                            let child = record.children.iter().find(|c| c.id == r.child_id)?;
                            Some(format!(
                                "{} to {}",
                                r.relationship, child.details.given_name
                            ))
                        })
                        .collect();
                    if particular.is_empty() {
                        p.details.relationship.clone()
                    } else {
                        format!("{} ({})", p.details.relationship, particular.join(", "))
                    }
                },
                represented: p.details.represented,
                address: p
                    .address_for(confidential_ok)
                    .unwrap_or_else(|| "Not recorded".into()),
            })
            .collect(),
        events: event_views(record, &transfers, team_name),
        next: pathway
            .next_stages(case.stage)
            .into_iter()
            .map(|s| (s, pathway.label_of(s)))
            .collect(),
        reopen_to: pathway
            .stages
            .iter()
            .filter(|s| s.code != CLOSED)
            .map(|s| (s.code, s.label))
            .collect(),
        version: case.version,
        may_update,
        forms,
        today: state.clock.today().to_string(),
        clocks,
        team: match areas.iter().find(|a| a.id == own_team.service_area_id) {
            Some(area) => format!("{} ({})", own_team.name, area.name),
            None => own_team.name.clone(),
        },
        transfer_to: if may_allocate {
            transfer_choices(&areas, &teams, case.team_id)
        } else {
            Vec::new()
        },
        today_parts: (
            today.day().to_string(),
            today.month().to_string(),
            today.year().to_string(),
        ),
        allocated_to: history
            .iter()
            .rev()
            .find(|a| a.ended_on.is_none())
            .map(|a| a.staff_name.clone())
            .unwrap_or_else(|| "Not allocated".into()),
        allocations: history
            .iter()
            .map(|a| {
                (
                    a.staff_name.clone(),
                    day(a.allocated_on),
                    match (a.ended_on, a.ended_reason.as_deref()) {
                        (Some(ended), Some(ENDED_BY_TRANSFER)) => {
                            format!("{}, when the case was transferred", day(ended))
                        }
                        (Some(ended), _) => day(ended),
                        (None, _) => "Now".into(),
                    },
                    a.reason.clone().unwrap_or_default(),
                )
            })
            .collect(),
        may_allocate,
        workers,
        hearings: state
            .store
            .hearings(case.id)
            .await?
            .into_iter()
            .map(|h| {
                (
                    day(h.details.on),
                    h.details.kind.label(),
                    h.details.outcome.unwrap_or_default(),
                    h.details.directions.unwrap_or_default(),
                )
            })
            .collect(),
        work: work
            .into_iter()
            .map(|w| {
                let status = w.status(state.clock.today());
                let tag = match status {
                    WorkStatus::FiledLate => "govuk-tag--orange",
                    WorkStatus::FiledOnTime => "govuk-tag--green",
                    WorkStatus::Overdue => "govuk-tag--red",
                    WorkStatus::Due => "govuk-tag--blue",
                };
                WorkView {
                    id: w.id,
                    kind: w.kind.label(),
                    due: day(w.due_on),
                    filed: w
                        .filed_on
                        .map(|f| match &w.late_reason {
                            Some(r) => format!("{} – {r}", day(f)),
                            None => day(f),
                        })
                        .unwrap_or_default(),
                    status: status.label(),
                    tag,
                    open: w.filed_on.is_none(),
                    version: w.version,
                    more_time: more_time
                        .iter()
                        .filter(|e| e.work_item_id == w.id)
                        .map(|e| {
                            let decided = match e.decision {
                                Some((d, on)) => {
                                    format!("{} {}", d.label().to_lowercase(), day(on))
                                }
                                None => "awaiting the court's decision".into(),
                            };
                            format!(
                                "Asked {} to move {} to {}: {decided}",
                                day(e.requested_on),
                                day(e.due_on_before),
                                day(e.requested_due_on)
                            )
                        })
                        .collect(),
                    waiting: more_time
                        .iter()
                        .find(|e| e.work_item_id == w.id && e.decision.is_none())
                        .map(|e| e.id),
                }
            })
            .collect(),
        hearing_kinds: choices::<HearingKind>(),
        may_extend: may_update
            && !case.is_closed()
            && casework::twenty_six_weeks_from(record).is_some(),
        work_kinds: choices::<WorkKind>(),
        decisions: choices::<ExtensionDecision>(),
        missing_oversight,
        sexes: choices::<Sex>(),
        ethnicities: choices::<Ethnicity>(),
        answers: choices::<YesNoNotKnown>(),
        roles: choices::<PartyRole>(),
        party_choices: record
            .parties
            .iter()
            .map(|p| (p.id, p.full_name()))
            .collect(),
        child_choices: record
            .children
            .iter()
            .map(|c| (c.id, c.full_name()))
            .collect(),
        may_see_access_log: {
            let mut log = target;
            log.kind = RecordKind::AccessLog;
            access::authorize(&principal.actor, Action::View, &log).is_ok()
        },
    })
}

/// The case's history, newest first. A transfer names the teams it moved
/// between: each `transferred` event is written with its transfer, so the
/// n-th such event is the n-th transfer.
fn event_views(
    record: &CaseRecord,
    transfers: &[CaseTransfer],
    team_name: impl Fn(TeamId) -> String,
) -> Vec<EventView> {
    let pathway = record.case.pathway;
    let mut transfers = transfers.iter();
    let mut events: Vec<EventView> = record
        .events
        .iter()
        .map(|e| EventView {
            when: london(e.at),
            who: e.actor.clone(),
            what: match (e.kind.as_str(), &e.from_stage, &e.to_stage) {
                ("opened", _, Some(to)) => format!("Opened at {}", pathway.label_of(to)),
                ("reopened", _, Some(to)) => format!("Re-opened at {}", pathway.label_of(to)),
                ("transferred", _, _) => match transfers.next() {
                    Some(t) => format!(
                        "Transferred from {} to {}",
                        team_name(t.from_team_id),
                        team_name(t.to_team_id)
                    ),
                    None => casework::event_label("transferred").to_owned(),
                },
                (_, Some(from), Some(to)) => format!(
                    "Moved from {} to {}",
                    pathway.label_of(from),
                    pathway.label_of(to)
                ),
                (kind, _, _) => casework::event_label(kind).to_owned(),
            },
            reason: e.reason.clone().unwrap_or_default(),
        })
        .collect();
    events.reverse();
    events
}

/// Every team but the case's own, under its service area, for the
/// transfer form: a case may move to any area.
fn transfer_choices(
    areas: &[ServiceArea],
    teams: &[Team],
    current: TeamId,
) -> Vec<(String, Vec<(i64, String)>)> {
    areas
        .iter()
        .map(|area| {
            let choices: Vec<(i64, String)> = teams
                .iter()
                .filter(|t| t.service_area_id == area.id && t.id != current)
                .map(|t| (t.id.0, t.name.clone()))
                .collect();
            (format!("{} ({})", area.name, area.code), choices)
        })
        .filter(|(_, choices)| !choices.is_empty())
        .collect()
}

async fn show(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    show_tab(&state, &principal, &meta, &id, CaseTab::Overview).await
}

/// A section of the case's record, read through the policy; out of scope,
/// a role that may break the glass is offered to.
pub async fn show_tab(
    state: &AppState,
    principal: &Principal,
    meta: &RequestMeta,
    id: &str,
    tab: CaseTab,
) -> Result<Response, PageError> {
    let guard = Guard::new(state, principal, meta);
    let id = record_id(id)?;
    match open_case(&guard, id, Action::View).await {
        Ok((record, _)) => Ok(
            tab_page(state, principal, &record, tab, FormState::default())
                .await?
                .into_response(),
        ),
        Err(Refusal::BreakGlass) => {
            Ok(crate::html::break_glass_page(&guard, RecordKind::Case, id, None)?.into_response())
        }
        Err(refusal) => Err(AppError::from(refusal).into()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    reopen: Option<String>,
}

async fn move_case(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    TypedForm(form, typed): TypedForm<MoveForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let (record, grant) = match open_case(&guard, id, Action::Update).await {
        Ok(opened) => opened,
        Err(refusal) => return Err(AppError::from(refusal).into()),
    };
    let reopen = form.reopen.is_some();
    let ids = FormIds::new("move", "", "to");
    let checked = check_move(&form, reopen);
    let (on, reason, version) = match checked {
        Ok(checked) => checked,
        Err(e) => {
            let forms = FormState::new(Some(ids.refused(&e, typed)));
            let page = case_page(&state, &principal, &record, forms).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let result = state
        .store
        .move_case(
            CaseId(id),
            version,
            &form.to,
            on,
            reason.as_deref(),
            reopen,
            &guard.stamp(Some(grant)),
        )
        .await;
    back_to_case(
        &state,
        &principal,
        id,
        CaseTab::Overview,
        result,
        &ids,
        typed,
    )
    .await
}

/// The move form's own fields, before the pathway is asked.
fn check_move(
    form: &MoveForm,
    reopen: bool,
) -> Result<(jiff::civil::Date, Option<String>, i64), DomainError> {
    let mut errors = ValidationErrors::new();
    let on = errors.check("on", tandem_domain::text::date(&form.on, "date"));
    let needs_reason = reopen || form.to == CLOSED;
    let reason = errors.check("reason", casework::reason(&form.reason, needs_reason));
    let version = form.version.trim().parse().ok();
    match (on, reason, version) {
        (Some(on), Some(reason), Some(version)) if errors.is_empty() => Ok((on, reason, version)),
        (_, _, None) => Err(DomainError::StaleVersion { kind: "case" }),
        _ => Err(DomainError::Invalid(errors)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct TransferForm {
    to_team_id: String,
    #[serde(rename = "transferred_on-day")]
    day: String,
    #[serde(rename = "transferred_on-month")]
    month: String,
    #[serde(rename = "transferred_on-year")]
    year: String,
    reason: String,
    version: String,
}

/// Transfers the case to another team. Afterwards the case page, or, if
/// the case has left the caller's scope, the case list saying so.
async fn transfer(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    TypedForm(form, typed): TypedForm<TransferForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let (_, grant) = open_to_manage(&guard, id).await?;
    let input = TransferInput {
        to_team_id: form.to_team_id.trim().parse().ok(),
        transferred_on: joined(&form.day, &form.month, &form.year),
        reason: form.reason,
    };
    let result = state
        .store
        .transfer_case(
            CaseId(id),
            form.version.trim().parse().unwrap_or(0),
            &input,
            state.clock.today(),
            &guard.stamp(Some(grant)),
        )
        .await;
    match result {
        Ok(case) => {
            let target = case_target(&state, case.id, Some(case.team_id)).await?;
            let still_seen = access::authorize(&principal.actor, Action::View, &target).is_ok();
            let to = if still_seen {
                CaseTab::Overview.path(id)
            } else {
                "/cases?transferred".to_owned()
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let ids = FormIds::new("transfer", "transfer-", "transfer-to-team-id");
            case_problem(&state, &principal, id, CaseTab::Overview, e, &ids, typed).await
        }
    }
}

#[derive(Template)]
#[template(path = "access_log.html")]
struct CaseAccessLogPage {
    layout: Layout,
    name: String,
    back: String,
    rows: Vec<crate::html::AccessRow>,
}

/// Who has seen this case's record, when, and why: for its managers.
async fn access_log(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let record = state.store.case(CaseId(id)).await?;
    let team = record.as_ref().map(|r| r.case.team_id);
    let mut target = case_target(&state, CaseId(id), team).await?;
    target.kind = RecordKind::AccessLog;
    let grant = guard
        .record(Action::View, &target)
        .await
        .map_err(AppError::from)?;
    let record = record.ok_or_else(AppError::not_found)?;
    guard
        .audit_read(grant, RecordKind::Case, Some(id), "view-access-log")
        .await?;
    let rows = crate::html::access_rows(&state, RecordKind::Case, id).await?;
    render(&CaseAccessLogPage {
        layout: Layout::new("/cases", Some(&principal)),
        name: format!("case {}", record.case.case_number),
        back: format!("/cases/{id}"),
        rows,
    })
}

/// The sections of a case's record, each its own page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseTab {
    Overview,
    Children,
    Risk,
    Notes,
}

impl CaseTab {
    const ALL: [CaseTab; 4] = [
        CaseTab::Overview,
        CaseTab::Children,
        CaseTab::Risk,
        CaseTab::Notes,
    ];

    pub fn path(self, id: i64) -> String {
        match self {
            CaseTab::Overview => format!("/cases/{id}"),
            CaseTab::Children => format!("/cases/{id}/children"),
            CaseTab::Risk => format!("/cases/{id}/risk"),
            CaseTab::Notes => format!("/cases/{id}/notes"),
        }
    }

    fn label(self) -> &'static str {
        match self {
            CaseTab::Overview => "Overview",
            CaseTab::Children => "The children's experience",
            CaseTab::Risk => "Risk",
            CaseTab::Notes => "Notes and oversight",
        }
    }
}

/// The heading every section of a case shares, and its navigation.
pub struct CaseHead {
    pub id: i64,
    pub number: String,
    pub court: String,
    pub law: &'static str,
    pub stage: &'static str,
    pub closed: bool,
    /// (address, label, whether it is this page)
    pub tabs: Vec<(String, &'static str, bool)>,
}

impl CaseHead {
    pub async fn of(state: &AppState, case: &Case, tab: CaseTab) -> Result<Self, AppError> {
        let court: Court = state.store.get(case.court_id.0).await?;
        Ok(Self {
            id: case.id.0,
            number: case.case_number.clone(),
            court: court.name,
            law: case.law_type.label(),
            stage: case.stage_label(),
            closed: case.is_closed(),
            tabs: CaseTab::ALL
                .iter()
                .map(|t| (t.path(case.id.0), t.label(), *t == tab))
                .collect(),
        })
    }
}

/// One section of a case's record, with a refused form if there is one.
pub async fn tab_page(
    state: &AppState,
    principal: &Principal,
    record: &CaseRecord,
    tab: CaseTab,
    forms: FormState,
) -> Result<Html<String>, PageError> {
    match tab {
        CaseTab::Overview => case_page(state, principal, record, forms).await,
        CaseTab::Children => crate::case_tabs::children_page(state, principal, record, forms).await,
        CaseTab::Risk => crate::case_tabs::risk_page(state, principal, record, forms).await,
        CaseTab::Notes => crate::case_tabs::notes_page(state, principal, record, forms).await,
    }
}

/// Shows the case again with the refused form, or passes a fault on.
pub async fn case_problem(
    state: &AppState,
    principal: &Principal,
    id: i64,
    tab: CaseTab,
    error: StoreError,
    ids: &FormIds,
    typed: HashMap<String, String>,
) -> Result<Response, PageError> {
    // Anything but a broken rule or a stale version is not the user's to fix here.
    let e = match error {
        StoreError::Domain(e @ (DomainError::Invalid(_) | DomainError::StaleVersion { .. })) => e,
        other => return Err(other.into()),
    };
    let record = state
        .store
        .case(CaseId(id))
        .await?
        .ok_or_else(AppError::not_found)?;
    let status = if matches!(e, DomainError::StaleVersion { .. }) {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let forms = FormState::new(Some(ids.refused(&e, typed)));
    Ok((
        status,
        tab_page(state, principal, &record, tab, forms).await?,
    )
        .into_response())
}

async fn add_hearing(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    TypedForm(input, typed): TypedForm<HearingInput>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, record, grant) = for_update(&guard, &id).await?;
    let result = match input.validate(&record.case) {
        Ok(hearing) => {
            state
                .store
                .add_hearing(CaseId(id), &hearing, &guard.stamp(Some(grant)))
                .await
        }
        Err(e) => Err(e.into()),
    };
    back_to_case(
        &state,
        &principal,
        id,
        CaseTab::Overview,
        result,
        &FormIds::new("hearing", "hearing-", "hearing-kind"),
        typed,
    )
    .await
}

async fn add_work(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    TypedForm(input, typed): TypedForm<WorkItemInput>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, record, grant) = for_update(&guard, &id).await?;
    let result = match input.validate(&record.case) {
        Ok(work) => {
            state
                .store
                .add_work(CaseId(id), &work, &guard.stamp(Some(grant)))
                .await
        }
        Err(e) => Err(e.into()),
    };
    back_to_case(
        &state,
        &principal,
        id,
        CaseTab::Overview,
        result,
        &FormIds::new("work", "work-", "work-kind"),
        typed,
    )
    .await
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ExtensionForm {
    weeks: String,
    granted_on: String,
    reason: String,
}

async fn add_extension(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    TypedForm(form, typed): TypedForm<ExtensionForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, record, grant) = for_update(&guard, &id).await?;
    let result = match casework::case_extension(
        &record,
        &form.weeks,
        &form.granted_on,
        &form.reason,
        state.clock.today(),
    ) {
        Ok(extension) => {
            state
                .store
                .add_extension(CaseId(id), &extension, &guard.stamp(Some(grant)))
                .await
        }
        Err(e) => Err(e.into()),
    };
    back_to_case(
        &state,
        &principal,
        id,
        CaseTab::Overview,
        result,
        &FormIds::new("extension", "extension-", "extension-weeks"),
        typed,
    )
    .await
}

/// After a change to a case: back to its page, or the page again with the
/// refused form as it was typed.
#[allow(clippy::too_many_arguments)]
pub async fn back_to_case<T>(
    state: &AppState,
    principal: &Principal,
    id: i64,
    tab: CaseTab,
    result: Result<T, StoreError>,
    ids: &FormIds,
    typed: HashMap<String, String>,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&tab.path(id)).into_response()),
        Err(e) => case_problem(state, principal, id, tab, e, ids, typed).await,
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct FilingForm {
    filed_on: String,
    late_reason: String,
    version: String,
}

async fn file_work(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path((id, item)): Path<(String, String)>,
    TypedForm(form, typed): TypedForm<FilingForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, _, grant) = for_update(&guard, &id).await?;
    let item = record_id(&item)?;
    let version = form.version.trim().parse().unwrap_or(0);
    let result = state
        .store
        .file_work(
            CaseId(id),
            item,
            version,
            &form.filed_on,
            &form.late_reason,
            state.clock.today(),
            &guard.stamp(Some(grant)),
        )
        .await;
    back_to_case(
        &state,
        &principal,
        id,
        CaseTab::Overview,
        result,
        &FormIds::per_item("filing", item, "filed-on"),
        typed,
    )
    .await
}

async fn ask_more_time(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path((id, item)): Path<(String, String)>,
    TypedForm(input, typed): TypedForm<WorkExtensionInput>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, _, grant) = for_update(&guard, &id).await?;
    let item = record_id(&item)?;
    let result = state
        .store
        .request_work_extension(
            CaseId(id),
            item,
            &input,
            state.clock.today(),
            &guard.stamp(Some(grant)),
        )
        .await;
    let ids = FormIds::per_item("more-time", item, "requested-on");
    back_to_case(
        &state,
        &principal,
        id,
        CaseTab::Overview,
        result,
        &ids,
        typed,
    )
    .await
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct DecisionForm {
    decision: String,
    decided_on: String,
    version: String,
}

async fn decide_more_time(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path((id, item, request)): Path<(String, String, String)>,
    TypedForm(form, typed): TypedForm<DecisionForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, _, grant) = for_update(&guard, &id).await?;
    let item = record_id(&item)?;
    let request = record_id(&request)?;
    let result = state
        .store
        .decide_work_extension(
            CaseId(id),
            item,
            request,
            form.version.trim().parse().unwrap_or(0),
            &form.decision,
            &form.decided_on,
            state.clock.today(),
            &guard.stamp(Some(grant)),
        )
        .await;
    let ids = FormIds::per_item("decision", item, "decision");
    back_to_case(
        &state,
        &principal,
        id,
        CaseTab::Overview,
        result,
        &ids,
        typed,
    )
    .await
}

async fn add_child(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    TypedForm(input, typed): TypedForm<ChildInput>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, _, grant) = for_update(&guard, &id).await?;
    // A child joining later may have been born since the application.
    let result = match input.validate(state.clock.today()) {
        Ok(child) => {
            state
                .store
                .add_child(CaseId(id), &child, &guard.stamp(Some(grant)))
                .await
        }
        Err(e) => Err(e.into()),
    };
    let ids = FormIds::new("child", "child-", "child-given-name");
    back_to_case(
        &state,
        &principal,
        id,
        CaseTab::Overview,
        result,
        &ids,
        typed,
    )
    .await
}

/// A party as the form sends it: checkboxes are present or absent.
#[derive(Debug, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct PartyForm {
    role: String,
    given_name: String,
    family_name: String,
    relationship: String,
    represented: Option<String>,
    address: String,
    postcode: String,
    address_confidential: Option<String>,
}

async fn add_party(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    TypedForm(form, typed): TypedForm<PartyForm>,
) -> Result<Response, PageError> {
    let input = PartyInput {
        role: form.role,
        given_name: form.given_name,
        family_name: form.family_name,
        relationship: form.relationship,
        represented: form.represented.is_some(),
        address: form.address,
        postcode: form.postcode,
        address_confidential: form.address_confidential.is_some(),
    };
    let guard = Guard::new(&state, &principal, &meta);
    let (id, _, grant) = for_update(&guard, &id).await?;
    let result = match input.validate() {
        Ok(party) => {
            state
                .store
                .add_party(CaseId(id), &party, &guard.stamp(Some(grant)))
                .await
        }
        Err(e) => Err(e.into()),
    };
    let ids = FormIds::new("party", "party-", "party-role");
    back_to_case(
        &state,
        &principal,
        id,
        CaseTab::Overview,
        result,
        &ids,
        typed,
    )
    .await
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RelationshipForm {
    party_id: String,
    child_id: String,
    relationship: String,
}

async fn set_relationship(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    TypedForm(form, typed): TypedForm<RelationshipForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, _, grant) = for_update(&guard, &id).await?;
    let ids = FormIds::new("relationship", "relationship-", "relationship-party-id");
    let (Some(party), child) = (reference(&form.party_id), reference(&form.child_id)) else {
        let refused = DomainError::invalid("party_id", "Choose the party");
        return back_to_case(
            &state,
            &principal,
            id,
            CaseTab::Overview,
            Err::<(), _>(refused.into()),
            &ids,
            typed,
        )
        .await;
    };
    let result = state
        .store
        .set_relationship(
            CaseId(id),
            party,
            child.unwrap_or(0),
            &form.relationship,
            &guard.stamp(Some(grant)),
        )
        .await;
    back_to_case(
        &state,
        &principal,
        id,
        CaseTab::Overview,
        result,
        &ids,
        typed,
    )
    .await
}
