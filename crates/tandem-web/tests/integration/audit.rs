use crate::{TestApp, add_staff, seed};
use axum::http::{Method, StatusCode};
use tandem_domain::access::Role;
use tandem_domain::audit::{AuditEvent, Outcome};
use tandem_storage::{AuditFilter, Store};

async fn entries_after(app: &TestApp, seq: i64) -> Vec<AuditEvent> {
    app.store.audit_page(seq, 1000).await.expect("page")
}

/// (action, outcome, record type, record id, role, scope)
type Summary = (String, &'static str, String, String, String, String);

fn summary(events: &[AuditEvent]) -> Vec<Summary> {
    events
        .iter()
        .map(|e| {
            let x = &e.entry;
            (
                x.action.clone(),
                x.outcome.name(),
                x.record_type.clone().unwrap_or_default(),
                x.record_id.clone().unwrap_or_default(),
                x.actor_role.clone().unwrap_or_default(),
                x.actor_scope.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn row(
    action: &str,
    outcome: &'static str,
    kind: &str,
    id: &str,
    role: &str,
    scope: &str,
) -> Summary {
    (
        action.into(),
        outcome,
        kind.into(),
        id.into(),
        role.into(),
        scope.into(),
    )
}

async fn each_endpoint_writes_exactly_its_entries(store: Store) {
    let app = TestApp::new(store);
    let admin = app.admin_token().await;
    let s = seed(&app, &admin).await;
    app.user("people", &[(Role::Hr, "area:A1")]).await;
    let hr = app.token("people").await;
    let id = add_staff(&app, &hr, "Audited", s.team).await;
    let (start, _) = app.store.audit_head().await.expect("head");

    let ids = id.to_string();
    let viewed = app
        .api(&hr, Method::GET, &format!("/api/v1/staff/{id}"), None)
        .await;
    assert_eq!(viewed.status, StatusCode::OK);
    assert_eq!(
        summary(&entries_after(&app, start).await),
        [row(
            "view",
            "allowed",
            "staff_member",
            &ids,
            "hr",
            "area:A1"
        )]
    );

    let (start, _) = app.store.audit_head().await.expect("head");
    app.api(&hr, Method::GET, "/api/v1/staff", None).await;
    assert_eq!(
        summary(&entries_after(&app, start).await),
        [row("list", "allowed", "staff_member", "", "hr", "area:A1")]
    );

    let (start, _) = app.store.audit_head().await.expect("head");
    let body = serde_json::json!({
        "given_name": "Audited", "family_name": "Tester", "job_group": "practitioner",
        "grade": "Senior family court adviser", "fte": 1.0, "team_id": s.team,
        "contract_type": "employed", "start_date": "2020-04-01", "version": 1
    });
    let updated = app
        .api(&hr, Method::PUT, &format!("/api/v1/staff/{id}"), Some(body))
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(
        summary(&entries_after(&app, start).await),
        [
            row("view", "allowed", "staff_member", &ids, "hr", "area:A1"),
            row("update", "allowed", "staff_member", &ids, "hr", "area:A1"),
        ]
    );

    let (start, _) = app.store.audit_head().await.expect("head");
    app.api(&hr, Method::GET, "/api/v1/staff/987654", None)
        .await;
    assert_eq!(
        summary(&entries_after(&app, start).await),
        [row("view", "denied", "staff_member", "987654", "", "")]
    );

    // Reference data holds no personal data: reading it is not audited.
    let (start, _) = app.store.audit_head().await.expect("head");
    app.api(&hr, Method::GET, "/api/v1/regions", None).await;
    assert!(entries_after(&app, start).await.is_empty());
}

async fn entries_never_hold_the_values(store: Store) {
    let app = TestApp::new(store);
    let admin = app.admin_token().await;
    let s = seed(&app, &admin).await;
    app.user("people", &[(Role::Hr, "national")]).await;
    let hr = app.token("people").await;
    add_staff(&app, &hr, "Zebedee", s.team).await;
    let events = entries_after(&app, 0).await;
    assert!(!events.is_empty());
    for e in &events {
        let text = format!("{:?}", e.entry);
        assert!(
            !text.contains("Zebedee"),
            "a name reached the audit trail: {text}"
        );
        assert!(
            !text.contains(crate::PASSWORD),
            "a password reached the audit trail"
        );
        assert!(!text.contains("Tester"));
    }
    assert!(
        events
            .iter()
            .all(|e| e.entry.outcome == Outcome::Allowed || e.entry.action.contains("fail"))
    );
}

async fn administrators_search_the_trail(store: Store) {
    let app = TestApp::new(store);
    let browser = app.admin().await;
    app.form_anonymous(
        "/sign-in",
        &[("username", "mallory"), ("password", "guessing at it")],
    )
    .await;
    let page = app.get_as(&browser, "/admin/audit?username=mallory").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("sign-in-failed"));
    assert!(!page.body.contains("second-factor-enabled"));
    let bad = app.get_as(&browser, "/admin/audit?from=2026-13-01").await;
    assert!(bad.body.contains("There is a problem"));
    assert_eq!(
        app.store
            .verify_audit(100, |_| {})
            .await
            .expect("verify")
            .map(|n| n > 0),
        Ok(true)
    );
    let fca = app
        .browser("fca", &[(Role::FamilyCourtAdviser, "national")])
        .await;
    assert_eq!(
        app.get_as(&fca, "/admin/audit").await.status,
        StatusCode::FORBIDDEN
    );
    let _ = AuditFilter::default();
}

tandem_testkit::on_both_backends!(
    each_endpoint_writes_exactly_its_entries,
    entries_never_hold_the_values,
    administrators_search_the_trail,
);
