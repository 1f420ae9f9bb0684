//! The national demo at a small volume, on both databases: every case keeps
//! to the rules, the shapes are those asked for, and the rollups equal a
//! recomputation from the raw records.

use jiff::civil::date;
use std::collections::BTreeMap;
use tandem_demo::{NationalOptions, NationalProgress, load_national};
use tandem_domain::casework::{CLOSED, CaseId, LawType};
use tandem_storage::Store;

async fn national_history_keeps_to_the_rules(store: Store) {
    let options = NationalOptions {
        seed: 11,
        years: 1,
        cases_a_year: 600,
        today: date(2026, 6, 30),
    };
    let mut months = Vec::new();
    let summary = load_national(&store, options, &tandem_testkit::stamp(), &mut |p| {
        months.push(p)
    })
    .await
    .expect("load the national demo");
    // Thirteen months, each reported, then the rollups.
    assert_eq!(months.len(), 14);
    assert_eq!(months.last(), Some(&NationalProgress::Rollups));
    assert_eq!(summary.organisation.teams, 120);
    assert!(
        (550..=750).contains(&summary.cases),
        "about 650 cases in 13 months, not {}",
        summary.cases
    );
    let check = store.verify_rollups().await.expect("verify");
    assert!(check.cells > 0);
    assert_eq!(check.delay_cases, summary.cases, "a delay row a case");
    assert!(check.consistent(), "{check:?}");

    let mut by_law: BTreeMap<LawType, usize> = BTreeMap::new();
    let mut children = 0;
    let mut events: BTreeMap<String, usize> = BTreeMap::new();
    let mut closed = 0;
    for id in 1..=summary.cases as i64 {
        let record = store
            .case(CaseId(id))
            .await
            .expect("read")
            .expect("every loaded case is stored");
        *by_law.entry(record.case.law_type).or_default() += 1;
        children += record.children.len();
        for e in &record.events {
            *events.entry(e.kind.clone()).or_default() += 1;
        }
        if record.case.stage == CLOSED {
            closed += 1;
            assert!(record.case.closed_on.is_some());
            assert!(
                record.children.iter().all(|c| c.outcome.is_some()),
                "case {id} closed without every child's outcome"
            );
        }
        if record.case.law_type == LawType::Public {
            assert!(record.case.local_authority_id.is_some());
        }
    }
    assert_eq!(children, summary.children);
    let private = by_law[&LawType::Private] as f64 / summary.cases as f64;
    assert!(
        (0.58..0.76).contains(&private),
        "about two thirds private law, not {private:.2}"
    );
    let per_case = children as f64 / summary.cases as f64;
    assert!(
        (1.4..1.7).contains(&per_case),
        "{per_case:.2} children a case"
    );
    assert!(closed > summary.cases / 5, "only {closed} closed");
    for kind in ["allocated", "reopened", "transferred", "hearing"] {
        assert!(events.contains_key(kind), "no {kind} event in {events:?}");
    }
}

tandem_testkit::on_both_backends!(national_history_keeps_to_the_rules);
