use crate::fixture;
use jiff::SignedDuration;
use tandem_domain::audit::Outcome;
use tandem_domain::organisation::{Region, RegionInput};
use tandem_storage::{AuditFilter, Store};
use tandem_testkit::{RawSql, stamp};

/// Where the trail stands after migrating (which seeds the bank holidays).
async fn start(store: &Store) -> i64 {
    store.audit_head().await.expect("head").0
}

async fn every_change_writes_one_chained_entry(store: Store) {
    let start = start(&store).await;
    let f = fixture(&store).await;
    let entries: Vec<_> = store
        .audit_search(&AuditFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("search")
        .into_iter()
        .filter(|e| e.seq > start)
        .collect();
    // fixture: a region, an area, an office, a team.
    let actions: Vec<(String, Option<String>)> = entries
        .iter()
        .rev()
        .map(|e| (e.entry.action.clone(), e.entry.record_type.clone()))
        .collect();
    assert_eq!(
        actions,
        [
            ("create", "region"),
            ("create", "service_area"),
            ("create", "office"),
            ("create", "team")
        ]
        .map(|(a, t)| (a.to_owned(), Some(t.to_owned())))
    );
    assert_eq!(entries.last().map(|e| e.seq), Some(start + 1));
    assert_eq!(entries[3].entry.record_id, Some(f.region.id.0.to_string()));
    assert_eq!(
        store.verify_audit(2, |_| {}).await.expect("verify"),
        Ok(start + 4)
    );
}

async fn a_refused_change_leaves_no_entry(store: Store) {
    let start = start(&store).await;
    fixture(&store).await;
    let duplicate = RegionInput {
        code: "NE".into(),
        name: "Again".into(),
    }
    .validate()
    .expect("valid");
    assert!(store.create::<Region>(&duplicate, &stamp()).await.is_err());
    assert_eq!(store.audit_head().await.expect("head").0, start + 4);
    assert_eq!(
        store.verify_audit(100, |_| {}).await.expect("verify"),
        Ok(start + 4)
    );
}

async fn concurrent_appends_stay_in_one_chain(store: Store) {
    let start = start(&store).await;
    let entries: Vec<_> = (0..12)
        .map(|i| {
            stamp().entry(
                "view",
                Outcome::Allowed,
                Some(("staff_member", i.to_string())),
                None,
            )
        })
        .collect();
    let writes = entries.iter().map(|e| store.record_access(e));
    for result in futures::future::join_all(writes).await {
        result.expect("append");
    }
    assert_eq!(
        store.verify_audit(5, |_| {}).await.expect("verify"),
        Ok(start + 12)
    );
}

async fn the_trail_cannot_be_edited_in_place(store: Store, sql: RawSql) {
    let start = start(&store).await;
    fixture(&store).await;
    let update = sql
        .execute("UPDATE audit_events SET actor_username = 'someone else' WHERE seq = 2")
        .await;
    assert!(update.is_err_and(|e| e.contains("append-only")));
    let delete = sql.execute("DELETE FROM audit_events WHERE seq = 2").await;
    assert!(delete.is_err_and(|e| e.contains("append-only")));
    assert_eq!(
        store.verify_audit(100, |_| {}).await.expect("verify"),
        Ok(start + 4)
    );
}

/// Someone with full database rights drops the triggers and edits: the
/// verifier still finds where.
async fn tampering_is_found_by_verify(store: Store, sql: RawSql) {
    fixture(&store).await;
    sql.execute("DROP TRIGGER audit_events_no_update ON audit_events")
        .await
        .or(sql.execute("DROP TRIGGER audit_events_no_update").await)
        .expect("drop the update trigger");
    sql.execute("UPDATE audit_events SET record_id = '999' WHERE seq = 3")
        .await
        .expect("edit");
    let broken = store
        .verify_audit(100, |_| {})
        .await
        .expect("verify")
        .expect_err("tampering found");
    assert_eq!(broken.seq, 3);
    assert!(broken.problem.contains("changed"), "{}", broken.problem);
}

async fn a_removed_entry_is_found_by_verify(store: Store, sql: RawSql) {
    fixture(&store).await;
    sql.execute("DROP TRIGGER audit_events_no_delete ON audit_events")
        .await
        .or(sql.execute("DROP TRIGGER audit_events_no_delete").await)
        .expect("drop the delete trigger");
    sql.execute("DELETE FROM audit_events WHERE seq = 4")
        .await
        .expect("delete the newest");
    let broken = store
        .verify_audit(100, |_| {})
        .await
        .expect("verify")
        .expect_err("removal found");
    assert_eq!(broken.seq, 4);
    sql.execute("DELETE FROM audit_events WHERE seq = 2")
        .await
        .expect("delete one in the middle");
    let broken = store
        .verify_audit(100, |_| {})
        .await
        .expect("verify")
        .expect_err("removal found");
    assert_eq!(broken.seq, 2);
}

async fn failed_sign_ins_are_counted_in_the_window(store: Store) {
    let mut s = stamp();
    s.actor_username = "amira".into();
    s.client_ip = Some("10.0.0.1".into());
    for minutes in [0, 5, 20] {
        let mut at = s.clone();
        at.at = s.at + SignedDuration::from_mins(minutes);
        store
            .audit(&at.entry("sign-in-failed", Outcome::Denied, None, None))
            .await
            .expect("append");
    }
    let since = s.at + SignedDuration::from_mins(1);
    assert_eq!(
        store
            .failed_sign_ins("amira", Some("10.0.0.1"), since)
            .await
            .expect("count"),
        (2, 2)
    );
    assert_eq!(
        store
            .failed_sign_ins("ben", Some("10.0.0.2"), s.at)
            .await
            .expect("count"),
        (0, 0)
    );
}

tandem_testkit::on_both_backends!(
    every_change_writes_one_chained_entry,
    a_refused_change_leaves_no_entry,
    concurrent_appends_stay_in_one_chain,
    failed_sign_ins_are_counted_in_the_window,
);

mod raw {
    use super::*;
    tandem_testkit::on_both_backends!(
        with_sql: the_trail_cannot_be_edited_in_place,
        tampering_is_found_by_verify,
        a_removed_entry_is_found_by_verify,
    );
}
