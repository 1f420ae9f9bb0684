//! Administration of accounts, the audit trail and break-glass access.

use crate::AppState;
use crate::auth::{hash_password, new_recovery_codes, random_hex, recovery_code_hash};
use crate::error::{AppError, PageError};
use crate::extract::{HtmlForm, record_id};
use crate::guard::{Guard, forbidden};
use crate::html::{AccessRow, Layout, render};
use crate::session::{RequestMeta, SignedIn};
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tandem_domain::DomainError;
use tandem_domain::access::{self, Action, RecordKind, Role, ScopeRef, UserId};
use tandem_domain::choice::Choice;
use tandem_domain::organisation::StaffId;
use tandem_storage::{AuditFilter, StoreError, UserAccount};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list))
        .route("/admin/users/new", get(new_form).post(create))
        .route("/admin/users/{id}", get(detail))
        .route("/admin/users/{id}/roles", post(add_role))
        .route(
            "/admin/users/{id}/roles/{assignment}/remove",
            post(remove_role),
        )
        .route("/admin/users/{id}/disable", post(disable))
        .route("/admin/users/{id}/enable", post(enable))
        .route("/admin/users/{id}/end-sessions", post(end_sessions))
        .route("/admin/users/{id}/reset", post(issue_reset))
        .route("/admin/audit", get(audit_search))
        .route("/admin/break-glass", get(break_glass_log))
        .route(
            "/admin/bank-holidays",
            get(bank_holidays).post(import_bank_holidays),
        )
}

/// How long an administrator's reset code stays valid.
const RESET_HOURS: i64 = 24;

// ------------------------------------------------------------ list

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    accounts: Vec<UserAccount>,
}

async fn list(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
) -> Result<Html<String>, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::View, RecordKind::UserAccount).await?;
    guard
        .audit_read(grant, RecordKind::UserAccount, None, "list")
        .await?;
    render(&UsersPage {
        layout: Layout::new("/admin", Some(&principal)),
        accounts: state.store.accounts().await?,
    })
}

// ------------------------------------------------------------ new account

#[derive(Template)]
#[template(path = "user_new.html")]
struct NewUserPage {
    layout: Layout,
    username: String,
    staff_id: String,
    error: Option<(String, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    staff_id: String,
}

async fn new_form(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
) -> Result<Html<String>, PageError> {
    Guard::new(&state, &principal, &meta)
        .kind(Action::Create, RecordKind::UserAccount)
        .await?;
    render(&NewUserPage {
        layout: Layout::new("/admin", Some(&principal)),
        username: String::new(),
        staff_id: String::new(),
        error: None,
    })
}

#[derive(Template)]
#[template(path = "reset_code.html")]
struct ResetCodePage {
    layout: Layout,
    user_id: i64,
    username: String,
    code: String,
    hours: i64,
    new_account: bool,
}

/// Issues a reset code for `user` and shows it once to the administrator,
/// who passes it on. The holder then chooses their own password.
async fn reset_code_page(
    guard: &Guard<'_>,
    user: &UserAccount,
    grant: access::Grant,
    new_account: bool,
) -> Result<Html<String>, PageError> {
    let code = new_recovery_codes().swap_remove(0);
    let expires = guard.state.clock.now() + jiff::SignedDuration::from_hours(RESET_HOURS);
    guard
        .state
        .store
        .issue_password_reset(
            user.id,
            &recovery_code_hash(&code),
            expires,
            &guard.stamp(Some(grant)),
        )
        .await?;
    render(&ResetCodePage {
        layout: Layout::new("/admin", Some(guard.principal)),
        user_id: user.id.0,
        username: user.username.clone(),
        code,
        hours: RESET_HOURS,
        new_account,
    })
}

async fn create(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    HtmlForm(form): HtmlForm<NewUserForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::Create, RecordKind::UserAccount).await?;
    let show = |field: &str, message: String| {
        render(&NewUserPage {
            layout: Layout::new("/admin", Some(&principal)),
            username: form.username.clone(),
            staff_id: form.staff_id.clone(),
            error: Some((field.to_owned(), message)),
        })
    };
    let staff_id = match form.staff_id.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(id) => Some(StaffId(id)),
            Err(_) => {
                return Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    show(
                        "staff_id",
                        "Enter the staff member's number, or leave it blank".into(),
                    )?,
                )
                    .into_response());
            }
        },
    };
    // Nobody knows the first password: the holder sets one with a reset code.
    let unusable = hash_password(random_hex(32)).await?;
    match state
        .store
        .create_account(
            &form.username,
            staff_id,
            &unusable,
            &[],
            &guard.stamp(Some(grant)),
        )
        .await
    {
        Ok(account) => Ok(reset_code_page(&guard, &account, grant, true)
            .await?
            .into_response()),
        Err(StoreError::Domain(DomainError::Invalid(errors))) => {
            let e = errors.fields().first().cloned();
            let (field, message) = e.map(|e| (e.field, e.message)).unwrap_or_default();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, show(&field, message)?).into_response())
        }
        Err(StoreError::Domain(DomainError::Duplicate { field, message })) => {
            Ok((StatusCode::CONFLICT, show(&field, message)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------ one account

#[derive(Template)]
#[template(path = "user_detail.html")]
struct UserPage {
    layout: Layout,
    user: UserAccount,
    is_self: bool,
    roles: Vec<(i64, String, String)>,
    role_options: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    notice: &'static str,
}

async fn user_page(
    guard: &Guard<'_>,
    user: UserAccount,
    error: Option<String>,
    notice: &'static str,
) -> Result<Html<String>, PageError> {
    render(&UserPage {
        layout: Layout::new("/admin", Some(guard.principal)),
        is_self: user.id == guard.principal.account.id,
        roles: user
            .roles
            .iter()
            .map(|r| {
                (
                    r.id,
                    r.assignment.role.label().to_owned(),
                    r.scope.to_string(),
                )
            })
            .collect(),
        role_options: Role::ALL.iter().map(|r| (r.slug(), r.label())).collect(),
        user,
        error,
        notice,
    })
}

async fn account_for(state: &AppState, id: &str) -> Result<UserAccount, AppError> {
    Ok(state.store.account(UserId(record_id(id)?)).await?)
}

async fn detail(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::View, RecordKind::UserAccount).await?;
    let user = account_for(&state, &id).await?;
    guard
        .audit_read(grant, RecordKind::UserAccount, Some(user.id.0), "view")
        .await?;
    let notice = match query.as_deref() {
        Some("saved") => "The account has been changed",
        Some("sessions-ended") => "Every session and API token of the account has ended",
        _ => "",
    };
    user_page(&guard, user, None, notice).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoleForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    scope: String,
}

async fn add_role(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    HtmlForm(form): HtmlForm<RoleForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let user = account_for(&state, &id).await?;
    // Nobody changes their own roles, whatever they hold.
    let grant = access::may_change_roles_of(&principal.actor, user.id).map_err(|_| forbidden())?;
    let parsed =
        Role::parse(&form.role).and_then(|role| ScopeRef::parse(&form.scope).map(|s| (role, s)));
    let result = match parsed {
        Ok((role, scope)) => state
            .store
            .assign_role(user.id, role, &scope, &guard.stamp(Some(grant)))
            .await
            .map_err(|e| match e {
                StoreError::Domain(d) => Ok(d.to_string()),
                other => Err(other),
            }),
        Err(message) => Err(Ok(message)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{}?saved", user.id)).into_response()),
        Err(Ok(message)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            user_page(&guard, user, Some(message), "").await?,
        )
            .into_response()),
        Err(Err(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmptyForm {}

async fn remove_role(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path((id, assignment)): Path<(String, String)>,
    HtmlForm(_): HtmlForm<EmptyForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let user = account_for(&state, &id).await?;
    let grant = access::may_change_roles_of(&principal.actor, user.id).map_err(|_| forbidden())?;
    state
        .store
        .remove_role(user.id, record_id(&assignment)?, &guard.stamp(Some(grant)))
        .await?;
    Ok(Redirect::to(&format!("/admin/users/{}?saved", user.id)).into_response())
}

async fn set_disabled(
    state: &AppState,
    principal: &crate::session::Principal,
    meta: &RequestMeta,
    id: &str,
    disabled: bool,
) -> Result<Response, PageError> {
    let guard = Guard::new(state, principal, meta);
    let grant = guard.kind(Action::Update, RecordKind::UserAccount).await?;
    let user = account_for(state, id).await?;
    if user.id == principal.account.id {
        return Ok((
            StatusCode::CONFLICT,
            user_page(
                &guard,
                user,
                Some("You cannot disable your own account".into()),
                "",
            )
            .await?,
        )
            .into_response());
    }
    state
        .store
        .set_account_disabled(user.id, disabled, &guard.stamp(Some(grant)))
        .await?;
    Ok(Redirect::to(&format!("/admin/users/{}?saved", user.id)).into_response())
}

async fn disable(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    HtmlForm(_): HtmlForm<EmptyForm>,
) -> Result<Response, PageError> {
    set_disabled(&state, &principal, &meta, &id, true).await
}

async fn enable(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    HtmlForm(_): HtmlForm<EmptyForm>,
) -> Result<Response, PageError> {
    set_disabled(&state, &principal, &meta, &id, false).await
}

async fn end_sessions(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    HtmlForm(_): HtmlForm<EmptyForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::Update, RecordKind::UserAccount).await?;
    let user = account_for(&state, &id).await?;
    state
        .store
        .end_all_sessions(user.id, &guard.stamp(Some(grant)))
        .await?;
    Ok(Redirect::to(&format!("/admin/users/{}?sessions-ended", user.id)).into_response())
}

async fn issue_reset(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    Path(id): Path<String>,
    HtmlForm(_): HtmlForm<EmptyForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::Update, RecordKind::UserAccount).await?;
    let user = account_for(&state, &id).await?;
    Ok(reset_code_page(&guard, &user, grant, false)
        .await?
        .into_response())
}

// ------------------------------------------------------------ audit

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    username: String,
    record_id: String,
    from: String,
    to: String,
    error: Option<String>,
    rows: Vec<AccessRow>,
    record_types: Vec<(&'static str, bool)>,
}

/// A `YYYY-MM-DD` date as the start of that day in UTC.
fn day_start(text: &str, what: &str) -> Result<Option<jiff::Timestamp>, String> {
    tandem_domain::text::optional_date(text, what).and_then(|date| {
        date.map(|d| {
            d.to_zoned(jiff::tz::TimeZone::UTC)
                .map(|z| z.timestamp())
                .map_err(|e| e.to_string())
        })
        .transpose()
    })
}

const RECORD_TYPES: &[&str] = &[
    "staff_member",
    "user_account",
    "region",
    "service_area",
    "team",
    "office",
    "court",
    "local_authority",
    "api_token",
];

async fn audit_search(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::View, RecordKind::AuditTrail).await?;
    let query = crate::extract::query_map(query);
    let get = |key: &str| query.get(key).cloned().unwrap_or_default();
    let (username, record_type, record_id, from, to) = (
        get("username"),
        get("record_type"),
        get("record_id"),
        get("from"),
        get("to"),
    );
    let range = day_start(&from, "from date").and_then(|f| {
        day_start(&to, "to date").map(|t| (f, t.map(|t| t + jiff::SignedDuration::from_hours(24))))
    });
    let (rows, error) = match range {
        Ok((from_at, to_at)) => {
            let events = state
                .store
                .audit_search(&AuditFilter {
                    username: Some(username.trim().to_lowercase()),
                    record_type: Some(record_type.clone()),
                    record_id: Some(record_id.trim().to_owned()),
                    from: from_at,
                    to: to_at,
                    limit: 500,
                })
                .await?;
            guard
                .audit_read(grant, RecordKind::AuditTrail, None, "search")
                .await?;
            (events.iter().map(AccessRow::from_event).collect(), None)
        }
        Err(message) => (Vec::new(), Some(message)),
    };
    render(&AuditPage {
        layout: Layout::new("/admin", Some(&principal)),
        record_types: RECORD_TYPES
            .iter()
            .map(|t| (*t, *t == record_type))
            .collect(),
        username,
        record_id,
        from,
        to,
        error,
        rows,
    })
}

// ------------------------------------------------------------ break-glass log

#[derive(Template)]
#[template(path = "break_glass_log.html")]
struct BreakGlassLogPage {
    layout: Layout,
    rows: Vec<(String, String, i64, String, String)>,
}

/// Break-glass openings of records in the viewer's scope: what a record's
/// service manager is shown.
async fn break_glass_log(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
) -> Result<Html<String>, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let scope = guard.list_scope(Action::View, RecordKind::AccessLog);
    if scope.is_nothing() {
        return Err(forbidden().into());
    }
    let london = jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC);
    let rows = state
        .store
        .break_glass_in(&scope)
        .await?
        .into_iter()
        .map(|g| {
            (
                g.granted_at
                    .to_zoned(london.clone())
                    .strftime("%-d %b %Y %H:%M")
                    .to_string(),
                g.username,
                g.record_id,
                g.record_type,
                g.reason,
            )
        })
        .collect();
    render(&BreakGlassLogPage {
        layout: Layout::new("/admin", Some(&principal)),
        rows,
    })
}

// ------------------------------------------------------------ bank holidays

#[derive(Template)]
#[template(path = "bank_holidays.html")]
struct BankHolidaysPage {
    layout: Layout,
    years: Vec<(i16, usize)>,
    json: String,
    error: Option<String>,
    notice: &'static str,
}

async fn bank_holidays_page(
    state: &AppState,
    principal: &crate::session::Principal,
    json: String,
    error: Option<String>,
    notice: &'static str,
) -> Result<Html<String>, PageError> {
    let mut years: Vec<(i16, usize)> = Vec::new();
    for h in state.store.bank_holidays().await? {
        match years.last_mut() {
            Some((year, n)) if *year == h.date.year() => *n += 1,
            _ => years.push((h.date.year(), 1)),
        }
    }
    render(&BankHolidaysPage {
        layout: Layout::new("/admin", Some(principal)),
        years,
        json,
        error,
        notice,
    })
}

pub async fn bank_holidays(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, PageError> {
    Guard::new(&state, &principal, &meta)
        .kind(Action::Update, RecordKind::Organisation)
        .await?;
    let notice = if query.as_deref() == Some("imported") {
        "The bank holidays have been imported"
    } else {
        ""
    };
    bank_holidays_page(&state, &principal, String::new(), None, notice).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankHolidaysForm {
    #[serde(default)]
    json: String,
}

/// Imports a GOV.UK bank-holidays.json: the england-and-wales dates of every
/// year it covers replace what was held for those years, all or nothing.
pub async fn import_bank_holidays(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    meta: RequestMeta,
    HtmlForm(form): HtmlForm<BankHolidaysForm>,
) -> Result<Response, PageError> {
    let guard = Guard::new(&state, &principal, &meta);
    let grant = guard.kind(Action::Update, RecordKind::Organisation).await?;
    match tandem_domain::calendar::parse_govuk_bank_holidays(&form.json) {
        Ok(holidays) => {
            state
                .store
                .import_bank_holidays(&holidays, &guard.stamp(Some(grant)))
                .await?;
            Ok(Redirect::to("/admin/bank-holidays?imported").into_response())
        }
        Err(message) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            bank_holidays_page(&state, &principal, form.json, Some(message), "").await?,
        )
            .into_response()),
    }
}
