use crate::{TestApp, add_staff, seed};
use axum::http::{Method, StatusCode};
use jiff::SignedDuration;
use tandem_domain::access::Role;
use tandem_storage::Store;

async fn staff_lists_and_records_stay_within_scope(store: Store) {
    let app = TestApp::new(store);
    let admin = app.admin_token().await;
    let s = seed(&app, &admin).await;
    app.user("people", &[(Role::Hr, "national")]).await;
    let national = app.token("people").await;
    let mine = add_staff(&app, &national, "Mine", s.team).await;
    let theirs = add_staff(&app, &national, "Theirs", s.other_team).await;

    app.user("local", &[(Role::Hr, "area:A1")]).await;
    let local = app.token("local").await;
    let list = app
        .api(&local, Method::GET, "/api/v1/staff", None)
        .await
        .json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["given_name"], "Mine");
    assert_eq!(
        app.api(&local, Method::GET, &format!("/api/v1/staff/{mine}"), None)
            .await
            .status,
        StatusCode::OK
    );

    // A record outside the scope and one that does not exist get the same answer.
    let outside = app
        .api(
            &local,
            Method::GET,
            &format!("/api/v1/staff/{theirs}"),
            None,
        )
        .await;
    let missing = app
        .api(&local, Method::GET, "/api/v1/staff/987654", None)
        .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    assert_eq!(
        (outside.status, outside.body.clone()),
        (missing.status, missing.body)
    );

    // Nor may a record be moved, or created, outside the scope.
    let moved = app
        .api(
            &local,
            Method::PUT,
            &format!("/api/v1/staff/{mine}"),
            Some(serde_json::json!({
                "given_name": "Mine", "family_name": "Tester", "job_group": "practitioner",
                "grade": "Family court adviser", "fte": 1.0, "team_id": s.other_team,
                "contract_type": "employed", "start_date": "2020-04-01", "version": 1
            })),
        )
        .await;
    assert_eq!(moved.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(moved.json()["error"]["fields"][0]["field"], "team_id");
    let browser = app.sign_in("local").await;
    let page = app.get_as(&browser, "/admin/staff").await.body;
    assert!(page.contains("Mine Tester") && !page.contains("Theirs Tester"));
}

async fn board_members_never_see_a_person(store: Store) {
    let app = TestApp::new(store);
    let admin = app.admin_token().await;
    let s = seed(&app, &admin).await;
    app.user("people", &[(Role::Hr, "national")]).await;
    let hr = app.token("people").await;
    let someone = add_staff(&app, &hr, "Someone", s.team).await;
    let board = app
        .browser("board", &[(Role::BoardMember, "national")])
        .await;
    assert_eq!(app.get_as(&board, "/").await.status, StatusCode::OK);
    for page in ["/admin", "/admin/staff", "/admin/users", "/admin/audit"] {
        assert_eq!(
            app.get_as(&board, page).await.status,
            StatusCode::FORBIDDEN,
            "{page}"
        );
    }
    assert_eq!(
        app.get_as(&board, &format!("/admin/staff/{someone}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let token = app.token("board").await;
    assert_eq!(
        app.api(&token, Method::GET, "/api/v1/staff", None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api(
            &token,
            Method::GET,
            &format!("/api/v1/staff/{someone}"),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert!(
        !app.get_as(&board, "/")
            .await
            .body
            .contains("Administration")
    );
}

async fn only_administrators_change_the_organisation(store: Store) {
    let app = TestApp::new(store);
    let admin = app.admin_token().await;
    seed(&app, &admin).await;
    let fca = app
        .browser("fca", &[(Role::FamilyCourtAdviser, "team:A1-T")])
        .await;
    for page in [
        "/admin",
        "/admin/regions",
        "/admin/regions/new",
        "/admin/users",
    ] {
        assert_eq!(
            app.get_as(&fca, page).await.status,
            StatusCode::FORBIDDEN,
            "{page}"
        );
    }
    let posted = app
        .form_as(
            &fca,
            "/admin/regions/new",
            &[("code", "XX"), ("name", "Nowhere")],
        )
        .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);
    let token = app.token("fca").await;
    assert_eq!(
        app.api(&token, Method::GET, "/api/v1/regions", None)
            .await
            .status,
        StatusCode::OK,
        "reference data is readable"
    );
    let refused = app
        .api(
            &token,
            Method::POST,
            "/api/v1/regions",
            Some(serde_json::json!({"code": "XX", "name": "Nowhere"})),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.error_code(), "forbidden");
    assert_eq!(
        app.get_as(&fca, "/organisation").await.status,
        StatusCode::OK
    );
}

async fn break_glass_needs_a_reason_is_recorded_and_expires(store: Store) {
    let app = TestApp::new(store);
    let admin = app.admin_token().await;
    let s = seed(&app, &admin).await;
    app.user("people", &[(Role::Hr, "national")]).await;
    let hr = app.token("people").await;
    let id = add_staff(&app, &hr, "Covered", s.team).await;
    let other = app.browser("other", &[(Role::Hr, "area:A2")]).await;
    let manager = app
        .browser("manager", &[(Role::ServiceManager, "area:A1")])
        .await;

    let prompt = app.get_as(&other, &format!("/admin/staff/{id}")).await;
    assert_eq!(prompt.status, StatusCode::FORBIDDEN);
    assert!(prompt.body.contains("outside your area"));
    // The same question for a record that does not exist: existence is not revealed.
    let ghost = app.get_as(&other, "/admin/staff/987654").await;
    assert!(ghost.body.contains("outside your area"));

    let short = app
        .form_as(
            &other,
            &format!("/admin/staff/{id}/break-glass"),
            &[("reason", "need it")],
        )
        .await;
    assert!(short.body.contains("at least 20 characters"));
    assert_eq!(
        app.get_as(&other, &format!("/admin/staff/{id}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let reason = "Covering Durham sickness absence this week";
    let granted = app
        .form_as(
            &other,
            &format!("/admin/staff/{id}/break-glass"),
            &[("reason", reason)],
        )
        .await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER, "{}", granted.body);
    assert_eq!(
        app.get_as(&other, &format!("/admin/staff/{id}"))
            .await
            .status,
        StatusCode::OK
    );

    let log = app.get_as(&manager, "/admin/break-glass").await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body.contains(reason) && log.body.contains("other"));
    let access = app
        .get_as(&manager, &format!("/admin/staff/{id}/access-log"))
        .await;
    assert!(access.body.contains("break-glass") && access.body.contains("other"));

    app.advance(SignedDuration::from_mins(61));
    let other = app.sign_in("other").await;
    assert_eq!(
        app.get_as(&other, &format!("/admin/staff/{id}"))
            .await
            .status,
        StatusCode::FORBIDDEN,
        "the grant has expired"
    );
    // A role that may not break the glass just gets "not found".
    let board = app
        .browser("board", &[(Role::BoardMember, "national")])
        .await;
    let refused = app
        .form_as(
            &board,
            &format!("/admin/staff/{id}/break-glass"),
            &[("reason", reason)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}

tandem_testkit::on_both_backends!(
    staff_lists_and_records_stay_within_scope,
    board_members_never_see_a_person,
    only_administrators_change_the_organisation,
    break_glass_needs_a_reason_is_recorded_and_expires,
);
