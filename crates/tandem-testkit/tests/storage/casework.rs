use crate::fixture;
use jiff::civil::date;
use tandem_domain::DomainError;
use tandem_domain::access::RecordKind;
use tandem_domain::casework::*;
use tandem_domain::organisation::*;
use tandem_storage::{CaseFilter, Store, StoreError};
use tandem_testkit::{RawSql, everything, stamp};

pub(crate) fn draft(number: &str, court: i64, team: i64) -> CaseDraft {
    CaseInput {
        case_number: number.into(),
        court_id: Some(court),
        law_type: "private".into(),
        application_type: "child-arrangements".into(),
        harm_alleged: false,
        received_on: "2026-03-02".into(),
        issued_on: "2026-02-27".into(),
        local_authority_id: None,
        team_id: Some(team),
    }
    .validate(date(2026, 6, 1), &default_application_kinds())
    .expect("valid case")
}

pub(crate) fn child(given: &str) -> ChildDraft {
    ChildInput {
        given_name: given.into(),
        family_name: "Rivers".into(),
        date_of_birth: "2018-07-14".into(),
        ..Default::default()
    }
    .validate(date(2026, 3, 2))
    .expect("valid child")
}

pub(crate) fn party(confidential: bool) -> PartyDraft {
    PartyInput {
        role: "respondent".into(),
        given_name: "Morgan".into(),
        family_name: "Hale".into(),
        relationship: "Father".into(),
        address: "1 Quiet Lane".into(),
        postcode: "NE1 4XB".into(),
        address_confidential: confidential,
        ..Default::default()
    }
    .validate()
    .expect("valid party")
}

pub(crate) async fn court(store: &Store, area: i64, code: &str) -> Court {
    store
        .create(
            &CourtInput {
                code: code.into(),
                name: format!("{code} Family Court"),
                dfj_area: "Newcastle".into(),
                service_area_id: Some(area),
            }
            .validate()
            .expect("valid"),
            &stamp(),
        )
        .await
        .expect("court")
}

/// Records a hearing held on `on`, with its outcome.
pub(crate) async fn hearing(store: &Store, id: CaseId, kind: &str, on: &str, outcome: &str) {
    let case = store.case(id).await.expect("read").expect("case").case;
    let hearing = HearingInput {
        kind: kind.into(),
        on: on.into(),
        outcome: outcome.into(),
        ..Default::default()
    }
    .validate_past(&case)
    .expect("valid hearing");
    store
        .add_hearing(id, &hearing, &stamp())
        .await
        .expect("hearing");
}

/// A team in the service area `area`, with no office.
pub(crate) async fn team(store: &Store, area: i64, code: &str, name: &str) -> Team {
    store
        .create(
            &TeamInput {
                code: code.into(),
                name: name.into(),
                service_area_id: Some(area),
                office_id: None,
            }
            .validate()
            .expect("valid"),
            &stamp(),
        )
        .await
        .expect("team")
}

async fn a_case_opens_with_its_children_and_parties(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let id = store
        .open_case(
            &draft("ne26p001", ncl.id.0, f.team.id.0),
            &[child("Ava"), child("Ben")],
            &[party(true)],
            &[],
            &stamp(),
        )
        .await
        .expect("open");
    let record = store.case(id).await.expect("get").expect("found");
    assert_eq!(record.case.case_number, "NE26P001");
    assert_eq!(record.case.stage, "intake");
    assert_eq!(record.case.pathway.code, "private-law");
    assert_eq!(record.children.len(), 2);
    assert_eq!(record.children[0].details.sex, Sex::NotKnown);
    assert!(record.parties[0].details.address_confidential);
    assert_eq!(record.applications[0].kind.code, "child-arrangements");
    assert!(record.applications[0].lead);
    assert_eq!(record.events.len(), 1);
    assert_eq!(record.events[0].kind, "opened");

    // The same number at the same court is refused; at another court it is fine.
    let again = store
        .open_case(
            &draft("NE26P001", ncl.id.0, f.team.id.0),
            &[child("Cy")],
            &[],
            &[],
            &stamp(),
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::Domain(DomainError::Duplicate { ref field, .. })) if field == "case_number")
    );
    let other = court(&store, f.area.id.0, "DUR").await;
    store
        .open_case(
            &draft("NE26P001", other.id.0, f.team.id.0),
            &[child("Cy")],
            &[],
            &[],
            &stamp(),
        )
        .await
        .expect("another court");
    // No child, or a missing court: nothing is written.
    let before = store.audit_head().await.expect("head").0;
    assert!(
        store
            .open_case(&draft("X1", ncl.id.0, f.team.id.0), &[], &[], &[], &stamp())
            .await
            .is_err()
    );
    assert!(
        store
            .open_case(
                &draft("X2", 999, f.team.id.0),
                &[child("Di")],
                &[],
                &[],
                &stamp()
            )
            .await
            .is_err()
    );
    assert_eq!(store.audit_head().await.expect("head").0, before);
}

async fn cases_move_only_along_their_pathway(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let id = store
        .open_case(
            &draft("NE26P002", ncl.id.0, f.team.id.0),
            &[child("Ava")],
            &[],
            &[],
            &stamp(),
        )
        .await
        .expect("open");
    let moved = store
        .move_case(
            id,
            1,
            "safeguarding-checks",
            date(2026, 3, 3),
            None,
            false,
            &stamp(),
        )
        .await
        .expect("move");
    assert_eq!((moved.stage, moved.version), ("safeguarding-checks", 2));

    let skipped = store
        .move_case(
            id,
            2,
            "final-hearing",
            date(2026, 3, 4),
            None,
            false,
            &stamp(),
        )
        .await;
    let Err(StoreError::Domain(DomainError::Invalid(errors))) = skipped else {
        panic!("expected a refusal, got {skipped:?}");
    };
    assert!(
        errors
            .for_field("to")
            .is_some_and(|m| m.contains("Safeguarding letter"))
    );
    let stale = store
        .move_case(
            id,
            1,
            "safeguarding-letter",
            date(2026, 3, 4),
            None,
            false,
            &stamp(),
        )
        .await;
    assert!(matches!(
        stale,
        Err(StoreError::Domain(DomainError::StaleVersion { .. }))
    ));
    let early = store
        .move_case(
            id,
            2,
            CLOSED,
            date(2026, 3, 1),
            Some("withdrawn"),
            false,
            &stamp(),
        )
        .await;
    assert!(early.is_err(), "no closure before receipt");

    let closing = stamp();
    let close = || {
        store.move_case(
            id,
            2,
            CLOSED,
            date(2026, 3, 10),
            Some("Application withdrawn"),
            false,
            &closing,
        )
    };
    let without_outcome = close().await;
    assert!(
        matches!(&without_outcome, Err(StoreError::Domain(DomainError::Invalid(e)))
            if e.for_field("to").is_some_and(|m| m.contains("Record the outcome for"))),
        "{without_outcome:?}"
    );
    let child = store.case(id).await.expect("read").expect("case").children[0].clone();
    let outcome = tandem_domain::child_experience::ChildOutcomeInput {
        orders: "withdrawn".into(),
        lives_with: "mother".into(),
        recorded_on: "2026-03-10".into(),
        version: child.version.to_string(),
        ..Default::default()
    };
    store
        .set_child_outcome(id, child.id, &outcome, date(2026, 3, 10), &stamp())
        .await
        .expect("outcome");
    let stale = store
        .set_child_outcome(id, child.id, &outcome, date(2026, 3, 10), &stamp())
        .await;
    assert!(
        matches!(
            stale,
            Err(StoreError::Domain(DomainError::StaleVersion { .. }))
        ),
        "the second writer is told to reload"
    );
    let closed = close().await.expect("close");
    assert_eq!(closed.closed_on, Some(date(2026, 3, 10)));
    assert!(
        store
            .move_case(id, 3, "intake", date(2026, 4, 1), None, false, &stamp())
            .await
            .is_err()
    );
    let reopened = store
        .move_case(
            id,
            3,
            "first-hearing",
            date(2026, 4, 1),
            Some("Restored by the court"),
            true,
            &stamp(),
        )
        .await
        .expect("reopen");
    assert_eq!(
        (reopened.stage, reopened.closed_on),
        ("first-hearing", None)
    );
    let record = store.case(id).await.expect("get").expect("found");
    let kinds: Vec<&str> = record.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["opened", "moved", "child-outcome", "moved", "reopened"]
    );
    assert_eq!(
        record.events[4].reason.as_deref(),
        Some("Restored by the court")
    );
}

async fn lists_and_searches_stay_in_scope(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let other_team = team(&store, f.area.id.0, "A1-PUB", "Public law").await;
    store
        .open_case(
            &draft("NE26P010", ncl.id.0, f.team.id.0),
            &[child("Ava")],
            &[party(false)],
            &[],
            &stamp(),
        )
        .await
        .expect("open");
    store
        .open_case(
            &draft("NE26P011", ncl.id.0, other_team.id.0),
            &[child("Zed")],
            &[],
            &[],
            &stamp(),
        )
        .await
        .expect("open");
    let all = everything(RecordKind::Case);
    let search = |text: &str| CaseFilter {
        search: Some(text.into()),
        limit: 50,
        ..Default::default()
    };
    assert_eq!(
        store
            .cases(&search("ne26p01"), &all)
            .await
            .expect("search")
            .len(),
        2
    );
    assert_eq!(
        store
            .cases(&search("zed"), &all)
            .await
            .expect("search")
            .len(),
        1
    );
    assert_eq!(
        store.cases(&search("hale"), &all).await.expect("search")[0].children,
        ["Ava Rivers"]
    );
    assert_eq!(
        store
            .cases(&search("nobody"), &all)
            .await
            .expect("search")
            .len(),
        0
    );
    // A team-scoped caller sees their team's cases only.
    let actor = tandem_domain::access::Actor {
        user_id: tandem_domain::access::UserId(9),
        username: "fca".into(),
        assignments: vec![tandem_domain::access::Assignment {
            role: tandem_domain::access::Role::FamilyCourtAdviser,
            scope: tandem_domain::access::Scope::Team(f.team.id),
        }],
        break_glass: Vec::new(),
    };
    let mine = tandem_domain::access::list_scope(
        &actor,
        tandem_domain::access::Action::View,
        RecordKind::Case,
    );
    let found = store.cases(&search("ne26"), &mine).await.expect("search");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].case.case_number, "NE26P010");
}

async fn an_area_can_choose_the_pathfinder_pathway(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    store
        .set_area_pathway(f.area.id, &PRIVATE_LAW_PATHFINDER, &stamp())
        .await
        .expect("switch");
    let id = store
        .open_case(
            &draft("NE26P020", ncl.id.0, f.team.id.0),
            &[child("Ava")],
            &[],
            &[],
            &stamp(),
        )
        .await
        .expect("open");
    let record = store.case(id).await.expect("get").expect("found");
    assert_eq!(record.case.pathway.code, "private-law-pathfinder");
    assert!(
        store
            .move_case(
                id,
                1,
                "information-gathering",
                date(2026, 3, 3),
                None,
                false,
                &stamp()
            )
            .await
            .is_ok()
    );
    store
        .set_area_pathway(f.area.id, &PRIVATE_LAW, &stamp())
        .await
        .expect("switch back");
    let id = store
        .open_case(
            &draft("NE26P021", ncl.id.0, f.team.id.0),
            &[child("Ben")],
            &[],
            &[],
            &stamp(),
        )
        .await
        .expect("open");
    assert_eq!(
        store
            .case(id)
            .await
            .expect("get")
            .expect("found")
            .case
            .pathway
            .code,
        "private-law"
    );
}

async fn case_history_cannot_be_rewritten(store: Store, sql: RawSql) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    store
        .open_case(
            &draft("NE26P030", ncl.id.0, f.team.id.0),
            &[child("Ava")],
            &[],
            &[],
            &stamp(),
        )
        .await
        .expect("open");
    assert!(
        sql.execute("UPDATE case_events SET reason = 'x'")
            .await
            .is_err_and(|e| e.contains("append-only"))
    );
    assert!(
        sql.execute("DELETE FROM case_events")
            .await
            .is_err_and(|e| e.contains("append-only"))
    );
}

async fn work_is_set_on_opening_and_filed_once(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let letter = WorkItemDraft {
        kind: WorkKind::SafeguardingLetter,
        due_on: date(2026, 3, 25),
    };
    let open = |number: &'static str| {
        let draft = draft(number, ncl.id.0, f.team.id.0);
        let store = store.clone();
        let letter = letter.clone();
        async move {
            store
                .open_case(&draft, &[child("Ava")], &[], &[letter], &stamp())
                .await
                .expect("open")
        }
    };
    let (id, other) = (open("NE26P090").await, open("NE26P091").await);
    let work = store.work_items(id).await.expect("work");
    assert_eq!(work.len(), 1);
    assert_eq!(work[0].due_on, date(2026, 3, 25));
    let today = date(2026, 6, 1);
    let item = work[0].id;
    let wrong_case = store
        .file_work(other, item, 1, "2026-03-20", "", today, &stamp())
        .await;
    assert!(matches!(
        wrong_case,
        Err(StoreError::Domain(DomainError::NotFound { .. }))
    ));
    let unexplained = store
        .file_work(id, item, 1, "2026-03-30", "", today, &stamp())
        .await;
    assert!(matches!(
        unexplained,
        Err(StoreError::Domain(DomainError::Invalid(_)))
    ));
    let filed = store
        .file_work(
            id,
            item,
            1,
            "2026-03-30",
            "Interpreter unavailable",
            today,
            &stamp(),
        )
        .await
        .expect("filed");
    assert_eq!(filed.status(today), WorkStatus::FiledLate);
    assert_eq!(filed.version, 2);
    let stale = store
        .file_work(id, item, 1, "2026-03-20", "", today, &stamp())
        .await;
    assert!(matches!(
        stale,
        Err(StoreError::Domain(DomainError::StaleVersion { .. }))
    ));
    let record = store.case(id).await.expect("get").expect("found");
    let hearing = HearingInput {
        kind: "first-hearing".into(),
        on: "2026-03-30".into(),
        ..Default::default()
    }
    .validate(&record.case)
    .expect("valid hearing");
    store
        .add_hearing(id, &hearing, &stamp())
        .await
        .expect("add");
    let hearings = store.hearings(id).await.expect("hearings");
    assert_eq!(hearings[0].details.kind, HearingKind::FirstHearing);
    assert!(store.hearings(other).await.expect("hearings").is_empty());
}

async fn extensions_are_kept_in_the_order_granted(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let id = store
        .open_case(
            &draft("NE26P095", ncl.id.0, f.team.id.0),
            &[child("Ava")],
            &[],
            &[],
            &stamp(),
        )
        .await
        .expect("open");
    let granted = |weeks: u8, day: i8| tandem_domain::clocks::Extension {
        weeks,
        granted_on: date(2026, 6, day),
        reason: format!("{weeks} weeks"),
    };
    store
        .add_extension(id, &granted(8, 20), &stamp())
        .await
        .expect("add");
    store
        .add_extension(id, &granted(2, 3), &stamp())
        .await
        .expect("add");
    let kept = store.extensions(id).await.expect("extensions");
    assert_eq!(kept, [granted(2, 3), granted(8, 20)]);
    let missing = store
        .add_extension(CaseId(999_999), &granted(2, 3), &stamp())
        .await;
    assert!(matches!(
        missing,
        Err(StoreError::Domain(DomainError::NotFound { .. }))
    ));
    let events = store.case(id).await.expect("get").expect("found").events;
    assert_eq!(events.iter().filter(|e| e.kind == "extension").count(), 2);
}

tandem_testkit::on_both_backends!(
    extensions_are_kept_in_the_order_granted,
    work_is_set_on_opening_and_filed_once,
    a_case_opens_with_its_children_and_parties,
    cases_move_only_along_their_pathway,
    lists_and_searches_stay_in_scope,
    an_area_can_choose_the_pathfinder_pathway,
);

mod raw {
    use super::*;
    tandem_testkit::on_both_backends!(with_sql: case_history_cannot_be_rewritten);
}

pub(crate) async fn practitioner(
    store: &Store,
    given: &str,
    team: i64,
    group: &str,
) -> StaffMember {
    store
        .create(
            &StaffInput {
                given_name: given.into(),
                family_name: "Worker".into(),
                job_group: group.into(),
                grade: "Family court adviser".into(),
                fte: "0.5".into(),
                team_id: Some(team),
                line_manager_id: None,
                contract_type: "employed".into(),
                start_date: "2020-01-01".into(),
                end_date: String::new(),
            }
            .validate()
            .expect("valid"),
            &stamp(),
        )
        .await
        .expect("staff")
}

/// Walks a newly opened private law case to awaiting allocation, on 20
/// March 2026; returns its version there.
pub(crate) async fn to_awaiting_allocation(store: &Store, id: CaseId) -> i64 {
    let mut version = 1;
    for to in [
        "safeguarding-checks",
        "safeguarding-letter",
        "first-hearing",
        "awaiting-allocation",
    ] {
        store
            .move_case(id, version, to, date(2026, 3, 20), None, false, &stamp())
            .await
            .expect("move");
        version += 1;
    }
    version
}

async fn cases_are_allocated_with_history_and_queued_by_risk(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let amira = practitioner(&store, "Amira", f.team.id.0, "practitioner").await;
    let ben = practitioner(&store, "Ben", f.team.id.0, "practitioner").await;
    let clerk = practitioner(&store, "Cal", f.team.id.0, "business-support").await;
    let mut harmful = draft("NE26P040", ncl.id.0, f.team.id.0);
    harmful.harm_alleged = true;
    let mut older = draft("NE26P041", ncl.id.0, f.team.id.0);
    older.received_on = date(2026, 1, 5);
    older.issued_on = None;
    let quiet = store
        .open_case(&older, &[child("Ava")], &[], &[], &stamp())
        .await
        .expect("open");
    let urgent = store
        .open_case(&harmful, &[child("Ben")], &[], &[], &stamp())
        .await
        .expect("open");
    let queue: Vec<CaseId> = store
        .allocation_queue(f.team.id)
        .await
        .expect("queue")
        .into_iter()
        .map(|(c, _)| c.id)
        .collect();
    assert_eq!(
        queue,
        [urgent, quiet],
        "harm alleged first, then the oldest"
    );

    let version = to_awaiting_allocation(&store, urgent).await;
    let refused = store
        .allocate_case(urgent, version, clerk.id, date(2026, 4, 1), None, &stamp())
        .await;
    assert!(
        matches!(refused, Err(StoreError::Domain(DomainError::Invalid(_)))),
        "not a practitioner"
    );
    let held = store
        .allocate_case(urgent, version, amira.id, date(2026, 4, 1), None, &stamp())
        .await
        .expect("allocate");
    assert_eq!(
        (held.allocated_to, held.stage),
        (Some(amira.id), "allocated"),
        "awaiting allocation moves on"
    );
    let no_reason = store
        .allocate_case(
            urgent,
            held.version,
            ben.id,
            date(2026, 4, 8),
            None,
            &stamp(),
        )
        .await;
    assert!(no_reason.is_err(), "a reallocation needs a reason");
    let moved = store
        .allocate_case(
            urgent,
            held.version,
            ben.id,
            date(2026, 4, 8),
            Some("Amira on leave"),
            &stamp(),
        )
        .await
        .expect("reallocate");
    assert_eq!(moved.allocated_to, Some(ben.id));
    let history = store.allocations(urgent).await.expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(
        (history[0].staff_id, history[0].ended_on),
        (amira.id, Some(date(2026, 4, 8)))
    );
    assert_eq!(
        (
            history[1].staff_id,
            history[1].ended_on,
            history[1].reason.as_deref()
        ),
        (ben.id, None, Some("Amira on leave"))
    );
    assert_eq!(store.cases_held_by(&[ben.id]).await.expect("held").len(), 1);
    assert!(
        store
            .cases_held_by(&[amira.id])
            .await
            .expect("held")
            .is_empty()
    );
    assert_eq!(
        store
            .allocation_queue(f.team.id)
            .await
            .expect("queue")
            .len(),
        1
    );

    // Someone in another service area cannot hold the case.
    let other_area: ServiceArea = store
        .create(
            &ServiceAreaInput {
                code: "A2".into(),
                name: "Durham".into(),
                region_id: Some(f.region.id.0),
            }
            .validate()
            .expect("valid"),
            &stamp(),
        )
        .await
        .expect("area");
    let far_team = team(&store, other_area.id.0, "A2-T", "Durham team").await;
    let far = practitioner(&store, "Dee", far_team.id.0, "practitioner").await;
    let outside = store
        .allocate_case(quiet, 1, far.id, date(2026, 4, 1), None, &stamp())
        .await;
    assert!(
        matches!(outside, Err(StoreError::Domain(DomainError::Invalid(ref e))) if e.for_field("staff_id").is_some_and(|m| m.contains("outside")))
    );

    assert_eq!(
        store.safe_caseload(f.team.id).await.expect("limit"),
        DEFAULT_SAFE_CASELOAD
    );
    store
        .set_safe_caseload(f.team.id, 18.0, &stamp())
        .await
        .expect("set");
    assert_eq!(store.safe_caseload(f.team.id).await.expect("limit"), 18.0);
    assert!(
        store
            .set_safe_caseload(f.team.id, 0.0, &stamp())
            .await
            .is_err()
    );
}

mod allocation {
    use super::*;
    tandem_testkit::on_both_backends!(cases_are_allocated_with_history_and_queued_by_risk);
}

async fn the_childs_experience_risk_notes_and_more_time_are_kept(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let today = date(2026, 6, 1);
    let id = store
        .open_case(
            &draft("NE26P050", ncl.id.0, f.team.id.0),
            &[child("Ava")],
            &[],
            &[WorkItemDraft {
                kind: WorkKind::Section7Report,
                due_on: date(2026, 5, 29),
            }],
            &stamp(),
        )
        .await
        .expect("open");
    let version = to_awaiting_allocation(&store, id).await;
    let amira = practitioner(&store, "Amira", f.team.id.0, "practitioner").await;
    store
        .allocate_case(id, version, amira.id, date(2026, 4, 1), None, &stamp())
        .await
        .expect("allocate");

    // Yet to meet, then met.
    let waiting = store
        .children_yet_to_meet(&everything(RecordKind::Case))
        .await
        .expect("yet to meet");
    assert_eq!(waiting.len(), 1);
    assert_eq!(
        (waiting[0].child_name.as_str(), waiting[0].allocated_on),
        ("Ava Rivers", date(2026, 4, 1))
    );
    // A team's scope that is not this case's team.
    let elsewhere = tandem_domain::access::Actor {
        user_id: tandem_domain::access::UserId(9),
        username: "fca".into(),
        assignments: vec![tandem_domain::access::Assignment {
            role: tandem_domain::access::Role::FamilyCourtAdviser,
            scope: tandem_domain::access::Scope::Team(TeamId(f.team.id.0 + 1000)),
        }],
        break_glass: Vec::new(),
    };
    let nobody = tandem_domain::access::list_scope(
        &elsewhere,
        tandem_domain::access::Action::View,
        RecordKind::Case,
    );
    assert!(
        store
            .children_yet_to_meet(&nobody)
            .await
            .expect("scoped")
            .is_empty(),
        "outside the scope, nobody is listed"
    );
    let ava = store.case(id).await.expect("read").expect("case").children[0].clone();
    let met = tandem_domain::child_experience::ChildExperienceInput {
        first_met_fca_on: "2026-04-08".into(),
        wishes_and_feelings: "Wants more time with her dad".into(),
        told_outcome_by: "family-court-adviser".into(),
        version: ava.version.to_string(),
        ..Default::default()
    };
    store
        .set_child_experience(id, ava.id, &met, today, &stamp())
        .await
        .expect("met");
    assert!(
        store
            .children_yet_to_meet(&everything(RecordKind::Case))
            .await
            .expect("list")
            .is_empty()
    );
    let ava = store.case(id).await.expect("read").expect("case").children[0].clone();
    assert_eq!(ava.experience.first_met_fca_on, Some(date(2026, 4, 8)));
    assert_eq!(ava.version, 2);
    let future = tandem_domain::child_experience::ChildExperienceInput {
        first_met_fca_on: "2026-07-01".into(),
        version: "2".into(),
        ..Default::default()
    };
    assert!(
        store
            .set_child_experience(id, ava.id, &future, today, &stamp())
            .await
            .is_err()
    );
    let unchanged = store.case(id).await.expect("read").expect("case").children[0].clone();
    assert_eq!(
        unchanged, ava,
        "a refused change leaves the child as it was"
    );

    // Risk: an indicator and a check answered once.
    let risk = |kind: &str| tandem_domain::risk::RiskInput {
        kind: kind.into(),
        noted_on: "2026-03-04".into(),
        ..Default::default()
    };
    let abuse = tandem_domain::risk::RiskInput {
        indicator: "coercive-control".into(),
        source: "court".into(),
        ..risk("domestic-abuse")
    };
    let case = store.case(id).await.expect("read").expect("case").case;
    store
        .add_risk(id, &abuse.validate(&case, today).expect("valid"), &stamp())
        .await
        .expect("abuse");
    store
        .add_risk(
            id,
            &risk("police-check").validate(&case, today).expect("valid"),
            &stamp(),
        )
        .await
        .expect("check");
    let risks = store.risks(id).await.expect("risks");
    assert_eq!(risks.len(), 2);
    let check = risks.iter().find(|r| r.awaiting_response()).expect("check");
    store
        .record_check_response(
            id,
            check.id,
            1,
            "2026-03-11",
            "information-held",
            today,
            &stamp(),
        )
        .await
        .expect("answer");
    let again = store
        .record_check_response(
            id,
            check.id,
            1,
            "2026-03-12",
            "nothing-known",
            today,
            &stamp(),
        )
        .await;
    assert!(matches!(
        again,
        Err(StoreError::Domain(DomainError::StaleVersion { .. }))
    ));
    assert!(
        store
            .risks(id)
            .await
            .expect("risks")
            .iter()
            .all(|r| !r.awaiting_response())
    );

    // More time for the report: asked once, granted, and the date moves.
    let report = store.work_items(id).await.expect("work")[0].clone();
    let ask = WorkExtensionInput {
        requested_on: "2026-05-20".into(),
        new_due_on: "2026-06-12".into(),
        reason: "School records outstanding".into(),
    };
    store
        .request_work_extension(id, report.id, &ask, today, &stamp())
        .await
        .expect("ask");
    assert!(
        store
            .request_work_extension(id, report.id, &ask, today, &stamp())
            .await
            .is_err(),
        "one request waits at a time"
    );
    let request = store.work_extensions(id).await.expect("requests")[0].clone();
    store
        .decide_work_extension(
            id,
            report.id,
            request.id,
            report.version,
            "granted",
            "2026-05-21",
            today,
            &stamp(),
        )
        .await
        .expect("decide");
    let report = store.work_items(id).await.expect("work")[0].clone();
    assert_eq!(report.due_on, date(2026, 6, 12));
    assert_eq!(
        store.work_extensions(id).await.expect("requests")[0].decision,
        Some((ExtensionDecision::Granted, date(2026, 5, 21)))
    );

    // Notes, contact and oversight; a case missing oversight is flagged.
    let note = |kind: &str, extra: &[(&str, &str)]| {
        let mut n = tandem_domain::case_notes::NoteInput {
            kind: kind.into(),
            on: "2026-04-02".into(),
            body: "Discussed the plan for the report".into(),
            ..Default::default()
        };
        for (k, v) in extra {
            match *k {
                "contact_with" => n.contact_with = (*v).into(),
                "contact_method" => n.contact_method = (*v).into(),
                "oversight_for" => n.oversight_for = (*v).into(),
                _ => unreachable!(),
            }
        }
        n
    };
    store
        .add_note(id, &note("note", &[]), today, &stamp())
        .await
        .expect("note");
    store
        .add_note(
            id,
            &note(
                "contact",
                &[("contact_with", "child"), ("contact_method", "home-visit")],
            ),
            today,
            &stamp(),
        )
        .await
        .expect("contact");
    assert!(
        store
            .add_note(id, &note("contact", &[]), today, &stamp())
            .await
            .is_err()
    );
    store
        .add_note(
            id,
            &note("oversight", &[("oversight_for", "allocation")]),
            today,
            &stamp(),
        )
        .await
        .expect("oversight");
    let notes = store.notes(id).await.expect("notes");
    assert_eq!(notes.len(), 3);
    let allocations = store.allocations(id).await.expect("allocations");
    let case = store.case(id).await.expect("read").expect("case").case;
    assert!(
        tandem_domain::case_notes::missing_oversight(
            &case,
            &allocations,
            &store.work_items(id).await.expect("work"),
            &notes,
            Default::default()
        )
        .is_empty()
    );

    // A sibling joins; once closed, nobody can.
    store
        .add_child(id, &child("Cal"), &stamp())
        .await
        .expect("add child");
    store
        .add_party(id, &party(false), &stamp())
        .await
        .expect("add party");
    let record = store.case(id).await.expect("read").expect("case");
    assert_eq!((record.children.len(), record.parties.len()), (2, 1));
    let (morgan, cal) = (record.parties[0].id, record.children[1].id);
    store
        .set_relationship(id, morgan, cal, "Stepfather", &stamp())
        .await
        .expect("relationship");
    store
        .set_relationship(id, morgan, cal, "Step-parent", &stamp())
        .await
        .expect("replaced, not added");
    assert!(
        store
            .set_relationship(id, morgan, 999_999, "Uncle", &stamp())
            .await
            .is_err(),
        "not a child of this case"
    );
    let party = store.case(id).await.expect("read").expect("case").parties[0].clone();
    assert_eq!(party.relationship_to(cal), "Step-parent");
    assert_eq!(party.relationship_to(record.children[0].id), "Father");
    assert_eq!(party.relationships.len(), 1);
}

mod child_risk_notes {
    use super::*;
    tandem_testkit::on_both_backends!(the_childs_experience_risk_notes_and_more_time_are_kept);
}

mod append_only_notes {
    use super::*;

    async fn case_notes_cannot_be_rewritten(store: Store, sql: RawSql) {
        let f = fixture(&store).await;
        let ncl = court(&store, f.area.id.0, "NCL").await;
        let id = store
            .open_case(
                &draft("NE26P060", ncl.id.0, f.team.id.0),
                &[child("Ava")],
                &[],
                &[],
                &stamp(),
            )
            .await
            .expect("open");
        let note = tandem_domain::case_notes::NoteInput {
            kind: "note".into(),
            on: "2026-03-03".into(),
            body: "First".into(),
            ..Default::default()
        };
        store
            .add_note(id, &note, date(2026, 6, 1), &stamp())
            .await
            .expect("note");
        assert!(
            sql.execute("UPDATE case_notes SET body = 'Changed'")
                .await
                .is_err()
        );
        assert!(sql.execute("DELETE FROM case_notes").await.is_err());
        assert_eq!(
            store.notes(id).await.expect("notes")[0].details.body,
            "First"
        );
    }

    tandem_testkit::on_both_backends!(with_sql: case_notes_cannot_be_rewritten);
}

async fn application_types_are_the_organisations_own(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    assert_eq!(
        store.application_kinds().await.expect("kinds").len(),
        DEFAULT_APPLICATION_KINDS.len(),
        "seeded with the defaults"
    );
    let relocation: ApplicationType = store
        .create(
            &ApplicationTypeInput {
                code: "Relocation".into(),
                label: "Relocation (leave to remove)".into(),
                law_type: "private".into(),
            }
            .validate()
            .expect("valid"),
            &stamp(),
        )
        .await
        .expect("created");
    assert_eq!(relocation.code, "relocation", "codes are lower case");
    let kinds = store.application_kinds().await.expect("kinds");
    let input = CaseInput {
        application_type: "relocation".into(),
        ..Default::default()
    };
    let mut draft = draft("NE26P090", ncl.id.0, f.team.id.0);
    draft.application_type = input.application_type.clone();
    assert!(
        CaseInput {
            case_number: "NE26P091".into(),
            court_id: Some(ncl.id.0),
            law_type: "private".into(),
            received_on: "2026-03-02".into(),
            team_id: Some(f.team.id.0),
            ..input
        }
        .validate(date(2026, 6, 1), &kinds)
        .is_ok(),
        "a new type is offered at once"
    );
    let id = store
        .open_case(&draft, &[child("Ava")], &[], &[], &stamp())
        .await
        .expect("open");
    let record = store.case(id).await.expect("read").expect("case");
    assert_eq!(
        record.applications[0].kind.label,
        "Relocation (leave to remove)"
    );

    let in_use = store
        .delete::<ApplicationType>(relocation.id, relocation.version, &stamp())
        .await;
    assert!(
        matches!(in_use, Err(StoreError::Domain(DomainError::InUse { .. }))),
        "{in_use:?}"
    );
    let renamed = store
        .update::<ApplicationType>(
            relocation.id,
            relocation.version,
            &ApplicationTypeDraft {
                code: "moving-away".into(),
                ..ApplicationTypeInput {
                    code: "relocation".into(),
                    label: "Relocation".into(),
                    law_type: "private".into(),
                }
                .validate()
                .expect("valid")
            },
            &stamp(),
        )
        .await;
    assert!(
        matches!(&renamed, Err(StoreError::Domain(DomainError::Invalid(e))) if e.for_field("code").is_some()),
        "{renamed:?}"
    );
    let relabelled = store
        .update::<ApplicationType>(
            relocation.id,
            relocation.version,
            &ApplicationTypeInput {
                code: "relocation".into(),
                label: "Relocation abroad".into(),
                law_type: "private".into(),
            }
            .validate()
            .expect("valid"),
            &stamp(),
        )
        .await
        .expect("a new name is fine");
    assert_eq!(relabelled.label, "Relocation abroad");
    let unused: ApplicationType = store
        .create(
            &ApplicationTypeInput {
                code: "declaration".into(),
                label: "Declaration of parentage".into(),
                law_type: "private".into(),
            }
            .validate()
            .expect("valid"),
            &stamp(),
        )
        .await
        .expect("created");
    store
        .delete::<ApplicationType>(unused.id, unused.version, &stamp())
        .await
        .expect("an unused type can go");
}

mod application_types {
    use super::*;
    tandem_testkit::on_both_backends!(application_types_are_the_organisations_own);
}
