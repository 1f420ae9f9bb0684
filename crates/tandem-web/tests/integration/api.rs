use crate::{TestApp, seed_area};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;
use tandem_storage::Store;

async fn records_are_created_read_updated_and_deleted(store: Store) {
    let app = TestApp::new(store);
    let (region_id, area_id) = seed_area(&app).await;

    let created = app
        .json(
            Method::POST,
            "/api/v1/teams",
            json!({"code": "a1-prl1", "name": "Newcastle private law 1", "service_area_id": area_id}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let team = created.json();
    let id = team["id"].as_i64().expect("id");
    assert_eq!(team["code"], "A1-PRL1");
    assert_eq!(team["version"], 1);
    assert_eq!(created.header("location"), format!("/api/v1/teams/{id}"));

    let fetched = app.get(&format!("/api/v1/teams/{id}")).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.json(), team);

    let listed = app.get("/api/v1/teams").await.json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));

    let updated = app
        .json(
            Method::PUT,
            &format!("/api/v1/teams/{id}"),
            json!({"code": "A1-PRL1", "name": "Newcastle private law", "service_area_id": area_id, "version": 1}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.json()["version"], 2);

    // The area still has a team, so it cannot go.
    let blocked = app
        .send(
            Request::delete(format!("/api/v1/service-areas/{area_id}?version=1"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(blocked.status, StatusCode::CONFLICT);
    assert_eq!(blocked.error_code(), "in_use");

    let deleted = app
        .send(
            Request::delete(format!("/api/v1/teams/{id}?version=2"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.body);
    assert_eq!(
        app.get(&format!("/api/v1/teams/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/regions/{region_id}"))
            .await
            .status,
        StatusCode::OK
    );
}

async fn a_second_editor_is_told_to_reload(store: Store) {
    let app = TestApp::new(store);
    let (region_id, _) = seed_area(&app).await;
    let path = format!("/api/v1/regions/{region_id}");
    let first = app
        .json(
            Method::PUT,
            &path,
            json!({"code": "NE", "name": "North East England", "version": 1}),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK);
    let second = app
        .json(
            Method::PUT,
            &path,
            json!({"code": "NE", "name": "The North East", "version": 1}),
        )
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert_eq!(second.error_code(), "stale_version");
    assert_eq!(app.get(&path).await.json()["name"], "North East England");

    let no_version = app
        .json(
            Method::PUT,
            &path,
            json!({"code": "NE", "name": "Anything"}),
        )
        .await;
    assert_eq!(no_version.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_version.json()["error"]["fields"][0]["field"], "version");
}

/// Each kind of bad input gets a clear 4xx in the envelope and changes nothing.
async fn bad_input_is_refused_and_changes_nothing(store: Store) {
    let app = TestApp::new(store);
    let (_, area_id) = seed_area(&app).await;

    let duplicate = app
        .json(
            Method::POST,
            "/api/v1/regions",
            json!({"code": "NW", "name": "North East"}),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.error_code(), "duplicate");
    assert_eq!(duplicate.json()["error"]["fields"][0]["field"], "name");

    let unknown_field = app
        .json(
            Method::POST,
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
            Request::post("/api/v1/regions")
                .header("content-type", "application/json")
                .body(Body::from("{\"code\": \"NW\", "))
                .expect("request"),
        )
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.error_code(), "bad_request");

    let not_json = app
        .send(
            Request::post("/api/v1/regions")
                .header("content-type", "text/plain")
                .body(Body::from("code=NW"))
                .expect("request"),
        )
        .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(not_json.error_code(), "unsupported_media_type");

    let oversized = app
        .json(
            Method::POST,
            "/api/v1/regions",
            json!({"code": "NW", "name": "x".repeat(tandem_web::MAX_BODY_BYTES)}),
        )
        .await;
    assert_eq!(oversized.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(oversized.error_code(), "payload_too_large");

    let missing_reference = app
        .json(
            Method::POST,
            "/api/v1/service-areas",
            json!({"code": "A2", "name": "Durham", "region_id": 999_999}),
        )
        .await;
    assert_eq!(missing_reference.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        missing_reference.json()["error"]["fields"][0]["field"],
        "region_id"
    );

    let bad_dates = app
        .json(
            Method::POST,
            "/api/v1/staff",
            json!({
                "given_name": "Ann", "family_name": "Smith", "job_group": "practitioner",
                "grade": "Family court adviser", "fte": 1.0, "contract_type": "employed",
                "start_date": "2024-02-30", "end_date": "2023-01-01"
            }),
        )
        .await;
    assert_eq!(bad_dates.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_dates.error_code(), "validation_failed");
    assert_eq!(
        bad_dates.json()["error"]["fields"][0]["field"],
        "start_date"
    );

    let bad_choice = app
        .json(
            Method::POST,
            "/api/v1/staff",
            json!({
                "given_name": "Ann", "family_name": "Smith", "job_group": "wizard",
                "grade": "FCA", "fte": 1.5, "contract_type": "employed", "start_date": "2024-02-01"
            }),
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
        let missing = app.get(path).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(missing.error_code(), "not_found");
    }

    // Nothing above changed anything.
    assert_eq!(
        app.get("/api/v1/regions").await.json()["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        app.get("/api/v1/service-areas").await.json()["items"][0]["id"],
        area_id
    );
    assert_eq!(app.get("/api/v1/staff").await.json()["total"], 0);
}

async fn staff_are_listed_a_page_at_a_time(store: Store) {
    let app = TestApp::new(store);
    let (_, area_id) = seed_area(&app).await;
    let team = app
        .json(
            Method::POST,
            "/api/v1/teams",
            json!({"code": "A1-PUB", "name": "Public law", "service_area_id": area_id}),
        )
        .await
        .json();
    for (given, family) in [("Ann", "Adams"), ("Ben", "Brown"), ("Cat", "Clark")] {
        let reply = app
            .json(
                Method::POST,
                "/api/v1/staff",
                json!({
                    "given_name": given, "family_name": family, "job_group": "practitioner",
                    "grade": "Family court adviser", "fte": 0.8, "team_id": team["id"],
                    "contract_type": "self-employed-contractor", "start_date": "2022-09-01"
                }),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        assert_eq!(reply.json()["fte"], 0.8);
    }
    let page = app.get("/api/v1/staff?per_page=2&page=2").await.json();
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"][0]["family_name"], "Clark");
    let named = app.get("/api/v1/staff?name=be").await.json();
    assert_eq!(named["items"][0]["given_name"], "Ben");
    let bad = app.get("/api/v1/staff?per_page=0").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["error"]["fields"][0]["field"], "per_page");
}

async fn health_and_readiness_answer(store: Store) {
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
    health_and_readiness_answer,
);
