//! Transferring a case to another team: the move, its history, the
//! allocation it ends, and the refusals that leave everything as it was.

use crate::casework::{child, court, draft, practitioner, to_awaiting_allocation};
use crate::{Fixture, area_draft, fixture};
use jiff::civil::{Date, date};
use tandem_domain::DomainError;
use tandem_domain::casework::*;
use tandem_domain::organisation::*;
use tandem_storage::{AuditFilter, Store, StoreError};
use tandem_testkit::{RawSql, stamp};

const TODAY: Date = date(2026, 6, 15);

/// A second service area, Durham, with a team of its own.
async fn durham(store: &Store, f: &Fixture) -> Team {
    let area: ServiceArea = store
        .create(&area_draft("A2", "Durham", f.region.id.0), &stamp())
        .await
        .expect("area");
    store
        .create(
            &TeamInput {
                code: "A2-PRL1".into(),
                name: "Durham private law 1".into(),
                service_area_id: Some(area.id.0),
                office_id: None,
            }
            .validate()
            .expect("valid team"),
            &stamp(),
        )
        .await
        .expect("team")
}

/// A case in the fixture's team, received 2 March 2026, walked to awaiting
/// allocation and allocated to a practitioner there on 1 April 2026.
async fn allocated_case(store: &Store, f: &Fixture, number: &str) -> (CaseId, StaffMember) {
    let ncl = court(store, f.area.id.0, "NCL").await;
    let id = store
        .open_case(
            &draft(number, ncl.id.0, f.team.id.0),
            &[child("Ava")],
            &[],
            &[],
            &stamp(),
        )
        .await
        .expect("open");
    let version = to_awaiting_allocation(store, id).await;
    let worker = practitioner(store, "Amira", f.team.id.0, "practitioner").await;
    store
        .allocate_case(id, version, worker.id, date(2026, 4, 1), None, &stamp())
        .await
        .expect("allocate");
    (id, worker)
}

fn to(team: &Team, on: &str, reason: &str) -> TransferInput {
    TransferInput {
        to_team_id: Some(team.id.0),
        transferred_on: on.into(),
        reason: reason.into(),
    }
}

fn refused_at(result: Result<Case, StoreError>, field: &str) -> String {
    match result {
        Err(StoreError::Domain(DomainError::Invalid(errors))) => errors
            .for_field(field)
            .unwrap_or_else(|| panic!("no problem with {field}: {errors:?}"))
            .to_owned(),
        other => panic!("expected a refusal at {field}, got {other:?}"),
    }
}

async fn queued(store: &Store, team: TeamId) -> Vec<CaseId> {
    store
        .allocation_queue(team)
        .await
        .expect("queue")
        .into_iter()
        .map(|(c, _)| c.id)
        .collect()
}

async fn a_case_moves_to_another_area_and_waits_for_a_worker_there(store: Store) {
    let f = fixture(&store).await;
    let durham = durham(&store, &f).await;
    let (id, worker) = allocated_case(&store, &f, "NE26P100").await;
    let before = store.case(id).await.expect("read").expect("case").case;
    assert_eq!(before.allocated_to, Some(worker.id));

    let moved = store
        .transfer_case(
            id,
            before.version,
            &to(&durham, "2026-06-01", "  The family moved to Durham "),
            TODAY,
            &stamp(),
        )
        .await
        .expect("transfer");
    assert_eq!(moved.team_id, durham.id);
    assert_eq!(moved.allocated_to, None, "the worker no longer holds it");
    assert_eq!(moved.stage, before.stage, "the stage does not change");
    assert_eq!(moved.version, before.version + 1);

    let history = store.transfers(id).await.expect("transfers");
    assert_eq!(
        history,
        [CaseTransfer {
            id: history[0].id,
            case_id: id,
            from_team_id: f.team.id,
            to_team_id: durham.id,
            transferred_on: date(2026, 6, 1),
            reason: "The family moved to Durham".into(),
            transferred_by: "test".into(),
        }]
    );
    let allocations = store.allocations(id).await.expect("allocations");
    assert_eq!(allocations.len(), 1, "the allocation is kept, ended");
    assert_eq!(allocations[0].ended_on, Some(date(2026, 6, 1)));
    assert_eq!(
        allocations[0].ended_reason.as_deref(),
        Some(ENDED_BY_TRANSFER)
    );
    assert_eq!(allocations[0].reason, None, "why it was made is kept");

    let record = store.case(id).await.expect("read").expect("case");
    let event = record.events.last().expect("an event");
    assert_eq!(event.kind, "transferred");
    assert_eq!(event.from_stage.as_deref(), Some(before.stage));
    assert_eq!(event.to_stage.as_deref(), Some(before.stage));
    assert_eq!(event.reason.as_deref(), Some("The family moved to Durham"));

    assert_eq!(queued(&store, durham.id).await, [id], "Durham's queue");
    assert!(queued(&store, f.team.id).await.is_empty());
    assert!(
        store
            .cases_held_by(&[worker.id])
            .await
            .expect("held")
            .is_empty(),
        "off the worker's caseload"
    );

    let audit = store
        .audit_search(&AuditFilter {
            record_type: Some("case".into()),
            record_id: Some(id.0.to_string()),
            limit: 50,
            ..Default::default()
        })
        .await
        .expect("audit");
    let expected = format!(
        "transferred from team {} to team {}",
        f.team.id.0, durham.id.0
    );
    assert!(
        audit
            .iter()
            .any(|e| e.entry.action == "update" && e.entry.reason.as_deref() == Some(&expected)),
        "{audit:?}"
    );

    // Durham allocates it to one of its own, and can send it back later.
    let theirs = practitioner(&store, "Dee", durham.id.0, "practitioner").await;
    let held = store
        .allocate_case(
            id,
            moved.version,
            theirs.id,
            date(2026, 6, 2),
            None,
            &stamp(),
        )
        .await
        .expect("Durham allocates");
    assert_eq!(held.allocated_to, Some(theirs.id));
    let back = store
        .transfer_case(
            id,
            held.version,
            &to(&f.team, "2026-06-10", "Moved back"),
            TODAY,
            &stamp(),
        )
        .await
        .expect("back again");
    assert_eq!(back.team_id, f.team.id);
    let history = store.transfers(id).await.expect("transfers");
    assert_eq!(
        history
            .iter()
            .map(|t| (t.from_team_id, t.to_team_id))
            .collect::<Vec<_>>(),
        [(f.team.id, durham.id), (durham.id, f.team.id)],
        "the whole history, oldest first"
    );
    let ended: Vec<Option<Date>> = store
        .allocations(id)
        .await
        .expect("allocations")
        .iter()
        .map(|a| a.ended_on)
        .collect();
    assert_eq!(ended, [Some(date(2026, 6, 1)), Some(date(2026, 6, 10))]);
}

async fn refused_transfers_change_nothing(store: Store) {
    let f = fixture(&store).await;
    let durham = durham(&store, &f).await;
    let (id, worker) = allocated_case(&store, &f, "NE26P101").await;
    let case = store.case(id).await.expect("read").expect("case").case;
    let head = store.audit_head().await.expect("head");
    let attempt = |input: TransferInput, version: i64| {
        let store = store.clone();
        async move {
            store
                .transfer_case(id, version, &input, TODAY, &stamp())
                .await
        }
    };

    let stale = attempt(to(&durham, "2026-06-01", "Moved"), case.version - 1).await;
    assert!(
        matches!(
            stale,
            Err(StoreError::Domain(DomainError::StaleVersion { .. }))
        ),
        "{stale:?}"
    );
    assert_eq!(
        refused_at(
            attempt(to(&f.team, "2026-06-01", "Moved"), case.version).await,
            "to_team_id"
        ),
        "The case is already with Newcastle private law 1: choose another team"
    );
    let nowhere = TransferInput {
        to_team_id: Some(999_999),
        ..to(&durham, "2026-06-01", "Moved")
    };
    assert!(refused_at(attempt(nowhere, case.version).await, "to_team_id").contains("no team"));
    assert!(
        refused_at(
            attempt(to(&durham, "2026-03-25", "Moved"), case.version).await,
            "transferred_on"
        )
        .contains("before the current allocation began, on 1 April 2026")
    );
    assert!(
        refused_at(
            attempt(to(&durham, "2026-06-16", "Moved"), case.version).await,
            "transferred_on"
        )
        .contains("future")
    );
    assert_eq!(
        refused_at(
            attempt(to(&durham, "2026-06-01", " "), case.version).await,
            "reason"
        ),
        "Give a reason"
    );

    // Nothing was written by any of them.
    assert_eq!(store.audit_head().await.expect("head"), head);
    assert!(store.transfers(id).await.expect("transfers").is_empty());
    let after = store.case(id).await.expect("read").expect("case");
    assert_eq!(after.case, case);
    assert_eq!(after.events.last().map(|e| e.kind.as_str()), Some("moved"));
    let allocations = store.allocations(id).await.expect("allocations");
    assert_eq!(
        (allocations[0].staff_id, allocations[0].ended_on),
        (worker.id, None)
    );
    assert!(queued(&store, durham.id).await.is_empty());
}

async fn only_open_cases_move_and_never_back_before_their_last_transfer(store: Store) {
    let f = fixture(&store).await;
    let durham = durham(&store, &f).await;
    let (id, _) = allocated_case(&store, &f, "NE26P102").await;
    let case = store.case(id).await.expect("read").expect("case").case;
    let moved = store
        .transfer_case(
            id,
            case.version,
            &to(&durham, "2026-05-01", "Moved"),
            TODAY,
            &stamp(),
        )
        .await
        .expect("transfer");
    let too_early = store
        .transfer_case(
            id,
            moved.version,
            &to(&f.team, "2026-04-20", "Moved back"),
            TODAY,
            &stamp(),
        )
        .await;
    assert_eq!(
        refused_at(too_early, "transferred_on"),
        "The date of transfer cannot be before the case's last transfer, on 1 May 2026"
    );

    // Closed (its child's outcome recorded first), it stays where it is.
    let record = store.case(id).await.expect("read").expect("case");
    let ava = &record.children[0];
    store
        .set_child_outcome(
            id,
            ava.id,
            &tandem_domain::child_experience::ChildOutcomeInput {
                orders: "withdrawn".into(),
                lives_with: "mother".into(),
                recorded_on: "2026-05-10".into(),
                version: ava.version.to_string(),
                ..Default::default()
            },
            TODAY,
            &stamp(),
        )
        .await
        .expect("outcome");
    let closed = store
        .move_case(
            id,
            moved.version,
            CLOSED,
            date(2026, 5, 10),
            Some("Application withdrawn"),
            false,
            &stamp(),
        )
        .await
        .expect("close");
    let refused = store
        .transfer_case(
            id,
            closed.version,
            &to(&f.team, "2026-06-01", "Moved back"),
            TODAY,
            &stamp(),
        )
        .await;
    assert_eq!(
        refused_at(refused, "to_team_id"),
        "A closed case cannot be transferred: re-open it first"
    );
    assert_eq!(store.transfers(id).await.expect("transfers").len(), 1);
}

async fn transfers_cannot_be_rewritten(store: Store, sql: RawSql) {
    let f = fixture(&store).await;
    let durham = durham(&store, &f).await;
    let (id, _) = allocated_case(&store, &f, "NE26P103").await;
    let case = store.case(id).await.expect("read").expect("case").case;
    store
        .transfer_case(
            id,
            case.version,
            &to(&durham, "2026-06-01", "Moved"),
            TODAY,
            &stamp(),
        )
        .await
        .expect("transfer");
    for statement in [
        "UPDATE case_transfers SET reason = 'x'",
        "DELETE FROM case_transfers",
    ] {
        assert!(
            sql.execute(statement)
                .await
                .is_err_and(|e| e.contains("append-only")),
            "{statement}"
        );
    }
}

tandem_testkit::on_both_backends!(
    a_case_moves_to_another_area_and_waits_for_a_worker_there,
    refused_transfers_change_nothing,
    only_open_cases_move_and_never_back_before_their_last_transfer,
);

mod raw {
    use super::*;
    tandem_testkit::on_both_backends!(with_sql: transfers_cannot_be_rewritten);
}
