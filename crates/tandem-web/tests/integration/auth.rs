use crate::{ADMIN_KEY, PASSWORD, TestApp};
use axum::http::{Method, StatusCode};
use jiff::SignedDuration;
use serde_json::json;
use tandem_domain::access::Role;
use tandem_storage::{AuditFilter, Store};

async fn audit_actions(app: &TestApp, username: &str) -> Vec<String> {
    let mut events = app
        .store
        .audit_search(&AuditFilter {
            username: Some(username.into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("search");
    events.reverse();
    events.into_iter().map(|e| e.entry.action).collect()
}

async fn everything_needs_signing_in(store: Store) {
    let app = TestApp::new(store);
    for path in [
        "/",
        "/organisation",
        "/admin",
        "/admin/regions",
        "/admin/staff/1",
        "/account",
    ] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(reply.header("location"), "/sign-in", "{path}");
    }
    let api = app.get("/api/v1/regions").await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.error_code(), "unauthenticated");
    assert_eq!(api.header("www-authenticate"), "Bearer");
    let bad = app
        .api("not-a-token", Method::GET, "/api/v1/regions", None)
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.body.contains("unknown, expired or revoked"));
    assert_eq!(app.get("/sign-in").await.status, StatusCode::OK);
}

async fn signing_in_rotates_the_session_and_signing_out_ends_it(store: Store) {
    let app = TestApp::new(store);
    app.user("amira", &[(Role::FamilyCourtAdviser, "national")])
        .await;
    let first = app.sign_in("amira").await;
    let reply = app
        .form_anonymous("/sign-in", &[("username", "amira"), ("password", PASSWORD)])
        .await;
    let cookie = reply.header("set-cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let second = app.sign_in("amira").await;
    assert_ne!(first.cookie, second.cookie);
    assert_ne!(first.csrf, second.csrf);
    assert_eq!(app.get_as(&second, "/").await.status, StatusCode::OK);

    let out = app.form_as(&second, "/sign-out", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    // The session is gone on the server: the cookie is useless anywhere.
    let after = app.get_as(&second, "/").await;
    assert_eq!(after.header("location"), "/sign-in");
    assert_eq!(
        app.get_as(&first, "/").await.status,
        StatusCode::OK,
        "other sessions carry on"
    );
    let actions = audit_actions(&app, "amira").await;
    assert_eq!(actions.iter().filter(|a| *a == "sign-in").count(), 3);
    assert!(actions.contains(&"sign-out".to_owned()));
}

async fn wrong_passwords_and_unknown_users_look_alike_and_are_throttled(store: Store) {
    let app = TestApp::new(store);
    app.user("amira", &[(Role::FamilyCourtAdviser, "national")])
        .await;
    let wrong = app
        .form_anonymous(
            "/sign-in",
            &[("username", "amira"), ("password", "not the password")],
        )
        .await;
    let unknown = app
        .form_anonymous(
            "/sign-in",
            &[("username", "nobody"), ("password", "not the password")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let message = |body: &str| body.contains("Enter a correct username and password");
    assert!(message(&wrong.body) && message(&unknown.body));
    assert_eq!(audit_actions(&app, "nobody").await, ["sign-in-failed"]);

    for _ in 0..4 {
        app.form_anonymous(
            "/sign-in",
            &[("username", "amira"), ("password", "wrong again!")],
        )
        .await;
    }
    // Five failures: now even the right password is not checked.
    let throttled = app
        .form_anonymous("/sign-in", &[("username", "amira"), ("password", PASSWORD)])
        .await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    let api = app
        .json(
            Method::POST,
            "/api/v1/tokens",
            json!({"username": "amira", "password": PASSWORD}),
        )
        .await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(api.error_code(), "too_many_attempts");
    app.advance(SignedDuration::from_mins(16));
    let later = app
        .form_anonymous("/sign-in", &[("username", "amira"), ("password", PASSWORD)])
        .await;
    assert_eq!(later.status, StatusCode::SEE_OTHER, "the window has passed");
}

async fn sessions_end_when_idle_and_after_twelve_hours(store: Store) {
    let app = TestApp::new(store);
    app.user("amira", &[(Role::FamilyCourtAdviser, "national")])
        .await;
    let browser = app.sign_in("amira").await;
    app.advance(SignedDuration::from_mins(29));
    assert_eq!(app.get_as(&browser, "/").await.status, StatusCode::OK);
    app.advance(SignedDuration::from_mins(30));
    let idle = app.get_as(&browser, "/").await;
    assert_eq!(idle.header("location"), "/sign-in", "idle for 30 minutes");
    assert!(idle.header("set-cookie").contains("Max-Age=0"));

    let busy = app.sign_in("amira").await;
    for _ in 0..35 {
        app.advance(SignedDuration::from_mins(20));
        if app.get_as(&busy, "/").await.status != StatusCode::OK {
            break;
        }
    }
    // 35 × 20 minutes is over 11 hours; the twelfth hour ends it whatever.
    app.advance(SignedDuration::from_mins(20));
    assert_eq!(app.get_as(&busy, "/").await.header("location"), "/sign-in");
    let actions = audit_actions(&app, "amira").await;
    assert_eq!(
        actions.iter().filter(|a| *a == "session-expired").count(),
        2
    );
}

async fn administrators_must_set_up_a_second_factor(store: Store) {
    let app = TestApp::new(store);
    app.user("root", &[(Role::SystemAdministrator, "national")])
        .await;
    let reply = app
        .form_anonymous("/sign-in", &[("username", "root"), ("password", PASSWORD)])
        .await;
    assert_eq!(reply.header("location"), "/account/second-factor");
    let cookie = reply
        .header("set-cookie")
        .strip_prefix("tandem_session=")
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_owned();
    let session = app
        .store
        .session(&tandem_web::auth::token_hash(&cookie))
        .await
        .expect("get")
        .expect("found");
    let browser = crate::Browser {
        cookie,
        csrf: session.csrf_token,
    };
    // Nothing else opens until it is set up.
    assert_eq!(
        app.get_as(&browser, "/admin").await.header("location"),
        "/account/second-factor"
    );
    let setup = app.get_as(&browser, "/account/second-factor").await;
    assert_eq!(setup.status, StatusCode::OK);
    assert!(setup.body.contains("<svg"), "a QR code");
    let secret = app
        .store
        .session(&tandem_web::auth::token_hash(&browser.cookie))
        .await
        .expect("get")
        .expect("found")
        .pending_totp_secret
        .expect("pending secret");
    let wrong = app
        .form_as(&browser, "/account/second-factor", &[("code", "000000")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let code = tandem_web::auth::totp_code(&secret, "root", app.now()).expect("code");
    let done = app
        .form_as(&browser, "/account/second-factor", &[("code", &code)])
        .await;
    assert_eq!(done.status, StatusCode::OK);
    let codes: Vec<String> = done
        .body
        .split("<li>")
        .skip(1)
        .filter_map(|li| li.split("</li>").next())
        .filter(|c| c.len() == 14 && c.chars().filter(|ch| *ch == '-').count() == 2)
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 10, "{}", done.body);
    assert_eq!(app.get_as(&browser, "/admin").await.status, StatusCode::OK);

    // Next time: password, then a code; a recovery code works once.
    let again = app
        .form_anonymous("/sign-in", &[("username", "root"), ("password", PASSWORD)])
        .await;
    assert_eq!(again.header("location"), "/sign-in/second-factor");
    let cookie = again
        .header("set-cookie")
        .strip_prefix("tandem_session=")
        .and_then(|c| c.split(';').next())
        .expect("cookie")
        .to_owned();
    let csrf = app
        .store
        .session(&tandem_web::auth::token_hash(&cookie))
        .await
        .expect("get")
        .expect("found")
        .csrf_token;
    let waiting = crate::Browser { cookie, csrf };
    assert_eq!(
        app.get_as(&waiting, "/").await.header("location"),
        "/sign-in/second-factor"
    );
    let bad = app
        .form_as(&waiting, "/sign-in/second-factor", &[("code", "123456")])
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let ok = app
        .form_as(&waiting, "/sign-in/second-factor", &[("code", &codes[0])])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(app.get_as(&waiting, "/").await.status, StatusCode::OK);
    let actions = audit_actions(&app, "root").await;
    assert!(actions.contains(&"second-factor-enabled".to_owned()));
    assert!(actions.contains(&"recovery-code-used".to_owned()));
    assert_eq!(
        app.store
            .unused_recovery_codes(
                app.store
                    .credentials("root")
                    .await
                    .expect("g")
                    .expect("f")
                    .account
                    .id
            )
            .await
            .expect("n"),
        9
    );
}

async fn api_tokens_expire_and_can_be_revoked(store: Store) {
    let app = TestApp::new(store);
    app.admin().await;
    let no_code = app
        .json(
            Method::POST,
            "/api/v1/tokens",
            json!({"username": "admin", "password": PASSWORD}),
        )
        .await;
    assert_eq!(no_code.status, StatusCode::UNAUTHORIZED);
    assert_eq!(no_code.error_code(), "second_factor_required");
    let token = app.token("admin").await;
    assert_eq!(
        app.api(&token, Method::GET, "/api/v1/regions", None)
            .await
            .status,
        StatusCode::OK
    );
    app.advance(SignedDuration::from_hours(8));
    assert_eq!(
        app.api(&token, Method::GET, "/api/v1/regions", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let fresh = app.token("admin").await;
    let revoked = app
        .api(&fresh, Method::DELETE, "/api/v1/tokens/current", None)
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.api(&fresh, Method::GET, "/api/v1/regions", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let unknown = app
        .json(
            Method::POST,
            "/api/v1/tokens",
            json!({"username": "admin", "password": "wrong", "extra": 1}),
        )
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused"
    );
    let _ = ADMIN_KEY;
}

async fn an_administrator_ends_sessions_and_issues_resets_but_never_sets_passwords(store: Store) {
    let app = TestApp::new(store);
    let admin = app.admin().await;
    let amira = app
        .browser("amira", &[(Role::FamilyCourtAdviser, "national")])
        .await;
    let id = app
        .store
        .credentials("amira")
        .await
        .expect("g")
        .expect("f")
        .account
        .id;

    let ended = app
        .form_as(&admin, &format!("/admin/users/{id}/end-sessions"), &[])
        .await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get_as(&amira, "/").await.header("location"), "/sign-in");

    let reset = app
        .form_as(&admin, &format!("/admin/users/{id}/reset"), &[])
        .await;
    assert_eq!(reset.status, StatusCode::OK);
    let code = reset
        .body
        .split("tandem-code\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("the code is shown")
        .to_owned();
    let weak = app
        .form_anonymous(
            "/reset-password",
            &[
                ("username", "amira"),
                ("code", &code),
                ("new_password", "password1234"),
                ("confirm_password", "password1234"),
            ],
        )
        .await;
    assert_eq!(
        weak.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "breached passwords are refused"
    );
    let new = "violet harbour ninety";
    let done = app
        .form_anonymous(
            "/reset-password",
            &[
                ("username", "amira"),
                ("code", &code),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let reused = app
        .form_anonymous(
            "/reset-password",
            &[
                ("username", "amira"),
                ("code", &code),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED, "a code works once");
    let signed_in = app
        .form_anonymous("/sign-in", &[("username", "amira"), ("password", new)])
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    // There is no way for an administrator to send a password.
    let choose = app
        .form_as(
            &admin,
            &format!("/admin/users/{id}/reset"),
            &[("password", "chosen by admin")],
        )
        .await;
    assert_eq!(choose.status, StatusCode::BAD_REQUEST);
}

async fn nobody_changes_their_own_roles(store: Store) {
    let app = TestApp::new(store);
    let admin = app.admin().await;
    let own = app
        .store
        .credentials("admin")
        .await
        .expect("g")
        .expect("f")
        .account;
    let refused = app
        .form_as(
            &admin,
            &format!("/admin/users/{}/roles", own.id),
            &[("role", "hr"), ("scope", "national")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let remove = app
        .form_as(
            &admin,
            &format!("/admin/users/{}/roles/{}/remove", own.id, own.roles[0].id),
            &[],
        )
        .await;
    assert_eq!(remove.status, StatusCode::FORBIDDEN);
    let amira = app.browser("amira", &[(Role::Hr, "national")]).await;
    let id = app
        .store
        .credentials("amira")
        .await
        .expect("g")
        .expect("f")
        .account
        .id;
    let by_hr = app
        .form_as(
            &amira,
            &format!("/admin/users/{id}/roles"),
            &[("role", "system-administrator"), ("scope", "national")],
        )
        .await;
    assert_eq!(by_hr.status, StatusCode::FORBIDDEN);
    let given = app
        .form_as(
            &admin,
            &format!("/admin/users/{id}/roles"),
            &[("role", "quality-auditor"), ("scope", "national")],
        )
        .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.body);
    assert_eq!(app.store.account(id).await.expect("get").roles.len(), 2);
    assert_eq!(app.store.account(own.id).await.expect("get").roles.len(), 1);
}

async fn a_new_password_must_be_strong_and_ends_other_sessions(store: Store) {
    let app = TestApp::new(store);
    let first = app
        .browser("amira", &[(Role::FamilyCourtAdviser, "national")])
        .await;
    let second = app.sign_in("amira").await;
    let weak = app
        .form_as(
            &second,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "short"),
                ("confirm_password", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let new = "violet harbour ninety";
    let changed = app
        .form_as(
            &second,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new),
                ("confirm_password", new),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get_as(&first, "/").await.header("location"), "/sign-in");
}

tandem_testkit::on_both_backends!(
    everything_needs_signing_in,
    signing_in_rotates_the_session_and_signing_out_ends_it,
    wrong_passwords_and_unknown_users_look_alike_and_are_throttled,
    sessions_end_when_idle_and_after_twelve_hours,
    administrators_must_set_up_a_second_factor,
    api_tokens_expire_and_can_be_revoked,
    an_administrator_ends_sessions_and_issues_resets_but_never_sets_passwords,
    nobody_changes_their_own_roles,
    a_new_password_must_be_strong_and_ends_other_sessions,
);
