use crate::{TestApp, seed};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tandem_domain::access::Role;
use tandem_storage::Store;

const ORGANISATION_LISTS: &[&str] = &[
    "/admin/regions",
    "/admin/service-areas",
    "/admin/offices",
    "/admin/teams",
    "/admin/courts",
    "/admin/local-authorities",
    "/admin/application-types",
];

async fn every_page_renders_with_the_demo_organisation(store: Store) {
    let summary = tandem_demo::load(&store, 7, &tandem_testkit::stamp())
        .await
        .expect("load demo");
    assert_eq!((summary.regions, summary.service_areas), (10, 18));
    assert!(summary.staff > 500, "{summary:?}");
    let app = TestApp::new(store);
    let admin = app.admin().await;
    let hr = app.browser("people", &[(Role::Hr, "national")]).await;
    let mut admin_pages = vec![
        "/".to_owned(),
        "/organisation".into(),
        "/admin".into(),
        "/admin/users".into(),
        "/admin/users/new".into(),
        "/admin/users/1".into(),
        "/admin/audit".into(),
        "/account".into(),
    ];
    for list in ORGANISATION_LISTS {
        admin_pages.extend([list.to_string(), format!("{list}/new"), format!("{list}/1")]);
    }
    for page in &admin_pages {
        let reply = app.get_as(&admin, page).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}: {}", reply.body);
        assert!(reply.body.contains("<h1"), "{page} has a heading");
        assert!(
            reply.header("content-type").starts_with("text/html"),
            "{page}"
        );
    }
    for page in [
        "/admin/staff",
        "/admin/staff/new",
        "/admin/staff/1",
        "/admin/staff?page=2",
    ] {
        let reply = app.get_as(&hr, page).await;
        assert_eq!(reply.status, StatusCode::OK, "{page}: {}", reply.body);
    }
    let home = app.get_as(&admin, "/").await.body;
    assert!(home.contains("15 June 2026"), "home shows the clock's date");
    assert!(home.contains(&summary.staff.to_string()));
}

async fn forms_show_every_problem_and_keep_what_was_typed(store: Store) {
    let app = TestApp::new(store);
    let token = app.admin_token().await;
    let s = seed(&app, &token).await;
    let admin = app.sign_in("admin").await;
    let reply = app
        .form_as(
            &admin,
            "/admin/offices/new",
            &[
                ("code", "x y"),
                ("name", "Durham office"),
                ("address", ""),
                ("town", "Durham"),
                ("postcode", "DH1"),
                ("service_area_id", &s.area.to_string()),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("There is a problem"));
    for anchor in ["href=\"#code\"", "href=\"#address\"", "href=\"#postcode\""] {
        assert!(
            reply.body.contains(anchor),
            "error summary links to {anchor}"
        );
    }
    assert!(
        reply.body.contains("value=\"Durham office\""),
        "typed values are kept"
    );
    assert!(
        reply.body.contains("<title>Error: "),
        "title says there is an error"
    );
    let offices = app
        .api(&token, axum::http::Method::GET, "/api/v1/offices", None)
        .await
        .json();
    assert_eq!(offices["items"].as_array().map(Vec::len), Some(0));
}

async fn a_form_saves_and_redirects(store: Store) {
    let app = TestApp::new(store);
    let token = app.admin_token().await;
    let s = seed(&app, &token).await;
    let hr = app.browser("people", &[(Role::Hr, "national")]).await;
    let team = s.team.to_string();
    let mut fields = vec![
        ("given_name", "Ann"),
        ("family_name", "Adams"),
        ("job_group", "practitioner"),
        ("grade", "Family court adviser"),
        ("fte", "0.6"),
        ("team_id", &team),
        ("line_manager_id", ""),
        ("contract_type", "bank"),
        ("start_date-day", "1"),
        ("start_date-month", "9"),
        ("start_date-year", "2021"),
        ("end_date-day", ""),
        ("end_date-month", ""),
        ("end_date-year", ""),
        ("version", ""),
    ];
    let reply = app.form_as(&hr, "/admin/staff/new", &fields).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(reply.header("location"), "/admin/staff?notice=created");
    let listed = app.get_as(&hr, "/admin/staff?notice=created").await.body;
    assert!(listed.contains("The record has been added"));
    assert!(listed.contains("Ann Adams"));

    // A date that does not exist is refused, linked to the day box.
    fields[0] = ("given_name", "Bea");
    fields[8] = ("start_date-day", "31");
    fields[9] = ("start_date-month", "2");
    let bad = app.form_as(&hr, "/admin/staff/new", &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#start_date-day\""));
}

async fn an_edit_from_a_stale_page_is_refused(store: Store) {
    let app = TestApp::new(store);
    let token = app.admin_token().await;
    let s = seed(&app, &token).await;
    let admin = app.sign_in("admin").await;
    let path = format!("/admin/regions/{}", s.region);
    let first = app
        .form_as(
            &admin,
            &path,
            &[
                ("code", "NE"),
                ("name", "North East England"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let second = app
        .form_as(
            &admin,
            &path,
            &[("code", "NE"), ("name", "The North East"), ("version", "1")],
        )
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert!(second.body.contains("changed by someone else"));
    let region = app
        .api(
            &token,
            axum::http::Method::GET,
            &format!("/api/v1/regions/{}", s.region),
            None,
        )
        .await
        .json();
    assert_eq!(region["name"], "North East England");
}

async fn unknown_form_fields_are_refused(store: Store) {
    let app = TestApp::new(store);
    let admin = app.admin().await;
    let reply = app
        .form_as(
            &admin,
            "/admin/regions/new",
            &[("code", "NW"), ("name", "North West"), ("admin", "1")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("admin"));
    let regions = app.get_as(&admin, "/admin/regions").await.body;
    assert!(!regions.contains("North West"));
}

async fn the_staff_filter_answers_htmx_with_just_the_results(store: Store) {
    tandem_demo::load(&store, 7, &tandem_testkit::stamp())
        .await
        .expect("load demo");
    let app = TestApp::new(store);
    let hr = app.browser("people", &[(Role::Hr, "national")]).await;
    let partial = app
        .send(
            Request::get("/admin/staff?name=a&team_id=1")
                .header("hx-request", "true")
                .header("cookie", format!("tandem_session={}", hr.cookie))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(partial.status, StatusCode::OK);
    assert!(!partial.body.contains("<html"), "a partial, not a page");
    assert!(partial.body.contains("govuk-table") || partial.body.contains("No staff match"));
    let full = app.get_as(&hr, "/admin/staff?page=2").await;
    assert!(full.body.contains("<html"));
    assert!(full.body.contains("page 2 of"), "{}", full.body);
}

async fn missing_pages_are_friendly(store: Store) {
    let app = TestApp::new(store);
    let admin = app.admin().await;
    for path in ["/nowhere", "/admin/regions/999", "/admin/regions/abc"] {
        let reply = app.get_as(&admin, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(reply.body.contains("<h1"), "{path}");
    }
    let api = app.get("/api/v1/nowhere").await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    assert_eq!(api.error_code(), "not_found");
    let wrong_method = app
        .send(
            Request::patch("/api/v1/regions")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.error_code(), "method_not_allowed");
}

async fn the_measure_catalogue_is_published(store: Store) {
    let app = TestApp::new(store);
    let board = app
        .browser("board", &[(Role::BoardMember, "national")])
        .await;
    let list = app.get_as(&board, "/measures").await;
    assert_eq!(list.status, StatusCode::OK);
    for m in tandem_domain::measures::CATALOGUE {
        assert!(
            list.body.contains(&format!("href=\"/measures/{}\"", m.id)),
            "{}",
            m.id
        );
    }
    let one = app.get_as(&board, "/measures/care-within-26-weeks").await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains("182 days"));
    assert_eq!(
        app.get_as(&board, "/measures/happiness").await.status,
        StatusCode::NOT_FOUND
    );
    let token = app.token("board").await;
    let api = app
        .api(&token, axum::http::Method::GET, "/api/v1/measures", None)
        .await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(
        api.json()["items"].as_array().map(Vec::len),
        Some(tandem_domain::measures::CATALOGUE.len())
    );

    // Values: an empty service has 0 new cases, and nothing to divide by.
    let get = |path: &'static str| app.api(&token, axum::http::Method::GET, path, None);
    let counted = get("/api/v1/measures/new-cases?from=2025-04&to=2026-03&by=quarter").await;
    assert_eq!(counted.status, StatusCode::OK);
    let items = counted.json()["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(items.len(), 4, "four financial quarters");
    assert_eq!(items[0]["label"], "April to June 2025");
    assert_eq!(items[0]["value"], 0.0);
    let shares = get("/api/v1/measures/work-filed-on-time?from=2026-01&to=2026-01").await;
    assert_eq!(shares.json()["items"][0]["value"], serde_json::Value::Null);
    assert_eq!(shares.json()["items"][0]["shown"], "no data");
    let by_month = get("/api/v1/measures/children-worked-with?from=2026-01&to=2026-02").await;
    assert_eq!(by_month.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = get("/api/v1/measures/new-cases?scope=planet-3&from=2026-13").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("scope") && bad.body.contains("from"),
        "{}",
        bad.body
    );
    assert_eq!(
        get("/api/v1/measures/happiness").await.status,
        StatusCode::NOT_FOUND
    );
    let page = app
        .get_as(&board, "/measures/new-cases?from=2026-01&to=2026-03")
        .await;
    assert!(page.body.contains("<svg") && page.body.contains("March 2026"));
    let wrong = app.get_as(&board, "/measures/new-cases?from=soon").await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(wrong.body.contains("govuk-error-summary"));
}

tandem_testkit::on_both_backends!(
    the_measure_catalogue_is_published,
    every_page_renders_with_the_demo_organisation,
    forms_show_every_problem_and_keep_what_was_typed,
    a_form_saves_and_redirects,
    an_edit_from_a_stale_page_is_refused,
    unknown_form_fields_are_refused,
    the_staff_filter_answers_htmx_with_just_the_results,
    missing_pages_are_friendly,
);
