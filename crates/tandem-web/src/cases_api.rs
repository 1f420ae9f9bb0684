//! The cases API: `/api/v1/cases`.

use crate::AppState;
use crate::api::Items;
use crate::cases::{open_case, sees_confidential};
use crate::error::{ApiError, AppError};
use crate::extract::{ApiJson, record_id};
use crate::guard::{Guard, Refusal};
use crate::session::{ApiCaller, RequestMeta};
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tandem_domain::access::{Action, RecordKind, Target};
use tandem_domain::casework::*;
use tandem_domain::choice::Choice;
use tandem_domain::organisation::TeamId;
use tandem_domain::{DomainError, ValidationErrors};
use tandem_storage::CaseFilter;
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list).post(create))
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/moves", post(move_case))
        .route("/cases/{id}/allocation", post(allocate))
        .route("/cases/{id}/transfer", post(transfer))
        .route("/cases/{id}/hearings", get(hearings).post(add_hearing))
        .route("/cases/{id}/work", get(work).post(add_work))
        .route(
            "/cases/{id}/extensions",
            get(extensions).post(add_extension),
        )
        .route("/cases/{id}/work/{item}/filing", post(file_work))
}

/// A child, as sent to open a case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildBody {
    given_name: String,
    family_name: String,
    /// `YYYY-MM-DD`.
    date_of_birth: String,
    /// `female`, `male`, `other` or `not-known` (the default).
    #[serde(default)]
    sex: String,
    /// A 2021 census category slug such as `white-british`, or `not-known` (the default).
    #[serde(default)]
    ethnicity: String,
    /// `yes`, `no` or `not-known` (the default).
    #[serde(default)]
    disability: String,
    #[serde(default)]
    first_language: String,
    /// `yes`, `no` or `not-known` (the default).
    #[serde(default)]
    interpreter_needed: String,
}

/// An adult party, as sent to open a case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyBody {
    /// `applicant`, `respondent`, `local-authority`, `intervenor` or `other`.
    role: String,
    given_name: String,
    family_name: String,
    relationship: String,
    #[serde(default)]
    represented: bool,
    #[serde(default)]
    address: String,
    #[serde(default)]
    postcode: String,
    /// Shown only to the allocated worker and their managers.
    #[serde(default)]
    address_confidential: bool,
}

impl ChildBody {
    pub fn input(&self) -> ChildInput {
        ChildInput {
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            date_of_birth: self.date_of_birth.clone(),
            sex: self.sex.clone(),
            ethnicity: self.ethnicity.clone(),
            disability: self.disability.clone(),
            first_language: self.first_language.clone(),
            interpreter_needed: self.interpreter_needed.clone(),
        }
    }
}

impl PartyBody {
    pub fn input(&self) -> PartyInput {
        PartyInput {
            role: self.role.clone(),
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            relationship: self.relationship.clone(),
            represented: self.represented,
            address: self.address.clone(),
            postcode: self.postcode.clone(),
            address_confidential: self.address_confidential,
        }
    }
}

/// A new case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseBody {
    case_number: String,
    court_id: i64,
    /// `private`, `public` or `adoption`.
    law_type: String,
    /// e.g. `child-arrangements`, `care`, `adoption`.
    application_type: String,
    #[serde(default)]
    harm_alleged: bool,
    /// `YYYY-MM-DD`: when the service received the application.
    received_on: String,
    /// `YYYY-MM-DD`: when the court issued it.
    issued_on: Option<String>,
    local_authority_id: Option<i64>,
    team_id: i64,
    children: Vec<ChildBody>,
    #[serde(default)]
    parties: Vec<PartyBody>,
}

/// A move along the case's pathway, or a re-opening.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBody {
    /// The stage to move to.
    to: String,
    /// `YYYY-MM-DD`: when it happened.
    on: String,
    /// Required when closing or re-opening.
    reason: Option<String>,
    /// The case's version you read.
    version: i64,
    /// Re-open a closed case at `to`.
    #[serde(default)]
    reopen: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChildView {
    id: i64,
    given_name: String,
    family_name: String,
    date_of_birth: String,
    sex: String,
    ethnicity: String,
    disability: String,
    first_language: Option<String>,
    interpreter_needed: String,
    /// `YYYY-MM-DD`; none until the child has met their adviser.
    first_met_fca_on: Option<String>,
    wishes_and_feelings: Option<String>,
    told_outcome_by: Option<String>,
    told_outcome_notes: Option<String>,
    /// Recorded at the end of the proceedings.
    outcome: Option<OutcomeView>,
    /// The child's version, for changes to their experience or outcome.
    version: i64,
}

/// A party's relationship to one child.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelationshipView {
    child_id: i64,
    relationship: String,
}

/// What the proceedings decided for a child.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeView {
    /// Order codes, e.g. `child-arrangements-lives-with`, `care`, `no-order`.
    orders: Vec<String>,
    lives_with: String,
    contact: Option<String>,
    recorded_on: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartyView {
    id: i64,
    role: String,
    given_name: String,
    family_name: String,
    /// To the children as a whole.
    relationship: String,
    /// To particular children, where different.
    relationships: Vec<RelationshipView>,
    represented: bool,
    /// "Confidential address" unless the caller may see it.
    address: Option<String>,
    address_confidential: bool,
}

/// A case in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummaryView {
    id: i64,
    case_number: String,
    law_type: String,
    stage: String,
    received_on: String,
    children: Vec<String>,
}

/// A case with its children, parties and history.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    id: i64,
    case_number: String,
    court_id: i64,
    law_type: String,
    pathway: String,
    stage: String,
    /// Where the case may move next.
    next_stages: Vec<String>,
    received_on: String,
    issued_on: Option<String>,
    local_authority_id: Option<i64>,
    team_id: i64,
    allocated_to: Option<i64>,
    closed_on: Option<String>,
    version: i64,
    applications: Vec<String>,
    children: Vec<ChildView>,
    parties: Vec<PartyView>,
}

fn view(record: &CaseRecord, confidential_ok: bool) -> CaseView {
    let c = &record.case;
    CaseView {
        id: c.id.0,
        case_number: c.case_number.clone(),
        court_id: c.court_id.0,
        law_type: c.law_type.slug().into(),
        pathway: c.pathway.code.into(),
        stage: c.stage.into(),
        next_stages: c
            .pathway
            .next_stages(c.stage)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        received_on: c.received_on.to_string(),
        issued_on: c.issued_on.map(|d| d.to_string()),
        local_authority_id: c.local_authority_id.map(|l| l.0),
        team_id: c.team_id.0,
        allocated_to: c.allocated_to.map(|s| s.0),
        closed_on: c.closed_on.map(|d| d.to_string()),
        version: c.version,
        applications: record
            .applications
            .iter()
            .map(|a| a.kind.code.to_owned())
            .collect(),
        children: record
            .children
            .iter()
            .map(|ch| ChildView {
                id: ch.id,
                given_name: ch.details.given_name.clone(),
                family_name: ch.details.family_name.clone(),
                date_of_birth: ch.details.date_of_birth.to_string(),
                sex: ch.details.sex.slug().into(),
                ethnicity: ch.details.ethnicity.slug().into(),
                disability: ch.details.disability.slug().into(),
                first_language: ch.details.first_language.clone(),
                interpreter_needed: ch.details.interpreter_needed.slug().into(),
                first_met_fca_on: ch.experience.first_met_fca_on.map(|d| d.to_string()),
                wishes_and_feelings: ch.experience.wishes_and_feelings.clone(),
                told_outcome_by: ch.experience.told_outcome_by.map(|b| b.slug().into()),
                told_outcome_notes: ch.experience.told_outcome_notes.clone(),
                outcome: ch.outcome.as_ref().map(|o| OutcomeView {
                    orders: o.orders.iter().map(|x| x.slug().into()).collect(),
                    lives_with: o.lives_with.slug().into(),
                    contact: o.contact.clone(),
                    recorded_on: o.recorded_on.to_string(),
                }),
                version: ch.version,
            })
            .collect(),
        parties: record
            .parties
            .iter()
            .map(|p| PartyView {
                id: p.id,
                role: p.details.role.slug().into(),
                given_name: p.details.given_name.clone(),
                family_name: p.details.family_name.clone(),
                relationship: p.details.relationship.clone(),
                relationships: p
                    .relationships
                    .iter()
                    .map(|r| RelationshipView {
                        child_id: r.child_id,
                        relationship: r.relationship.clone(),
                    })
                    .collect(),
                represented: p.details.represented,
                address: p.address_for(confidential_ok),
                address_confidential: p.details.address_confidential,
            })
            .collect(),
    }
}

async fn list(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    RawQuery(query): RawQuery,
) -> Result<Json<Items<CaseSummaryView>>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::View, RecordKind::Case).await?;
    let query = crate::extract::query_map(query);
    let cases = state
        .store
        .cases(
            &CaseFilter {
                search: query.get("search").cloned(),
                open_only: query.get("include_closed").is_none_or(|v| v != "true"),
                limit: 500,
                ..Default::default()
            },
            &guard.list_scope(Action::View, RecordKind::Case),
        )
        .await?;
    guard
        .audit_read(grant, RecordKind::Case, None, "list")
        .await?;
    Ok(Json(Items {
        items: cases
            .into_iter()
            .map(|s| CaseSummaryView {
                id: s.case.id.0,
                case_number: s.case.case_number,
                law_type: s.case.law_type.slug().into(),
                stage: s.case.stage.into(),
                received_on: s.case.received_on.to_string(),
                children: s.children,
            })
            .collect(),
    }))
}

/// The case as the caller may see it, reloaded after a change.
/// The case the path names, if the caller may take `action` on it.
pub async fn case_for(
    guard: &Guard<'_>,
    id: i64,
    action: Action,
) -> Result<(CaseRecord, tandem_domain::access::Grant), ApiError> {
    open_case(guard, id, action)
        .await
        .map_err(|r| ApiError(r.into()))
}

pub async fn current_view(
    state: &AppState,
    principal: &crate::session::Principal,
    id: CaseId,
) -> Result<Json<CaseView>, ApiError> {
    let record = state
        .store
        .case(id)
        .await?
        .ok_or_else(|| ApiError(AppError::not_found()))?;
    let confidential_ok = sees_confidential(state, principal, &record.case).await?;
    Ok(Json(view(&record, confidential_ok)))
}

fn indexed(errors: &ValidationErrors, prefix: &str, into: &mut ValidationErrors) {
    for e in errors.fields() {
        into.add(&format!("{prefix}.{}", e.field), e.message.clone());
    }
}

async fn create(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    ApiJson(body): ApiJson<CaseBody>,
) -> Result<Response, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    guard.kind(Action::Create, RecordKind::Case).await?;
    let mut errors = ValidationErrors::new();
    let case = CaseInput {
        case_number: body.case_number.clone(),
        court_id: Some(body.court_id),
        law_type: body.law_type.clone(),
        application_type: body.application_type.clone(),
        harm_alleged: body.harm_alleged,
        received_on: body.received_on.clone(),
        issued_on: body.issued_on.clone().unwrap_or_default(),
        local_authority_id: body.local_authority_id,
        team_id: Some(body.team_id),
    }
    .validate(state.clock.today(), &state.store.application_kinds().await?);
    if let Err(DomainError::Invalid(e)) = &case {
        indexed(e, "case", &mut errors);
    }
    let received = tandem_domain::text::date(&body.received_on, "date received")
        .unwrap_or(state.clock.today());
    let mut children = Vec::new();
    for (i, c) in body.children.iter().enumerate() {
        match c.input().validate(received) {
            Ok(child) => children.push(child),
            Err(DomainError::Invalid(e)) => indexed(&e, &format!("children[{i}]"), &mut errors),
            Err(e) => return Err(e.into()),
        }
    }
    if body.children.is_empty() {
        errors.add("children", "Add at least one child");
    }
    let mut parties = Vec::new();
    for (i, p) in body.parties.iter().enumerate() {
        match p.input().validate() {
            Ok(party) => parties.push(party),
            Err(DomainError::Invalid(e)) => indexed(&e, &format!("parties[{i}]"), &mut errors),
            Err(e) => return Err(e.into()),
        }
    }
    let case = match case {
        Ok(case) if errors.is_empty() => case,
        _ => return Err(DomainError::Invalid(errors).into()),
    };
    let target = Target {
        kind: RecordKind::Case,
        record_id: None,
        placement: Some(
            state
                .store
                .placement_of_team(Some(TeamId(case.team_id)))
                .await?,
        ),
    };
    let grant = match guard.record(Action::Create, &target).await {
        Ok(grant) => grant,
        Err(Refusal::Failed(e)) => return Err(ApiError(e)),
        Err(_) => {
            return Err(
                DomainError::invalid("case.team_id", "Choose one of your own teams").into(),
            );
        }
    };
    let work = crate::cases::opening_work(&state, &case).await?;
    let id = state
        .store
        .open_case(&case, &children, &parties, &work, &guard.stamp(Some(grant)))
        .await?;
    let record = state
        .store
        .case(id)
        .await?
        .ok_or_else(|| ApiError(AppError::internal()))?;
    let confidential_ok = sees_confidential(&state, &principal, &record.case).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/cases/{id}"))],
        Json(view(&record, confidential_ok)),
    )
        .into_response())
}

async fn show(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (record, _) = case_for(&guard, record_id(&id)?, Action::View).await?;
    let confidential_ok = sees_confidential(&state, &principal, &record.case).await?;
    Ok(Json(view(&record, confidential_ok)))
}

async fn move_case(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MoveBody>,
) -> Result<Json<CaseView>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let (_, grant) = case_for(&guard, id, Action::Update).await?;
    let mut errors = ValidationErrors::new();
    let on = errors.check("on", tandem_domain::text::date(&body.on, "date"));
    let needs_reason = body.reopen || body.to == CLOSED;
    let reason = errors.check(
        "reason",
        reason(body.reason.as_deref().unwrap_or_default(), needs_reason),
    );
    let (Some(on), Some(reason)) = (on, reason) else {
        return Err(DomainError::Invalid(errors).into());
    };
    state
        .store
        .move_case(
            CaseId(id),
            body.version,
            &body.to,
            on,
            reason.as_deref(),
            body.reopen,
            &guard.stamp(Some(grant)),
        )
        .await?;
    current_view(&state, &principal, CaseId(id)).await
}

/// A worker to give the case to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationBody {
    /// A practitioner in post in the case's service area.
    staff_id: i64,
    /// `YYYY-MM-DD`.
    on: String,
    /// Required when the case already has a worker.
    reason: Option<String>,
    /// The case's version you read.
    version: i64,
}

async fn allocate(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AllocationBody>,
) -> Result<Json<CaseView>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let (_, grant) = case_for(&guard, id, Action::Allocate).await?;
    let mut errors = ValidationErrors::new();
    let on = errors.check("on", tandem_domain::text::date(&body.on, "date"));
    let why = errors.check(
        "reason",
        reason(body.reason.as_deref().unwrap_or_default(), false),
    );
    let (Some(on), Some(why)) = (on, why) else {
        return Err(DomainError::Invalid(errors).into());
    };
    state
        .store
        .allocate_case(
            CaseId(id),
            body.version,
            tandem_domain::organisation::StaffId(body.staff_id),
            on,
            why.as_deref(),
            &guard.stamp(Some(grant)),
        )
        .await?;
    current_view(&state, &principal, CaseId(id)).await
}

/// A move of the case to another team.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// The receiving team: any team but the case's own, in any service area.
    to_team_id: i64,
    /// `YYYY-MM-DD`: not in the future, nor before receipt, the last transfer or the current allocation.
    transferred_on: String,
    /// Why the case is moving.
    reason: String,
    /// The case's version you read.
    version: i64,
}

/// Transfers the case to another team (those who manage it): its worker,
/// if any, stops holding it, and it waits in the receiving team's queue.
async fn transfer(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TransferBody>,
) -> Result<Json<CaseView>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let (_, grant) = crate::cases::open_to_manage(&guard, id).await?;
    let input = TransferInput {
        to_team_id: Some(body.to_team_id),
        transferred_on: body.transferred_on,
        reason: body.reason,
    };
    state
        .store
        .transfer_case(
            CaseId(id),
            body.version,
            &input,
            state.clock.today(),
            &guard.stamp(Some(grant)),
        )
        .await?;
    current_view(&state, &principal, CaseId(id)).await
}

/// A hearing to record on a case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HearingBody {
    /// `first-hearing`, `dispute-resolution`, `fact-finding`, `case-management`,
    /// `issues-resolution`, `final`, `review` or `other`.
    kind: String,
    /// `YYYY-MM-DD`: not before the application was issued.
    on: String,
    #[serde(default)]
    outcome: String,
    /// The court's directions, as free text.
    #[serde(default)]
    directions: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HearingView {
    id: i64,
    kind: &'static str,
    on: String,
    outcome: Option<String>,
    directions: Option<String>,
}

/// Work the court has directed, with its due date.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkBody {
    /// `safeguarding-letter`, `section-7-report`, `child-impact-report`,
    /// `case-analysis`, `position-statement`, `iro-letter` or `other`.
    kind: String,
    /// `YYYY-MM-DD`.
    due_on: String,
}

/// The filing of a piece of work.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilingBody {
    /// `YYYY-MM-DD`: not in the future.
    filed_on: String,
    /// Required when filed after the due date.
    #[serde(default)]
    late_reason: String,
    /// The work item's version you read.
    version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkItemView {
    id: i64,
    kind: &'static str,
    due_on: String,
    filed_on: Option<String>,
    late_reason: Option<String>,
    /// `due`, `overdue`, `filed-on-time` or `filed-late`.
    status: &'static str,
    version: i64,
    /// Requests to the court for more time, oldest first.
    more_time: Vec<MoreTimeView>,
}

/// A request for more time and, once made, the court's decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoreTimeView {
    id: i64,
    requested_on: String,
    due_on_before: String,
    requested_due_on: String,
    reason: String,
    /// `granted` or `refused`; none while the court has not decided.
    decision: Option<&'static str>,
    decided_on: Option<String>,
}

fn hearing_view(h: Hearing) -> HearingView {
    HearingView {
        id: h.id,
        kind: h.details.kind.slug(),
        on: h.details.on.to_string(),
        outcome: h.details.outcome,
        directions: h.details.directions,
    }
}

fn work_view(w: WorkItem, today: jiff::civil::Date, asked: &[WorkExtension]) -> WorkItemView {
    WorkItemView {
        more_time: asked
            .iter()
            .filter(|e| e.work_item_id == w.id)
            .map(|e| MoreTimeView {
                id: e.id,
                requested_on: e.requested_on.to_string(),
                due_on_before: e.due_on_before.to_string(),
                requested_due_on: e.requested_due_on.to_string(),
                reason: e.reason.clone(),
                decision: e.decision.map(|(d, _)| d.slug()),
                decided_on: e.decision.map(|(_, on)| on.to_string()),
            })
            .collect(),
        id: w.id,
        kind: w.kind.slug(),
        due_on: w.due_on.to_string(),
        status: w.status(today).slug(),
        filed_on: w.filed_on.map(|d| d.to_string()),
        late_reason: w.late_reason,
        version: w.version,
    }
}

async fn hearing_list(state: &AppState, id: i64) -> Result<Json<Items<HearingView>>, ApiError> {
    let items = state.store.hearings(CaseId(id)).await?;
    Ok(Json(Items {
        items: items.into_iter().map(hearing_view).collect(),
    }))
}

pub async fn work_list(state: &AppState, id: i64) -> Result<Json<Items<WorkItemView>>, ApiError> {
    let today = state.clock.today();
    let items = state.store.work_items(CaseId(id)).await?;
    let asked = state.store.work_extensions(CaseId(id)).await?;
    Ok(Json(Items {
        items: items
            .into_iter()
            .map(|w| work_view(w, today, &asked))
            .collect(),
    }))
}

async fn hearings(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Json<Items<HearingView>>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    case_for(&guard, id, Action::View).await?;
    hearing_list(&state, id).await
}

async fn add_hearing(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<HearingBody>,
) -> Result<Response, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let (record, grant) = case_for(&guard, id, Action::Update).await?;
    let hearing = HearingInput {
        kind: body.kind,
        on: body.on,
        outcome: body.outcome,
        directions: body.directions,
    }
    .validate(&record.case)?;
    state
        .store
        .add_hearing(CaseId(id), &hearing, &guard.stamp(Some(grant)))
        .await?;
    Ok((StatusCode::CREATED, hearing_list(&state, id).await?).into_response())
}

async fn work(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Json<Items<WorkItemView>>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    case_for(&guard, id, Action::View).await?;
    work_list(&state, id).await
}

async fn add_work(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<WorkBody>,
) -> Result<Response, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let (record, grant) = case_for(&guard, id, Action::Update).await?;
    let work = WorkItemInput {
        kind: body.kind,
        due_on: body.due_on,
    }
    .validate(&record.case)?;
    state
        .store
        .add_work(CaseId(id), &work, &guard.stamp(Some(grant)))
        .await?;
    Ok((StatusCode::CREATED, work_list(&state, id).await?).into_response())
}

async fn file_work(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path((id, item)): Path<(String, String)>,
    ApiJson(body): ApiJson<FilingBody>,
) -> Result<Json<WorkItemView>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let item = record_id(&item)?;
    let (_, grant) = case_for(&guard, id, Action::Update).await?;
    let today = state.clock.today();
    let filed = state
        .store
        .file_work(
            CaseId(id),
            item,
            body.version,
            &body.filed_on,
            &body.late_reason,
            today,
            &guard.stamp(Some(grant)),
        )
        .await?;
    let asked = state.store.work_extensions(CaseId(id)).await?;
    Ok(Json(work_view(filed, today, &asked)))
}

/// A court-granted extension to the 26-week limit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionBody {
    /// 1 to 8.
    weeks: i64,
    /// `YYYY-MM-DD`: not before issue, not in the future.
    granted_on: String,
    reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionView {
    weeks: u8,
    granted_on: String,
    reason: String,
}

async fn extension_list(state: &AppState, id: i64) -> Result<Json<Items<ExtensionView>>, ApiError> {
    let items = state.store.extensions(CaseId(id)).await?;
    Ok(Json(Items {
        items: items
            .into_iter()
            .map(|e| ExtensionView {
                weeks: e.weeks,
                granted_on: e.granted_on.to_string(),
                reason: e.reason,
            })
            .collect(),
    }))
}

async fn extensions(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Json<Items<ExtensionView>>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    case_for(&guard, id, Action::View).await?;
    extension_list(&state, id).await
}

async fn add_extension(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ExtensionBody>,
) -> Result<Response, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let (record, grant) = case_for(&guard, id, Action::Update).await?;
    let extension = case_extension(
        &record,
        &body.weeks.to_string(),
        &body.granted_on,
        &body.reason,
        state.clock.today(),
    )?;
    state
        .store
        .add_extension(CaseId(id), &extension, &guard.stamp(Some(grant)))
        .await?;
    Ok((StatusCode::CREATED, extension_list(&state, id).await?).into_response())
}
