use crate::{TestApp, add_staff, seed};
use axum::http::{Method, StatusCode};
use serde_json::json;
use tandem_storage::Store;

async fn records_are_created_read_updated_and_deleted(store: Store) {
    let app = TestApp::new(store);
    let token = app.admin_token().await;
    let s = seed(&app, &token).await;

    let created = app
        .api(
            &token,
            Method::POST,
            "/api/v1/teams",
            Some(json!({"code": "a1-prl1", "name": "Newcastle private law 1", "service_area_id": s.area})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let team = created.json();
    let id = team["id"].as_i64().expect("id");
    assert_eq!(team["code"], "A1-PRL1");
    assert_eq!(team["version"], 1);
    assert_eq!(created.header("location"), format!("/api/v1/teams/{id}"));

    let fetched = app
        .api(&token, Method::GET, &format!("/api/v1/teams/{id}"), None)
        .await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.json(), team);
    let listed = app
        .api(&token, Method::GET, "/api/v1/teams", None)
        .await
        .json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(3));

    let updated = app
        .api(
            &token,
            Method::PUT,
            &format!("/api/v1/teams/{id}"),
            Some(json!({"code": "A1-PRL1", "name": "Newcastle private law one", "service_area_id": s.area, "version": 1})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.json()["version"], 2);

    // The area still has teams, so it cannot go.
    let blocked = app
        .api(
            &token,
            Method::DELETE,
            &format!("/api/v1/service-areas/{}?version=1", s.area),
            None,
        )
        .await;
    assert_eq!(blocked.status, StatusCode::CONFLICT);
    assert_eq!(blocked.error_code(), "in_use");

    let deleted = app
        .api(
            &token,
            Method::DELETE,
            &format!("/api/v1/teams/{id}?version=2"),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(
        app.api(&token, Method::GET, &format!("/api/v1/teams/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn a_second_editor_is_told_to_reload(store: Store) {
    let app = TestApp::new(store);
    let token = app.admin_token().await;
    let s = seed(&app, &token).await;
    let path = format!("/api/v1/regions/{}", s.region);
    let first = app
        .api(
            &token,
            Method::PUT,
            &path,
            Some(json!({"code": "NE", "name": "North East England", "version": 1})),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let second = app
        .api(
            &token,
            Method::PUT,
            &path,
            Some(json!({"code": "NE", "name": "The North East", "version": 1})),
        )
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(second.error_code(), "stale_version");
    assert_eq!(
        app.api(&token, Method::GET, &path, None).await.json()["name"],
        "North East England"
    );

    let no_version = app
        .api(
            &token,
            Method::PUT,
            &path,
            Some(json!({"code": "NE", "name": "Anything"})),
        )
        .await;
    assert_eq!(no_version.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_version.json()["error"]["fields"][0]["field"], "version");
}

/// Each kind of bad input gets a clear 4xx in the envelope and changes nothing.
async fn bad_input_is_refused_and_changes_nothing(store: Store) {
    let app = TestApp::new(store);
    let token = app.admin_token().await;
    let s = seed(&app, &token).await;
    let post = |path: &'static str, body: serde_json::Value| {
        let (app, token) = (&app, &token);
        async move { app.api(token, Method::POST, path, Some(body)).await }
    };

    let duplicate = post(
        "/api/v1/regions",
        json!({"code": "NW", "name": "North East"}),
    )
    .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.error_code(), "duplicate");
    assert_eq!(duplicate.json()["error"]["fields"][0]["field"], "name");

    let unknown_field = post(
        "/api/v1/regions",
        json!({"code": "NW", "name": "North West", "colour": "red"}),
    )
    .await;
    assert_eq!(unknown_field.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown_field.error_code(), "bad_request");
    assert!(
        unknown_field.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("colour"))
    );

    let malformed = app
        .send(
            axum::http::Request::post("/api/v1/regions")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{\"code\": \"NW\", "))
                .expect("request"),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.error_code(), "bad_request");

    let not_json = app
        .send(
            axum::http::Request::post("/api/v1/regions")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "text/plain")
                .body(axum::body::Body::from("code=NW"))
                .expect("request"),
        )
        .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(not_json.error_code(), "unsupported_media_type");

    let oversized = post(
        "/api/v1/regions",
        json!({"code": "NW", "name": "x".repeat(tandem_web::MAX_BODY_BYTES)}),
    )
    .await;
    assert_eq!(oversized.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(oversized.error_code(), "payload_too_large");

    let missing_reference = post(
        "/api/v1/service-areas",
        json!({"code": "A9", "name": "Cumbria", "region_id": 999_999}),
    )
    .await;
    assert_eq!(missing_reference.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        missing_reference.json()["error"]["fields"][0]["field"],
        "region_id"
    );

    let bad_dates = post(
        "/api/v1/staff",
        json!({
            "given_name": "Ann", "family_name": "Smith", "job_group": "practitioner",
            "grade": "Family court adviser", "fte": 1.0, "contract_type": "employed",
            "start_date": "2024-02-30", "end_date": "2023-01-01"
        }),
    )
    .await;
    // An administrator may not create staff at all: HR keeps staff records.
    assert_eq!(bad_dates.status, StatusCode::FORBIDDEN);

    app.user("people", &[(tandem_domain::access::Role::Hr, "national")])
        .await;
    let hr = app.token("people").await;
    let bad_dates = app
        .api(
            &hr,
            Method::POST,
            "/api/v1/staff",
            Some(json!({
                "given_name": "Ann", "family_name": "Smith", "job_group": "practitioner",
                "grade": "Family court adviser", "fte": 1.0, "contract_type": "employed",
                "start_date": "2024-02-30", "end_date": "2023-01-01"
            })),
        )
        .await;
    assert_eq!(bad_dates.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_dates.error_code(), "validation_failed");
    assert_eq!(
        bad_dates.json()["error"]["fields"][0]["field"],
        "start_date"
    );

    let bad_choice = app
        .api(
            &hr,
            Method::POST,
            "/api/v1/staff",
            Some(json!({
                "given_name": "Ann", "family_name": "Smith", "job_group": "wizard",
                "grade": "FCA", "fte": 1.5, "contract_type": "employed", "start_date": "2024-02-01"
            })),
        )
        .await;
    let fields: Vec<String> = bad_choice.json()["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(fields, ["job_group", "fte"]);

    for path in [
        "/api/v1/regions/abc",
        "/api/v1/regions/0",
        "/api/v1/regions/424242",
    ] {
        let missing = app.api(&token, Method::GET, path, None).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(missing.error_code(), "not_found");
    }

    // Nothing above changed anything.
    let regions = app
        .api(&token, Method::GET, "/api/v1/regions", None)
        .await
        .json();
    assert_eq!(regions["items"].as_array().map(Vec::len), Some(1));
    let areas = app
        .api(&token, Method::GET, "/api/v1/service-areas", None)
        .await
        .json();
    assert_eq!(areas["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        app.api(&hr, Method::GET, "/api/v1/staff", None)
            .await
            .json()["total"],
        0
    );
    let _ = s;
}

async fn staff_are_listed_a_page_at_a_time(store: Store) {
    let app = TestApp::new(store);
    let admin = app.admin_token().await;
    let s = seed(&app, &admin).await;
    app.user("people", &[(tandem_domain::access::Role::Hr, "national")])
        .await;
    let hr = app.token("people").await;
    for given in ["Ann", "Ben", "Cat"] {
        add_staff(&app, &hr, given, s.team).await;
    }
    let page = app
        .api(&hr, Method::GET, "/api/v1/staff?per_page=2&page=2", None)
        .await
        .json();
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"][0]["given_name"], "Cat");
    let named = app
        .api(&hr, Method::GET, "/api/v1/staff?name=be", None)
        .await
        .json();
    assert_eq!(named["items"][0]["given_name"], "Ben");
    let bad = app
        .api(&hr, Method::GET, "/api/v1/staff?per_page=0", None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["fields"][0]["field"], "per_page");
}

async fn health_and_readiness_answer_without_signing_in(store: Store) {
    let app = TestApp::new(store);
    let alive = app.get("/healthz").await;
    assert_eq!(alive.status, StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.json()["status"], "ready");
}

tandem_testkit::on_both_backends!(
    records_are_created_read_updated_and_deleted,
    a_second_editor_is_told_to_reload,
    bad_input_is_refused_and_changes_nothing,
    staff_are_listed_a_page_at_a_time,
    health_and_readiness_answer_without_signing_in,
);
