use crate::fixture;
use jiff::{SignedDuration, Timestamp};
use tandem_domain::DomainError;
use tandem_domain::access::{Assignment, RecordKind, Role, Scope, ScopeRef, UserId};
use tandem_domain::audit::Outcome;
use tandem_storage::{AuditFilter, SessionStage, Store, StoreError};
use tandem_testkit::stamp;

async fn accounts_hold_roles_over_named_scopes(store: Store) {
    let f = fixture(&store).await;
    let account = store
        .create_account("Amira.Khan", None, "hash", &[], &stamp())
        .await
        .expect("create");
    assert_eq!(
        account.username, "amira.khan",
        "usernames are stored lower case"
    );
    assert!(!account.disabled);
    let duplicate = store
        .create_account("AMIRA.KHAN", None, "hash", &[], &stamp())
        .await;
    assert!(matches!(
        duplicate,
        Err(StoreError::Domain(DomainError::Duplicate { ref field, .. })) if field == "username"
    ));
    assert!(
        store
            .create_account("no spaces", None, "h", &[], &stamp())
            .await
            .is_err()
    );

    store
        .assign_role(
            account.id,
            Role::ServiceManager,
            &ScopeRef::Area("a1".into()),
            &stamp(),
        )
        .await
        .expect("assign");
    store
        .assign_role(account.id, Role::Hr, &ScopeRef::National, &stamp())
        .await
        .expect("assign");
    let unknown = store
        .assign_role(
            account.id,
            Role::Hr,
            &ScopeRef::Team("NOPE".into()),
            &stamp(),
        )
        .await;
    assert!(matches!(
        unknown,
        Err(StoreError::Domain(DomainError::Invalid(_)))
    ));
    let again = store
        .assign_role(account.id, Role::Hr, &ScopeRef::National, &stamp())
        .await;
    assert!(matches!(
        again,
        Err(StoreError::Domain(DomainError::Duplicate { .. }))
    ));

    let credentials = store
        .credentials("amira.khan")
        .await
        .expect("lookup")
        .expect("found");
    assert_eq!(credentials.password_hash, "hash");
    let roles: Vec<(Assignment, String)> = credentials
        .account
        .roles
        .iter()
        .map(|r| (r.assignment, r.scope.to_string()))
        .collect();
    assert_eq!(
        roles,
        vec![
            (
                Assignment {
                    role: Role::ServiceManager,
                    scope: Scope::Area(f.area.id)
                },
                "area:A1".to_owned()
            ),
            (
                Assignment {
                    role: Role::Hr,
                    scope: Scope::National
                },
                "national".to_owned()
            ),
        ]
    );
    let first = credentials.account.roles[0].id;
    store
        .remove_role(account.id, first, &stamp())
        .await
        .expect("remove");
    assert_eq!(store.account(account.id).await.expect("get").roles.len(), 1);
    assert!(store.credentials("nobody").await.expect("lookup").is_none());
}

async fn sessions_and_tokens_end_together(store: Store) {
    let account = store
        .create_account("ben", None, "hash", &[], &stamp())
        .await
        .expect("create");
    let now = stamp().at;
    let entry = stamp().entry("sign-in", Outcome::Allowed, None, None);
    let session = store
        .start_session(
            account.id,
            "token-hash",
            "csrf",
            SessionStage::SecondFactor,
            now,
            &entry,
        )
        .await
        .expect("start");
    let found = store
        .session("token-hash")
        .await
        .expect("get")
        .expect("found");
    assert_eq!(found, session);
    assert_eq!(found.stage, SessionStage::SecondFactor);
    let later = now + SignedDuration::from_mins(5);
    store
        .update_session(session.id, SessionStage::Complete, None, later)
        .await
        .expect("update");
    let found = store
        .session("token-hash")
        .await
        .expect("get")
        .expect("found");
    assert_eq!(
        (found.stage, found.last_seen_at),
        (SessionStage::Complete, later)
    );

    let expires = now + SignedDuration::from_hours(8);
    let token = store
        .issue_token(account.id, "api-hash", expires, &stamp())
        .await
        .expect("issue");
    assert_eq!(
        store.token("api-hash").await.expect("get"),
        Some(token.clone())
    );

    store
        .end_all_sessions(account.id, &stamp())
        .await
        .expect("end all");
    assert!(store.session("token-hash").await.expect("get").is_none());
    let revoked = store.token("api-hash").await.expect("get").expect("found");
    assert!(revoked.revoked_at.is_some());
    assert_eq!(store.session_count(account.id).await.expect("count"), 0);
}

async fn recovery_codes_work_once(store: Store) {
    let account = store
        .create_account("cat", None, "hash", &[], &stamp())
        .await
        .expect("create");
    store
        .set_second_factor(
            account.id,
            Some("SECRET"),
            &["one".into(), "two".into()],
            &stamp(),
        )
        .await
        .expect("enable");
    let credentials = store.credentials("cat").await.expect("get").expect("found");
    assert_eq!(credentials.totp_secret.as_deref(), Some("SECRET"));
    assert!(credentials.account.has_second_factor);
    assert!(
        store
            .use_recovery_code(account.id, "one", &stamp())
            .await
            .expect("use")
    );
    assert!(
        !store
            .use_recovery_code(account.id, "one", &stamp())
            .await
            .expect("reuse")
    );
    assert!(
        !store
            .use_recovery_code(account.id, "three", &stamp())
            .await
            .expect("unknown")
    );
    assert_eq!(
        store
            .unused_recovery_codes(account.id)
            .await
            .expect("count"),
        1
    );
}

async fn disabling_or_a_new_password_ends_sessions(store: Store) {
    let account = store
        .create_account("dee", None, "hash", &[], &stamp())
        .await
        .expect("create");
    let entry = stamp().entry("sign-in", Outcome::Allowed, None, None);
    for (token, action) in [("t1", "disable"), ("t2", "password")] {
        store
            .start_session(
                account.id,
                token,
                "c",
                SessionStage::Complete,
                stamp().at,
                &entry,
            )
            .await
            .expect("start");
        match action {
            "disable" => store
                .set_account_disabled(account.id, true, &stamp())
                .await
                .expect("disable"),
            _ => store
                .set_password(account.id, "new-hash", "password-reset", &stamp())
                .await
                .expect("reset"),
        }
        assert!(
            store.session(token).await.expect("get").is_none(),
            "{action}"
        );
    }
    let credentials = store.credentials("dee").await.expect("get").expect("found");
    assert!(credentials.account.disabled);
    assert_eq!(credentials.password_hash, "new-hash");
}

async fn break_glass_grants_expire(store: Store) {
    let account = store
        .create_account("eve", None, "hash", &[], &stamp())
        .await
        .expect("create");
    let now: Timestamp = stamp().at;
    let expires = now + SignedDuration::from_hours(1);
    store
        .break_glass(
            account.id,
            RecordKind::StaffMember,
            42,
            "Covering for a colleague today",
            expires,
            &stamp(),
        )
        .await
        .expect("grant");
    let active = store
        .active_break_glass(account.id, now)
        .await
        .expect("active");
    assert_eq!(active.len(), 1);
    assert_eq!(
        (active[0].kind, active[0].record_id),
        (RecordKind::StaffMember, 42)
    );
    assert!(
        store
            .active_break_glass(account.id, expires)
            .await
            .expect("active")
            .is_empty()
    );
    let entries = store
        .audit_search(&AuditFilter {
            record_type: Some("staff_member".into()),
            record_id: Some("42".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("search");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].entry.action, "break-glass");
    assert_eq!(
        entries[0].entry.reason.as_deref(),
        Some("Covering for a colleague today")
    );
    let _ = UserId(0);
}

tandem_testkit::on_both_backends!(
    accounts_hold_roles_over_named_scopes,
    sessions_and_tokens_end_together,
    recovery_codes_work_once,
    disabling_or_a_new_password_ends_sessions,
    break_glass_grants_expire,
);
