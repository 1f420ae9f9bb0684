//! Transferring a case to another team, through the case page and the API:
//! who may, what is refused and how, and where the case goes.

use super::records::allocated;
use super::*;

/// The transfer form's fields: to `team` on `day` June 2026.
fn transfer_form<'a>(
    team: &'a str,
    day: &'a str,
    reason: &'a str,
    version: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("to_team_id", team),
        ("transferred_on-day", day),
        ("transferred_on-month", "6"),
        ("transferred_on-year", "2026"),
        ("reason", reason),
        ("version", version),
    ]
}

async fn a_supervisor_transfers_a_case_into_the_receiving_teams_queue(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let a = allocated(&w).await;
    let id = a.id;
    let page = app.get_as(&a.bea, &format!("/cases/{id}")).await.body;
    assert!(page.contains("Transfer to another team"), "{page}");
    assert!(page.contains("<optgroup label=\"Durham (A2)\">"));
    assert!(page.contains(&format!(
        "<option value=\"{}\">Durham private law</option>",
        w.other_team
    )));
    assert!(
        !page.contains(">Newcastle private law</option>"),
        "not the case's own team"
    );

    // Every problem at its field and in the summary, what was typed kept.
    let path = format!("/cases/{id}/transfer");
    let own = w.team.to_string();
    let mut typed = transfer_form(&own, "31", "", "2");
    typed[2] = ("transferred_on-month", "2");
    let refused = app.form_as(&a.bea, &path, &typed).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = &refused.body;
    for anchor in [
        "#transfer-to-team-id",
        "#transfer-transferred-on",
        "#transfer-reason",
    ] {
        assert!(body.contains(&format!("href=\"{anchor}\"")), "{anchor}");
    }
    for message in [
        "The case is already with Newcastle private law: choose another team",
        "The date of transfer must be a real date",
        "Give a reason",
    ] {
        assert!(body.contains(message), "{message}");
    }
    assert!(body.contains("id=\"transfer-transferred-on-error\""));
    assert!(
        body.contains("id=\"transfer-transferred-on\" name=\"transferred_on-day\" type=\"text\" inputmode=\"numeric\" value=\"31\""),
        "the day typed is kept"
    );

    let other = w.other_team.to_string();
    let moved = app
        .form_as(
            &a.bea,
            &path,
            &transfer_form(&other, "1", "The family moved to Durham", "2"),
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert_eq!(
        moved.header("location"),
        "/cases?transferred",
        "the case has left Bea's team"
    );
    assert!(
        app.get_as(&a.bea, "/cases?transferred")
            .await
            .body
            .contains("The case has been transferred")
    );
    assert_ne!(
        app.get_as(&a.wes, &format!("/cases/{id}")).await.status,
        StatusCode::OK,
        "nor can its old worker read it"
    );

    // Durham's supervisor finds it waiting for a worker, with its history.
    let dee = app
        .browser("dee", &[(Role::PracticeSupervisor, "team:A2-T")])
        .await;
    let queue = app
        .get_as(&dee, &format!("/teams/{}/allocation", w.other_team))
        .await
        .body;
    assert!(queue.contains("NE26P300"), "{queue}");
    let page = app.get_as(&dee, &format!("/cases/{id}")).await.body;
    for shown in [
        "Durham private law (Durham)",
        "Not allocated",
        "Transferred from Newcastle private law to Durham private law",
        "The family moved to Durham",
        "1 June 2026, when the case was transferred",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    assert!(
        !app.get_as(&a.bea, &format!("/teams/{}/allocation", w.team))
            .await
            .body
            .contains("NE26P300"),
        "gone from the old team's queue"
    );
}

async fn an_adviser_may_not_transfer_and_the_refusal_is_audited(store: Store) {
    use tandem_domain::audit::Outcome;
    let w = world(store).await;
    let app = &w.app;
    let a = allocated(&w).await;
    let id = a.id;
    let page = app.get_as(&a.wes, &format!("/cases/{id}")).await.body;
    assert!(!page.contains("Transfer to another team"));
    let other = w.other_team.to_string();
    let by_form = app
        .form_as(
            &a.wes,
            &format!("/cases/{id}/transfer"),
            &transfer_form(&other, "1", "Moved", "2"),
        )
        .await;
    assert_eq!(by_form.status, StatusCode::FORBIDDEN);
    let by_api = app
        .api(
            &a.wes_token,
            Method::POST,
            &format!("/api/v1/cases/{id}/transfer"),
            Some(json!({"to_team_id": w.other_team, "transferred_on": "2026-06-01", "reason": "Moved", "version": 2})),
        )
        .await;
    assert_eq!(by_api.status, StatusCode::FORBIDDEN);
    assert_eq!(by_api.error_code(), "forbidden");
    // Someone who cannot read the case at all is told nothing of it.
    let elsewhere = app
        .form_as(
            &a.far,
            &format!("/cases/{id}/transfer"),
            &transfer_form(&other, "1", "Moved", "2"),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);

    let trail = app
        .store
        .audit_search(&tandem_storage::AuditFilter {
            record_type: Some("case".into()),
            record_id: Some(id.to_string()),
            limit: 200,
            ..Default::default()
        })
        .await
        .expect("audit");
    let refused = trail
        .iter()
        .filter(|e| {
            e.entry.actor_username == "wes"
                && e.entry.outcome == Outcome::Denied
                && e.entry.action == "allocate"
        })
        .count();
    assert_eq!(refused, 2, "each refusal");
    let case = app
        .api(
            &a.wes_token,
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            None,
        )
        .await
        .json();
    assert_eq!(case["team_id"], w.team, "nothing moved");
    assert_eq!(case["version"], 2);
}

async fn a_manager_transfers_through_the_api_and_back_by_the_page(store: Store) {
    let w = world(store).await;
    let app = &w.app;
    let a = allocated(&w).await;
    let id = a.id;
    app.user("manager", &[(Role::ServiceManager, "region:NE")])
        .await;
    let token = app.token("manager").await;
    let path = format!("/api/v1/cases/{id}/transfer");
    let send = |body: Value| {
        let (token, path) = (token.clone(), path.clone());
        async move { app.api(&token, Method::POST, &path, Some(body)).await }
    };

    let stale = send(json!({"to_team_id": w.other_team, "transferred_on": "2026-06-01", "reason": "Moved", "version": 1})).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.error_code(), "stale_version");
    let broken = send(
        json!({"to_team_id": w.team, "transferred_on": "2026-03-01", "reason": " ", "version": 2}),
    )
    .await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = broken.json()["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["field"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(fields, ["to_team_id", "transferred_on", "reason"]);
    let nowhere = send(json!({"to_team_id": 999_999, "transferred_on": "2026-06-01", "reason": "Moved", "version": 2})).await;
    assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(nowhere.json()["error"]["fields"][0]["field"], "to_team_id");
    let unknown = send(json!({"to_team_id": w.other_team, "transferred_on": "2026-06-01", "reason": "Moved", "version": 2, "urgent": true})).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);

    let moved = send(json!({"to_team_id": w.other_team, "transferred_on": "2026-06-01", "reason": "The family moved to Durham", "version": 2})).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let case = moved.json();
    assert_eq!(case["team_id"], w.other_team);
    assert_eq!(case["allocated_to"], Value::Null);
    assert_eq!(case["version"], 3);

    // The region's manager still sees it, so the page comes back to it.
    let manager = app.sign_in("manager").await;
    let team = w.team.to_string();
    let back = app
        .form_as(
            &manager,
            &format!("/cases/{id}/transfer"),
            &transfer_form(&team, "10", "The family returned", "3"),
        )
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    assert_eq!(back.header("location"), format!("/cases/{id}"));
    let page = app.get_as(&manager, &format!("/cases/{id}")).await.body;
    let there = page
        .find("Transferred from Newcastle private law to Durham private law")
        .expect("the first transfer");
    let back_again = page
        .find("Transferred from Durham private law to Newcastle private law")
        .expect("the second transfer");
    assert!(back_again < there, "newest first");
}

tandem_testkit::on_both_backends!(
    a_supervisor_transfers_a_case_into_the_receiving_teams_queue,
    an_adviser_may_not_transfer_and_the_refusal_is_audited,
    a_manager_transfers_through_the_api_and_back_by_the_page,
);
