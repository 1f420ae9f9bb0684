//! What is recorded on a case after it opens, through the pages and the
//! API: the children's experience and outcomes, risk, notes and oversight,
//! more time for work, and children and parties joining.

use super::*;
use crate::Browser;

/// A case allocated to Wes, whose manager is Bea; Oli is in the same team
/// and Far in another. Returns the case id and each person's session.
pub(super) struct Allocated {
    pub(super) id: i64,
    pub(super) child: i64,
    pub(super) wes: Browser,
    pub(super) bea: Browser,
    pub(super) oli: Browser,
    pub(super) far: Browser,
    pub(super) wes_token: String,
}

pub(super) async fn allocated(w: &World) -> Allocated {
    let app = &w.app;
    let worker = people(w).await.worker;
    let id = w.open_case("NE26P300").await;
    let bea_token = app.token("bea").await;
    let given = app
        .api(
            &bea_token,
            Method::POST,
            &format!("/api/v1/cases/{id}/allocation"),
            Some(json!({"staff_id": worker, "on": "2026-03-10", "version": 1})),
        )
        .await;
    assert_eq!(given.status, StatusCode::OK, "{}", given.body);
    let child = given.json()["children"][0]["id"].as_i64().expect("child");
    Allocated {
        id,
        child,
        wes: app.sign_in("wes").await,
        bea: app.sign_in("bea").await,
        oli: app.sign_in("oli").await,
        far: app.sign_in("far").await,
        wes_token: app.token("wes").await,
    }
}

async fn the_childs_experience_and_outcome_are_recorded(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let a = allocated(&w).await;
    let (id, child) = (a.id, a.child);

    let waiting = app.get_as(&a.bea, "/children/yet-to-meet").await;
    assert_eq!(waiting.status, StatusCode::OK);
    assert!(waiting.body.contains("Ava Rivers") && waiting.body.contains("NE26P300"));
    let elsewhere = app.get_as(&a.far, "/children/yet-to-meet").await;
    assert!(!elsewhere.body.contains("Ava Rivers"), "outside the scope");

    let path = format!("/cases/{id}/children/{child}/experience");
    let future = app
        .form_as(
            &a.wes,
            &path,
            &[
                ("first_met_fca_on", "2026-07-01"),
                ("wishes_and_feelings", "Wants to see her dad on Saturdays"),
                ("told_outcome_by", "adviser-with-carer"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        future
            .body
            .contains(&format!("href=\"#first-met-fca-on-{child}\""))
    );
    assert!(
        future
            .body
            .contains("Wants to see her dad on Saturdays</textarea>"),
        "what was typed is kept"
    );
    let met = app
        .form_as(
            &a.wes,
            &path,
            &[
                ("first_met_fca_on", "2026-03-16"),
                ("wishes_and_feelings", "Wants to see her dad on Saturdays"),
                ("told_outcome_by", "adviser-with-carer"),
                ("told_outcome_notes", ""),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(met.status, StatusCode::SEE_OTHER, "{}", met.body);
    let page = app.get_as(&a.wes, &format!("/cases/{id}/children")).await;
    assert!(page.body.contains("16 March 2026"));
    assert!(
        page.body
            .contains("By their adviser, with a parent or carer")
    );
    let stale = app.form_as(&a.wes, &path, &[("version", "1")]).await;
    assert_eq!(
        stale.status,
        StatusCode::CONFLICT,
        "the second writer reloads"
    );
    let waiting = app.get_as(&a.bea, "/children/yet-to-meet").await;
    assert!(
        !waiting.body.contains("Ava Rivers"),
        "she has met her adviser"
    );

    // Two orders, as a group of checkboxes.
    let outcome = app
        .form_as(
            &a.wes,
            &format!("/cases/{id}/children/{child}/outcome"),
            &[
                ("orders", "child-arrangements-lives-with"),
                ("orders", "child-arrangements-spends-time"),
                ("lives_with", "mother"),
                ("contact", "Saturdays with father"),
                ("recorded_on", "2026-06-01"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(outcome.status, StatusCode::SEE_OTHER, "{}", outcome.body);
    let api = app
        .api(
            &a.wes_token,
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            None,
        )
        .await
        .json();
    assert_eq!(
        api["children"][0]["outcome"]["orders"],
        json!([
            "child-arrangements-lives-with",
            "child-arrangements-spends-time"
        ])
    );
    assert_eq!(api["children"][0]["first_met_fca_on"], "2026-03-16");
    let lone = app
        .api(
            &a.wes_token,
            Method::PUT,
            &format!("/api/v1/cases/{id}/children/{child}/outcome"),
            Some(json!({"orders": ["no-order", "care"], "lives_with": "mother", "recorded_on": "2026-06-01", "version": 3})),
        )
        .await;
    assert_eq!(lone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(lone.json()["error"]["fields"][0]["field"], "orders");
}

async fn risk_notes_and_oversight_are_recorded(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let a = allocated(&w).await;
    let id = a.id;

    let risk = format!("/cases/{id}/risk");
    let bare = app
        .form_as(
            &a.wes,
            &risk,
            &[
                ("kind", "domestic-abuse"),
                ("noted_on", "2026-03-04"),
                ("indicator", ""),
                ("source", ""),
                ("conclusion", ""),
                ("detail", "Disclosed at the safeguarding call"),
            ],
        )
        .await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bare.body.contains("href=\"#risk-indicator\"")
            && bare.body.contains("href=\"#risk-source\"")
    );
    assert!(
        bare.body
            .contains("Disclosed at the safeguarding call</textarea>")
    );
    for fields in [
        vec![
            ("kind", "domestic-abuse"),
            ("noted_on", "2026-03-04"),
            ("indicator", "coercive-control"),
            ("source", "applicant"),
        ],
        vec![("kind", "police-check"), ("noted_on", "2026-03-04")],
    ] {
        let added = app.form_as(&a.wes, &risk, &fields).await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    let listed = app
        .api(
            &a.wes_token,
            Method::GET,
            &format!("/api/v1/cases/{id}/risk"),
            None,
        )
        .await
        .json();
    let check = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["kind"] == "police-check")
        .expect("check")["id"]
        .as_i64()
        .expect("id");
    let answered = app
        .form_as(
            &a.wes,
            &format!("/cases/{id}/risk/{check}/response"),
            &[
                ("responded_on", "2026-03-09"),
                ("response", "information-held"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    let page = app.get_as(&a.wes, &risk).await.body;
    assert!(
        page.contains("Coercive or controlling behaviour") && page.contains("Information held")
    );
    let outside = app.get_as(&a.far, &risk).await;
    assert_eq!(
        outside.status,
        StatusCode::FORBIDDEN,
        "another team's adviser is offered break-glass, not the record"
    );
    assert!(!outside.body.contains("Coercive"));

    let notes = format!("/cases/{id}/notes");
    let page = app.get_as(&a.bea, &notes).await.body;
    assert!(
        page.contains("No management oversight recorded since allocation"),
        "{page}"
    );
    let contact = app
        .form_as(
            &a.wes,
            &notes,
            &[
                ("kind", "contact"),
                ("on", "2026-03-16"),
                ("contact_with", "child"),
                ("contact_method", "home-visit"),
                ("body", "Saw Ava at home"),
            ],
        )
        .await;
    assert_eq!(contact.status, StatusCode::SEE_OTHER, "{}", contact.body);
    let not_a_manager = app
        .form_as(
            &a.wes,
            &notes,
            &[
                ("kind", "oversight"),
                ("on", "2026-03-16"),
                ("oversight_for", "allocation"),
                ("body", "I approve"),
            ],
        )
        .await;
    assert_eq!(not_a_manager.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        not_a_manager
            .body
            .contains("Only a practice supervisor or service manager")
    );
    let oversight = app
        .form_as(
            &a.bea,
            &notes,
            &[
                ("kind", "oversight"),
                ("on", "2026-03-11"),
                ("oversight_for", "allocation"),
                ("body", "Allocation agreed"),
            ],
        )
        .await;
    assert_eq!(
        oversight.status,
        StatusCode::SEE_OTHER,
        "{}",
        oversight.body
    );
    let listed = app
        .api(
            &a.wes_token,
            Method::GET,
            &format!("/api/v1/cases/{id}/notes"),
            None,
        )
        .await
        .json();
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(listed["missing_oversight"], json!([]));
    let page = app.get_as(&a.oli, &notes).await.body;
    assert!(
        page.contains("Saw Ava at home") && page.contains("bea"),
        "author shown"
    );
}

async fn more_time_children_and_parties_are_added(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let a = allocated(&w).await;
    let id = a.id;
    let work = app
        .api(
            &a.wes_token,
            Method::GET,
            &format!("/api/v1/cases/{id}/work"),
            None,
        )
        .await
        .json();
    let letter = work["items"][0]["id"].as_i64().expect("letter");
    let ask = format!("/cases/{id}/work/{letter}/more-time");
    let too_early = app
        .form_as(
            &a.wes,
            &ask,
            &[
                ("requested_on", "2026-03-20"),
                ("new_due_on", "2026-03-20"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(too_early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        too_early
            .body
            .contains(&format!("href=\"#new-due-on-{letter}\""))
    );
    let asked = app
        .form_as(
            &a.wes,
            &ask,
            &[
                ("requested_on", "2026-03-20"),
                ("new_due_on", "2026-04-01"),
                ("reason", "Police checks outstanding"),
            ],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let work = app
        .api(
            &a.wes_token,
            Method::GET,
            &format!("/api/v1/cases/{id}/work"),
            None,
        )
        .await
        .json();
    let request = work["items"][0]["more_time"][0]["id"]
        .as_i64()
        .expect("request");
    let version = work["items"][0]["version"].as_i64().expect("version");
    let granted = app
        .api(
            &a.wes_token,
            Method::POST,
            &format!("/api/v1/cases/{id}/work/{letter}/more-time/{request}/decision"),
            Some(json!({"decision": "granted", "decided_on": "2026-03-23", "version": version})),
        )
        .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    assert_eq!(granted.json()["items"][0]["due_on"], "2026-04-01");
    assert_eq!(
        granted.json()["items"][0]["more_time"][0]["decision"],
        "granted"
    );
    let page = app.get_as(&a.wes, &format!("/cases/{id}")).await.body;
    assert!(
        page.contains("granted 23 March 2026"),
        "the history of the request is shown"
    );

    let child = app
        .form_as(
            &a.wes,
            &format!("/cases/{id}/children"),
            &[
                ("given_name", "Cal"),
                ("family_name", "Rivers"),
                ("date_of_birth", "2026-04-02"),
                ("sex", "male"),
                ("ethnicity", ""),
                ("disability", ""),
                ("first_language", ""),
                ("interpreter_needed", ""),
            ],
        )
        .await;
    assert_eq!(
        child.status,
        StatusCode::SEE_OTHER,
        "a sibling born since: {}",
        child.body
    );
    let unborn = app
        .form_as(
            &a.wes,
            &format!("/cases/{id}/children"),
            &[
                ("given_name", "Dee"),
                ("family_name", "Rivers"),
                ("date_of_birth", "2027-01-01"),
            ],
        )
        .await;
    assert_eq!(unborn.status, StatusCode::UNPROCESSABLE_ENTITY);
    let party = app
        .api(
            &a.wes_token,
            Method::POST,
            &format!("/api/v1/cases/{id}/parties"),
            Some(json!({"role": "intervenor", "given_name": "Gran", "family_name": "Rivers", "relationship": "Grandmother",
                        "address": "9 Hidden Row", "postcode": "NE2 1AA", "address_confidential": true})),
        )
        .await;
    assert_eq!(party.status, StatusCode::CREATED, "{}", party.body);
    assert!(
        party.body.contains("9 Hidden Row"),
        "the allocated worker sees it"
    );
    let oli = app.token("oli").await;
    let seen = app
        .api(&oli, Method::GET, &format!("/api/v1/cases/{id}"), None)
        .await;
    assert!(!seen.body.contains("Hidden Row"), "nobody else does");
    assert_eq!(seen.json()["children"].as_array().map(Vec::len), Some(2));
    let page = app.get_as(&a.oli, &format!("/cases/{id}")).await.body;
    assert!(!page.contains("Hidden Row") && page.contains("Gran Rivers"));

    // Morgan is the father of Ava and the stepfather of Cal.
    let view = seen.json();
    let morgan = view["parties"][0]["id"].as_i64().expect("party");
    let cal = view["children"][1]["id"].as_i64().expect("child");
    let path = format!("/api/v1/cases/{id}/parties/{morgan}/relationships");
    let nobody = app
        .api(
            &a.wes_token,
            Method::PUT,
            &path,
            Some(json!({"child_id": 999_999, "relationship": "Stepfather"})),
        )
        .await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(nobody.json()["error"]["fields"][0]["field"], "child_id");
    let set = app
        .form_as(
            &a.wes,
            &format!("/cases/{id}/relationships"),
            &[
                ("party_id", &morgan.to_string()),
                ("child_id", &cal.to_string()),
                ("relationship", "Stepfather"),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let view = app
        .api(
            &a.wes_token,
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            None,
        )
        .await
        .json();
    assert_eq!(view["parties"][0]["relationship"], "Father");
    assert_eq!(
        view["parties"][0]["relationships"],
        json!([{"child_id": cal, "relationship": "Stepfather"}])
    );
    let page = app.get_as(&a.wes, &format!("/cases/{id}")).await.body;
    assert!(page.contains("Father (Stepfather to Cal)"), "{page}");
}

async fn practice_settings_change_clocks_and_oversight(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let a = allocated(&w).await;
    let id = a.id;
    let notes = format!("/cases/{id}/notes");
    let page = app.get_as(&a.bea, &notes).await.body;
    assert!(page.contains("No management oversight recorded since allocation"));
    let overview = format!("/cases/{id}");
    let page = app.get_as(&a.wes, &overview).await.body;
    assert!(
        page.contains("No management oversight recorded since allocation"),
        "the overview flags it too"
    );

    let admin = app.sign_in("admin").await;
    let form = app.get_as(&admin, "/admin/practice-settings").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("value=\"17\""), "the defaults are shown");
    let fields = |letter: &'static str, at_allocation: &'static str, version: &'static str| {
        vec![
            ("safeguarding_letter_days", letter),
            ("private_law_allocation_days", "20"),
            ("public_law_allocation_days", "2"),
            ("first_contact_with_child_days", "10"),
            ("private_law_weeks", "52"),
            ("public_law_weeks", "26"),
            ("weight_private_law", "1"),
            ("weight_section_7_report", "1.5"),
            ("weight_public_law", "2"),
            ("weight_adoption", "1"),
            ("oversight_at_allocation", at_allocation),
            ("oversight_before_filing", "yes"),
            ("version", version),
        ]
    };
    let bad = app
        .form_as(&admin, "/admin/practice-settings", &fields("0", "no", "0"))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("href=\"#safeguarding-letter-days\"") && bad.body.contains("value=\"0\"")
    );
    assert_eq!(
        app.store.practice_settings().await.expect("read").1,
        0,
        "nothing saved"
    );
    let refused = app
        .form_as(&a.bea, "/admin/practice-settings", &fields("10", "no", "0"))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "a supervisor does not set them"
    );
    let saved = app
        .form_as(&admin, "/admin/practice-settings", &fields("10", "no", "0"))
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stale = app
        .form_as(&admin, "/admin/practice-settings", &fields("12", "no", "0"))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    // Oversight at allocation is no longer required; a new case's letter
    // is due 10 working days after receipt (Monday 2 March → 16 March).
    for path in [&notes, &overview] {
        let page = app.get_as(&a.bea, path).await.body;
        assert!(!page.contains("No management oversight recorded since allocation"));
    }
    let later = w.open_case("NE26P301").await;
    let page = app.get_as(&a.wes, &format!("/cases/{later}")).await.body;
    assert!(page.contains("Due 16 March 2026"), "{page}");

    let settings = app
        .api(&w.admin, Method::GET, "/api/v1/practice-settings", None)
        .await
        .json();
    assert_eq!(settings["safeguarding_letter_days"], 10);
    assert_eq!(settings["version"], 1);
    let mut changed = settings.clone();
    changed["weight_public_law"] = json!(0);
    let out_of_range = app
        .api(
            &w.admin,
            Method::PUT,
            "/api/v1/practice-settings",
            Some(changed),
        )
        .await;
    assert_eq!(out_of_range.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        out_of_range.json()["error"]["fields"][0]["field"],
        "weight_public_law"
    );
    let by_fca = app
        .api(
            &a.wes_token,
            Method::PUT,
            "/api/v1/practice-settings",
            Some(settings),
        )
        .await;
    assert_eq!(by_fca.status, StatusCode::FORBIDDEN);
}

async fn administrators_keep_the_application_types(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let created = app
        .api(
            &w.admin,
            Method::POST,
            "/api/v1/application-types",
            Some(json!({"code": "relocation", "label": "Relocation (leave to remove)", "law_type": "private"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let bad = app
        .api(
            &w.admin,
            Method::POST,
            "/api/v1/application-types",
            Some(json!({"code": "no spaces", "label": "", "law_type": "civil"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.json()["error"]["fields"].as_array().map(Vec::len),
        Some(3)
    );
    let admin = app.sign_in("admin").await;
    let list = app.get_as(&admin, "/admin/application-types").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("Relocation (leave to remove)")
            && list.body.contains("Care order (s31)")
    );
    let fca = app.sign_in("fca").await;
    let form = app.get_as(&fca, "/cases/new").await.body;
    assert!(
        form.contains("value=\"relocation\""),
        "offered when a case is opened"
    );
    let mut body = case_body("NE26P400", w.court, w.team);
    body["application_type"] = json!("relocation");
    let opened = app
        .api(&w.fca, Method::POST, "/api/v1/cases", Some(body))
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    assert_eq!(opened.json()["applications"], json!(["relocation"]));
    let id = created.json()["id"].as_i64().expect("id");
    let gone = app
        .api(
            &w.admin,
            Method::DELETE,
            &format!("/api/v1/application-types/{id}?version=1"),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::CONFLICT, "in use: {}", gone.body);
    let by_fca = app
        .api(
            &w.fca,
            Method::POST,
            "/api/v1/application-types",
            Some(json!({"code": "x", "label": "X", "law_type": "private"})),
        )
        .await;
    assert_eq!(by_fca.status, StatusCode::FORBIDDEN);
}

tandem_testkit::on_both_backends!(
    administrators_keep_the_application_types,
    practice_settings_change_clocks_and_oversight,
    the_childs_experience_and_outcome_are_recorded,
    risk_notes_and_oversight_are_recorded,
    more_time_children_and_parties_are_added,
);
