//! The organisation's practice settings: targets, long-running thresholds,
//! caseload weights and required oversight. Everyone signed in may read
//! them (they are the rules the clocks show); administrators of the
//! organisation change them.

use crate::AppState;
use crate::error::{ApiError, PageError};
use crate::extract::{ApiJson, TypedForm};
use crate::forms::{FormIds, FormState};
use crate::guard::Guard;
use crate::html::{Layout, render};
use crate::session::{ApiCaller, RequestMeta, SignedIn};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tandem_domain::DomainError;
use tandem_domain::access::{Action, RecordKind};
use tandem_domain::practice_settings::{PracticeSettings, PracticeSettingsInput};
use tandem_storage::StoreError;
use utoipa::ToSchema;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/practice-settings", get(show).post(save))
}

pub fn api_routes() -> Router<AppState> {
    Router::new().route("/practice-settings", get(api_show).put(api_save))
}

#[derive(Template)]
#[template(path = "practice_settings.html")]
struct SettingsPage {
    layout: Layout,
    forms: FormState,
    values: PracticeSettingsInput,
    notice: &'static str,
    yes_no: Vec<(&'static str, &'static str)>,
}

const FORM: &str = "settings";

async fn page(
    state: &AppState,
    principal: &crate::session::Principal,
    forms: FormState,
    notice: &'static str,
) -> Result<Html<String>, PageError> {
    let (settings, version) = state.store.practice_settings().await?;
    render(&SettingsPage {
        layout: Layout::new("/admin", Some(principal)),
        forms,
        values: settings.as_input(version),
        notice,
        yes_no: vec![("yes", "Yes"), ("no", "No")],
    })
}

async fn show(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, PageError> {
    Guard::new(&state, &principal, &meta)
        .kind(Action::Update, RecordKind::Organisation)
        .await?;
    let notice = if query.as_deref() == Some("saved") {
        "The practice settings have been saved"
    } else {
        ""
    };
    page(&state, &principal, FormState::default(), notice).await
}

async fn save(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    TypedForm(input, typed): TypedForm<PracticeSettingsInput>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::Update, RecordKind::Organisation).await?;
    let result = match (input.validate(), input.version.trim().parse()) {
        (Ok(settings), Ok(version)) => {
            state
                .store
                .set_practice_settings(&settings, version, &guard.stamp(Some(grant)))
                .await
        }
        (Err(e), _) => Err(e.into()),
        (_, Err(_)) => Err(DomainError::StaleVersion {
            kind: "practice settings",
        }
        .into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/admin/practice-settings?saved").into_response()),
        Err(StoreError::Domain(
            e @ (DomainError::Invalid(_) | DomainError::StaleVersion { .. }),
        )) => {
            let status = if matches!(e, DomainError::StaleVersion { .. }) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let ids = FormIds::new(FORM, "", "safeguarding-letter-days");
            let forms = FormState::new(Some(ids.refused(&e, typed)));
            Ok((status, page(&state, &principal, forms, "").await?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// The organisation's practice settings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PracticeSettingsBody {
    /// Working days from receipt.
    safeguarding_letter_days: u32,
    /// Working days from receipt.
    private_law_allocation_days: u32,
    /// Working days from receipt.
    public_law_allocation_days: u32,
    /// Working days from allocation.
    first_contact_with_child_days: u32,
    /// Weeks after which an open private law case is long-running.
    private_law_weeks: u32,
    /// Weeks after which an open public law case is long-running.
    public_law_weeks: u32,
    /// Caseload points per case.
    weight_private_law: f64,
    weight_section_7_report: f64,
    weight_public_law: f64,
    weight_adoption: f64,
    /// Whether a manager's oversight is required after each allocation.
    oversight_at_allocation: bool,
    /// Whether a manager's oversight is required before work is filed.
    oversight_before_filing: bool,
    /// The version read; 0 while the defaults apply.
    version: i64,
}

impl PracticeSettingsBody {
    fn of(s: &PracticeSettings, version: i64) -> Self {
        Self {
            safeguarding_letter_days: s.targets.safeguarding_letter_days,
            private_law_allocation_days: s.targets.private_law_allocation_days,
            public_law_allocation_days: s.targets.public_law_allocation_days,
            first_contact_with_child_days: s.targets.first_contact_with_child_days,
            private_law_weeks: u32::try_from(s.thresholds.private_law_weeks).unwrap_or_default(),
            public_law_weeks: u32::try_from(s.thresholds.public_law_weeks).unwrap_or_default(),
            weight_private_law: s.weights.private_law,
            weight_section_7_report: s.weights.section_7_report,
            weight_public_law: s.weights.public_law,
            weight_adoption: s.weights.adoption,
            oversight_at_allocation: s.oversight.at_allocation,
            oversight_before_filing: s.oversight.before_filing,
            version,
        }
    }

    /// The same checks as the form, field by field.
    fn input(&self) -> PracticeSettingsInput {
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
        PracticeSettingsInput {
            safeguarding_letter_days: self.safeguarding_letter_days.to_string(),
            private_law_allocation_days: self.private_law_allocation_days.to_string(),
            public_law_allocation_days: self.public_law_allocation_days.to_string(),
            first_contact_with_child_days: self.first_contact_with_child_days.to_string(),
            private_law_weeks: self.private_law_weeks.to_string(),
            public_law_weeks: self.public_law_weeks.to_string(),
            weight_private_law: self.weight_private_law.to_string(),
            weight_section_7_report: self.weight_section_7_report.to_string(),
            weight_public_law: self.weight_public_law.to_string(),
            weight_adoption: self.weight_adoption.to_string(),
            oversight_at_allocation: yes_no(self.oversight_at_allocation),
            oversight_before_filing: yes_no(self.oversight_before_filing),
            version: self.version.to_string(),
        }
    }
}

async fn current(state: &AppState) -> Result<Json<PracticeSettingsBody>, ApiError> {
    let (settings, version) = state.store.practice_settings().await?;
    Ok(Json(PracticeSettingsBody::of(&settings, version)))
}

async fn api_show(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
) -> Result<Json<PracticeSettingsBody>, ApiError> {
    Guard::new(&state, &principal, &meta)
        .kind(Action::View, RecordKind::Organisation)
        .await?;
    current(&state).await
}

async fn api_save(
    State(state): State<AppState>,
    ApiCaller(principal): ApiCaller,
    meta: RequestMeta,
    ApiJson(body): ApiJson<PracticeSettingsBody>,
) -> Result<Json<PracticeSettingsBody>, ApiError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::Update, RecordKind::Organisation).await?;
    let settings = body.input().validate()?;
    state
        .store
        .set_practice_settings(&settings, body.version, &guard.stamp(Some(grant)))
        .await?;
    current(&state).await
}
