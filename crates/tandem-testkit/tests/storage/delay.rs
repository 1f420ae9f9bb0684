//! The delay projection: each case's row as the drivers-of-delay analysis
//! reads it, kept through every kind of change, and the cases a scope and
//! period find.

use crate::casework::{court, hearing, practitioner};
use crate::fixture;
use crate::measures::{TODAY, allocate, close, durham, on, open, reopen, work};
use jiff::civil::{Date, date};
use tandem_domain::casework::*;
use tandem_domain::delay::DelayCase;
use tandem_domain::rollups::Scope;
use tandem_storage::{Part, Store};
use tandem_testkit::stamp;

async fn move_to(store: &Store, id: CaseId, stage: &str, on: Date) {
    let case = store.case(id).await.expect("read").expect("case").case;
    store
        .move_case(id, case.version, stage, on, None, false, &stamp())
        .await
        .expect("moved");
}

/// The cases an analysis reads, checking that reading them in parts
/// finds the same ones, each once.
async fn found(store: &Store, scope: Scope, first: Date, last: Date) -> Vec<DelayCase> {
    let read = |part| async move {
        store
            .delay_cases(scope, first, last, part)
            .await
            .expect("delay cases")
            .to_vec()
            .expect("readable lines")
    };
    let mut whole = Vec::new();
    for part in Part::split(first, last, 1) {
        whole.extend(read(part).await);
    }
    let mut in_parts = Vec::new();
    for part in Part::split(first, last, 3) {
        in_parts.extend(read(part).await);
    }
    let described = |cases: &[DelayCase]| {
        let mut lines: Vec<String> = cases.iter().map(|c| format!("{c:?}")).collect();
        lines.sort();
        lines
    };
    assert_eq!(
        described(&in_parts),
        described(&whole),
        "three parts make the whole"
    );
    whole
}

/// The stages a case entered, with the dates.
fn entered(case: &DelayCase) -> Vec<(Date, &'static str)> {
    case.stage_codes()
        .map(|(day, stage)| (case.day(day).expect("a date"), stage))
        .collect()
}

fn on_day(case: &DelayCase, day: Option<i32>) -> Option<Date> {
    day.and_then(|d| case.day(d))
}

async fn consistent(store: &Store) {
    let check = store.verify_rollups().await.expect("verify");
    assert!(check.consistent(), "{check:?}");
}

/// One private law case followed through stages, hearings (the second
/// adjourned), work filed late and unfiled, allocation, a transfer to
/// another area, closure and re-opening; and a second case in that area.
async fn each_case_keeps_what_the_delay_analysis_needs(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let amira = practitioner(&store, "Amira", f.team.id.0, "practitioner").await;
    let (_, other, dur) = durham(&store, &f).await;
    let year = (date(2026, 1, 1), date(2026, 12, 31));

    let p1 = open(
        &store,
        "NE26P001",
        ncl.id.0,
        f.team.id.0,
        on(date(2026, 1, 5), date(2026, 1, 5)),
        &["Ava", "Ben"],
    )
    .await;
    let opened = found(&store, Scope::National, year.0, year.1).await;
    assert_eq!(opened.len(), 1, "a row from the moment it opens");
    assert_eq!(entered(&opened[0]), [(date(2026, 1, 5), "intake")]);
    assert_eq!(opened[0].first_unfiled_due, None);

    move_to(&store, p1, "safeguarding-checks", date(2026, 1, 12)).await;
    move_to(&store, p1, "safeguarding-letter", date(2026, 2, 2)).await;
    allocate(&store, p1, amira.id, date(2026, 1, 20)).await;
    hearing(
        &store,
        p1,
        "first-hearing",
        "2026-02-10",
        "Directions given",
    )
    .await;
    // Not the first hearing, so no measure cell changes: the adjournment
    // must still reach the case's row.
    hearing(
        &store,
        p1,
        "final",
        "2026-03-10",
        "Adjourned: no interpreter",
    )
    .await;
    work(&store, p1, "2026-02-01", Some("2026-02-03")).await;
    work(&store, p1, "2026-04-01", None).await;
    let moving = store.case(p1).await.expect("read").expect("case").case;
    store
        .transfer_case(
            p1,
            moving.version,
            &TransferInput {
                to_team_id: Some(other.id.0),
                transferred_on: "2026-03-02".into(),
                reason: "The family moved to Durham".into(),
            },
            TODAY,
            &stamp(),
        )
        .await
        .expect("transferred");
    let p2 = open(
        &store,
        "DU26P002",
        dur.id.0,
        other.id.0,
        on(date(2026, 2, 2), date(2026, 2, 2)),
        &["Cy"],
    )
    .await;
    consistent(&store).await;

    let rows = found(&store, Scope::ServiceArea(f.area.id.0), year.0, year.1).await;
    assert_eq!(rows.len(), 1, "the area held P1 once, and never P2");
    let p1_row = &rows[0];
    assert_eq!(
        entered(p1_row),
        [
            (date(2026, 1, 5), "intake"),
            (date(2026, 1, 12), "safeguarding-checks"),
            (date(2026, 2, 2), "safeguarding-letter"),
        ]
    );
    assert_eq!(
        on_day(p1_row, p1_row.first_allocated),
        Some(date(2026, 1, 20))
    );
    assert_eq!(p1_row.adjournments, 1);
    assert!(p1_row.filed_late, "filed two days after it was due");
    assert_eq!(
        on_day(p1_row, p1_row.first_unfiled_due),
        Some(date(2026, 4, 1)),
        "the second piece of work is still unfiled"
    );
    assert_eq!(
        (p1_row.location.team_id, p1_row.location.court_id),
        (other.id.0, ncl.id.0),
        "counted with the team holding it now"
    );
    assert_eq!(p1_row.first_closed_on(), None);
    assert_eq!(
        found(&store, Scope::Court(dur.id.0), year.0, year.1)
            .await
            .len(),
        1
    );
    assert_eq!(
        found(&store, Scope::Team(other.id.0), year.0, year.1)
            .await
            .len(),
        2
    );
    assert!(
        found(
            &store,
            Scope::National,
            date(2025, 1, 1),
            date(2025, 12, 31)
        )
        .await
        .is_empty(),
        "received after that year"
    );

    close(&store, p1, date(2026, 5, 1)).await;
    reopen(&store, p1, date(2026, 6, 1)).await;
    close(&store, p1, date(2026, 7, 1)).await;
    close(&store, p2, date(2026, 4, 30)).await;
    consistent(&store).await;
    let rows = found(&store, Scope::ServiceArea(f.area.id.0), year.0, year.1).await;
    assert_eq!(rows[0].first_closed_on(), Some(date(2026, 5, 1)));
    assert_eq!(
        entered(&rows[0]).last(),
        Some(&(date(2026, 6, 1), "intake")),
        "re-opened at its first stage"
    );
    let june = (date(2026, 6, 1), date(2026, 6, 30));
    assert!(
        found(&store, Scope::National, june.0, june.1)
            .await
            .is_empty(),
        "first closed before June, so in no analysis of it"
    );
    let april = (date(2026, 4, 1), date(2026, 4, 30));
    assert_eq!(
        found(&store, Scope::National, april.0, april.1).await.len(),
        2
    );
    let may = (date(2026, 5, 1), date(2026, 5, 31));
    assert_eq!(
        found(&store, Scope::National, may.0, may.1).await.len(),
        1,
        "P2 closed on the last day of April"
    );

    // A rebuild writes the same rows.
    store.rebuild_rollups(&stamp()).await.expect("rebuild");
    consistent(&store).await;
    assert_eq!(
        found(&store, Scope::ServiceArea(f.area.id.0), year.0, year.1).await,
        rows
    );
}

tandem_testkit::on_both_backends!(each_case_keeps_what_the_delay_analysis_needs);
