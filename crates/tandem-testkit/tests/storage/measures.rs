//! The measures, worked out from the rollups, against figures computed by
//! hand from a small set of cases; and the rollups against a recomputation
//! from the raw records after every kind of change.

use crate::casework::{child, court, draft, hearing, practitioner, team};
use crate::{Fixture, area_draft, fixture};
use jiff::civil::{Date, date};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tandem_domain::access::RecordKind;
use tandem_domain::casework::*;
use tandem_domain::child_experience::{ChildExperienceInput, ChildOutcomeInput};
use tandem_domain::measures::{
    Granularity, Period, Unit, Value, case_part, evaluate, ingredients, measure,
};
use tandem_domain::organisation::*;
use tandem_domain::rollups::{Month, Scope};
use tandem_storage::Store;
use tandem_testkit::{RawSql, everything, stamp};

pub(crate) const TODAY: Date = Date::constant(2027, 6, 1);

pub(crate) async fn open(
    store: &Store,
    number: &str,
    court: i64,
    team: i64,
    set: impl Fn(&mut CaseDraft),
    children: &[&str],
) -> CaseId {
    let mut case = draft(number, court, team);
    set(&mut case);
    let children: Vec<ChildDraft> = children.iter().map(|c| child(c)).collect();
    store
        .open_case(&case, &children, &[], &[], &stamp())
        .await
        .expect("open")
}

pub(crate) fn on(received: Date, issued: Date) -> impl Fn(&mut CaseDraft) {
    move |c: &mut CaseDraft| {
        c.received_on = received;
        c.issued_on = Some(issued);
    }
}

fn care(received: Date) -> impl Fn(&mut CaseDraft) {
    move |c: &mut CaseDraft| {
        c.received_on = received;
        c.issued_on = Some(received);
        c.law_type = LawType::Public;
        c.application_type = "care".into();
    }
}

/// A second service area in the fixture's region, Durham, with a team and
/// a court.
pub(crate) async fn durham(store: &Store, f: &Fixture) -> (ServiceArea, Team, Court) {
    let south: ServiceArea = store
        .create(&area_draft("A2", "Durham", f.region.id.0), &stamp())
        .await
        .expect("area");
    let team = team(store, south.id.0, "A2-PRL1", "Durham private law 1").await;
    let court = court(store, south.id.0, "DUR").await;
    (south, team, court)
}

pub(crate) async fn close(store: &Store, id: CaseId, on: Date) {
    let record = store.case(id).await.expect("read").expect("case");
    for child in &record.children {
        if child.outcome.is_some() {
            continue;
        }
        let outcome = ChildOutcomeInput {
            orders: "withdrawn".into(),
            lives_with: "mother".into(),
            recorded_on: on.to_string(),
            version: child.version.to_string(),
            ..Default::default()
        };
        store
            .set_child_outcome(id, child.id, &outcome, TODAY, &stamp())
            .await
            .expect("outcome");
    }
    let case = store.case(id).await.expect("read").expect("case").case;
    store
        .move_case(
            id,
            case.version,
            CLOSED,
            on,
            Some("Final order"),
            false,
            &stamp(),
        )
        .await
        .expect("close");
}

pub(crate) async fn reopen(store: &Store, id: CaseId, on: Date) {
    let case = store.case(id).await.expect("read").expect("case").case;
    let first = case.pathway.first_stage();
    store
        .move_case(
            id,
            case.version,
            first,
            on,
            Some("New application"),
            true,
            &stamp(),
        )
        .await
        .expect("reopen");
}

pub(crate) async fn allocate(store: &Store, id: CaseId, worker: StaffId, on: Date) {
    let case = store.case(id).await.expect("read").expect("case").case;
    store
        .allocate_case(id, case.version, worker, on, None, &stamp())
        .await
        .expect("allocate");
}

pub(crate) async fn work(store: &Store, id: CaseId, due: &str, filed: Option<&str>) {
    let case = store.case(id).await.expect("read").expect("case").case;
    let item = WorkItemInput {
        kind: "safeguarding-letter".into(),
        due_on: due.into(),
    }
    .validate_past(&case)
    .expect("valid work");
    store.add_work(id, &item, &stamp()).await.expect("work");
    if let Some(filed) = filed {
        let items = store.work_items(id).await.expect("items");
        let item = items.iter().max_by_key(|i| i.id).expect("the item");
        store
            .file_work(
                id,
                item.id,
                item.version,
                filed,
                "Adviser unwell",
                TODAY,
                &stamp(),
            )
            .await
            .expect("filed");
    }
}

/// `id`'s values for `scope` by `by` from `from` to `to`, as shown on a page.
async fn shown(
    store: &Store,
    id: &str,
    scope: Scope,
    from: &str,
    to: &str,
    by: Granularity,
) -> Vec<String> {
    values(store, id, scope, from, to, by, None)
        .await
        .iter()
        .map(|v| {
            let m = measure(id).expect("measure");
            match v.median {
                Some(median) => format!("{} (median {median:.1})", v.display(m.unit)),
                None => v.display(m.unit),
            }
        })
        .collect()
}

async fn values(
    store: &Store,
    id: &str,
    scope: Scope,
    from: &str,
    to: &str,
    by: Granularity,
    law: Option<LawType>,
) -> Vec<Value> {
    let m = measure(id).expect("measure");
    let periods = Period::series(from, to, by).expect("periods");
    let (counts, context) = store
        .measure_counts(&[(&[scope], &periods)], ingredients(m))
        .await
        .expect("counts");
    evaluate(m, &periods, by, law, scope, &counts[0], &context).expect("evaluated")
}

async fn assert_consistent(store: &Store) {
    let check = store.verify_rollups().await.expect("verify");
    assert!(check.cells > 0, "something is counted");
    assert!(check.delay_cases > 0, "every case has a delay row");
    assert!(
        check.consistent(),
        "rollups or delay rows differ from a recomputation: {check:?}"
    );
}

/// Five cases in one team, and one in a team of another area:
/// - C1 private, 2 children, issued 2 Jan 2026, received 5 Jan, allocated 7 Jan,
///   first hearing 10 Feb (Ava seen 3 Feb, Ben never), closed 13 Mar,
///   re-opened 1 Apr, closed 29 May;
/// - C2 private, 1 child, received 2 Feb, allocated 16 Mar, closed 31 Mar;
/// - C3 care, 3 children, received 12 Jan, allocated 13 Jan, closed 10 Jul (179 days);
/// - C4 care, 1 child, received 19 Jan, never allocated, closed 21 Aug (214 days);
/// - C5 private, 1 child, received 2 Mar 2026, still open;
/// - C6 private, 1 child, received 20 Jan by the other area's team and
///   transferred here on 16 Feb, open.
async fn the_measures_match_hand_computed_figures(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let amira = practitioner(&store, "Amira", f.team.id.0, "practitioner").await;
    let (south, other, dur) = durham(&store, &f).await;
    let team = f.team.id.0;

    let c1 = open(
        &store,
        "NE26P001",
        ncl.id.0,
        team,
        on(date(2026, 1, 5), date(2026, 1, 2)),
        &["Ava", "Ben"],
    )
    .await;
    let c2 = open(
        &store,
        "NE26P002",
        ncl.id.0,
        team,
        on(date(2026, 2, 2), date(2026, 2, 2)),
        &["Cy"],
    )
    .await;
    let c3 = open(
        &store,
        "NE26C003",
        ncl.id.0,
        team,
        care(date(2026, 1, 12)),
        &["Di", "Ed", "Flo"],
    )
    .await;
    let c4 = open(
        &store,
        "NE26C004",
        ncl.id.0,
        team,
        care(date(2026, 1, 19)),
        &["Gus"],
    )
    .await;
    let c5 = open(
        &store,
        "NE26P005",
        ncl.id.0,
        team,
        on(date(2026, 3, 2), date(2026, 3, 2)),
        &["Hal"],
    )
    .await;
    let c6 = open(
        &store,
        "DU26P006",
        dur.id.0,
        other.id.0,
        on(date(2026, 1, 20), date(2026, 1, 20)),
        &["Ivy"],
    )
    .await;

    let moving = store.case(c6).await.expect("read").expect("case").case;
    store
        .transfer_case(
            c6,
            moving.version,
            &TransferInput {
                to_team_id: Some(team),
                transferred_on: "2026-02-16".into(),
                reason: "The family moved to Newcastle".into(),
            },
            TODAY,
            &stamp(),
        )
        .await
        .expect("transferred");
    allocate(&store, c1, amira.id, date(2026, 1, 7)).await;
    allocate(&store, c3, amira.id, date(2026, 1, 13)).await;
    allocate(&store, c2, amira.id, date(2026, 3, 16)).await;
    work(&store, c1, "2026-01-20", Some("2026-01-19")).await;
    work(&store, c2, "2026-02-20", Some("2026-02-23")).await;
    work(&store, c5, "2026-03-20", None).await;
    let record = store.case(c1).await.expect("read").expect("case");
    hearing(&store, c1, "first-hearing", "2026-02-10", "").await;
    let ava = &record.children[0];
    store
        .set_child_experience(
            c1,
            ava.id,
            &ChildExperienceInput {
                first_met_fca_on: "2026-02-03".into(),
                version: ava.version.to_string(),
                ..Default::default()
            },
            TODAY,
            &stamp(),
        )
        .await
        .expect("met");
    close(&store, c1, date(2026, 3, 13)).await;
    close(&store, c2, date(2026, 3, 31)).await;
    reopen(&store, c1, date(2026, 4, 1)).await;
    close(&store, c1, date(2026, 5, 29)).await;
    close(&store, c3, date(2026, 7, 10)).await;
    close(&store, c4, date(2026, 8, 21)).await;
    assert_consistent(&store).await;
    let case = store.case(c1).await.expect("read").expect("case").case;
    let first = case.pathway.first_stage();
    let backdated = store
        .move_case(
            c1,
            case.version,
            first,
            date(2026, 5, 1),
            None,
            true,
            &stamp(),
        )
        .await;
    assert!(
        backdated.is_err(),
        "a re-opening cannot come before the closure it undoes"
    );

    let here = Scope::Team(team);
    let month = Granularity::Month;
    assert_eq!(
        shown(&store, "new-cases", here, "2026-01", "2026-04", month).await,
        ["3", "1", "1", "0"],
        "an empty month is 0 cases, not no data"
    );
    assert_eq!(
        shown(
            &store,
            "new-cases",
            Scope::National,
            "2026-01",
            "2026-01",
            month
        )
        .await,
        ["4"]
    );
    assert_eq!(
        shown(
            &store,
            "new-cases",
            Scope::ServiceArea(south.id.0),
            "2026-01",
            "2026-01",
            month
        )
        .await,
        ["1"]
    );
    assert_eq!(
        shown(
            &store,
            "new-cases",
            Scope::Region(f.region.id.0),
            "2026-01",
            "2026-01",
            month
        )
        .await,
        ["4"]
    );
    assert_eq!(
        shown(
            &store,
            "new-cases",
            Scope::Court(dur.id.0),
            "2026-01",
            "2026-01",
            month
        )
        .await,
        ["1"]
    );
    let private_only = values(
        &store,
        "new-cases",
        here,
        "2026-01",
        "2026-01",
        month,
        Some(LawType::Private),
    )
    .await;
    assert_eq!(private_only[0].value, Some(1.0));
    assert_eq!(
        shown(
            &store,
            "children-in-new-cases",
            here,
            "2026-01",
            "2026-01",
            month
        )
        .await,
        ["6"],
        "every child of every new case"
    );
    // January 2026 has 21 working days (New Year's Day is a bank holiday).
    let demand = values(
        &store,
        "average-daily-demand",
        here,
        "2026-01",
        "2026-01",
        month,
        None,
    )
    .await;
    assert_eq!(
        (demand[0].numerator, demand[0].denominator),
        (Some(3.0), Some(21.0))
    );

    // Open at each month end: closed on the last day is not open then; the
    // re-opened case counts again from April.
    assert_eq!(
        shown(&store, "open-cases", here, "2026-01", "2026-08", month).await,
        ["3", "5", "4", "5", "4", "4", "3", "2"],
        "the transferred case counts here from February"
    );
    assert_eq!(
        shown(
            &store,
            "open-cases",
            Scope::ServiceArea(south.id.0),
            "2026-01",
            "2026-02",
            month
        )
        .await,
        ["1", "0"],
        "and in the area that received it until then"
    );
    assert_eq!(
        shown(
            &store,
            "children-in-open-cases",
            here,
            "2026-01",
            "2026-01",
            month
        )
        .await,
        ["6"]
    );
    assert_eq!(
        shown(
            &store,
            "children-worked-with",
            here,
            "2025-04",
            "2028-03",
            Granularity::Year
        )
        .await,
        ["9", "8", "2"],
        "2025-26 all six; 2026-27 not C2 (closed in March); then C5 and C6, still open"
    );

    // Table 9: first closures only. C1 70 days, C2 57: mean 63.5 ÷ 7; the
    // even-count median is the lower middle, 57 days.
    assert_eq!(
        shown(
            &store,
            "private-law-time-to-final-order",
            here,
            "2026-03",
            "2026-05",
            month
        )
        .await,
        ["9.1 (median 8.1)", "no data", "no data"],
        "the re-opened case's second closure is not a first closure"
    );
    // Table 10: per child: 70, 70 and 57 days; whole weeks 10, 10, 8.
    assert_eq!(
        shown(
            &store,
            "private-law-time-to-first-disposal",
            here,
            "2026-03",
            "2026-03",
            month
        )
        .await,
        ["9.3 (median 10.0)"]
    );
    // Care: 179 days (25.6 weeks) in July, 214 (30.6) in August.
    assert_eq!(
        shown(
            &store,
            "care-proceedings-duration",
            here,
            "2026-07",
            "2026-09",
            Granularity::Quarter
        )
        .await,
        ["28.1 (median 25.6)"]
    );
    assert_eq!(
        shown(
            &store,
            "care-within-26-weeks",
            here,
            "2026-04",
            "2026-09",
            month
        )
        .await,
        ["no data", "no data", "no data", "100.0%", "0.0%", "no data"]
    );
    // Allocation: C1 in 2 working days, C3 in 1 (public target 2), C4
    // never; C2 in 30 working days against a private target of 20.
    assert_eq!(
        shown(
            &store,
            "allocated-within-target",
            here,
            "2026-01",
            "2026-03",
            month
        )
        .await,
        ["66.7%", "0.0%", "0.0%"]
    );
    assert_eq!(
        shown(
            &store,
            "unallocated-at-month-end",
            here,
            "2026-01",
            "2026-02",
            month
        )
        .await,
        ["33.3%", "60.0%"]
    );
    // Two allocated open cases at the end of January, one half-time adviser.
    assert_eq!(
        shown(
            &store,
            "caseload-per-fte",
            here,
            "2026-01",
            "2026-01",
            month
        )
        .await,
        ["4.0"]
    );
    assert_eq!(
        shown(
            &store,
            "caseload-per-fte",
            Scope::Court(ncl.id.0),
            "2026-01",
            "2026-01",
            month
        )
        .await,
        ["no data"],
        "a court has no staff of its own"
    );
    assert_eq!(
        shown(
            &store,
            "work-filed-on-time",
            here,
            "2026-01",
            "2026-04",
            month
        )
        .await,
        ["100.0%", "0.0%", "0.0%", "no data"]
    );
    assert_eq!(
        shown(
            &store,
            "children-seen-before-first-hearing",
            here,
            "2026-02",
            "2026-02",
            month
        )
        .await,
        ["50.0%"]
    );
    // Over 26 weeks: C4 (received 19 Jan) at the end of July; C3 had closed.
    let over_26 = values(
        &store,
        "public-law-over-26-weeks",
        here,
        "2026-06",
        "2026-07",
        month,
        None,
    )
    .await;
    assert_eq!(
        over_26
            .iter()
            .map(|v| (v.value, v.denominator))
            .collect::<Vec<_>>(),
        [(Some(0.0), Some(2.0)), (Some(1.0), Some(1.0))]
    );
    // Over 52 weeks: C5, received 2 Mar 2026, is 363 days old at the end of
    // February 2027 and 394 at the end of March; C6 is 404 and 435.
    let over_52 = values(
        &store,
        "private-law-over-52-weeks",
        here,
        "2027-02",
        "2027-03",
        month,
        None,
    )
    .await;
    assert_eq!(
        over_52.iter().map(|v| v.value).collect::<Vec<_>>(),
        [Some(1.0), Some(2.0)]
    );

    // The cases behind every number add up to it.
    for m in tandem_domain::measures::CATALOGUE {
        if m.id == "children-worked-with" {
            continue;
        }
        for scope in [here, Scope::National, Scope::ServiceArea(south.id.0)] {
            for month in 1..=8 {
                let key = format!("2026-{month:02}");
                let period = Period::series(&key, &key, Granularity::Month).expect("period")[0];
                let total =
                    values(&store, m.id, scope, &key, &key, Granularity::Month, None).await[0];
                let (cases, context, rules) = store
                    .cases_behind_measures(
                        scope,
                        period.first,
                        period.last,
                        &everything(RecordKind::Case),
                    )
                    .await
                    .expect("cases");
                let parts: Vec<Value> = cases
                    .iter()
                    .filter_map(|(_, facts, _)| {
                        case_part(
                            m,
                            facts,
                            scope,
                            period,
                            Granularity::Month,
                            None,
                            &context,
                            &rules,
                        )
                        .expect("part")
                    })
                    .collect();
                let sum = |f: fn(&Value) -> Option<f64>| parts.iter().filter_map(f).sum::<f64>();
                let why = format!("{} {scope:?} {key}", m.id);
                match m.unit {
                    Unit::Cases | Unit::Children => {
                        assert_eq!(Some(sum(|v| v.value)), total.value, "{why}")
                    }
                    Unit::Percent => {
                        assert_eq!(
                            sum(|v| v.numerator),
                            total.numerator.unwrap_or(0.0),
                            "{why}"
                        );
                        assert_eq!(
                            sum(|v| v.denominator),
                            total.denominator.unwrap_or(0.0),
                            "{why}"
                        );
                    }
                    Unit::Weeks => {
                        assert_eq!(
                            sum(|v| v.denominator),
                            total.denominator.unwrap_or(0.0),
                            "{why}"
                        )
                    }
                    Unit::PerDay | Unit::Ratio => {
                        assert_eq!(
                            sum(|v| v.numerator),
                            total.numerator.unwrap_or(0.0),
                            "{why}"
                        )
                    }
                }
            }
        }
    }

    // The benchmark's plain-SQL baseline gives the same national numbers.
    let months = Period::series("2026-01", "2026-12", Granularity::Month).expect("months");
    let national = |id| {
        values(
            &store,
            id,
            Scope::National,
            "2026-01",
            "2026-12",
            Granularity::Month,
            None,
        )
    };
    let new_cases: Vec<f64> = national("new-cases")
        .await
        .iter()
        .filter_map(|v| v.value)
        .collect();
    let counted = store
        .baseline_new_cases(date(2026, 1, 1), date(2026, 12, 31))
        .await
        .expect("baseline");
    let by_month: Vec<f64> = months
        .iter()
        .map(|p| {
            let key = Month::of(p.first).to_string();
            counted
                .iter()
                .find(|(m, _)| *m == key)
                .map_or(0.0, |(_, n)| *n as f64)
        })
        .collect();
    assert_eq!(new_cases, by_month);
    let open: Vec<f64> = national("open-cases")
        .await
        .iter()
        .filter_map(|v| v.value)
        .collect();
    let ends: Vec<Date> = months.iter().map(|p| p.last).collect();
    let baseline_open = store.baseline_open_cases(&ends).await.expect("baseline");
    assert_eq!(
        open,
        baseline_open.iter().map(|n| *n as f64).collect::<Vec<_>>(),
        "re-opened cases included"
    );
    let work = national("work-filed-on-time").await;
    let filed = store
        .baseline_work_on_time(date(2026, 1, 1), date(2026, 12, 31))
        .await
        .expect("baseline");
    for (p, v) in months.iter().zip(&work) {
        let key = Month::of(p.first).to_string();
        let (due, on_time) = filed
            .iter()
            .find(|(m, _, _)| *m == key)
            .map_or((0, 0), |(_, d, o)| (*d, *o));
        assert_eq!(
            (v.numerator, v.denominator),
            (Some(on_time as f64), Some(due as f64)),
            "{key}"
        );
    }

    // A longer threshold moves every case's crossing: the rollups follow.
    let (mut settings, version) = store.practice_settings().await.expect("settings");
    settings.thresholds.private_law_weeks = 60;
    store
        .set_practice_settings(&settings, version, &stamp())
        .await
        .expect("saved");
    let over_60 = values(
        &store,
        "private-law-over-52-weeks",
        here,
        "2027-03",
        "2027-03",
        month,
        None,
    )
    .await;
    assert_eq!(
        over_60[0].value,
        Some(1.0),
        "C6 (435 days) but not C5 (394)"
    );
    assert_consistent(&store).await;
}

/// Only a case's first hearing counts: a later one leaves its cells as they
/// were, an earlier one moves them.
async fn only_a_new_first_hearing_changes_the_cells(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let team = f.team.id.0;
    let id = open(
        &store,
        "NE26P001",
        ncl.id.0,
        team,
        on(date(2026, 1, 5), date(2026, 1, 5)),
        &["Ava"],
    )
    .await;
    let record = store.case(id).await.expect("read").expect("case");
    let ava = &record.children[0];
    store
        .set_child_experience(
            id,
            ava.id,
            &ChildExperienceInput {
                first_met_fca_on: "2026-02-03".into(),
                version: ava.version.to_string(),
                ..Default::default()
            },
            TODAY,
            &stamp(),
        )
        .await
        .expect("met");
    let seen = || async {
        shown(
            &store,
            "children-seen-before-first-hearing",
            Scope::Team(team),
            "2026-01",
            "2026-03",
            Granularity::Month,
        )
        .await
    };
    for (on, expected) in [
        ("2026-02-10", ["no data", "100.0%", "no data"]),
        ("2026-03-10", ["no data", "100.0%", "no data"]),
        ("2026-01-20", ["0.0%", "no data", "no data"]),
    ] {
        hearing(&store, id, "first-hearing", on, "").await;
        assert_eq!(seen().await, expected, "after a hearing on {on}");
        assert_consistent(&store).await;
    }
}

/// The rules cells are worked out by are kept between writes, but a change
/// to them made behind the store's back, as by another process, is seen by
/// the next write.
async fn a_calendar_changed_elsewhere_is_seen_by_the_next_write(store: Store, sql: RawSql) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let worker = practitioner(&store, "Amira", f.team.id.0, "practitioner").await;
    // Received on a Monday; opening the case reads the rules.
    let id = open(
        &store,
        "NE26P001",
        ncl.id.0,
        f.team.id.0,
        on(date(2026, 1, 5), date(2026, 1, 5)),
        &["Ava"],
    )
    .await;
    sql.execute("INSERT INTO bank_holidays (day, title) VALUES ('2026-01-06', 'A new holiday')")
        .await
        .expect("holiday");
    // Allocated three working days after receipt, or two with the new holiday.
    allocate(&store, id, worker.id, date(2026, 1, 8)).await;
    assert_consistent(&store).await;
}

/// Random changes of every kind, then the stored sums against a
/// recomputation from the raw records.
async fn rollups_stay_equal_to_a_recomputation(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let worker = practitioner(&store, "Amira", f.team.id.0, "practitioner").await;
    let second = team(&store, f.area.id.0, "A1-PRL2", "Newcastle private law 2").await;
    for seed in [7_u64, 19, 2026] {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut cases = Vec::new();
        // Closures and re-openings go forward in time.
        let mut last_move = std::collections::HashMap::new();
        for step in 0..40 {
            let day = |rng: &mut StdRng| {
                date(2026, 1, 5)
                    .checked_add(jiff::Span::new().days(rng.random_range(0..300)))
                    .expect("date")
            };
            let choice = if cases.is_empty() {
                0
            } else {
                rng.random_range(0..7)
            };
            let why = format!("seed {seed}, step {step}, choice {choice}");
            if choice == 0 {
                let received = day(&mut rng);
                let number = format!("NE{seed}P{step:03}");
                let law = rng.random_bool(0.3);
                let id = open(
                    &store,
                    &number,
                    ncl.id.0,
                    f.team.id.0,
                    move |c: &mut CaseDraft| {
                        c.received_on = received;
                        c.issued_on = Some(received);
                        if law {
                            c.law_type = LawType::Public;
                            c.application_type = "care".into();
                        }
                    },
                    &["Ava", "Ben"][..rng.random_range(1..=2)],
                )
                .await;
                cases.push(id);
                continue;
            }
            let id = cases[rng.random_range(0..cases.len())];
            let case = store.case(id).await.expect("read").expect("case").case;
            let later = case
                .received_on
                .checked_add(jiff::Span::new().days(rng.random_range(0..200)))
                .expect("date");
            match choice {
                1 if !case.is_closed() && case.allocated_to.is_none() => {
                    allocate(&store, id, worker.id, later).await
                }
                2 => {
                    let when = later.max(last_move.get(&id).copied().unwrap_or(later));
                    last_move.insert(id, when);
                    if case.is_closed() {
                        reopen(&store, id, when).await
                    } else {
                        close(&store, id, when).await
                    }
                }
                3 if !case.is_closed() => {
                    work(
                        &store,
                        id,
                        &later.to_string(),
                        rng.random_bool(0.5).then_some(&*later.to_string()),
                    )
                    .await
                }
                4 if !case.is_closed() => {
                    hearing(&store, id, "first-hearing", &later.to_string(), "").await;
                }
                5 if !case.is_closed() => {
                    let child =
                        store.case(id).await.expect("read").expect("case").children[0].clone();
                    store
                        .set_child_experience(
                            id,
                            child.id,
                            &ChildExperienceInput {
                                first_met_fca_on: later.to_string(),
                                version: child.version.to_string(),
                                ..Default::default()
                            },
                            TODAY,
                            &stamp(),
                        )
                        .await
                        .expect("met");
                }
                6 if !case.is_closed() => {
                    let to = if case.team_id == f.team.id {
                        second.id.0
                    } else {
                        f.team.id.0
                    };
                    let moved = store
                        .transfer_case(
                            id,
                            case.version,
                            &TransferInput {
                                to_team_id: Some(to),
                                transferred_on: later.to_string(),
                                reason: "Moved".into(),
                            },
                            TODAY,
                            &stamp(),
                        )
                        .await;
                    // A date the rules refuse (before the last transfer or
                    // allocation) changes nothing; anything else is a fault.
                    assert!(
                        matches!(moved, Ok(_) | Err(tandem_storage::StoreError::Domain(_))),
                        "{why}: {moved:?}"
                    );
                }
                _ => {}
            }
            let check = store.verify_rollups().await.expect("verify");
            assert!(check.consistent(), "{why}: {check:?}");
        }
    }
    assert_consistent(&store).await;
}

/// Medians are read by week and then by day for the median's week only:
/// they must equal the Ministry's median of every duration, for months,
/// quarters and years whose medians fall in different weeks.
async fn medians_read_by_week_equal_medians_of_every_day(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let mut rng = StdRng::seed_from_u64(26);
    let mut closed: Vec<(Date, i64)> = Vec::new();
    for n in 0..36 {
        let issued = date(2025, 1, 6)
            .checked_add(jiff::Span::new().days(rng.random_range(0..60)))
            .expect("date");
        // Spread over months and over many weeks, with some days repeated.
        let days = rng.random_range(20..260);
        let closes = issued
            .checked_add(jiff::Span::new().days(days))
            .expect("date");
        let id = open(
            &store,
            &format!("NE25P{n:03}"),
            ncl.id.0,
            f.team.id.0,
            on(issued, issued),
            &["Ava"],
        )
        .await;
        close(&store, id, closes).await;
        closed.push((closes, days));
    }
    for by in [Granularity::Month, Granularity::Quarter, Granularity::Year] {
        let periods = Period::series("2025-01", "2026-03", by).expect("periods");
        let got = values(
            &store,
            "private-law-time-to-final-order",
            Scope::National,
            "2025-01",
            "2026-03",
            by,
            None,
        )
        .await;
        for (period, value) in periods.iter().zip(got) {
            let days: Vec<i64> = closed
                .iter()
                .filter(|(on, _)| period.first <= *on && *on <= period.last)
                .map(|(_, d)| *d)
                .collect();
            let every_day = tandem_domain::measures::Durations::from_days(&days);
            assert_eq!(
                (value.median, value.value, value.denominator),
                (
                    every_day.median_weeks(),
                    every_day.mean_weeks(),
                    Some(days.len() as f64)
                ),
                "{by:?} {}",
                period.label()
            );
        }
    }
}

/// A version that changes what the rollups hold marks them stale; the next
/// start rebuilds them, once.
async fn stale_rollups_are_rebuilt_on_start(store: Store, sql: RawSql) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let id = open(
        &store,
        "NE26P001",
        ncl.id.0,
        f.team.id.0,
        on(date(2026, 1, 5), date(2026, 1, 5)),
        &["Ava", "Ben"],
    )
    .await;
    close(&store, id, date(2026, 3, 2)).await;
    sql.execute(
        "DELETE FROM measure_rollups WHERE component = 'final-order-13-weeks'; \
         INSERT INTO rollups_stale (id, reason) VALUES (1, 'a test')",
    )
    .await
    .expect("stale");
    let check = store.verify_rollups().await.expect("verify");
    assert!(!check.wrong.is_empty(), "the 13-week counts are missing");
    store.migrate().await.expect("migrate");
    assert_consistent(&store).await;
    // Marked done: a second start does not rebuild again.
    sql.execute("DELETE FROM measure_rollups WHERE component = 'final-order-13-weeks'")
        .await
        .expect("delete");
    store.migrate().await.expect("migrate");
    let check = store.verify_rollups().await.expect("verify");
    assert!(!check.wrong.is_empty(), "not rebuilt a second time");
}

/// Verify reads the stored cells a page at a time: whatever the page, it
/// finds each wrong, missing and stray cell once, as with one page for all.
async fn verify_finds_every_wrong_cell_whatever_its_page(store: Store, sql: RawSql) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    for (i, children) in [&["Ava", "Ben"][..], &["Cal"], &["Dee", "Eve", "Fay"]]
        .into_iter()
        .enumerate()
    {
        let day = 5 + i8::try_from(i).expect("a few");
        let id = open(
            &store,
            &format!("NE26P00{i}"),
            ncl.id.0,
            f.team.id.0,
            on(date(2026, 1, day), date(2026, 1, day)),
            children,
        )
        .await;
        close(&store, id, date(2026, 3, day)).await;
    }
    let whole = store.verify_rollups().await.expect("verify");
    assert!(whole.cells > 20, "enough cells for several pages");
    for page in [1, 2, 7, whole.cells, whole.cells + 1] {
        let check = store.verify_rollups_in_pages(page).await.expect("verify");
        assert!(check.consistent(), "page {page}: {check:?}");
        assert_eq!(check.cells, whole.cells);
    }
    sql.execute(
        "DELETE FROM measure_rollups WHERE component = 'final-order-13-weeks'; \
         UPDATE measure_rollups SET count = count + 5 WHERE component = 'received'; \
         INSERT INTO measure_rollups (component, scope, month, law_type, bucket, count) \
         VALUES ('received', 'national', '1999-01', 'private', 0, 3)",
    )
    .await
    .expect("spoiled");
    let wrong = store.verify_rollups().await.expect("verify").wrong;
    let missing = wrong.iter().filter(|d| d.stored == 0).count();
    let stray = wrong.iter().filter(|d| d.expected == 0).count();
    let more = wrong.iter().filter(|d| d.stored == d.expected + 5).count();
    assert!(missing > 0 && more > 0, "{wrong:?}");
    assert_eq!(stray, 1, "the 1999 cell");
    for page in [1, 3, 10] {
        let paged = store.verify_rollups_in_pages(page).await.expect("verify");
        assert_eq!(paged.wrong, wrong, "page {page}");
    }
}

/// Cases count in their court's Designated Family Judge area. Moving a
/// court to another DFJ area, or a team to another service area, counts
/// every case again where it now is, in the same transaction.
async fn dfj_areas_and_moves_are_counted(store: Store) {
    let f = fixture(&store).await;
    let ncl = court(&store, f.area.id.0, "NCL").await;
    let sun = court(&store, f.area.id.0, "SUN").await;
    let teesside = |dfj: &str| {
        CourtInput {
            code: "TEE".into(),
            name: "Teesside Family Court".into(),
            dfj_area: dfj.into(),
            service_area_id: Some(f.area.id.0),
        }
        .validate()
        .expect("valid court")
    };
    let tee: Court = store
        .create(&teesside("Cleveland"), &stamp())
        .await
        .expect("court");
    for (n, court) in [ncl.id.0, ncl.id.0, sun.id.0, tee.id.0].iter().enumerate() {
        open(
            &store,
            &format!("NE26P{n:03}"),
            *court,
            f.team.id.0,
            on(date(2026, 1, 5), date(2026, 1, 5)),
            &["Ava"],
        )
        .await;
    }
    let areas = store.court_dfj_areas().await.expect("DFJ areas");
    let dfj = |court: i64| {
        areas
            .iter()
            .find(|(c, _, _)| *c == court)
            .map(|(_, d, _)| Scope::DfjArea(*d))
            .expect("a DFJ area")
    };
    let (newcastle, cleveland) = (dfj(ncl.id.0), dfj(tee.id.0));
    assert_eq!(dfj(sun.id.0), newcastle);
    assert_ne!(newcastle, cleveland);
    let new_cases = |scope| {
        let store = store.clone();
        async move {
            let v = values(
                &store,
                "new-cases",
                scope,
                "2026-01",
                "2026-01",
                Granularity::Month,
                None,
            )
            .await;
            v[0].value
        }
    };
    assert_eq!(new_cases(newcastle).await, Some(3.0));
    assert_eq!(new_cases(cleveland).await, Some(1.0));
    assert_eq!(new_cases(Scope::Court(ncl.id.0)).await, Some(2.0));

    // Teesside joins Newcastle's DFJ area.
    store
        .update::<Court>(tee.id.0, tee.version, &teesside("Newcastle"), &stamp())
        .await
        .expect("moved");
    assert_eq!(new_cases(newcastle).await, Some(4.0));
    assert_eq!(new_cases(cleveland).await, Some(0.0));
    assert_consistent(&store).await;

    // The team moves to another service area.
    let durham: ServiceArea = store
        .create(&area_draft("A2", "Durham", f.region.id.0), &stamp())
        .await
        .expect("area");
    store
        .update::<Team>(
            f.team.id.0,
            f.team.version,
            &TeamInput {
                code: f.team.code.clone(),
                name: f.team.name.clone(),
                service_area_id: Some(durham.id.0),
                office_id: None,
            }
            .validate()
            .expect("valid team"),
            &stamp(),
        )
        .await
        .expect("moved");
    assert_eq!(new_cases(Scope::ServiceArea(durham.id.0)).await, Some(4.0));
    assert_eq!(new_cases(Scope::ServiceArea(f.area.id.0)).await, Some(0.0));
    assert_consistent(&store).await;
}

tandem_testkit::on_both_backends!(
    dfj_areas_and_moves_are_counted,
    medians_read_by_week_equal_medians_of_every_day,
    the_measures_match_hand_computed_figures,
    only_a_new_first_hearing_changes_the_cells,
    rollups_stay_equal_to_a_recomputation
);

mod raw {
    use super::*;
    tandem_testkit::on_both_backends!(
        with_sql: a_calendar_changed_elsewhere_is_seen_by_the_next_write,
        stale_rollups_are_rebuilt_on_start,
        verify_finds_every_wrong_cell_whatever_its_page
    );
}
