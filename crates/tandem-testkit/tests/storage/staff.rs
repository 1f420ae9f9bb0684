use crate::fixture;
use jiff::civil::date;
use tandem_domain::DomainError;
use tandem_domain::organisation::*;
use tandem_storage::{StaffFilter, Store, StoreError};
use tandem_testkit::stamp;

fn input(given: &str, family: &str, team: Option<TeamId>) -> StaffInput {
    StaffInput {
        given_name: given.into(),
        family_name: family.into(),
        job_group: "practitioner".into(),
        grade: "Family court adviser".into(),
        fte: "0.8".into(),
        team_id: team.map(|t| t.0),
        line_manager_id: None,
        contract_type: "employed".into(),
        start_date: "2020-04-01".into(),
        end_date: String::new(),
    }
}

async fn add(store: &Store, input: StaffInput) -> StaffMember {
    store
        .create(&input.validate().expect("valid staff"), &stamp())
        .await
        .expect("create staff")
}

async fn staff_round_trip_with_dates_and_fte(store: Store) {
    let f = fixture(&store).await;
    let leaver = add(
        &store,
        StaffInput {
            contract_type: "self-employed-contractor".into(),
            fte: "0.625".into(),
            end_date: "2024-03-31".into(),
            ..input("Sam", "Okafor", Some(f.team.id))
        },
    )
    .await;
    let stored = store.get::<StaffMember>(leaver.id.0).await.expect("get");
    assert_eq!(stored, leaver);
    assert_eq!(stored.fte.thousandths(), 625);
    assert_eq!(stored.contract_type, ContractType::SelfEmployedContractor);
    assert_eq!(stored.start_date, date(2020, 4, 1));
    assert_eq!(stored.end_date, Some(date(2024, 3, 31)));
    assert_eq!(stored.team_id, Some(f.team.id));
}

async fn line_management_cannot_loop(store: Store) {
    let f = fixture(&store).await;
    let head = add(&store, input("Ada", "Head", Some(f.team.id))).await;
    let manager = add(
        &store,
        StaffInput {
            line_manager_id: Some(head.id.0),
            ..input("Ben", "Manager", Some(f.team.id))
        },
    )
    .await;
    let worker = add(
        &store,
        StaffInput {
            line_manager_id: Some(manager.id.0),
            ..input("Cat", "Worker", Some(f.team.id))
        },
    )
    .await;
    // Making the worker the head's manager would close a loop.
    let looped = StaffInput {
        line_manager_id: Some(worker.id.0),
        ..input("Ada", "Head", Some(f.team.id))
    }
    .validate()
    .expect("valid");
    let result = store
        .update::<StaffMember>(head.id.0, head.version, &looped, &stamp())
        .await;
    let Err(StoreError::Domain(DomainError::Invalid(errors))) = result else {
        panic!("expected invalid, got {result:?}");
    };
    assert!(errors.for_field("line_manager_id").is_some());
    assert_eq!(
        store
            .get::<StaffMember>(head.id.0)
            .await
            .expect("get")
            .line_manager_id,
        None
    );
}

async fn staff_are_kept_not_deleted(store: Store) {
    let f = fixture(&store).await;
    let member = add(&store, input("Dee", "Kept", Some(f.team.id))).await;
    let result = store
        .delete::<StaffMember>(member.id.0, member.version, &stamp())
        .await;
    assert!(matches!(
        result,
        Err(StoreError::Domain(DomainError::InUse { .. }))
    ));
    assert!(store.get::<StaffMember>(member.id.0).await.is_ok());
}

async fn staff_lists_filter_search_and_page(store: Store) {
    let f = fixture(&store).await;
    let other_team: Team = store
        .create(
            &TeamInput {
                code: "A1-PUB".into(),
                name: "Newcastle public law".into(),
                service_area_id: Some(f.area.id.0),
                office_id: None,
            }
            .validate()
            .expect("valid"),
            &stamp(),
        )
        .await
        .expect("create team");
    for (given, family) in [("Ann", "Smith"), ("Bob", "Smithers"), ("Cy", "Jones")] {
        add(&store, input(given, family, Some(f.team.id))).await;
    }
    add(&store, input("Dan", "Smith_x", Some(other_team.id))).await;

    let page = |filter: StaffFilter| {
        let store = store.clone();
        async move {
            store
                .list_staff(
                    &filter,
                    &tandem_testkit::everything(tandem_domain::access::RecordKind::StaffMember),
                )
                .await
                .expect("list staff")
        }
    };
    let names = |page: &tandem_storage::StaffPage| -> Vec<String> {
        page.members.iter().map(StaffMember::full_name).collect()
    };

    let in_team = page(StaffFilter {
        team_id: Some(f.team.id),
        per_page: 50,
        ..Default::default()
    })
    .await;
    assert_eq!(names(&in_team), ["Cy Jones", "Ann Smith", "Bob Smithers"]);

    let smith = page(StaffFilter {
        name: Some("SMITH".into()),
        per_page: 50,
        ..Default::default()
    })
    .await;
    assert_eq!(smith.total, 3);

    // LIKE wildcards in a search are matched literally.
    let underscore = page(StaffFilter {
        name: Some("smith_".into()),
        per_page: 50,
        ..Default::default()
    })
    .await;
    assert_eq!(names(&underscore), ["Dan Smith_x"]);

    let second = page(StaffFilter {
        page: 2,
        per_page: 3,
        ..Default::default()
    })
    .await;
    assert_eq!(second.total, 4);
    assert_eq!(second.page_count(), 2);
    // Byte order after lower-casing, the same on both backends: "_" sorts before "e".
    assert_eq!(names(&second), ["Bob Smithers"]);
}

async fn the_summary_counts_staff_in_post(store: Store) {
    let f = fixture(&store).await;
    add(&store, input("Eve", "Current", Some(f.team.id))).await;
    add(
        &store,
        StaffInput {
            end_date: "2021-01-31".into(),
            ..input("Fay", "Left", Some(f.team.id))
        },
    )
    .await;
    add(
        &store,
        StaffInput {
            start_date: "2030-01-01".into(),
            ..input("Gil", "Future", None)
        },
    )
    .await;
    let summary = store
        .organisation_summary(date(2025, 6, 1))
        .await
        .expect("summary");
    assert_eq!(summary.staff_in_post, 1);
    assert_eq!(
        (
            summary.regions,
            summary.service_areas,
            summary.teams,
            summary.offices
        ),
        (1, 1, 1, 1)
    );
    let earlier = store
        .organisation_summary(date(2021, 1, 31))
        .await
        .expect("summary");
    assert_eq!(
        earlier.staff_in_post, 2,
        "the last day in post still counts"
    );
}

tandem_testkit::on_both_backends!(
    staff_round_trip_with_dates_and_fte,
    line_management_cannot_loop,
    staff_are_kept_not_deleted,
    staff_lists_filter_search_and_page,
    the_summary_counts_staff_in_post,
);
