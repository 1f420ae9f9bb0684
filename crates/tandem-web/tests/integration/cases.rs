use crate::{TestApp, seed};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use tandem_domain::access::Role;
use tandem_storage::Store;

/// A court in area A1, through the API.
async fn court(app: &TestApp, admin: &str, area: i64) -> i64 {
    let reply = app
        .api(
            admin,
            Method::POST,
            "/api/v1/courts",
            Some(json!({"code": "NCL-FC", "name": "Newcastle Family Court", "dfj_area": "Newcastle", "service_area_id": area})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["id"].as_i64().expect("id")
}

fn case_body(number: &str, court: i64, team: i64) -> Value {
    json!({
        "case_number": number, "court_id": court, "law_type": "private",
        "application_type": "child-arrangements", "harm_alleged": true,
        "received_on": "2026-03-02", "issued_on": "2026-02-27", "team_id": team,
        "children": [{"given_name": "Ava", "family_name": "Rivers", "date_of_birth": "2018-07-14", "sex": "female"}],
        "parties": [{"role": "respondent", "given_name": "Morgan", "family_name": "Hale", "relationship": "Father",
                     "address": "1 Quiet Lane", "postcode": "NE1 4XB", "address_confidential": true}]
    })
}

struct World {
    app: TestApp,
    court: i64,
    team: i64,
    other_team: i64,
    area: i64,
    admin: String,
    fca: String,
}

impl World {
    /// Opens a private law case in the adviser's team, through the API.
    async fn open_case(&self, number: &str) -> i64 {
        let reply = self
            .app
            .api(
                &self.fca,
                Method::POST,
                "/api/v1/cases",
                Some(case_body(number, self.court, self.team)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.json()["id"].as_i64().expect("id")
    }
}

async fn world(store: Store) -> World {
    let app = TestApp::new(store);
    let admin = app.admin_token().await;
    let s = seed(&app, &admin).await;
    let court = court(&app, &admin, s.area).await;
    app.user("fca", &[(Role::FamilyCourtAdviser, "team:A1-T")])
        .await;
    let fca = app.token("fca").await;
    World {
        app,
        court,
        team: s.team,
        other_team: s.other_team,
        area: s.area,
        admin,
        fca,
    }
}

async fn a_case_opens_moves_closes_and_reopens(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let opened = app
        .api(
            &w.fca,
            Method::POST,
            "/api/v1/cases",
            Some(case_body("ne26p001", w.court, w.team)),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let case = opened.json();
    let id = case["id"].as_i64().expect("id");
    assert_eq!(case["case_number"], "NE26P001");
    assert_eq!(case["stage"], "intake");
    assert_eq!(
        case["next_stages"],
        json!(["safeguarding-checks", "closed"])
    );
    assert_eq!(
        case["children"][0]["ethnicity"], "not-known",
        "never guessed"
    );
    let path = format!("/api/v1/cases/{id}/moves");
    let mv = |to: &str, version: i64, reason: Option<&str>, reopen: bool| json!({"to": to, "on": "2026-03-05", "version": version, "reason": reason, "reopen": reopen});

    let skipped = app
        .api(
            &w.fca,
            Method::POST,
            &path,
            Some(mv("final-hearing", 1, None, false)),
        )
        .await;
    assert_eq!(skipped.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        skipped.body.contains("Safeguarding checks"),
        "{}",
        skipped.body
    );
    let moved = app
        .api(
            &w.fca,
            Method::POST,
            &path,
            Some(mv("safeguarding-checks", 1, None, false)),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let stale = app
        .api(
            &w.fca,
            Method::POST,
            &path,
            Some(mv("safeguarding-letter", 1, None, false)),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let no_reason = app
        .api(
            &w.fca,
            Method::POST,
            &path,
            Some(mv("closed", 2, None, false)),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_reason.json()["error"]["fields"][0]["field"], "reason");
    let no_outcome = app
        .api(
            &w.fca,
            Method::POST,
            &path,
            Some(mv("closed", 2, Some("Application withdrawn"), false)),
        )
        .await;
    assert_eq!(no_outcome.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_outcome.body.contains("Record the outcome for"),
        "{}",
        no_outcome.body
    );
    let child = case["children"][0]["id"].as_i64().expect("child");
    let outcome = app
        .api(
            &w.fca,
            Method::PUT,
            &format!("/api/v1/cases/{id}/children/{child}/outcome"),
            Some(json!({"orders": ["withdrawn"], "lives_with": "mother", "recorded_on": "2026-03-05", "version": 1})),
        )
        .await;
    assert_eq!(outcome.status, StatusCode::OK, "{}", outcome.body);
    assert_eq!(
        outcome.json()["children"][0]["outcome"]["orders"],
        json!(["withdrawn"])
    );
    let closed = app
        .api(
            &w.fca,
            Method::POST,
            &path,
            Some(mv("closed", 2, Some("Application withdrawn"), false)),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK);
    assert_eq!(closed.json()["closed_on"], "2026-03-05");
    let reopened = app
        .api(
            &w.fca,
            Method::POST,
            &path,
            Some(mv("first-hearing", 3, Some("Restored on appeal"), true)),
        )
        .await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.body);
    assert_eq!(reopened.json()["stage"], "first-hearing");
    assert_eq!(reopened.json()["closed_on"], Value::Null);
}

async fn bad_cases_are_refused_and_change_nothing(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let mut body = case_body("NE26P002", w.court, w.team);
    body["children"][0]["date_of_birth"] = json!("2026-03-09");
    body["law_type"] = json!("public");
    body["parties"][0]["role"] = json!("cousin");
    let refused = app
        .api(&w.fca, Method::POST, "/api/v1/cases", Some(body))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = refused.json()["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    for expected in [
        "case.application_type",
        "case.local_authority_id",
        "children[0].date_of_birth",
        "parties[0].role",
    ] {
        assert!(
            fields.contains(&expected.to_owned()),
            "{expected} in {fields:?}"
        );
    }
    let mut unknown = case_body("NE26P002", w.court, w.team);
    unknown["colour"] = json!("red");
    assert_eq!(
        app.api(&w.fca, Method::POST, "/api/v1/cases", Some(unknown))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    let first = app
        .api(
            &w.fca,
            Method::POST,
            "/api/v1/cases",
            Some(case_body("NE26P003", w.court, w.team)),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let duplicate = app
        .api(
            &w.fca,
            Method::POST,
            "/api/v1/cases",
            Some(case_body("ne26p003", w.court, w.team)),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.error_code(), "duplicate");
    let id = first.json()["id"].as_i64().expect("id");
    let early = app
        .api(
            &w.fca,
            Method::POST,
            &format!("/api/v1/cases/{id}/moves"),
            Some(json!({"to": "closed", "on": "2026-01-01", "version": 1, "reason": "withdrawn"})),
        )
        .await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "closure before receipt"
    );
    let cases = app
        .api(&w.fca, Method::GET, "/api/v1/cases", None)
        .await
        .json();
    assert_eq!(cases["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(cases["items"][0]["stage"], "intake");
}

async fn cases_stay_within_scope_and_addresses_stay_confidential(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let id = w.open_case("NE26P004").await;
    let case = app
        .api(&w.fca, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert_eq!(
        case.json()["parties"][0]["address"],
        "Confidential address",
        "not allocated: withheld"
    );
    assert!(!case.body.contains("Quiet Lane"));
    let page = app
        .get_as(&app.sign_in("fca").await, &format!("/cases/{id}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Confidential address") && !page.body.contains("Quiet Lane"));

    app.user("far", &[(Role::FamilyCourtAdviser, "team:A2-T")])
        .await;
    let far = app.token("far").await;
    let outside = app
        .api(&far, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    let missing = app
        .api(&far, Method::GET, "/api/v1/cases/987654", None)
        .await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    assert_eq!(outside.body, missing.body);
    assert_eq!(
        app.api(&far, Method::GET, "/api/v1/cases?search=ne26", None)
            .await
            .json()["items"],
        json!([])
    );
    let elsewhere = app
        .api(
            &far,
            Method::POST,
            "/api/v1/cases",
            Some(case_body("NE26P005", w.court, w.team)),
        )
        .await;
    assert_eq!(
        elsewhere.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "cannot open a case in another team"
    );
    assert_eq!(
        app.api(
            &far,
            Method::POST,
            "/api/v1/cases",
            Some(case_body("NE26P005", w.court, w.other_team))
        )
        .await
        .status,
        StatusCode::CREATED
    );
    app.user("board", &[(Role::BoardMember, "national")]).await;
    let board = app.token("board").await;
    assert_eq!(
        app.api(&board, Method::GET, "/api/v1/cases", None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api(&board, Method::GET, &format!("/api/v1/cases/{id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Searching finds by number, child and party name, within the scope.
    for search in ["ne26p004", "rivers", "hale"] {
        let found = app
            .api(
                &w.fca,
                Method::GET,
                &format!("/api/v1/cases?search={search}"),
                None,
            )
            .await
            .json();
        assert_eq!(found["items"].as_array().map(Vec::len), Some(1), "{search}");
    }
}

async fn case_pages_open_show_and_move(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let fca = app.sign_in("fca").await;
    assert_eq!(app.get_as(&fca, "/cases").await.status, StatusCode::OK);
    assert_eq!(app.get_as(&fca, "/cases/new").await.status, StatusCode::OK);
    let (court, team) = (w.court.to_string(), w.team.to_string());
    let mut fields = vec![
        ("case_number", "NE26P006"),
        ("court_id", court.as_str()),
        ("law_type", "private"),
        ("application_type", "child-arrangements"),
        ("received_on-day", "2"),
        ("received_on-month", "3"),
        ("received_on-year", "2026"),
        ("team_id", team.as_str()),
        ("child_given_name", "Ben"),
        ("child_family_name", "Rivers"),
        ("child_date_of_birth-day", "14"),
        ("child_date_of_birth-month", "7"),
        ("child_date_of_birth-year", "2027"),
    ];
    let born_later = app.form_as(&fca, "/cases/new", &fields).await;
    assert_eq!(born_later.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        born_later
            .body
            .contains("href=\"#child_date_of_birth-day\"")
    );
    assert!(
        born_later.body.contains("value=\"NE26P006\""),
        "typed values are kept"
    );
    fields[12] = ("child_date_of_birth-year", "2019");
    let opened = app.form_as(&fca, "/cases/new", &fields).await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let location = opened.header("location").to_owned();
    let page = app.get_as(&fca, &location).await;
    assert!(page.body.contains("Case NE26P006") && page.body.contains("Ben Rivers"));
    let id = location.trim_start_matches("/cases/");
    let moved = app
        .form_as(
            &fca,
            &format!("/cases/{id}/move"),
            &[
                ("to", "safeguarding-checks"),
                ("on", "2026-03-03"),
                ("reason", ""),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let history = app.get_as(&fca, &location).await.body;
    assert!(history.contains("Moved from Intake and screening to Safeguarding checks"));
    let wrong = app
        .form_as(
            &fca,
            &format!("/cases/{id}/move"),
            &[
                ("to", "final-hearing"),
                ("on", "2026-03-03"),
                ("reason", ""),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("can move only to"));
    let list = app.get_as(&fca, "/cases?search=ben").await.body;
    assert!(list.contains("NE26P006"));
}

async fn reading_a_case_is_audited_and_break_glass_opens_it(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let id = w.open_case("NE26P007").await;
    let (before, _) = app.store.audit_head().await.expect("head");
    app.api(&w.fca, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    let entries = app.store.audit_page(before, 10).await.expect("page");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].entry.action, "view");
    assert_eq!(entries[0].entry.record_type.as_deref(), Some("case"));
    assert_eq!(entries[0].entry.actor_scope.as_deref(), Some("team:A1-T"));

    let cover = app
        .browser("cover", &[(Role::PracticeSupervisor, "team:A2-T")])
        .await;
    let prompt = app.get_as(&cover, &format!("/cases/{id}")).await;
    assert_eq!(prompt.status, StatusCode::FORBIDDEN);
    assert!(prompt.body.contains(&format!("/cases/{id}/break-glass")));
    let granted = app
        .form_as(
            &cover,
            &format!("/cases/{id}/break-glass"),
            &[("reason", "Covering Ava's case during sickness absence")],
        )
        .await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER);
    assert_eq!(granted.header("location"), format!("/cases/{id}"));
    assert_eq!(
        app.get_as(&cover, &format!("/cases/{id}")).await.status,
        StatusCode::OK
    );
}

async fn exports_stay_in_scope_are_audited_and_need_the_right(store: Store) {
    use tandem_domain::audit::Outcome;
    let w = world(store).await;
    let app = &w.app;
    w.open_case("NE26P010").await;
    app.user("far", &[(Role::FamilyCourtAdviser, "team:A2-T")])
        .await;
    let far = app.token("far").await;
    let elsewhere = app
        .api(
            &far,
            Method::POST,
            "/api/v1/cases",
            Some(case_body("DU26P011", w.court, w.other_team)),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::CREATED, "{}", elsewhere.body);
    app.user("manager", &[(Role::ServiceManager, "area:A1")])
        .await;
    let manager = app.sign_in("manager").await;
    assert!(
        app.get_as(&manager, "/cases")
            .await
            .body
            .contains("href=\"/cases/export\"")
    );
    let form = app.get_as(&manager, "/cases/export").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Export case data") && form.body.contains("value=\"outcomes\""));

    let file = app
        .get_as(&manager, "/cases/export/file?table=parties&format=csv&from-day=1&from-month=3&from-year=2026&to-day=&to-month=&to-year=")
        .await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert_eq!(
        file.header("content-disposition"),
        "attachment; filename=\"tandem-parties.csv\""
    );
    assert!(file.header("content-type").starts_with("text/csv"));
    assert!(file.body.starts_with("court_code,case_number,role,"));
    assert!(file.body.contains("NE26P010"), "{}", file.body);
    assert!(
        !file.body.contains("DU26P011"),
        "outside the manager's area"
    );
    assert!(
        !file.body.contains("Quiet Lane"),
        "never the confidential address"
    );
    assert!(
        file.body.contains(",yes,,"),
        "flagged, address blank: {}",
        file.body
    );
    let workbook = app
        .get_as(&manager, "/cases/export/file?table=cases&format=xlsx")
        .await;
    assert_eq!(workbook.status, StatusCode::OK);
    assert!(workbook.header("content-type").contains("spreadsheetml"));
    assert!(workbook.body.starts_with("PK"), "a zip archive");

    let bad = app
        .get_as(
            &manager,
            "/cases/export/file?table=verdicts&format=pdf&from-day=31&from-month=2&from-year=2026",
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for message in ["Choose a table", "Choose a format", "real date"] {
        assert!(bad.body.contains(message), "{message}: {}", bad.body);
    }

    // A practitioner may not bulk-export: refused, and the refusal audited.
    let fca = app.sign_in("fca").await;
    assert!(
        !app.get_as(&fca, "/cases")
            .await
            .body
            .contains("/cases/export")
    );
    assert_eq!(
        app.get_as(&fca, "/cases/export").await.status,
        StatusCode::FORBIDDEN
    );
    let refused = app
        .get_as(&fca, "/cases/export/file?table=parties&format=csv")
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("NE26P010"));

    let trail = app
        .store
        .audit_search(&tandem_storage::AuditFilter {
            record_type: Some("case".into()),
            limit: 200,
            ..Default::default()
        })
        .await
        .expect("audit");
    let exports: Vec<_> = trail
        .iter()
        .filter(|e| e.entry.action == "export")
        .collect();
    let by = |user: &str, outcome: Outcome| {
        exports
            .iter()
            .filter(|e| e.entry.actor_username == user && e.entry.outcome == outcome)
            .count()
    };
    assert_eq!(by("manager", Outcome::Allowed), 2, "each download");
    assert_eq!(by("fca", Outcome::Denied), 2, "each refusal");
    let reason = exports
        .iter()
        .rev()
        .find(|e| e.entry.actor_username == "manager")
        .and_then(|e| e.entry.reason.clone())
        .unwrap_or_default();
    assert_eq!(reason, "table parties, csv, from 2026-03-01, 1 rows");
}

tandem_testkit::on_both_backends!(
    exports_stay_in_scope_are_audited_and_need_the_right,
    a_case_opens_moves_closes_and_reopens,
    bad_cases_are_refused_and_change_nothing,
    cases_stay_within_scope_and_addresses_stay_confidential,
    case_pages_open_show_and_move,
    reading_a_case_is_audited_and_break_glass_opens_it,
);

/// A practitioner (or manager) in `team`, managed by `manager`, through the API.
async fn person(
    app: &TestApp,
    hr: &str,
    given: &str,
    team: i64,
    group: &str,
    manager: Option<i64>,
) -> i64 {
    let reply = app
        .api(
            hr,
            Method::POST,
            "/api/v1/staff",
            Some(json!({
                "given_name": given, "family_name": "Tester", "job_group": group,
                "grade": "Family court adviser", "fte": 1.0, "team_id": team, "line_manager_id": manager,
                "contract_type": "employed", "start_date": "2020-04-01"
            })),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()["id"].as_i64().expect("id")
}

/// Staff ids: Bea manages Wes; Oli is in the same team, Far in another.
/// Each has an account by their name in lower case.
struct People {
    worker: i64,
    other: i64,
    far: i64,
}

async fn people(w: &World) -> People {
    let app = &w.app;
    app.user("people", &[(Role::Hr, "national")]).await;
    let hr = app.token("people").await;
    let boss = person(app, &hr, "Bea", w.team, "practice-management", None).await;
    let worker = person(app, &hr, "Wes", w.team, "practitioner", Some(boss)).await;
    let other = person(app, &hr, "Oli", w.team, "practitioner", None).await;
    let far = person(app, &hr, "Far", w.other_team, "practitioner", None).await;
    app.staff_user("wes", &[(Role::FamilyCourtAdviser, "team:A1-T")], worker)
        .await;
    app.staff_user("bea", &[(Role::PracticeSupervisor, "team:A1-T")], boss)
        .await;
    app.staff_user("oli", &[(Role::FamilyCourtAdviser, "team:A1-T")], other)
        .await;
    app.staff_user("far", &[(Role::FamilyCourtAdviser, "team:A2-T")], far)
        .await;
    People { worker, other, far }
}

async fn allocation_gives_the_worker_and_their_managers_the_address(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let People { worker, other, far } = people(&w).await;
    let (wes, bea, oli) = (
        app.token("wes").await,
        app.token("bea").await,
        app.token("oli").await,
    );
    let id = w.open_case("NE26P050").await;
    let path = format!("/api/v1/cases/{id}/allocation");
    let by_fca = app
        .api(
            &wes,
            Method::POST,
            &path,
            Some(json!({"staff_id": worker, "on": "2026-03-10", "version": 1})),
        )
        .await;
    assert_eq!(
        by_fca.status,
        StatusCode::NOT_FOUND,
        "advisers do not allocate"
    );
    let outside = app
        .api(
            &bea,
            Method::POST,
            &path,
            Some(json!({"staff_id": far, "on": "2026-03-10", "version": 1})),
        )
        .await;
    assert_eq!(
        outside.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        outside.body
    );
    let given = app
        .api(
            &bea,
            Method::POST,
            &path,
            Some(json!({"staff_id": worker, "on": "2026-03-10", "version": 1})),
        )
        .await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.body);
    assert_eq!(given.json()["allocated_to"], worker);

    let address = |token: String| async move {
        app.api(&token, Method::GET, &format!("/api/v1/cases/{id}"), None)
            .await
            .json()["parties"][0]["address"]
            .clone()
    };
    assert_eq!(
        address(wes.clone()).await,
        "1 Quiet Lane NE1 4XB",
        "the allocated worker"
    );
    assert_eq!(
        address(bea.clone()).await,
        "1 Quiet Lane NE1 4XB",
        "their line manager"
    );
    assert_eq!(
        address(oli.clone()).await,
        "Confidential address",
        "a colleague"
    );
    assert_eq!(
        address(w.fca.clone()).await,
        "Confidential address",
        "not linked to staff"
    );

    let no_reason = app
        .api(
            &bea,
            Method::POST,
            &path,
            Some(json!({"staff_id": other, "on": "2026-03-12", "version": 2})),
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_reason.json()["error"]["fields"][0]["field"], "reason");
    let moved = app
        .api(&bea, Method::POST, &path, Some(json!({"staff_id": other, "on": "2026-03-12", "version": 2, "reason": "Wes is on leave"})))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(
        address(wes.clone()).await,
        "Confidential address",
        "no longer allocated"
    );
    assert_eq!(address(oli).await, "1 Quiet Lane NE1 4XB");

    // The pages: the team's queue and caseloads, the case's history, my caseload.
    let supervisor = app.sign_in("bea").await;
    let team_page = app
        .get_as(&supervisor, &format!("/teams/{}/allocation", w.team))
        .await;
    assert_eq!(team_page.status, StatusCode::OK);
    assert!(team_page.body.contains("Oli Tester") && team_page.body.contains("Points per FTE"));
    let adviser = app.sign_in("oli").await;
    assert_eq!(
        app.get_as(&adviser, &format!("/teams/{}/allocation", w.team))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let home = app.get_as(&adviser, "/").await.body;
    assert!(home.contains("My caseload") && home.contains("NE26P050"));
    let case_page = app.get_as(&supervisor, &format!("/cases/{id}")).await.body;
    assert!(case_page.contains("Who has held the case") && case_page.contains("Wes is on leave"));
    let limit = app
        .form_as(
            &supervisor,
            &format!("/teams/{}/safe-caseload", w.team),
            &[("points_per_fte", "0")],
        )
        .await;
    assert_eq!(limit.status, StatusCode::UNPROCESSABLE_ENTITY);
    let limit = app
        .form_as(
            &supervisor,
            &format!("/teams/{}/safe-caseload", w.team),
            &[("points_per_fte", "20")],
        )
        .await;
    assert_eq!(limit.status, StatusCode::SEE_OTHER);
}

mod allocation {
    use super::*;
    tandem_testkit::on_both_backends!(allocation_gives_the_worker_and_their_managers_the_address);
}

async fn cases_show_their_clocks_and_bank_holidays_can_be_imported(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let id = w.open_case("NE26P060").await;
    let fca = app.sign_in("fca").await;
    let page = app.get_as(&fca, &format!("/cases/{id}")).await.body;
    // Received Monday 2 March 2026: 17 working days on is 25 March.
    assert!(
        page.contains("Safeguarding letter") && page.contains("Due 25 March 2026"),
        "{page}"
    );
    assert!(page.contains("Time since received"));

    let admin = app.sign_in("admin").await;
    let held = app.get_as(&admin, "/admin/bank-holidays").await;
    assert_eq!(held.status, StatusCode::OK);
    assert!(held.body.contains("2028"));
    let bad = app
        .form_as(
            &admin,
            "/admin/bank-holidays",
            &[("json", "{\"scotland\": {}}")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("england-and-wales"), "{}", bad.body);
    // A 2026 with an extra bank holiday on 24 March moves the letter's due date.
    let mut days = vec![
        "2026-01-01",
        "2026-04-03",
        "2026-04-06",
        "2026-05-04",
        "2026-05-25",
        "2026-08-31",
        "2026-12-25",
        "2026-12-28",
    ];
    days.push("2026-03-24");
    let events: Vec<serde_json::Value> = days
        .iter()
        .map(|d| json!({"title": "Bank holiday", "date": d, "notes": "", "bunting": true}))
        .collect();
    let file = json!({"england-and-wales": {"division": "england-and-wales", "events": events}})
        .to_string();
    let imported = app
        .form_as(&admin, "/admin/bank-holidays", &[("json", &file)])
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.body);
    // A letter already set keeps its due date; a case opened now counts the new holiday.
    let page = app.get_as(&fca, &format!("/cases/{id}")).await.body;
    assert!(page.contains("Due 25 March 2026"), "{page}");
    let later = w.open_case("NE26P061").await;
    let page = app.get_as(&fca, &format!("/cases/{later}")).await.body;
    assert!(page.contains("Due 26 March 2026"), "the new holiday counts");
    assert_eq!(
        app.get_as(&fca, "/admin/bank-holidays").await.status,
        StatusCode::FORBIDDEN
    );
    let holidays = app.store.bank_holidays().await.expect("held");
    assert!(
        holidays.iter().any(|h| h.date.year() == 2027),
        "other years are kept"
    );
}

mod clocks {
    use super::*;
    tandem_testkit::on_both_backends!(cases_show_their_clocks_and_bank_holidays_can_be_imported);
}

async fn hearings_and_work_for_the_court_are_recorded(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let id = w.open_case("NE26P070").await;
    let other = w.open_case("NE26P071").await;
    let fca = app.sign_in("fca").await;
    let case = format!("/cases/{id}");
    // Opening a private law case sets its safeguarding letter, due 17
    // working days after receipt (Monday 2 March 2026 → 25 March).
    let work = app
        .store
        .work_items(tandem_domain::casework::CaseId(id))
        .await
        .expect("work");
    assert_eq!(work.len(), 1);
    assert_eq!(
        work[0].kind,
        tandem_domain::casework::WorkKind::SafeguardingLetter
    );
    assert_eq!(work[0].due_on.to_string(), "2026-03-25");
    let page = app.get_as(&fca, &case).await.body;
    assert!(page.contains("Overdue"), "unfiled and past due on 15 June");

    let hearing = |on: &'static str| {
        vec![
            ("kind", "first-hearing"),
            ("on", on),
            ("outcome", "Adjourned for a section 7 report"),
            (
                "directions",
                "Cafcass to file a section 7 report by 2026-05-29",
            ),
        ]
    };
    let early = app
        .form_as(&fca, &format!("{case}/hearings"), &hearing("2026-02-20"))
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        early
            .body
            .contains("cannot be before the application was issued")
    );
    assert!(
        early.body.contains("href=\"#hearing-on\"")
            && early
                .body
                .contains("<details class=\"govuk-details\" open>"),
        "the summary links to the field, in a form shown open"
    );
    assert!(
        early.body.contains("id=\"hearing-on-error\"")
            && early.body.contains("value=\"2026-02-20\"")
            && early
                .body
                .contains("Cafcass to file a section 7 report by 2026-05-29</textarea>")
            && early
                .body
                .contains("<option value=\"first-hearing\" selected>"),
        "the error shows at its field and what was typed is kept"
    );
    let held = app
        .form_as(&fca, &format!("{case}/hearings"), &hearing("2026-03-30"))
        .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER, "{}", held.body);
    let hearings = app
        .store
        .hearings(tandem_domain::casework::CaseId(id))
        .await
        .expect("hearings");
    assert_eq!(hearings.len(), 1, "the refused hearing left nothing behind");

    let set = app
        .form_as(
            &fca,
            &format!("{case}/work"),
            &[("kind", "section-7-report"), ("due_on", "2026-05-29")],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let unknown = app
        .form_as(
            &fca,
            &format!("{case}/work"),
            &[("kind", "essay"), ("due_on", "2026-13-29")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("href=\"#work-kind\"")
            && unknown.body.contains("href=\"#work-due-on\""),
        "every problem is listed, not just the first"
    );

    let letter = work[0].id;
    let filing = |filed: &'static str, reason: &'static str, version: &'static str| {
        vec![
            ("filed_on", filed),
            ("late_reason", reason),
            ("version", version),
        ]
    };
    let unexplained = app
        .form_as(
            &fca,
            &format!("{case}/work/{letter}/filing"),
            &filing("2026-03-27", "", "1"),
        )
        .await;
    assert_eq!(unexplained.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unexplained.body.contains("filed after it was due: say why"));
    assert!(
        unexplained
            .body
            .contains(&format!("href=\"#late-reason-{letter}\""))
    );
    let future = app
        .form_as(
            &fca,
            &format!("{case}/work/{letter}/filing"),
            &filing("2026-07-01", "", "1"),
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    let elsewhere = app
        .form_as(
            &fca,
            &format!("/cases/{other}/work/{letter}/filing"),
            &filing("2026-03-20", "", "1"),
        )
        .await;
    assert_eq!(
        elsewhere.status,
        StatusCode::NOT_FOUND,
        "not that case's work"
    );
    let filed = app
        .form_as(
            &fca,
            &format!("{case}/work/{letter}/filing"),
            &filing("2026-03-27", "Police checks came back late", "1"),
        )
        .await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let again = app
        .form_as(
            &fca,
            &format!("{case}/work/{letter}/filing"),
            &filing("2026-03-20", "", "1"),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "a stale version is refused"
    );

    let page = app.get_as(&fca, &case).await.body;
    assert!(page.contains("Filed late"), "{page}");
    assert!(page.contains("Police checks came back late"));
    assert!(page.contains("Section 7 report") && page.contains("29 May 2026"));
    assert!(
        page.contains("First hearing (FHDRA)") && page.contains("Adjourned for a section 7 report")
    );
    let work = app
        .store
        .work_items(tandem_domain::casework::CaseId(id))
        .await
        .expect("work");
    assert_eq!(
        work[0].filed_on.map(|d| d.to_string()).as_deref(),
        Some("2026-03-27")
    );
    assert_eq!(work[0].version, 2);
}

async fn hearings_and_work_through_the_api(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let id = w.open_case("NE26P072").await;
    let other = w.open_case("NE26P073").await;
    let path = |tail: &str| format!("/api/v1/cases/{id}/{tail}");
    let work = app.api(&w.fca, Method::GET, &path("work"), None).await;
    assert_eq!(work.status, StatusCode::OK, "{}", work.body);
    let work = work.json();
    assert_eq!(work["items"][0]["kind"], "safeguarding-letter");
    assert_eq!(work["items"][0]["due_on"], "2026-03-25");
    assert_eq!(work["items"][0]["status"], "overdue");
    let letter = work["items"][0]["id"].as_i64().expect("id");

    let hearing = |on: &str| json!({"kind": "fact-finding", "on": on, "outcome": "Findings made"});
    let early = app
        .api(
            &w.fca,
            Method::POST,
            &path("hearings"),
            Some(hearing("2026-01-05")),
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(early.json()["error"]["fields"][0]["field"], "on");
    let added = app
        .api(
            &w.fca,
            Method::POST,
            &path("hearings"),
            Some(hearing("2026-04-14")),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let listed = app
        .api(&w.fca, Method::GET, &path("hearings"), None)
        .await
        .json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["items"][0]["kind"], "fact-finding");
    assert_eq!(listed["items"][0]["directions"], Value::Null);

    let set = app
        .api(
            &w.fca,
            Method::POST,
            &path("work"),
            Some(json!({"kind": "section-7-report", "due_on": "2026-02-01"})),
        )
        .await;
    assert_eq!(
        set.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "due before receipt"
    );

    let file = |reason: &str, version: i64| json!({"filed_on": "2026-03-24", "late_reason": reason, "version": version});
    let elsewhere = app
        .api(
            &w.fca,
            Method::POST,
            &format!("/api/v1/cases/{other}/work/{letter}/filing"),
            Some(file("", 1)),
        )
        .await;
    assert_eq!(
        elsewhere.status,
        StatusCode::NOT_FOUND,
        "another case's work"
    );
    let stale = app
        .api(
            &w.fca,
            Method::POST,
            &path(&format!("work/{letter}/filing")),
            Some(file("", 7)),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let filed = app
        .api(
            &w.fca,
            Method::POST,
            &path(&format!("work/{letter}/filing")),
            Some(file("", 1)),
        )
        .await;
    assert_eq!(filed.status, StatusCode::OK, "{}", filed.body);
    assert_eq!(filed.json()["status"], "filed-on-time");
    assert_eq!(filed.json()["version"], 2);

    app.user("outsider", &[(Role::FamilyCourtAdviser, "team:A2-T")])
        .await;
    let outsider = app.token("outsider").await;
    let hidden = app
        .api(&outsider, Method::GET, &path("hearings"), None)
        .await;
    assert_eq!(
        hidden.status,
        StatusCode::NOT_FOUND,
        "outside the caller's scope"
    );
}

async fn the_26_week_limit_can_be_extended(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let la = app
        .api(
            &w.admin,
            Method::POST,
            "/api/v1/local-authorities",
            Some(
                json!({"code": "NCL", "name": "Newcastle City Council", "service_area_id": w.area}),
            ),
        )
        .await;
    assert_eq!(la.status, StatusCode::CREATED, "{}", la.body);
    let mut body = case_body("NE26C001", w.court, w.team);
    body["law_type"] = json!("public");
    body["application_type"] = json!("care");
    body["local_authority_id"] = la.json()["id"].clone();
    let opened = app
        .api(&w.fca, Method::POST, "/api/v1/cases", Some(body))
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let id = opened.json()["id"].as_i64().expect("id");
    let private = w.open_case("NE26P080").await;
    let extend = |weeks: i64, on: &str| json!({"weeks": weeks, "granted_on": on, "reason": "Awaiting a parenting assessment"});

    let refused = app
        .api(
            &w.fca,
            Method::POST,
            &format!("/api/v1/cases/{private}/extensions"),
            Some(extend(4, "2026-06-01")),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no 26-week limit"
    );
    let path = format!("/api/v1/cases/{id}/extensions");
    let too_long = app
        .api(&w.fca, Method::POST, &path, Some(extend(9, "2026-06-01")))
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(too_long.json()["error"]["fields"][0]["field"], "weeks");
    let future = app
        .api(&w.fca, Method::POST, &path, Some(extend(4, "2026-06-16")))
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    let granted = app
        .api(&w.fca, Method::POST, &path, Some(extend(4, "2026-06-01")))
        .await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
    assert_eq!(granted.json()["items"][0]["weeks"], 4);

    let fca = app.sign_in("fca").await;
    let case = format!("/cases/{id}");
    // Issued Friday 27 February 2026; 15 June is in week 16.
    let page = app.get_as(&fca, &case).await.body;
    assert!(page.contains("Week 16 of 30"), "{page}");
    assert!(page.contains("26-week limit extended"));
    let by_form = app
        .form_as(
            &fca,
            &format!("{case}/extensions"),
            &[
                ("weeks", "2"),
                ("granted_on", "2026-06-10"),
                ("reason", "Expert report delayed"),
            ],
        )
        .await;
    assert_eq!(by_form.status, StatusCode::SEE_OTHER, "{}", by_form.body);
    assert!(app.get_as(&fca, &case).await.body.contains("Week 16 of 32"));
    let no_reason = app
        .form_as(
            &fca,
            &format!("{case}/extensions"),
            &[("weeks", "2"), ("granted_on", "2026-06-10"), ("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let listed = app.api(&w.fca, Method::GET, &path, None).await.json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));
}

mod hearings_and_work {
    use super::*;
    tandem_testkit::on_both_backends!(
        hearings_and_work_for_the_court_are_recorded,
        hearings_and_work_through_the_api,
        the_26_week_limit_can_be_extended
    );
}

mod records;
mod transfers;
