//! The API for what is recorded on a case after it opens: children and
//! parties joining, each child's experience and outcome, risk, notes, and
//! requests to the court for more time.

use crate::AppState;
use crate::api::Items;
use crate::cases_api::{
    CaseView, ChildBody, PartyBody, WorkItemView, case_for, current_view, work_list,
};
use crate::error::ApiError;
use crate::extract::{ApiJson, record_id};
use crate::guard::Guard;
use crate::session::{ApiCaller, RequestMeta};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tandem_domain::access::Action;
use tandem_domain::case_notes::{self, NoteInput, NoteKind};
use tandem_domain::casework::{Case, CaseId, WorkExtensionInput};
use tandem_domain::child_experience::{ChildExperienceInput, ChildOutcomeInput};
use tandem_domain::choice::Choice;
use tandem_domain::risk::RiskInput;
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/children", post(add_child))
        .route("/cases/{id}/parties", post(add_party))
        .route(
            "/cases/{id}/parties/{party}/relationships",
            put(set_relationship),
        )
        .route(
            "/cases/{id}/children/{child}/experience",
            put(set_experience),
        )
        .route("/cases/{id}/children/{child}/outcome", put(set_outcome))
        .route("/cases/{id}/risk", get(risks).post(add_risk))
        .route("/cases/{id}/risk/{entry}/response", post(check_response))
        .route("/cases/{id}/notes", get(notes).post(add_note))
        .route("/cases/{id}/work/{item}/more-time", post(ask_more_time))
        .route(
            "/cases/{id}/work/{item}/more-time/{request}/decision",
            post(decide_more_time),
        )
}

/// A party's relationship to one child of the case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationshipBody {
    child_id: i64,
    /// e.g. `Stepfather`.
    relationship: String,
}

/// A child's experience: every field replaces what is recorded.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperienceBody {
    /// `YYYY-MM-DD`, or none if the child has not met their adviser yet.
    first_met_fca_on: Option<String>,
    wishes_and_feelings: Option<String>,
    /// e.g. `family-court-adviser`, `adviser-with-carer`, `letter`.
    told_outcome_by: Option<String>,
    told_outcome_notes: Option<String>,
    /// The child's version you read.
    version: i64,
}

/// What the proceedings decided for a child.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    /// Order codes; `no-order` and `withdrawn` stand alone.
    orders: Vec<String>,
    /// e.g. `mother`, `shared-care`, `foster-carer`.
    lives_with: String,
    contact: Option<String>,
    /// `YYYY-MM-DD`.
    recorded_on: String,
    version: i64,
}

/// A risk record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskBody {
    /// `domestic-abuse`, `section-16a`, `local-authority-referral`,
    /// `police-check` or `local-authority-check`.
    kind: String,
    /// `YYYY-MM-DD`: identified, assessed, referred or requested.
    noted_on: String,
    /// Domestic abuse only, e.g. `coercive-control`.
    indicator: Option<String>,
    /// Domestic abuse only, e.g. `applicant`, `police`, `court`.
    source: Option<String>,
    /// Section 16A only: `risk-identified`, `no-risk-identified` or `inconclusive`.
    conclusion: Option<String>,
    /// Required for a referral.
    detail: Option<String>,
}

/// The answer to a police or local authority check.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckResponseBody {
    responded_on: String,
    /// `nothing-known` or `information-held`.
    response: String,
    version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RiskView {
    id: i64,
    kind: &'static str,
    noted_on: String,
    indicator: Option<&'static str>,
    source: Option<&'static str>,
    conclusion: Option<&'static str>,
    detail: Option<String>,
    responded_on: Option<String>,
    response: Option<&'static str>,
    version: i64,
}

/// A note, contact or management oversight.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// `note`, `contact` or `oversight` (oversight: supervisors and managers only).
    kind: String,
    /// `YYYY-MM-DD`.
    on: String,
    /// Contacts only, e.g. `child`, `applicant`.
    contact_with: Option<String>,
    /// Contacts only, e.g. `home-visit`, `phone`.
    contact_method: Option<String>,
    /// Oversight only: `allocation`, `before-filing` or `review`.
    oversight_for: Option<String>,
    /// Oversight before filing: the work overseen.
    work_item_id: Option<i64>,
    body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteView {
    id: i64,
    kind: &'static str,
    on: String,
    contact_with: Option<&'static str>,
    contact_method: Option<&'static str>,
    oversight_for: Option<&'static str>,
    work_item_id: Option<i64>,
    body: String,
    author: String,
    recorded_at: String,
}

/// Notes, and the required oversight the case is missing.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotesView {
    items: Vec<NoteView>,
    missing_oversight: Vec<String>,
}

/// A request to the court for more time to file work.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoreTimeBody {
    requested_on: String,
    /// Must be after the date the work is due now.
    new_due_on: String,
    reason: String,
}

/// The court's decision on a request for more time.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// `granted` (the due date moves) or `refused`.
    decision: String,
    decided_on: String,
    /// The work item's version you read.
    version: i64,
}

fn text(v: Option<String>) -> String {
    v.unwrap_or_default()
}

fn ids(id: &str, item: &str) -> Result<(i64, i64), ApiError> {
    Ok((record_id(id)?, record_id(item)?))
}

async fn add_child(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ChildBody>,
) -> Result<Response, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let (_, grant) = case_for(&guard, id, Action::Update).await?;
    let child = body.input().validate(state.clock.today())?;
    state
        .store
        .add_child(CaseId(id), &child, &guard.stamp(Some(grant)))
        .await?;
    Ok((
        StatusCode::CREATED,
        current_view(&state, &principal, CaseId(id)).await?,
    )
        .into_response())
}

async fn add_party(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PartyBody>,
) -> Result<Response, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let (_, grant) = case_for(&guard, id, Action::Update).await?;
    let party = body.input().validate()?;
    state
        .store
        .add_party(CaseId(id), &party, &guard.stamp(Some(grant)))
        .await?;
    Ok((
        StatusCode::CREATED,
        current_view(&state, &principal, CaseId(id)).await?,
    )
        .into_response())
}

async fn set_relationship(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path((id, party)): Path<(String, String)>,
    ApiJson(body): ApiJson<RelationshipBody>,
) -> Result<Json<CaseView>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, party) = ids(&id, &party)?;
    let (_, grant) = case_for(&guard, id, Action::Update).await?;
    state
        .store
        .set_relationship(
            CaseId(id),
            party,
            body.child_id,
            &body.relationship,
            &guard.stamp(Some(grant)),
        )
        .await?;
    current_view(&state, &principal, CaseId(id)).await
}

async fn set_experience(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path((id, child)): Path<(String, String)>,
    ApiJson(body): ApiJson<ExperienceBody>,
) -> Result<Json<CaseView>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, child) = ids(&id, &child)?;
    let (_, grant) = case_for(&guard, id, Action::Update).await?;
    let input = ChildExperienceInput {
        first_met_fca_on: text(body.first_met_fca_on),
        wishes_and_feelings: text(body.wishes_and_feelings),
        told_outcome_by: text(body.told_outcome_by),
        told_outcome_notes: text(body.told_outcome_notes),
        version: body.version.to_string(),
    };
    state
        .store
        .set_child_experience(
            CaseId(id),
            child,
            &input,
            state.clock.today(),
            &guard.stamp(Some(grant)),
        )
        .await?;
    current_view(&state, &principal, CaseId(id)).await
}

async fn set_outcome(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path((id, child)): Path<(String, String)>,
    ApiJson(body): ApiJson<OutcomeBody>,
) -> Result<Json<CaseView>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, child) = ids(&id, &child)?;
    let (_, grant) = case_for(&guard, id, Action::Update).await?;
    let input = ChildOutcomeInput {
        orders: body.orders.join(","),
        lives_with: body.lives_with,
        contact: text(body.contact),
        recorded_on: body.recorded_on,
        version: body.version.to_string(),
    };
    state
        .store
        .set_child_outcome(
            CaseId(id),
            child,
            &input,
            state.clock.today(),
            &guard.stamp(Some(grant)),
        )
        .await?;
    current_view(&state, &principal, CaseId(id)).await
}

async fn risk_list(state: &AppState, id: i64) -> Result<Json<Items<RiskView>>, ApiError> {
    let items = state.store.risks(CaseId(id)).await?;
    Ok(Json(Items {
        items: items
            .into_iter()
            .map(|r| {
                let d = r.details;
                RiskView {
                    id: r.id,
                    kind: d.kind.slug(),
                    noted_on: d.noted_on.to_string(),
                    indicator: d.indicator.map(|c| c.slug()),
                    source: d.source.map(|c| c.slug()),
                    conclusion: d.conclusion.map(|c| c.slug()),
                    detail: d.detail,
                    responded_on: r.response.map(|(on, _)| on.to_string()),
                    response: r.response.map(|(_, a)| a.slug()),
                    version: r.version,
                }
            })
            .collect(),
    }))
}

async fn risks(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Json<Items<RiskView>>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    case_for(&guard, id, Action::View).await?;
    risk_list(&state, id).await
}

async fn add_risk(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RiskBody>,
) -> Result<Response, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let (record, grant) = case_for(&guard, id, Action::Update).await?;
    let entry = RiskInput {
        kind: body.kind,
        noted_on: body.noted_on,
        indicator: text(body.indicator),
        source: text(body.source),
        conclusion: text(body.conclusion),
        detail: text(body.detail),
    }
    .validate(&record.case, state.clock.today())?;
    state
        .store
        .add_risk(CaseId(id), &entry, &guard.stamp(Some(grant)))
        .await?;
    Ok((StatusCode::CREATED, risk_list(&state, id).await?).into_response())
}

async fn check_response(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path((id, entry)): Path<(String, String)>,
    ApiJson(body): ApiJson<CheckResponseBody>,
) -> Result<Json<Items<RiskView>>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, entry) = ids(&id, &entry)?;
    let (_, grant) = case_for(&guard, id, Action::Update).await?;
    state
        .store
        .record_check_response(
            CaseId(id),
            entry,
            body.version,
            &body.responded_on,
            &body.response,
            state.clock.today(),
            &guard.stamp(Some(grant)),
        )
        .await?;
    risk_list(&state, id).await
}

async fn note_list(state: &AppState, case: &Case) -> Result<Json<NotesView>, ApiError> {
    let notes = state.store.notes(case.id).await?;
    let missing_oversight = case_notes::missing_oversight(
        case,
        &state.store.allocations(case.id).await?,
        &state.store.work_items(case.id).await?,
        &notes,
        state.store.practice_settings().await?.0.oversight,
    );
    Ok(Json(NotesView {
        items: notes
            .into_iter()
            .map(|n| NoteView {
                id: n.id,
                kind: n.details.kind.slug(),
                on: n.details.on.to_string(),
                contact_with: n.details.contact.map(|(w, _)| w.slug()),
                contact_method: n.details.contact.map(|(_, m)| m.slug()),
                oversight_for: n.details.oversight.map(|o| o.slug()),
                work_item_id: n.details.work_item_id,
                body: n.details.body,
                author: n.author,
                recorded_at: n.recorded_at.to_string(),
            })
            .collect(),
        missing_oversight,
    }))
}

async fn notes(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Json<NotesView>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let (record, _) = case_for(&guard, id, Action::View).await?;
    note_list(&state, &record.case).await
}

async fn add_note(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<Response, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let (record, grant) = case_for(&guard, id, Action::Update).await?;
    if let Ok(kind) = NoteKind::parse(&body.kind) {
        let target =
            crate::cases::case_target(&state, CaseId(id), Some(record.case.team_id)).await?;
        case_notes::check_author(kind, crate::cases::manages(&principal, &target))?;
    }
    let input = NoteInput {
        kind: body.kind,
        on: body.on,
        contact_with: text(body.contact_with),
        contact_method: text(body.contact_method),
        oversight_for: text(body.oversight_for),
        work_item_id: body.work_item_id.map(|w| w.to_string()).unwrap_or_default(),
        body: body.body,
    };
    state
        .store
        .add_note(
            CaseId(id),
            &input,
            state.clock.today(),
            &guard.stamp(Some(grant)),
        )
        .await?;
    Ok((StatusCode::CREATED, note_list(&state, &record.case).await?).into_response())
}

async fn ask_more_time(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path((id, item)): Path<(String, String)>,
    ApiJson(body): ApiJson<MoreTimeBody>,
) -> Result<Response, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, item) = ids(&id, &item)?;
    let (_, grant) = case_for(&guard, id, Action::Update).await?;
    let input = WorkExtensionInput {
        requested_on: body.requested_on,
        new_due_on: body.new_due_on,
        reason: body.reason,
    };
    state
        .store
        .request_work_extension(
            CaseId(id),
            item,
            &input,
            state.clock.today(),
            &guard.stamp(Some(grant)),
        )
        .await?;
    Ok((StatusCode::CREATED, work_list(&state, id).await?).into_response())
}

async fn decide_more_time(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    Path((id, item, request)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<Items<WorkItemView>>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, item) = ids(&id, &item)?;
    let request = record_id(&request)?;
    let (_, grant) = case_for(&guard, id, Action::Update).await?;
    state
        .store
        .decide_work_extension(
            CaseId(id),
            item,
            request,
            body.version,
            &body.decision,
            &body.decided_on,
            state.clock.today(),
            &guard.stamp(Some(grant)),
        )
        .await?;
    work_list(&state, id).await
}
