//! Who is asking: the principal behind a request, from its session cookie
//! or API bearer token; the CSRF check on state-changing browser requests;
//! and the extractors handlers use to require a signed-in user.

use crate::AppState;
use crate::auth::{same_secret, token_hash};
use crate::error::{ApiError, AppError, PageError};
use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::{SignedDuration, Timestamp};
use std::net::SocketAddr;
use tandem_domain::access::{Actor, Grant, Role, Scope};
use tandem_domain::audit::{Outcome, Stamp};
use tandem_domain::choice::Choice;
use tandem_domain::session::SessionState;
use tandem_storage::{SessionRecord, SessionStage, UserAccount};

pub const SESSION_COOKIE: &str = "tandem_session";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Sessions are touched at most this often, so a busy page does not write
/// on every request.
const TOUCH_INTERVAL: SignedDuration = SignedDuration::from_secs(60);

/// The signed-in person behind a request.
#[derive(Clone)]
pub struct Principal {
    pub actor: Actor,
    pub account: UserAccount,
    /// Their browser session; `None` when they came with an API token.
    pub session: Option<SessionRecord>,
    /// The API token they came with, if they did.
    pub token_id: Option<i64>,
}

impl Principal {
    pub fn stage(&self) -> SessionStage {
        self.session
            .as_ref()
            .map(|s| s.stage)
            .unwrap_or(SessionStage::Complete)
    }

    pub fn csrf_token(&self) -> String {
        self.session
            .as_ref()
            .map(|s| s.csrf_token.clone())
            .unwrap_or_default()
    }

    pub fn holds(&self, role: Role) -> bool {
        self.actor.assignments.iter().any(|a| a.role == role)
    }

    /// Whether the account must have a second factor: administrators always.
    pub fn needs_second_factor(&self, everyone: bool) -> bool {
        everyone || self.holds(Role::SystemAdministrator)
    }

    /// The scope as written (`area:A1`) for one of this principal's assignments.
    fn scope_label(&self, scope: Scope) -> String {
        self.account
            .roles
            .iter()
            .find(|r| r.assignment.scope == scope)
            .map(|r| r.scope.to_string())
            .unwrap_or_default()
    }

    /// An audit stamp for this principal, acting through `grant` if given.
    pub fn stamp(&self, meta: &RequestMeta, at: Timestamp, grant: Option<Grant>) -> Stamp {
        let (role, scope) = match grant {
            Some(Grant::Assignment(a)) => (
                Some(a.role.slug().to_owned()),
                Some(self.scope_label(a.scope)),
            ),
            Some(Grant::BreakGlass(role)) => {
                (Some(role.slug().to_owned()), Some("break-glass".to_owned()))
            }
            None => (None, None),
        };
        Stamp {
            at,
            actor_user_id: Some(self.account.id),
            actor_username: self.account.username.clone(),
            actor_role: role,
            actor_scope: scope,
            request_id: meta.request_id.clone(),
            client_ip: meta.client_ip.clone(),
        }
    }
}

/// The request id and the client's address, for audit entries.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

impl RequestMeta {
    fn from_parts(headers: &HeaderMap, connect: Option<&ConnectInfo<SocketAddr>>) -> Self {
        Self {
            request_id: headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            client_ip: connect.map(|c| c.0.ip().to_string()),
        }
    }

    /// A stamp for someone not (yet) signed in, such as a failed sign-in.
    pub fn anonymous_stamp(&self, username: &str, at: Timestamp) -> Stamp {
        let name: String = username.trim().to_lowercase().chars().take(64).collect();
        Stamp {
            at,
            actor_user_id: None,
            actor_username: name,
            actor_role: None,
            actor_scope: None,
            request_id: self.request_id.clone(),
            client_ip: self.client_ip.clone(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestMeta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts(
            &parts.headers,
            parts.extensions.get::<ConnectInfo<SocketAddr>>(),
        ))
    }
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned())
}

/// The session cookie. `Secure` when the service is configured as served
/// over TLS; SameSite=Strict so no other site can send it.
pub fn session_cookie(state: &AppState, token: &str) -> HeaderValue {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("tandem_session=; Path=/"))
}

pub fn expired_cookie() -> HeaderValue {
    HeaderValue::from_static("tandem_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// How the request failed to authenticate, when it tried to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failure {
    /// A bearer token that is unknown, expired or revoked.
    BadToken,
}

/// Works out who is asking and puts the [`Principal`] in the request's
/// extensions. Expired sessions are ended (and audited) on the way.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let now = state.clock.now();
    let meta = RequestMeta::from_parts(
        request.headers(),
        request.extensions().get::<ConnectInfo<SocketAddr>>(),
    );
    let bearer = bearer_token(request.headers());
    let mut clear_cookie = false;
    let resolved = match (&bearer, cookie_value(request.headers(), SESSION_COOKIE)) {
        (Some(token), _) => from_token(&state, token, now).await,
        (None, Some(token)) => {
            let found = from_session(&state, &token, now, &meta).await;
            clear_cookie = matches!(found, Ok(None));
            found
        }
        (None, None) => Ok(None),
    };
    match resolved {
        Ok(Some(principal)) => {
            request.extensions_mut().insert(principal);
        }
        Ok(None) if bearer.is_some() => {
            request.extensions_mut().insert(Failure::BadToken);
        }
        Ok(None) => {}
        Err(e) => return error_for(request.uri().path(), e),
    }
    let mut response = next.run(request).await;
    if clear_cookie {
        response
            .headers_mut()
            .append(header::SET_COOKIE, expired_cookie());
    }
    response
}

fn error_for(path: &str, error: AppError) -> Response {
    if path.starts_with("/api/") {
        ApiError(error).into_response()
    } else {
        PageError(error).into_response()
    }
}

async fn actor_for(
    state: &AppState,
    account: &UserAccount,
    now: Timestamp,
) -> Result<Actor, AppError> {
    Ok(Actor {
        user_id: account.id,
        username: account.username.clone(),
        assignments: account.roles.iter().map(|r| r.assignment).collect(),
        break_glass: state.store.active_break_glass(account.id, now).await?,
    })
}

async fn from_token(
    state: &AppState,
    token: &str,
    now: Timestamp,
) -> Result<Option<Principal>, AppError> {
    let Some(record) = state.store.token(&token_hash(token)).await? else {
        return Ok(None);
    };
    if record.revoked_at.is_some() || record.expires_at <= now {
        return Ok(None);
    }
    let account = state.store.account(record.user_id).await?;
    if account.disabled {
        return Ok(None);
    }
    let actor = actor_for(state, &account, now).await?;
    Ok(Some(Principal {
        actor,
        account,
        session: None,
        token_id: Some(record.id),
    }))
}

async fn from_session(
    state: &AppState,
    token: &str,
    now: Timestamp,
    meta: &RequestMeta,
) -> Result<Option<Principal>, AppError> {
    let Some(mut session) = state.store.session(&token_hash(token)).await? else {
        return Ok(None);
    };
    let account = state.store.account(session.user_id).await?;
    let live = state
        .config
        .session
        .state(session.created_at, session.last_seen_at, now);
    if live != SessionState::Live || account.disabled {
        let reason = match live {
            SessionState::Idle => "idle timeout",
            SessionState::Expired => "absolute timeout",
            SessionState::Live => "account disabled",
        };
        let stamp = meta.anonymous_stamp(&account.username, now);
        let entry = Stamp {
            actor_user_id: Some(account.id),
            ..stamp
        }
        .entry(
            "session-expired",
            Outcome::Allowed,
            None,
            Some(reason.to_owned()),
        );
        state.store.end_session(session.id, Some(&entry)).await?;
        return Ok(None);
    }
    if now.duration_since(session.last_seen_at) >= TOUCH_INTERVAL {
        state
            .store
            .update_session(
                session.id,
                session.stage,
                session.pending_totp_secret.as_deref(),
                now,
            )
            .await?;
        session.last_seen_at = now;
    }
    let actor = actor_for(state, &account, now).await?;
    Ok(Some(Principal {
        actor,
        account,
        session: Some(session),
        token_id: None,
    }))
}

// ------------------------------------------------------------------ CSRF

fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return site == "same-origin";
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        // Browsers send Origin on every POST: one without is not a browser
        // on Tandem's own page.
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .unwrap_or("");
    !host.is_empty() && origin_host == host
}

/// Refuses a state-changing browser request unless it comes from Tandem's
/// own pages: same origin, and (once signed in) carrying the session's
/// synchronizer token in a `csrf_token` field or an `X-CSRF-Token` header.
/// API calls with a bearer token carry no cookies, so they are exempt.
pub async fn check_csrf(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || bearer_token(request.headers()).is_some() {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    // An API call that carries no session cookie has no ambient credentials
    // for another site to ride on (and must be JSON, which a cross-site form
    // cannot send), so only the browser's forms need the origin check then.
    let has_cookie = cookie_value(request.headers(), SESSION_COOKIE).is_some();
    if path.starts_with("/api/") && !has_cookie {
        return next.run(request).await;
    }
    let refuse = |why: &str| {
        tracing::warn!(path = %path, why, "refused a state-changing request");
        error_for(
            &path,
            AppError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "This request did not come from Tandem's own page, so it was refused. Go back, reload the page and try again.",
            ),
        )
    };
    if !same_origin(request.headers()) {
        return refuse("cross-site or missing origin");
    }
    let Some(expected) = request
        .extensions()
        .get::<Principal>()
        .map(Principal::csrf_token)
    else {
        // Not signed in: only signing in (and resetting a password) is possible,
        // and the same-origin check above covers those.
        return next.run(request).await;
    };
    let header_token = request
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, crate::MAX_BODY_BYTES).await else {
        return error_for(
            &path,
            AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "The request is too large",
            ),
        );
    };
    let form_token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| {
            pairs
                .into_iter()
                .find(|(k, _)| k == CSRF_FIELD)
                .map(|(_, v)| v)
        });
    let presented = header_token.or(form_token).unwrap_or_default();
    if expected.is_empty() || !same_secret(&presented, &expected) {
        return refuse("missing or wrong CSRF token");
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

// ------------------------------------------------------------ extractors

/// A signed-in user on a page; anyone else is sent to sign in, or on to
/// the next step of signing in.
pub struct SignedIn(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Principal>() {
            Some(p) => match p.stage() {
                SessionStage::Complete => Ok(SignedIn(p.clone())),
                SessionStage::SecondFactor => {
                    Err(Redirect::to("/sign-in/second-factor").into_response())
                }
                SessionStage::Enrol => Err(Redirect::to("/account/second-factor").into_response()),
            },
            None => Err(Redirect::to("/sign-in").into_response()),
        }
    }
}

/// Anyone with a session, even one part-way through signing in.
pub struct InSession(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for InSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .filter(|p| p.session.is_some())
            .cloned()
            .map(InSession)
            .ok_or_else(|| Redirect::to("/sign-in").into_response())
    }
}

/// Whoever is signed in, if anyone.
pub struct MaybeSignedIn(pub Option<Principal>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeSignedIn {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeSignedIn(
            parts
                .extensions
                .get::<Principal>()
                .filter(|p| p.stage() == SessionStage::Complete)
                .cloned(),
        ))
    }
}

/// A signed-in API caller: a bearer token, or a complete browser session.
pub struct ApiCaller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for ApiCaller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        if let Some(p) = parts
            .extensions
            .get::<Principal>()
            .filter(|p| p.stage() == SessionStage::Complete)
        {
            return Ok(ApiCaller(p.clone()));
        }
        let message = if parts.extensions.get::<Failure>().is_some() {
            "The bearer token is unknown, expired or revoked; get a new one from POST /api/v1/tokens"
        } else {
            "Sign in first: send Authorization: Bearer TOKEN (from POST /api/v1/tokens)"
        };
        let mut response = ApiError(AppError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            message,
        ))
        .into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        Err(response)
    }
}
