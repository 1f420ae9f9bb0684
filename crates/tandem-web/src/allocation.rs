//! Allocation: a team's queue of cases waiting for a worker, its workers'
//! caseloads against the team's safe limit, and giving a case to a worker.

use crate::AppState;
use crate::cases::open_case;
use crate::error::{AppError, PageError};
use crate::extract::{HtmlForm, TypedForm, record_id};
use crate::forms::FormIds;
use crate::guard::{Guard, Refusal, forbidden};
use crate::html::{Layout, render};
use crate::session::{Principal, RequestMeta, SignedIn};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tandem_domain::access::{Action, RecordKind, Target};
use tandem_domain::casework::{Case, CaseId, Caseload};
use tandem_domain::organisation::{StaffId, StaffMember, Team, TeamId};
use tandem_domain::{DomainError, ValidationErrors};
use tandem_storage::StoreError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/teams/{id}/allocation", get(team_page))
        .route("/teams/{id}/safe-caseload", post(set_safe_caseload))
        .route("/cases/{id}/allocate", post(allocate))
        .route("/children/yet-to-meet", get(yet_to_meet))
}

#[derive(Template)]
#[template(path = "yet_to_meet.html")]
struct YetToMeetPage {
    layout: Layout,
    /// (case id, case number, child, worker, allocated on, days waiting)
    rows: Vec<(i64, String, String, String, String, i64)>,
}

/// Children in open, allocated cases within the caller's scope who have not
/// met their family court adviser, longest waiting first: for oversight.
async fn yet_to_meet(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
) -> Result<Html<String>, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::View, RecordKind::Case).await?;
    let today = state.clock.today();
    let rows = state
        .store
        .children_yet_to_meet(&guard.list_scope(Action::View, RecordKind::Case))
        .await?
        .into_iter()
        .map(|c| {
            (
                c.case_id.0,
                c.case_number,
                c.child_name,
                c.worker,
                crate::cases::day(c.allocated_on),
                tandem_domain::child_experience::days_waiting_to_meet(c.allocated_on, today),
            )
        })
        .collect();
    guard
        .audit_read(grant, RecordKind::Case, None, "list-yet-to-meet")
        .await?;
    render(&YetToMeetPage {
        layout: Layout::new("/cases", Some(&principal)),
        rows,
    })
}

/// The policy target for allocating a team's cases.
pub async fn team_target(state: &AppState, team: TeamId) -> Result<Target, AppError> {
    Ok(Target {
        kind: RecordKind::Case,
        record_id: None,
        placement: Some(state.store.placement_of_team(Some(team)).await?),
    })
}

/// One worker's line in a team's caseload table.
pub struct LoadRow {
    pub name: String,
    pub fte: String,
    pub cases: usize,
    pub points: String,
    pub per_fte: String,
    pub over: bool,
}

pub struct QueueRow {
    pub id: i64,
    pub number: String,
    pub stage: &'static str,
    pub waiting_days: i64,
    pub harm: bool,
}

/// Caseloads of `workers`, from the open cases they hold.
pub async fn caseloads(
    state: &AppState,
    workers: &[StaffMember],
    safe: f64,
) -> Result<Vec<LoadRow>, AppError> {
    let ids: Vec<StaffId> = workers.iter().map(|w| w.id).collect();
    let held = state.store.cases_held_by(&ids).await?;
    let (settings, _) = state.store.practice_settings().await?;
    let weights = settings.weights;
    Ok(workers
        .iter()
        .map(|w| {
            let mine: Vec<&Case> = held
                .iter()
                .filter(|c| c.allocated_to == Some(w.id))
                .collect();
            let load = Caseload::of(&mine, &weights, w.fte);
            LoadRow {
                name: w.full_name(),
                fte: w.fte.to_string(),
                cases: load.cases,
                points: format!("{:.1}", load.points),
                per_fte: format!("{:.1}", load.points_per_fte()),
                over: load.is_over(safe),
            }
        })
        .collect())
}

#[derive(Template)]
#[template(path = "allocation.html")]
struct TeamPage {
    layout: Layout,
    team: Team,
    queue: Vec<QueueRow>,
    loads: Vec<LoadRow>,
    safe: String,
    error: Option<String>,
}

async fn team_view(
    state: &AppState,
    principal: &Principal,
    team: Team,
    error: Option<String>,
) -> Result<Html<String>, PageError> {
    let today = state.clock.today();
    let queue = state
        .store
        .allocation_queue(team.id)
        .await?
        .into_iter()
        .map(|(case, harm)| QueueRow {
            id: case.id.0,
            number: case.case_number.clone(),
            stage: case.stage_label(),
            waiting_days: (today - case.received_on).get_days().into(),
            harm,
        })
        .collect();
    let safe = state.store.safe_caseload(team.id).await?;
    let workers: Vec<StaffMember> = state
        .store
        .practitioners_in_area(team.service_area_id, today)
        .await?
        .into_iter()
        .filter(|w| w.team_id == Some(team.id))
        .collect();
    let loads = caseloads(state, &workers, safe).await?;
    render(&TeamPage {
        layout: Layout::new("/cases", Some(principal)),
        team,
        queue,
        loads,
        safe: format!("{safe:.1}"),
        error,
    })
}

async fn team_page(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let team: Team = state.store.get(record_id(&id)?).await?;
    let target = team_target(&state, team.id).await?;
    match guard.record(Action::Allocate, &target).await {
        Ok(grant) => {
            guard
                .audit_read(grant, RecordKind::Case, None, "view-allocation")
                .await?
        }
        Err(Refusal::Failed(e)) => return Err(e.into()),
        Err(_) => return Err(forbidden().into()),
    }
    team_view(&state, &principal, team, None).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitForm {
    #[serde(default)]
    points_per_fte: String,
}

async fn set_safe_caseload(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<LimitForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let team: Team = state.store.get(record_id(&id)?).await?;
    let target = team_target(&state, team.id).await?;
    let grant = guard
        .record(Action::Allocate, &target)
        .await
        .map_err(|_| forbidden())?;
    let points = form
        .points_per_fte
        .trim()
        .parse::<f64>()
        .unwrap_or(f64::NAN);
    match state
        .store
        .set_safe_caseload(team.id, points, &guard.stamp(Some(grant)))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/teams/{}/allocation", team.id)).into_response()),
        Err(StoreError::Domain(DomainError::Invalid(e))) => {
            let message = e.fields().first().map(|f| f.message.clone());
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                team_view(&state, &principal, team, message).await?,
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AllocateForm {
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: String,
}

/// The allocation form's own fields, before the policy and the team are asked.
fn check_allocation(
    form: &AllocateForm,
) -> Result<(StaffId, jiff::civil::Date, Option<String>), DomainError> {
    let mut errors = ValidationErrors::new();
    let worker = form.staff_id.trim().parse().ok().map(StaffId);
    if worker.is_none() {
        errors.add("staff_id", "Choose who to allocate the case to");
    }
    let on = errors.check("on", tandem_domain::text::date(&form.on, "date"));
    let reason = errors.check(
        "reason",
        tandem_domain::casework::reason(&form.reason, false),
    );
    match (worker, on, reason) {
        (Some(worker), Some(on), Some(reason)) if errors.is_empty() => Ok((worker, on, reason)),
        _ => Err(DomainError::Invalid(errors)),
    }
}

async fn allocate(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    TypedForm(form, typed): TypedForm<AllocateForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let id = record_id(&id)?;
    let (_, grant) = open_case(&guard, id, Action::Allocate)
        .await
        .map_err(AppError::from)?;
    let ids = FormIds::new("allocate", "allocate-", "staff_id");
    let checked = check_allocation(&form);
    let result = match checked {
        Ok((worker, on, reason)) => {
            state
                .store
                .allocate_case(
                    CaseId(id),
                    form.version.trim().parse().unwrap_or(0),
                    worker,
                    on,
                    reason.as_deref(),
                    &guard.stamp(Some(grant)),
                )
                .await
        }
        Err(e) => Err(e.into()),
    };
    crate::cases::back_to_case(
        &state,
        &principal,
        id,
        crate::cases::CaseTab::Overview,
        result,
        &ids,
        typed,
    )
    .await
}
