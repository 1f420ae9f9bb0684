//! HTTP integration tests: the whole router, called directly without a
//! socket, on SQLite and on PostgreSQL.

mod access;
mod api;
mod audit;
mod auth;
mod cases;
mod dashboards;
mod openapi;
mod pages;
mod security;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use tandem_domain::access::{Role, ScopeRef};
use tandem_storage::Store;
use tandem_web::{AppState, Clock, WebConfig};
use tower::ServiceExt;

pub const PASSWORD: &str = "otter lantern quietly";
pub const ADMIN_KEY: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// A clock the tests move forward by hand.
pub struct TestClock(AtomicI64);

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_microsecond(self.0.load(Ordering::SeqCst)).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

pub struct TestApp {
    pub router: Router,
    pub store: Store,
    pub clock: Arc<TestClock>,
}

/// A signed-in browser: its session cookie and CSRF token.
#[derive(Clone, Debug)]
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The error envelope's code.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

impl TestApp {
    pub fn new(store: Store) -> Self {
        // A fixed "now" keeps pages that show today's date deterministic.
        let now: Timestamp = "2026-06-15T12:00:00Z".parse().expect("timestamp");
        let clock = Arc::new(TestClock(AtomicI64::new(now.as_microsecond())));
        let state = AppState::with_clock(store.clone(), WebConfig::default(), clock.clone());
        Self {
            router: tandem_web::router(state),
            store,
            clock,
        }
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn advance(&self, by: SignedDuration) {
        self.clock
            .0
            .fetch_add(by.as_micros() as i64, Ordering::SeqCst);
    }

    /// Creates an account with [`PASSWORD`] and these roles (`"area:A1"`…).
    pub async fn user(&self, username: &str, roles: &[(Role, &str)]) {
        let hash = tandem_web::auth::hash_password(PASSWORD.into())
            .await
            .expect("hash");
        let roles: Vec<(Role, ScopeRef)> = roles
            .iter()
            .map(|(role, scope)| (*role, ScopeRef::parse(scope).expect("scope")))
            .collect();
        self.store
            .create_account(username, None, &hash, &roles, &tandem_testkit::stamp())
            .await
            .expect("create account");
    }

    /// As [`TestApp::user`], linked to a staff record.
    pub async fn staff_user(&self, username: &str, roles: &[(Role, &str)], staff: i64) {
        let hash = tandem_web::auth::hash_password(PASSWORD.into())
            .await
            .expect("hash");
        let roles: Vec<(Role, ScopeRef)> = roles
            .iter()
            .map(|(role, scope)| (*role, ScopeRef::parse(scope).expect("scope")))
            .collect();
        self.store
            .create_account(
                username,
                Some(tandem_domain::organisation::StaffId(staff)),
                &hash,
                &roles,
                &tandem_testkit::stamp(),
            )
            .await
            .expect("create account");
    }

    /// Signs in through the form, answering the second-factor question
    /// with `key` when the account has one.
    pub async fn sign_in(&self, username: &str) -> Browser {
        let reply = self
            .form_anonymous(
                "/sign-in",
                &[("username", username), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "sign in {username}: {}",
            reply.body
        );
        let cookie = reply
            .header("set-cookie")
            .strip_prefix("tandem_session=")
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_owned();
        let session = self
            .store
            .session(&tandem_web::auth::token_hash(&cookie))
            .await
            .expect("session")
            .expect("stored");
        let browser = Browser {
            cookie,
            csrf: session.csrf_token,
        };
        if reply.header("location") == "/sign-in/second-factor" {
            let code = tandem_web::auth::totp_code(ADMIN_KEY, username, self.now()).expect("code");
            let done = self
                .form_as(&browser, "/sign-in/second-factor", &[("code", &code)])
                .await;
            assert_eq!(
                done.status,
                StatusCode::SEE_OTHER,
                "second factor: {}",
                done.body
            );
        }
        browser
    }

    /// A user with these roles, signed in.
    pub async fn browser(&self, username: &str, roles: &[(Role, &str)]) -> Browser {
        self.user(username, roles).await;
        self.sign_in(username).await
    }

    /// A national system administrator with an authenticator app, signed in.
    pub async fn admin(&self) -> Browser {
        self.user("admin", &[(Role::SystemAdministrator, "national")])
            .await;
        let id = self
            .store
            .credentials("admin")
            .await
            .expect("get")
            .expect("found")
            .account
            .id;
        self.store
            .set_second_factor(id, Some(ADMIN_KEY), &[], &tandem_testkit::stamp())
            .await
            .expect("second factor");
        self.sign_in("admin").await
    }

    /// An API token for `username`, with a second-factor code if it has one.
    pub async fn token(&self, username: &str) -> String {
        let code = tandem_web::auth::totp_code(ADMIN_KEY, username, self.now()).expect("code");
        let reply = self
            .json(
                Method::POST,
                "/api/v1/tokens",
                json!({"username": username, "password": PASSWORD, "totp": code}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "token for {username}: {}",
            reply.body
        );
        reply.json()["token"].as_str().expect("token").to_owned()
    }

    /// An API token for a national administrator.
    pub async fn admin_token(&self) -> String {
        self.admin().await;
        self.token("admin").await
    }

    pub async fn get_as(&self, browser: &Browser, path: &str) -> Reply {
        self.send(
            Request::get(path)
                .header("cookie", format!("tandem_session={}", browser.cookie))
                .body(Body::empty())
                .expect("request"),
        )
        .await
    }

    /// Submits a form from Tandem's own page, as a signed-in browser does.
    pub async fn form_as(&self, browser: &Browser, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &browser.csrf));
        let body = serde_urlencoded::to_string(&all).expect("encode form");
        self.send(
            Request::post(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .header("cookie", format!("tandem_session={}", browser.cookie))
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }

    /// An API call with a bearer token.
    pub async fn api(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> Reply {
        let builder = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {token}"));
        let request = match body {
            Some(body) => builder
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        };
        self.send(request.expect("request")).await
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router never fails");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("read body")
            .to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).expect("request"))
            .await
    }

    pub async fn json(&self, method: Method, path: &str, body: serde_json::Value) -> Reply {
        self.send(
            Request::builder()
                .method(method)
                .uri(path)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .expect("request"),
        )
        .await
    }

    /// Submits a form from Tandem's own page without being signed in.
    pub async fn form_anonymous(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(fields).expect("encode form");
        self.send(
            Request::post(path)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body))
                .expect("request"),
        )
        .await
    }
}

/// Ids of the organisation [`seed`] makes.
pub struct Seeded {
    pub region: i64,
    pub area: i64,
    pub other_area: i64,
    pub team: i64,
    pub other_team: i64,
}

/// Region NE with areas A1 (team A1-T) and A2 (team A2-T), through the API.
pub async fn seed(app: &TestApp, token: &str) -> Seeded {
    let post = |path: &'static str, body: Value| async move {
        let reply = app.api(token, Method::POST, path, Some(body)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
        reply.json()["id"].as_i64().expect("id")
    };
    let region = post(
        "/api/v1/regions",
        json!({"code": "NE", "name": "North East"}),
    )
    .await;
    let area = post(
        "/api/v1/service-areas",
        json!({"code": "A1", "name": "Northumbria", "region_id": region}),
    )
    .await;
    let other_area = post(
        "/api/v1/service-areas",
        json!({"code": "A2", "name": "Durham", "region_id": region}),
    )
    .await;
    let team = post(
        "/api/v1/teams",
        json!({"code": "A1-T", "name": "Newcastle private law", "service_area_id": area}),
    )
    .await;
    let other_team = post(
        "/api/v1/teams",
        json!({"code": "A2-T", "name": "Durham private law", "service_area_id": other_area}),
    )
    .await;
    Seeded {
        region,
        area,
        other_area,
        team,
        other_team,
    }
}

/// A staff member in `team`, through the API; returns their id.
pub async fn add_staff(app: &TestApp, token: &str, given: &str, team: i64) -> i64 {
    let reply = app
        .api(
            token,
            Method::POST,
            "/api/v1/staff",
            Some(json!({
                "given_name": given, "family_name": "Tester", "job_group": "practitioner",
                "grade": "Family court adviser", "fte": 1.0, "team_id": team,
                "contract_type": "employed", "start_date": "2020-04-01"
            })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["id"].as_i64().expect("id")
}
