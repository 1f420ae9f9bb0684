//! Export and import of case data: a round trip into an empty database,
//! all-or-nothing imports that report every bad row, scope and period.

use crate::casework::{child, court, draft, party, practitioner, team};
use crate::{area_draft, fixture};
use jiff::civil::{Date, date};
use std::collections::BTreeMap;
use tandem_domain::access::{Action, Actor, Assignment, RecordKind, Role, Scope, UserId};
use tandem_domain::casework::*;
use tandem_domain::interchange::{Period, Problem, Record, SourceRow, Table};
use tandem_domain::organisation::*;
use tandem_storage::{AuditFilter, BackendKind, ImportOutcome, Store};
use tandem_testkit::{TestBackend, everything, stamp, with_store};

const TODAY: Date = date(2026, 9, 1);

/// The organisation both databases share: the same codes and staff numbers.
struct Org {
    team: Team,
    court: Court,
    amira: StaffMember,
    ben: StaffMember,
}

async fn organisation(store: &Store) -> Org {
    let f = fixture(store).await;
    let court = court(store, f.area.id.0, "NCL").await;
    let _: LocalAuthority = store
        .create(
            &LocalAuthorityInput {
                code: "E08000021".into(),
                name: "Newcastle upon Tyne".into(),
                service_area_id: Some(f.area.id.0),
            }
            .validate()
            .expect("valid"),
            &stamp(),
        )
        .await
        .expect("local authority");
    let amira = practitioner(store, "Amira", f.team.id.0, "practitioner").await;
    let ben = practitioner(store, "Ben", f.team.id.0, "practitioner").await;
    Org {
        team: f.team,
        court,
        amira,
        ben,
    }
}

fn csv(records: &[Record], table: Table) -> Vec<u8> {
    tandem_interchange::write_csv(table, records).expect("csv")
}

fn rows(table: Table, text: &[u8]) -> Vec<SourceRow> {
    tandem_interchange::read_csv(table, text).expect("readable")
}

async fn import(store: &Store, table: Table, file: &[u8], children: &[u8]) -> ImportOutcome {
    import_with(store, table, file, children, b"").await
}

/// An import with the files that come with a cases file.
async fn import_with(
    store: &Store,
    table: Table,
    file: &[u8],
    children: &[u8],
    outcomes: &[u8],
) -> ImportOutcome {
    let companions = |t: Table, text: &[u8]| {
        if text.is_empty() {
            Vec::new()
        } else {
            rows(t, text)
        }
    };
    store
        .import(
            table,
            &rows(table, file),
            &companions(Table::Children, children),
            &companions(Table::Outcomes, outcomes),
            TODAY,
            &stamp(),
            &mut |_, _| {},
        )
        .await
        .expect("no fault")
}

fn backend_of(store: &Store) -> TestBackend {
    match store.backend_kind() {
        BackendKind::Sqlite => TestBackend::Sqlite,
        BackendKind::Postgres => TestBackend::Postgres,
    }
}

/// Two cases with something in every table: a private law case with a
/// confidential address, late work, a hearing, a reallocation and a further
/// application; a closed public law case with a hearing before it closed.
async fn casework(store: &Store, org: &Org) {
    let private = store
        .open_case(
            &draft("NE26P001", org.court.id.0, org.team.id.0),
            &[child("Ava"), child("Ben")],
            &[party(true), party(false)],
            &[WorkItemDraft {
                kind: WorkKind::SafeguardingLetter,
                due_on: date(2026, 3, 25),
            }],
            &stamp(),
        )
        .await
        .expect("open");
    let item = store.work_items(private).await.expect("work")[0].clone();
    store
        .file_work(
            private,
            item.id,
            item.version,
            "2026-03-27",
            "Police checks came back late",
            TODAY,
            &stamp(),
        )
        .await
        .expect("filed");
    let case = |id| async move { store.case(id).await.expect("read").expect("found").case };
    let hearing = HearingInput {
        kind: "first-hearing".into(),
        on: "2026-04-01".into(),
        outcome: "=SUM(A1)".into(),
        directions: "- Section 7 report\n- by 1 July".into(),
    }
    .validate(&case(private).await)
    .expect("valid");
    store
        .add_hearing(private, &hearing, &stamp())
        .await
        .expect("hearing");
    let v = case(private).await.version;
    store
        .allocate_case(private, v, org.amira.id, date(2026, 3, 10), None, &stamp())
        .await
        .expect("allocate");
    let v = case(private).await.version;
    store
        .allocate_case(
            private,
            v,
            org.ben.id,
            date(2026, 4, 2),
            Some("Amira on leave"),
            &stamp(),
        )
        .await
        .expect("reallocate");

    let mut public = CaseInput {
        case_number: "NE26C002".into(),
        court_id: Some(org.court.id.0),
        law_type: "public".into(),
        application_type: "care".into(),
        harm_alleged: true,
        received_on: "2026-03-02".into(),
        issued_on: "2026-02-27".into(),
        local_authority_id: None,
        team_id: Some(org.team.id.0),
    };
    public.local_authority_id = store
        .find_by_code::<LocalAuthority>("E08000021")
        .await
        .expect("read")
        .map(|la| la.id.0);
    let public = store
        .open_case(
            &public
                .validate(TODAY, &tandem_domain::casework::default_application_kinds())
                .expect("valid"),
            &[child("Cy")],
            &[],
            &[],
            &stamp(),
        )
        .await
        .expect("open");
    let hearing = HearingInput {
        kind: "case-management".into(),
        on: "2026-03-20".into(),
        ..Default::default()
    }
    .validate(&case(public).await)
    .expect("valid");
    store
        .add_hearing(public, &hearing, &stamp())
        .await
        .expect("hearing");
    let cy = store
        .case(public)
        .await
        .expect("read")
        .expect("found")
        .children[0]
        .clone();
    let outcome = tandem_domain::child_experience::ChildOutcomeInput {
        orders: "care;supervision".replace(';', ","),
        lives_with: "foster-carer".into(),
        contact: "Monthly, supervised".into(),
        recorded_on: "2026-05-01".into(),
        version: cy.version.to_string(),
    };
    store
        .set_child_outcome(public, cy.id, &outcome, TODAY, &stamp())
        .await
        .expect("outcome");
    let v = case(public).await.version;
    store
        .move_case(
            public,
            v,
            CLOSED,
            date(2026, 5, 1),
            Some("Withdrawn"),
            false,
            &stamp(),
        )
        .await
        .expect("closed");
    // A further application comes only by import: the first use of it.
    let further = "court_code,case_number,application_type,lead,harm_alleged,received_on,issued_on\n\
                   ncl,ne26p001,prohibited-steps,no,yes,2026-04-10,2026-04-09\n";
    assert!(matches!(
        import(store, Table::Applications, further.as_bytes(), b"").await,
        ImportOutcome::Imported { rows: 1, .. }
    ));
}

const ROUND_TRIP: [Table; 8] = [
    Table::Cases,
    Table::Children,
    Table::Parties,
    Table::Applications,
    Table::Hearings,
    Table::WorkItems,
    Table::Allocations,
    Table::Outcomes,
];

async fn export_all(store: &Store) -> BTreeMap<&'static str, Vec<u8>> {
    let mut files = BTreeMap::new();
    for table in ROUND_TRIP {
        let records = store
            .export(table, &Period::default(), &everything(RecordKind::Case))
            .await
            .expect("export");
        files.insert(
            tandem_domain::choice::Choice::slug(table),
            csv(&records, table),
        );
    }
    files
}

async fn an_export_imports_into_an_empty_database_unchanged(source: Store) {
    let org = organisation(&source).await;
    casework(&source, &org).await;
    let files = export_all(&source).await;
    let parties = String::from_utf8(files["parties"].clone()).expect("utf-8");
    assert!(
        parties.contains("1 Quiet Lane"),
        "the open address is exported"
    );
    assert_eq!(
        parties.matches("1 Quiet Lane").count(),
        1,
        "the confidential copy is not: {parties}"
    );
    assert!(
        String::from_utf8_lossy(&files["hearings"]).contains("'=SUM(A1)"),
        "formula-like text is guarded"
    );
    with_store(backend_of(&source), |target| async move {
        organisation(&target).await;
        // Without its outcomes, the closed case is refused.
        let ImportOutcome::Rejected(problems) =
            import(&target, Table::Cases, &files["cases"], &files["children"]).await
        else {
            panic!("a closed case needs its children's outcomes");
        };
        assert!(
            problems
                .iter()
                .any(|p| p.column == "stage" && p.message.contains("Record the outcome for Cy")),
            "{problems:#?}"
        );
        let outcome = import_with(
            &target,
            Table::Cases,
            &files["cases"],
            &files["children"],
            &files["outcomes"],
        )
        .await;
        assert_eq!(
            outcome,
            ImportOutcome::Imported {
                rows: 6,
                already_present: 0,
                cases: 2
            }
        );
        for table in [
            Table::Parties,
            Table::Applications,
            Table::Hearings,
            Table::WorkItems,
            Table::Allocations,
        ] {
            let file = &files[tandem_domain::choice::Choice::slug(table)];
            let outcome = import(&target, table, file, b"").await;
            assert!(
                matches!(outcome, ImportOutcome::Imported { .. }),
                "{outcome:?}"
            );
        }
        let again = export_all(&target).await;
        for (table, file) in &files {
            assert_eq!(
                String::from_utf8_lossy(&again[table]),
                String::from_utf8_lossy(file),
                "{table} reproduced"
            );
        }
        // The confidential address stays flagged, and is not invented.
        let list = target
            .cases(
                &tandem_storage::CaseFilter {
                    limit: 10,
                    ..Default::default()
                },
                &everything(RecordKind::Case),
            )
            .await
            .expect("list");
        let private = list
            .iter()
            .find(|s| s.case.case_number == "NE26P001")
            .expect("imported");
        assert_eq!(private.case.allocated_to, Some(org.ben.id));
        let record = target
            .case(private.case.id)
            .await
            .expect("read")
            .expect("found");
        let hidden = &record.parties[0].details;
        assert!(hidden.address_confidential && hidden.address.is_none());
        assert_eq!(
            record.events.last().map(|e| e.kind.as_str()),
            Some("imported")
        );
        // Each imported case, and the import itself, is in the audit trail.
        let trail = target
            .audit_search(&AuditFilter {
                record_type: Some("case".into()),
                limit: 100,
                ..Default::default()
            })
            .await
            .expect("audit");
        let imports = trail.iter().filter(|e| e.entry.action == "import").count();
        assert_eq!(imports, 6, "one entry per file");
        assert!(trail.iter().any(|e| e.entry.action == "create"
            && e.entry.record_id.as_deref() == Some(&private.case.id.0.to_string())));
    })
    .await;
}

fn has(problems: &[Problem], table: Table, line: u64, column: &str) -> bool {
    problems
        .iter()
        .any(|p| p.table == table && p.line == line && p.column == column)
}

async fn a_bad_row_rejects_the_whole_file_and_every_bad_row_is_reported(store: Store) {
    let org = organisation(&store).await;
    casework(&store, &org).await;
    let head = store.audit_head().await.expect("head").0;
    let header = "court_code,case_number,law_type,pathway,stage,application_type,harm_alleged,\
                  received_on,issued_on,closed_on,local_authority_code,team_code\n";
    let cases = format!(
        "{header}\
         NCL,NE26P010,private,private-law,intake,child-arrangements,no,2026-03-02,,,,A1-PRL1\n\
         NCL,NE26P011,civil,private-law,intake,child-arrangements,no,2026-02-30,,,,A1-PRL1\n\
         NCL,NE26P001,private,private-law,intake,child-arrangements,no,2026-03-02,,,,A1-PRL1\n\
         NCL,ne26p010,private,private-law,intake,child-arrangements,no,2026-03-02,,,,A1-PRL1\n\
         ZZZ,NE26P012,private,private-law,intake,child-arrangements,maybe,2026-03-02,,,,NOPE\n\
         NCL,NE26P013,private,private-law,closed,child-arrangements,no,2026-03-02,,,,A1-PRL1\n\
         NCL,NE26P014,private,private-law,intake,child-arrangements,no,2026-03-02,,,,A1-PRL1\n"
    );
    let children = "court_code,case_number,given_name,family_name,date_of_birth,sex,ethnicity,\
                    disability,first_language,interpreter_needed,first_met_fca_on\n\
                    NCL,NE26P010,Dee,Rivers,2019-01-01,female,,,,,\n\
                    NCL,NE26P099,Eli,Rivers,2019-01-01,female,,,,,\n\
                    NCL,NE26P011,Fay,Rivers,2019-01-01,martian,,,,,\n\
                    NCL,NE26P010,Gus,Rivers,2027-01-01,,,,,,\n";
    let ImportOutcome::Rejected(problems) =
        import(&store, Table::Cases, cases.as_bytes(), children.as_bytes()).await
    else {
        panic!("expected the file to be refused");
    };
    for (table, line, column) in [
        (Table::Cases, 3, "law_type"),
        (Table::Cases, 3, "received_on"),
        (Table::Cases, 4, "case_number"),
        (Table::Cases, 5, "case_number"),
        (Table::Cases, 6, "court_code"),
        (Table::Cases, 6, "team_code"),
        (Table::Cases, 6, "harm_alleged"),
        (Table::Cases, 7, "closed_on"),
        (Table::Cases, 8, "case_number"),
        (Table::Children, 3, "case_number"),
        (Table::Children, 4, "case_number"),
        (Table::Children, 5, "date_of_birth"),
    ] {
        assert!(
            has(&problems, table, line, column),
            "{} line {line}, {column} in {problems:#?}",
            tandem_domain::choice::Choice::slug(table)
        );
    }
    assert!(
        !problems
            .iter()
            .any(|p| p.line == 2 && p.table == Table::Cases),
        "the good row is not blamed: {problems:#?}"
    );
    let refused = problems
        .iter()
        .find(|p| p.table == Table::Children && p.line == 4)
        .expect("child of a refused case");
    assert!(
        refused.message.contains("refused (cases line 3)"),
        "{refused}"
    );
    let no_child = problems
        .iter()
        .find(|p| p.table == Table::Cases && p.line == 8)
        .expect("case with no child");
    assert!(no_child.message.contains("no child"), "{no_child}");
    // Nothing was written: no case, no audit entry.
    let everything_now = store
        .cases(
            &tandem_storage::CaseFilter {
                limit: 100,
                ..Default::default()
            },
            &everything(RecordKind::Case),
        )
        .await
        .expect("list");
    assert_eq!(everything_now.len(), 2);
    assert_eq!(store.audit_head().await.expect("head").0, head);

    // One bad hearing among good ones: none is written.
    let hearings = "court_code,case_number,hearing_type,held_on,outcome,directions\n\
                    NCL,NE26P001,review,2026-05-01,,\n\
                    NCL,NE26P001,review,2026-01-01,,\n\
                    NCL,NE26C002,final,2026-06-01,,\n\
                    NCL,NE26P001,trial,2026-05-02,,\n";
    let ImportOutcome::Rejected(problems) =
        import(&store, Table::Hearings, hearings.as_bytes(), b"").await
    else {
        panic!("expected the file to be refused");
    };
    assert!(
        has(&problems, Table::Hearings, 3, "held_on"),
        "before issue"
    );
    assert!(
        has(&problems, Table::Hearings, 4, "held_on"),
        "after closing"
    );
    assert!(
        has(&problems, Table::Hearings, 5, "hearing_type"),
        "unknown"
    );
    assert_eq!(problems.len(), 3, "{problems:#?}");
    let private = everything_now
        .iter()
        .find(|s| s.case.case_number == "NE26P001")
        .expect("case");
    assert_eq!(
        store.hearings(private.case.id).await.expect("read").len(),
        1
    );

    // Allocations: an unknown worker, a second running allocation, a wrong name.
    let allocations = format!(
        "court_code,case_number,staff_id,staff_name,allocated_on,ended_on,reason,allocated_by\n\
         NCL,NE26P001,999,,2026-05-01,,,someone\n\
         NCL,NE26C002,{},,2026-03-05,,,someone\n\
         NCL,NE26P001,{},Ben Worker,2026-05-01,,,someone\n\
         NCL,NE26P001,{},Zed Nobody,2026-05-01,2026-05-02,,someone\n",
        org.amira.id.0, org.amira.id.0, org.ben.id.0
    );
    let ImportOutcome::Rejected(problems) =
        import(&store, Table::Allocations, allocations.as_bytes(), b"").await
    else {
        panic!("expected the file to be refused");
    };
    assert!(has(&problems, Table::Allocations, 2, "staff_id"));
    assert!(has(&problems, Table::Allocations, 4, "staff_name"));
    assert!(has(&problems, Table::Allocations, 5, "staff_name"));
    assert!(!has(&problems, Table::Allocations, 3, "ended_on"));
    assert_eq!(
        store
            .allocations(private.case.id)
            .await
            .expect("read")
            .len(),
        2
    );
}

async fn exports_keep_to_the_scope_and_the_period(store: Store) {
    let org = organisation(&store).await;
    casework(&store, &org).await;
    // A case in another service area.
    let region = store.list::<Region>().await.expect("regions")[0].id.0;
    let elsewhere: ServiceArea = store
        .create(&area_draft("A2", "Durham", region), &stamp())
        .await
        .expect("area");
    let team = team(&store, elsewhere.id.0, "A2-PRL1", "Durham private law 1").await;
    let mut far = draft("DU26P001", org.court.id.0, team.id.0);
    far.received_on = date(2026, 1, 5);
    far.issued_on = None;
    store
        .open_case(&far, &[child("Hal")], &[], &[], &stamp())
        .await
        .expect("open");
    let manager = Actor {
        user_id: UserId(1),
        username: "manager".into(),
        assignments: vec![Assignment {
            role: Role::ServiceManager,
            scope: Scope::Area(org.team.service_area_id),
        }],
        break_glass: Vec::new(),
    };
    let scope = tandem_domain::access::list_scope(&manager, Action::Export, RecordKind::Case);
    let numbers = |records: &[Record]| -> Vec<String> {
        let mut n: Vec<String> = records.iter().map(|r| r.cells()[1].clone()).collect();
        n.dedup();
        n
    };
    let all = Period::default();
    let mine = store
        .export(Table::Children, &all, &scope)
        .await
        .expect("export");
    assert_eq!(numbers(&mine), ["NE26P001", "NE26C002"]);
    let every = store
        .export(Table::Children, &all, &everything(RecordKind::Case))
        .await
        .expect("export");
    assert_eq!(numbers(&every), ["NE26P001", "NE26C002", "DU26P001"]);
    // The period: cases by receipt, hearings by their date, events by time.
    let january = Period::parse("2026-01-01", "2026-01-31").expect("period");
    let cases = store
        .export(Table::Cases, &january, &everything(RecordKind::Case))
        .await
        .expect("export");
    assert_eq!(numbers(&cases), ["DU26P001"]);
    let april = Period::parse("2026-04-01", "2026-04-30").expect("period");
    let hearings = store
        .export(Table::Hearings, &april, &scope)
        .await
        .expect("export");
    assert_eq!(hearings.len(), 1, "the first hearing, not the March one");
    let allocations = store
        .export(Table::Allocations, &april, &scope)
        .await
        .expect("export");
    assert_eq!(allocations.len(), 1, "the reallocation in April");
    let events = store
        .export(
            Table::Events,
            &Period::parse("2026-06-15", "2026-06-15").expect("period"),
            &scope,
        )
        .await
        .expect("export");
    assert!(!events.is_empty(), "the test stamp's day");
    let none = store
        .export(
            Table::Events,
            &Period::parse("2026-06-16", "2026-06-30").expect("period"),
            &scope,
        )
        .await
        .expect("export");
    assert!(none.is_empty());
    // Outcomes are dated by the day they were recorded.
    let outcomes = |from: &str, to: &str| {
        let period = Period::parse(from, to).expect("period");
        let scope = scope.clone();
        let store = store.clone();
        async move {
            store
                .export(Table::Outcomes, &period, &scope)
                .await
                .expect("export")
                .len()
        }
    };
    assert_eq!(outcomes("2026-05-01", "2026-05-01").await, 1);
    assert_eq!(outcomes("2026-05-02", "").await, 0);
    assert_eq!(
        store
            .export(Table::Outcomes, &all, &scope)
            .await
            .expect("export")
            .len(),
        1
    );
}

tandem_testkit::on_both_backends!(
    an_export_imports_into_an_empty_database_unchanged,
    a_bad_row_rejects_the_whole_file_and_every_bad_row_is_reported,
    exports_keep_to_the_scope_and_the_period,
);
