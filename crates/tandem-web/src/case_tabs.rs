//! The sections of a case's record beyond its overview: the children's
//! experience and outcomes, risk, and notes with management oversight.

use crate::AppState;
use crate::cases::{CaseHead, CaseTab, back_to_case, choices, day, for_update, london, show_tab};
use crate::error::PageError;
use crate::extract::{TypedForm, record_id};
use crate::forms::{FormIds, FormState};
use crate::guard::Guard;
use crate::html::{Layout, render};
use crate::session::{Principal, RequestMeta, SignedIn};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{Html, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tandem_domain::access::{self, Action};
use tandem_domain::case_notes::{
    self, ContactMethod, ContactWith, NoteInput, NoteKind, OversightPoint,
};
use tandem_domain::casework::{CaseId, CaseRecord};
use tandem_domain::child_experience::{
    ChildExperienceInput, ChildOutcomeInput, LivesWith, OrderMade, ToldOutcomeBy,
};
use tandem_domain::choice::Choice;
use tandem_domain::risk::{
    AbuseIndicator, AssessmentConclusion, CheckResponse, InformationSource, RiskInput, RiskKind,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/children", get(children))
        .route(
            "/cases/{id}/children/{child}/experience",
            post(set_experience),
        )
        .route("/cases/{id}/children/{child}/outcome", post(set_outcome))
        .route("/cases/{id}/risk", get(risk).post(add_risk))
        .route("/cases/{id}/risk/{entry}/response", post(check_response))
        .route("/cases/{id}/notes", get(notes).post(add_note))
}

type Options = Vec<(&'static str, &'static str)>;

/// Whether the principal may change the case, and whether they manage it
/// (and so may record management oversight), open or closed.
fn powers(principal: &Principal, target: &access::Target) -> (bool, bool) {
    (
        access::authorize(&principal.actor, Action::Update, target).is_ok(),
        crate::cases::manages(principal, target),
    )
}

// ---------------------------------------------------------------- children

pub struct ChildExperienceView {
    pub id: i64,
    pub name: String,
    pub version: i64,
    pub first_met: String,
    pub wishes: String,
    pub told_by: String,
    pub told_notes: String,
    /// (orders, lives with, contact, date) once recorded.
    pub outcome: Option<(String, &'static str, String, String)>,
    /// What each form starts with.
    pub first_met_value: String,
    pub wishes_value: String,
    pub told_by_value: String,
    pub told_notes_value: String,
    pub orders_value: String,
    pub lives_with_value: String,
    pub contact_value: String,
    pub outcome_on_value: String,
}

#[derive(Template)]
#[template(path = "case_children.html")]
struct ChildrenPage {
    layout: Layout,
    head: CaseHead,
    forms: FormState,
    may_update: bool,
    children: Vec<ChildExperienceView>,
    told_by: Options,
    orders: Options,
    lives_with: Options,
}

pub async fn children_page(
    state: &AppState,
    principal: &Principal,
    record: &CaseRecord,
    forms: FormState,
) -> Result<Html<String>, PageError> {
    let case = &record.case;
    let target = crate::cases::case_target(state, case.id, Some(case.team_id)).await?;
    let (may_update, _) = powers(principal, &target);
    let children = record
        .children
        .iter()
        .map(|c| {
            let e = &c.experience;
            let text = |v: &Option<String>| v.clone().unwrap_or_default();
            ChildExperienceView {
                id: c.id,
                name: c.full_name(),
                version: c.version,
                first_met: e
                    .first_met_fca_on
                    .map(day)
                    .unwrap_or_else(|| "Not yet".into()),
                wishes: e
                    .wishes_and_feelings
                    .clone()
                    .unwrap_or_else(|| "Not recorded yet".into()),
                told_by: e
                    .told_outcome_by
                    .map(|b| b.label().to_owned())
                    .unwrap_or_else(|| "Not recorded yet".into()),
                told_notes: text(&e.told_outcome_notes),
                outcome: c.outcome.as_ref().map(|o| {
                    let orders: Vec<&str> = o.orders.iter().map(|x| x.label()).collect();
                    (
                        orders.join("; "),
                        o.lives_with.label(),
                        text(&o.contact),
                        day(o.recorded_on),
                    )
                }),
                first_met_value: e
                    .first_met_fca_on
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                wishes_value: text(&e.wishes_and_feelings),
                told_by_value: e
                    .told_outcome_by
                    .map(|b| b.slug())
                    .unwrap_or_default()
                    .into(),
                told_notes_value: text(&e.told_outcome_notes),
                orders_value: c
                    .outcome
                    .as_ref()
                    .map(|o| o.order_codes())
                    .unwrap_or_default(),
                lives_with_value: c
                    .outcome
                    .as_ref()
                    .map(|o| o.lives_with.slug())
                    .unwrap_or_default()
                    .into(),
                contact_value: c
                    .outcome
                    .as_ref()
                    .and_then(|o| o.contact.clone())
                    .unwrap_or_default(),
                outcome_on_value: c
                    .outcome
                    .as_ref()
                    .map(|o| o.recorded_on.to_string())
                    .unwrap_or_else(|| state.clock.today().to_string()),
            }
        })
        .collect();
    render(&ChildrenPage {
        layout: Layout::new("/cases", Some(principal)),
        head: CaseHead::of(state, case, CaseTab::Children).await?,
        forms,
        may_update,
        children,
        told_by: choices::<ToldOutcomeBy>(),
        orders: choices::<OrderMade>(),
        lives_with: choices::<LivesWith>(),
    })
}

async fn children(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    show_tab(&state, &principal, &meta, &id, CaseTab::Children).await
}

async fn set_experience(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path((id, child)): Path<(String, String)>,
    TypedForm(input, typed): TypedForm<ChildExperienceInput>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, _, grant) = for_update(&guard, &id).await?;
    let child = record_id(&child)?;
    let result = state
        .store
        .set_child_experience(
            CaseId(id),
            child,
            &input,
            state.clock.today(),
            &guard.stamp(Some(grant)),
        )
        .await;
    let ids = FormIds::per_item("experience", child, "first-met-fca-on");
    back_to_case(
        &state,
        &principal,
        id,
        CaseTab::Children,
        result,
        &ids,
        typed,
    )
    .await
}

async fn set_outcome(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path((id, child)): Path<(String, String)>,
    TypedForm(input, typed): TypedForm<ChildOutcomeInput>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, _, grant) = for_update(&guard, &id).await?;
    let child = record_id(&child)?;
    let result = state
        .store
        .set_child_outcome(
            CaseId(id),
            child,
            &input,
            state.clock.today(),
            &guard.stamp(Some(grant)),
        )
        .await;
    let ids = FormIds::per_item("outcome", child, "orders");
    back_to_case(
        &state,
        &principal,
        id,
        CaseTab::Children,
        result,
        &ids,
        typed,
    )
    .await
}

// -------------------------------------------------------------------- risk

pub struct RiskView {
    pub id: i64,
    pub version: i64,
    pub kind: &'static str,
    pub noted: String,
    /// The indicator or the conclusion.
    pub what: String,
    pub source: String,
    pub detail: String,
    pub response: String,
    pub awaiting: bool,
}

#[derive(Template)]
#[template(path = "case_risk.html")]
struct RiskPage {
    layout: Layout,
    head: CaseHead,
    forms: FormState,
    today: String,
    may_update: bool,
    entries: Vec<RiskView>,
    kinds: Options,
    indicators: Options,
    sources: Options,
    conclusions: Options,
    responses: Options,
}

pub async fn risk_page(
    state: &AppState,
    principal: &Principal,
    record: &CaseRecord,
    forms: FormState,
) -> Result<Html<String>, PageError> {
    let case = &record.case;
    let target = crate::cases::case_target(state, case.id, Some(case.team_id)).await?;
    let (may_update, _) = powers(principal, &target);
    let entries = state
        .store
        .risks(case.id)
        .await?
        .into_iter()
        .map(|r| {
            let d = &r.details;
            RiskView {
                id: r.id,
                version: r.version,
                kind: d.kind.label(),
                noted: day(d.noted_on),
                what: d
                    .indicator
                    .map(|i| i.label())
                    .or(d.conclusion.map(|c| c.label()))
                    .unwrap_or_default()
                    .into(),
                source: d.source.map(|s| s.label()).unwrap_or_default().into(),
                detail: d.detail.clone().unwrap_or_default(),
                response: match r.response {
                    Some((on, answer)) => format!("{} ({})", answer.label(), day(on)),
                    None if d.kind.is_check() => "Awaiting response".into(),
                    None => String::new(),
                },
                awaiting: r.awaiting_response(),
            }
        })
        .collect();
    render(&RiskPage {
        layout: Layout::new("/cases", Some(principal)),
        head: CaseHead::of(state, case, CaseTab::Risk).await?,
        forms,
        today: state.clock.today().to_string(),
        may_update: may_update && !case.is_closed(),
        entries,
        kinds: choices::<RiskKind>(),
        indicators: choices::<AbuseIndicator>(),
        sources: choices::<InformationSource>(),
        conclusions: choices::<AssessmentConclusion>(),
        responses: choices::<CheckResponse>(),
    })
}

async fn risk(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    show_tab(&state, &principal, &meta, &id, CaseTab::Risk).await
}

async fn add_risk(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    TypedForm(input, typed): TypedForm<RiskInput>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, record, grant) = for_update(&guard, &id).await?;
    let result = match input.validate(&record.case, state.clock.today()) {
        Ok(entry) => {
            state
                .store
                .add_risk(CaseId(id), &entry, &guard.stamp(Some(grant)))
                .await
        }
        Err(e) => Err(e.into()),
    };
    let ids = FormIds::new("risk", "risk-", "risk-kind");
    back_to_case(&state, &principal, id, CaseTab::Risk, result, &ids, typed).await
}

#[derive(Debug, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct ResponseForm {
    responded_on: String,
    response: String,
    version: String,
}

async fn check_response(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path((id, entry)): Path<(String, String)>,
    TypedForm(form, typed): TypedForm<ResponseForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, _, grant) = for_update(&guard, &id).await?;
    let entry = record_id(&entry)?;
    let result = state
        .store
        .record_check_response(
            CaseId(id),
            entry,
            form.version.trim().parse().unwrap_or(0),
            &form.responded_on,
            &form.response,
            state.clock.today(),
            &guard.stamp(Some(grant)),
        )
        .await;
    let ids = FormIds::per_item("response", entry, "responded-on");
    back_to_case(&state, &principal, id, CaseTab::Risk, result, &ids, typed).await
}

// ------------------------------------------------------------------- notes

pub struct NoteView {
    pub on: String,
    pub kind: &'static str,
    pub about: String,
    pub body: String,
    pub author: String,
    pub recorded: String,
}

#[derive(Template)]
#[template(path = "case_notes.html")]
struct NotesPage {
    layout: Layout,
    head: CaseHead,
    forms: FormState,
    today: String,
    may_update: bool,
    missing: Vec<String>,
    notes: Vec<NoteView>,
    kinds: Options,
    withs: Options,
    methods: Options,
    points: Options,
    /// (id, label) of the case's work, for oversight before filing.
    work: Vec<(i64, String)>,
}

pub async fn notes_page(
    state: &AppState,
    principal: &Principal,
    record: &CaseRecord,
    forms: FormState,
) -> Result<Html<String>, PageError> {
    let case = &record.case;
    let target = crate::cases::case_target(state, case.id, Some(case.team_id)).await?;
    let (may_update, manages) = powers(principal, &target);
    let notes = state.store.notes(case.id).await?;
    let work = state.store.work_items(case.id).await?;
    let allocations = state.store.allocations(case.id).await?;
    let (settings, _) = state.store.practice_settings().await?;
    let missing =
        case_notes::missing_oversight(case, &allocations, &work, &notes, settings.oversight);
    let work_label = |id: i64| {
        work.iter()
            .find(|w| w.id == id)
            .map(|w| format!("{} due {}", w.kind.label(), day(w.due_on)))
            .unwrap_or_default()
    };
    let notes = notes
        .into_iter()
        .map(|n| {
            let d = &n.details;
            let about = match (d.contact, d.oversight, d.work_item_id) {
                (Some((with, how)), _, _) => format!("{} – {}", with.label(), how.label()),
                (_, Some(point), Some(item)) => format!("{}: {}", point.label(), work_label(item)),
                (_, Some(point), None) => point.label().into(),
                _ => String::new(),
            };
            NoteView {
                on: day(d.on),
                kind: d.kind.label(),
                about,
                body: d.body.clone(),
                author: n.author,
                recorded: london(n.recorded_at),
            }
        })
        .collect();
    let kinds = NoteKind::ALL
        .iter()
        .filter(|k| manages || **k != NoteKind::Oversight)
        .map(|k| (k.slug(), k.label()))
        .collect();
    render(&NotesPage {
        layout: Layout::new("/cases", Some(principal)),
        head: CaseHead::of(state, case, CaseTab::Notes).await?,
        forms,
        today: state.clock.today().to_string(),
        may_update,
        missing,
        notes,
        kinds,
        withs: choices::<ContactWith>(),
        methods: choices::<ContactMethod>(),
        points: choices::<OversightPoint>(),
        work: work
            .iter()
            .map(|w| (w.id, format!("{} due {}", w.kind.label(), day(w.due_on))))
            .collect(),
    })
}

async fn notes(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    show_tab(&state, &principal, &meta, &id, CaseTab::Notes).await
}

async fn add_note(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    TypedForm(input, typed): TypedForm<NoteInput>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let (id, record, grant) = for_update(&guard, &id).await?;
    let target = crate::cases::case_target(&state, CaseId(id), Some(record.case.team_id)).await?;
    let (_, manages) = powers(&principal, &target);
    let result = match NoteKind::parse(&input.kind)
        .ok()
        .map(|kind| case_notes::check_author(kind, manages))
    {
        Some(Err(e)) => Err(e.into()),
        _ => {
            state
                .store
                .add_note(
                    CaseId(id),
                    &input,
                    state.clock.today(),
                    &guard.stamp(Some(grant)),
                )
                .await
        }
    };
    let ids = FormIds::new("note", "note-", "note-kind");
    back_to_case(&state, &principal, id, CaseTab::Notes, result, &ids, typed).await
}
