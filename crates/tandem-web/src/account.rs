//! Signing in and out, the second factor, and a person's own account.

use crate::AppState;
use crate::auth::{
    self, hash_password, new_recovery_codes, new_token, new_totp_secret, recovery_code_hash,
    token_hash, totp_matches, verify_password,
};
use crate::error::{AppError, PageError};
use crate::extract::HtmlForm;
use crate::html::{Layout, render};
use crate::session::{
    InSession, MaybeSignedIn, Principal, RequestMeta, SignedIn, expired_cookie, session_cookie,
};
use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tandem_domain::audit::{Outcome, Stamp};
use tandem_domain::choice::Choice;
use tandem_domain::password::check_new_password;
use tandem_storage::{Credentials, SessionStage};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route(
            "/sign-in/second-factor",
            get(second_factor_form).post(second_factor),
        )
        .route("/sign-out", post(sign_out))
        .route("/account", get(account))
        .route("/account/password", post(change_password))
        .route("/account/second-factor", get(enrol_form).post(enrol))
        .route("/account/sign-out-everywhere", post(sign_out_everywhere))
        .route("/reset-password", get(reset_form).post(reset_password))
}

/// A form shown again with one problem, at `status`.
fn again(status: StatusCode, page: Result<Html<String>, PageError>) -> Result<Response, PageError> {
    Ok((status, page?).into_response())
}

// ------------------------------------------------------------ sign in

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    username: String,
    error: Option<String>,
    notice: &'static str,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

fn sign_in_page(
    username: String,
    error: Option<String>,
    notice: &'static str,
) -> Result<Html<String>, PageError> {
    render(&SignInPage {
        layout: Layout::new("", None),
        username,
        error,
        notice,
    })
}

async fn sign_in_form(
    MaybeSignedIn(principal): MaybeSignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    if principal.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let notice = match query.as_deref() {
        Some("signed-out") => "You have signed out",
        Some("password-set") => "Your password has been set. Sign in with it",
        _ => "",
    };
    Ok(sign_in_page(String::new(), None, notice)?.into_response())
}

/// Whether attempts to sign in as `username`, or from this address, are
/// paused after too many recent failures.
async fn throttled(state: &AppState, meta: &RequestMeta, username: &str) -> Result<bool, AppError> {
    let throttle = state.config.throttle;
    let name = meta
        .anonymous_stamp(username, state.clock.now())
        .actor_username;
    let (by_account, by_address) = state
        .store
        .failed_sign_ins(
            &name,
            meta.client_ip.as_deref(),
            throttle.since(state.clock.now()),
        )
        .await?;
    Ok(throttle.refuses(by_account, by_address))
}

/// What checking a username, password (and, for the API, a code) found.
pub enum Checked {
    Accepted(Box<Credentials>),
    /// Too many recent failures: nothing was checked.
    Throttled,
    Refused,
}

/// Checks a username and password, throttled per account and per address,
/// taking the same time whether or not the account exists. Failures are
/// audited; they are what the throttle counts.
pub async fn check_password(
    state: &AppState,
    meta: &RequestMeta,
    username: &str,
    password: &str,
) -> Result<Checked, AppError> {
    let now = state.clock.now();
    let stamp = meta.anonymous_stamp(username, now);
    if throttled(state, meta, username).await? {
        state
            .store
            .audit(&stamp.entry("sign-in-throttled", Outcome::Denied, None, None))
            .await?;
        return Ok(Checked::Throttled);
    }
    let credentials = state.store.credentials(username).await?;
    let matches = verify_password(
        password.to_owned(),
        credentials.as_ref().map(|c| c.password_hash.clone()),
    )
    .await?;
    match credentials {
        Some(c) if matches && !c.account.disabled => Ok(Checked::Accepted(Box::new(c))),
        other => {
            let stamp = Stamp {
                actor_user_id: other.map(|c| c.account.id),
                ..stamp
            };
            state
                .store
                .audit(&stamp.entry("sign-in-failed", Outcome::Denied, None, None))
                .await?;
            Ok(Checked::Refused)
        }
    }
}

const WRONG: &str = "Enter a correct username and password";
const THROTTLED: &str =
    "There have been too many attempts to sign in. Wait 15 minutes, then try again";

async fn sign_in(
    State(state): State<AppState>,
    meta: RequestMeta,
    MaybeSignedIn(current): MaybeSignedIn,
    HtmlForm(form): HtmlForm<SignInForm>,
) -> Result<Response, PageError> {
    let credentials = match check_password(&state, &meta, &form.username, &form.password).await? {
        Checked::Accepted(c) => c,
        Checked::Throttled => {
            return again(
                StatusCode::TOO_MANY_REQUESTS,
                sign_in_page(form.username, Some(THROTTLED.into()), ""),
            );
        }
        Checked::Refused => {
            return again(
                StatusCode::UNAUTHORIZED,
                sign_in_page(form.username, Some(WRONG.into()), ""),
            );
        }
    };
    let account = &credentials.account;
    let needs_enrolment = state.config.second_factor_for_everyone
        || account
            .roles
            .iter()
            .any(|r| r.assignment.role == tandem_domain::access::Role::SystemAdministrator);
    let stage = if credentials.totp_secret.is_some() {
        SessionStage::SecondFactor
    } else if needs_enrolment {
        SessionStage::Enrol
    } else {
        SessionStage::Complete
    };
    let now = state.clock.now();
    // A new session, with a new id and CSRF token, at every sign-in: any
    // session the browser already had ends here.
    if let Some(old) = current.and_then(|p| p.session) {
        state.store.end_session(old.id, None).await?;
    }
    let token = new_token();
    let stamp = Stamp {
        actor_user_id: Some(account.id),
        ..meta.anonymous_stamp(&account.username, now)
    };
    let action = if stage == SessionStage::Complete {
        "sign-in"
    } else {
        "sign-in-password-accepted"
    };
    state
        .store
        .start_session(
            account.id,
            &token_hash(&token),
            &new_token(),
            stage,
            now,
            &stamp.entry(action, Outcome::Allowed, None, None),
        )
        .await?;
    let next = match stage {
        SessionStage::Complete => "/",
        SessionStage::SecondFactor => "/sign-in/second-factor",
        SessionStage::Enrol => "/account/second-factor",
    };
    let mut response = Redirect::to(next).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, &token));
    Ok(response)
}

// ------------------------------------------------------------ second factor

#[derive(Template)]
#[template(path = "second_factor.html")]
struct SecondFactorPage {
    layout: Layout,
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

fn second_factor_page(
    principal: &Principal,
    error: Option<String>,
) -> Result<Html<String>, PageError> {
    let mut layout = Layout::new("", None);
    layout.csrf = principal.csrf_token();
    render(&SecondFactorPage { layout, error })
}

async fn second_factor_form(InSession(principal): InSession) -> Result<Response, PageError> {
    if principal.stage() != SessionStage::SecondFactor {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(second_factor_page(&principal, None)?.into_response())
}

/// Accepts a code from the authenticator app, or an unused recovery code.
pub async fn second_factor_accepted(
    state: &AppState,
    credentials: &Credentials,
    code: &str,
    stamp: &Stamp,
) -> Result<bool, AppError> {
    let Some(secret) = &credentials.totp_secret else {
        return Ok(false);
    };
    if totp_matches(secret, &credentials.account.username, code, stamp.at) {
        return Ok(true);
    }
    Ok(state
        .store
        .use_recovery_code(credentials.account.id, &recovery_code_hash(code), stamp)
        .await?)
}

async fn second_factor(
    State(state): State<AppState>,
    meta: RequestMeta,
    InSession(principal): InSession,
    HtmlForm(form): HtmlForm<CodeForm>,
) -> Result<Response, PageError> {
    let Some(session) = principal.session.clone() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    if session.stage != SessionStage::SecondFactor {
        return Ok(Redirect::to("/").into_response());
    }
    let now = state.clock.now();
    let stamp = principal.stamp(&meta, now, None);
    if throttled(&state, &meta, &principal.account.username).await? {
        state
            .store
            .end_session(
                session.id,
                Some(&stamp.entry("sign-in-throttled", Outcome::Denied, None, None)),
            )
            .await?;
        let mut response = (
            StatusCode::TOO_MANY_REQUESTS,
            sign_in_page(String::new(), Some(THROTTLED.into()), "")?,
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::SET_COOKIE, expired_cookie());
        return Ok(response);
    }
    let credentials = state.store.credentials_by_id(principal.account.id).await?;
    if !second_factor_accepted(&state, &credentials, &form.code, &stamp).await? {
        state
            .store
            .audit(&stamp.entry(
                "sign-in-failed",
                Outcome::Denied,
                None,
                Some("second factor".into()),
            ))
            .await?;
        return again(
            StatusCode::UNAUTHORIZED,
            second_factor_page(&principal, Some("Enter the current 6-digit code from your authenticator app, or one of your recovery codes".into())),
        );
    }
    state
        .store
        .update_session(session.id, SessionStage::Complete, None, now)
        .await?;
    state
        .store
        .audit(&stamp.entry(
            "sign-in",
            Outcome::Allowed,
            None,
            Some("with second factor".into()),
        ))
        .await?;
    Ok(Redirect::to("/").into_response())
}

// ------------------------------------------------------------ enrolment

#[derive(Template)]
#[template(path = "enrol.html")]
struct EnrolPage {
    layout: Layout,
    secret: String,
    qr_svg: String,
    replacing: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct RecoveryCodesPage {
    layout: Layout,
    codes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnrolForm {
    #[serde(default)]
    code: String,
    /// Required when replacing an existing second factor (ASVS 7.5.1).
    #[serde(default)]
    password: String,
}

fn enrol_layout(principal: &Principal) -> Layout {
    if principal.stage() == SessionStage::Complete {
        Layout::new("/account", Some(principal))
    } else {
        let mut layout = Layout::new("", None);
        layout.csrf = principal.csrf_token();
        layout
    }
}

/// Shows the QR code for a new second factor. The secret waits in the
/// session until a code from it proves the app has it.
async fn enrol_form(
    State(state): State<AppState>,
    InSession(principal): InSession,
) -> Result<Response, PageError> {
    let Some(session) = principal.session.clone() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    if session.stage == SessionStage::SecondFactor {
        return Ok(Redirect::to("/sign-in/second-factor").into_response());
    }
    let secret = match session.pending_totp_secret.clone() {
        Some(secret) => secret,
        None => {
            let secret = new_totp_secret();
            state
                .store
                .update_session(
                    session.id,
                    session.stage,
                    Some(&secret),
                    session.last_seen_at,
                )
                .await?;
            secret
        }
    };
    let username = &principal.account.username;
    Ok(render(&EnrolPage {
        layout: enrol_layout(&principal),
        qr_svg: auth::totp_qr_svg(&secret, username),
        secret,
        replacing: principal.account.has_second_factor,
        error: None,
    })?
    .into_response())
}

async fn enrol(
    State(state): State<AppState>,
    meta: RequestMeta,
    InSession(principal): InSession,
    HtmlForm(form): HtmlForm<EnrolForm>,
) -> Result<Response, PageError> {
    let Some(session) = principal.session.clone() else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    let Some(secret) = session.pending_totp_secret.clone() else {
        return Ok(Redirect::to("/account/second-factor").into_response());
    };
    if session.stage == SessionStage::SecondFactor {
        return Ok(Redirect::to("/sign-in/second-factor").into_response());
    }
    let now = state.clock.now();
    let username = principal.account.username.clone();
    let show_again = |error: &str| {
        render(&EnrolPage {
            layout: enrol_layout(&principal),
            qr_svg: auth::totp_qr_svg(&secret, &username),
            secret: secret.clone(),
            replacing: principal.account.has_second_factor,
            error: Some(error.to_owned()),
        })
    };
    // Replacing a working second factor needs the password again.
    if principal.account.has_second_factor {
        let credentials = state.store.credentials_by_id(principal.account.id).await?;
        if !verify_password(form.password.clone(), Some(credentials.password_hash)).await? {
            return again(
                StatusCode::UNAUTHORIZED,
                show_again("Enter your current password"),
            );
        }
    }
    if !totp_matches(&secret, &username, &form.code, now) {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            show_again("Enter the 6-digit code your authenticator app shows for Tandem"),
        );
    }
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_code_hash(c)).collect();
    let stamp = principal.stamp(&meta, now, None);
    state
        .store
        .set_second_factor(principal.account.id, Some(&secret), &hashes, &stamp)
        .await?;
    state
        .store
        .update_session(session.id, SessionStage::Complete, None, now)
        .await?;
    if session.stage == SessionStage::Enrol {
        state
            .store
            .audit(&stamp.entry(
                "sign-in",
                Outcome::Allowed,
                None,
                Some("after setting up a second factor".into()),
            ))
            .await?;
    }
    let mut layout = Layout::new("/account", Some(&principal));
    layout.username = Some(username);
    Ok(render(&RecoveryCodesPage { layout, codes })?.into_response())
}

// ------------------------------------------------------------ sign out

async fn sign_out(
    State(state): State<AppState>,
    meta: RequestMeta,
    InSession(principal): InSession,
) -> Result<Response, PageError> {
    if let Some(session) = &principal.session {
        let entry = principal.stamp(&meta, state.clock.now(), None).entry(
            "sign-out",
            Outcome::Allowed,
            None,
            None,
        );
        state.store.end_session(session.id, Some(&entry)).await?;
    }
    let mut response = Redirect::to("/sign-in?signed-out").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, expired_cookie());
    Ok(response)
}

async fn sign_out_everywhere(
    State(state): State<AppState>,
    meta: RequestMeta,
    SignedIn(principal): SignedIn,
) -> Result<Response, PageError> {
    let stamp = principal.stamp(&meta, state.clock.now(), None);
    state
        .store
        .end_all_sessions(principal.account.id, &stamp)
        .await?;
    let mut response = Redirect::to("/sign-in?signed-out").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, expired_cookie());
    Ok(response)
}

// ------------------------------------------------------------ account

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    roles: Vec<(String, String)>,
    has_second_factor: bool,
    recovery_codes_left: i64,
    sessions: i64,
    error: Option<String>,
    notice: &'static str,
}

async fn account_page(
    state: &AppState,
    principal: &Principal,
    error: Option<String>,
    notice: &'static str,
) -> Result<Html<String>, PageError> {
    let account = &principal.account;
    render(&AccountPage {
        layout: Layout::new("/account", Some(principal)),
        roles: account
            .roles
            .iter()
            .map(|r| (r.assignment.role.label().to_owned(), r.scope.to_string()))
            .collect(),
        has_second_factor: account.has_second_factor,
        recovery_codes_left: state.store.unused_recovery_codes(account.id).await?,
        sessions: state.store.session_count(account.id).await?,
        error,
        notice,
    })
}

async fn account(
    State(state): State<AppState>,
    SignedIn(principal): SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, PageError> {
    let notice = match query.as_deref() {
        Some("password-changed") => {
            "Your password has been changed. You have been signed out everywhere else"
        }
        _ => "",
    };
    account_page(&state, &principal, None, notice).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

/// Checks a new password and its confirmation.
fn new_password(new: &str, confirm: &str, username: &str) -> Result<(), String> {
    check_new_password(new, username)?;
    if new != confirm {
        return Err("The two new passwords are different".into());
    }
    Ok(())
}

async fn change_password(
    State(state): State<AppState>,
    meta: RequestMeta,
    SignedIn(principal): SignedIn,
    HtmlForm(form): HtmlForm<PasswordForm>,
) -> Result<Response, PageError> {
    let username = principal.account.username.clone();
    let credentials = state.store.credentials_by_id(principal.account.id).await?;
    if !verify_password(form.current_password, Some(credentials.password_hash)).await? {
        return again(
            StatusCode::UNAUTHORIZED,
            account_page(
                &state,
                &principal,
                Some("Enter your current password".into()),
                "",
            )
            .await,
        );
    }
    if let Err(problem) = new_password(&form.new_password, &form.confirm_password, &username) {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            account_page(&state, &principal, Some(problem), "").await,
        );
    }
    let hash = hash_password(form.new_password).await?;
    let now = state.clock.now();
    let stamp = principal.stamp(&meta, now, None);
    // Every session ends with the old password; this browser gets a new one.
    state
        .store
        .set_password(principal.account.id, &hash, "password-changed", &stamp)
        .await?;
    let token = new_token();
    state
        .store
        .start_session(
            principal.account.id,
            &token_hash(&token),
            &new_token(),
            SessionStage::Complete,
            now,
            &stamp.entry(
                "sign-in",
                Outcome::Allowed,
                None,
                Some("after changing password".into()),
            ),
        )
        .await?;
    let mut response = Redirect::to("/account?password-changed").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, &token));
    Ok(response)
}

// ------------------------------------------------------------ reset

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPage {
    layout: Layout,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

fn reset_page(username: String, error: Option<String>) -> Result<Html<String>, PageError> {
    render(&ResetPage {
        layout: Layout::new("", None),
        username,
        error,
    })
}

async fn reset_form() -> Result<Html<String>, PageError> {
    reset_page(String::new(), None)
}

/// Sets a password with a reset code from an administrator. The code's
/// holder chooses the password; the administrator never knows it.
async fn reset_password(
    State(state): State<AppState>,
    meta: RequestMeta,
    HtmlForm(form): HtmlForm<ResetForm>,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let stamp = meta.anonymous_stamp(&form.username, now);
    if throttled(&state, &meta, &form.username).await? {
        return again(
            StatusCode::TOO_MANY_REQUESTS,
            reset_page(form.username, Some(THROTTLED.into())),
        );
    }
    if let Err(problem) = new_password(&form.new_password, &form.confirm_password, &form.username) {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            reset_page(form.username, Some(problem)),
        );
    }
    let hash = hash_password(form.new_password).await?;
    let code_hash = recovery_code_hash(&form.code);
    match state
        .store
        .reset_password(&form.username, &code_hash, &hash, &stamp)
        .await?
    {
        Some(_) => Ok(Redirect::to("/sign-in?password-set").into_response()),
        None => {
            state
                .store
                .audit(&stamp.entry(
                    "sign-in-failed",
                    Outcome::Denied,
                    None,
                    Some("password reset code".into()),
                ))
                .await?;
            again(
                StatusCode::UNAUTHORIZED,
                reset_page(form.username, Some("The username or reset code is wrong, or the code has been used or has expired. Ask an administrator for a new code".into())),
            )
        }
    }
}
