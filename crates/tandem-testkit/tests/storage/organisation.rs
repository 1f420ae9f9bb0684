use crate::{area_draft, fixture, office_draft};
use tandem_domain::DomainError;
use tandem_domain::organisation::*;
use tandem_storage::{Store, StoreError};
use tandem_testkit::stamp;

fn domain(result: Result<impl std::fmt::Debug, StoreError>) -> DomainError {
    match result {
        Err(StoreError::Domain(e)) => e,
        other => panic!("expected a domain error, got {other:?}"),
    }
}

async fn records_round_trip(store: Store) {
    let f = fixture(&store).await;
    assert_eq!(f.region.code, "NE", "codes are stored upper case");
    assert_eq!(f.region.version, 1);
    assert_eq!(
        store.get::<Region>(f.region.id.0).await.expect("get"),
        f.region
    );
    assert_eq!(store.get::<Team>(f.team.id.0).await.expect("get"), f.team);
    assert_eq!(
        store.get::<Office>(f.office.id.0).await.expect("get"),
        f.office
    );
    let court: Court = store
        .create(
            &CourtInput {
                code: "NCL-FC".into(),
                name: "Newcastle Family Court".into(),
                dfj_area: "Newcastle".into(),
                service_area_id: Some(f.area.id.0),
            }
            .validate()
            .expect("valid"),
            &stamp(),
        )
        .await
        .expect("create court");
    assert_eq!(court.dfj_area, "Newcastle");
    let authority: LocalAuthority = store
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
        .expect("create local authority");
    assert_eq!(
        store.list::<LocalAuthority>().await.expect("list"),
        vec![authority]
    );
    assert_eq!(
        store.find_by_code::<ServiceArea>("a1").await.expect("find"),
        Some(f.area)
    );
    assert_eq!(
        store.find_by_code::<ServiceArea>("A9").await.expect("find"),
        None
    );
}

async fn lists_are_ordered(store: Store) {
    let f = fixture(&store).await;
    store
        .create::<ServiceArea>(&area_draft("A2", "Durham", f.region.id.0), &stamp())
        .await
        .expect("create");
    store
        .create::<ServiceArea>(&area_draft("A10", "Cumbria", f.region.id.0), &stamp())
        .await
        .expect("create");
    let codes: Vec<String> = store
        .list::<ServiceArea>()
        .await
        .expect("list")
        .into_iter()
        .map(|a| a.code)
        .collect();
    assert_eq!(
        codes,
        ["A1", "A10", "A2"],
        "service areas are listed by code"
    );
}

async fn duplicates_are_refused_naming_the_field(store: Store) {
    let f = fixture(&store).await;
    let same_code = RegionInput {
        code: "NE".into(),
        name: "Somewhere else".into(),
    }
    .validate()
    .expect("valid");
    let DomainError::Duplicate { field, message } =
        domain(store.create::<Region>(&same_code, &stamp()).await)
    else {
        panic!("expected a duplicate");
    };
    assert_eq!(field, "code");
    assert_eq!(message, "A region with this code already exists");

    let same_name = RegionInput {
        code: "NW".into(),
        name: "North East".into(),
    }
    .validate()
    .expect("valid");
    let DomainError::Duplicate { field, .. } =
        domain(store.create::<Region>(&same_name, &stamp()).await)
    else {
        panic!("expected a duplicate");
    };
    assert_eq!(field, "name");
    assert_eq!(store.list::<Region>().await.expect("list"), vec![f.region]);
}

async fn references_to_missing_records_are_refused(store: Store) {
    let f = fixture(&store).await;
    let error = domain(
        store
            .create::<ServiceArea>(&area_draft("A2", "Durham", f.region.id.0 + 1000), &stamp())
            .await,
    );
    let DomainError::Invalid(errors) = error else {
        panic!("expected invalid, got {error:?}");
    };
    assert!(errors.for_field("region_id").is_some());
    assert_eq!(store.list::<ServiceArea>().await.expect("list").len(), 1);
}

async fn a_team_office_must_be_in_its_area(store: Store) {
    let f = fixture(&store).await;
    let other: ServiceArea = store
        .create(&area_draft("A2", "Durham", f.region.id.0), &stamp())
        .await
        .expect("create");
    let draft = TeamInput {
        code: "A2-PUB".into(),
        name: "Durham public law".into(),
        service_area_id: Some(other.id.0),
        office_id: Some(f.office.id.0),
    }
    .validate()
    .expect("valid");
    let DomainError::Invalid(errors) = domain(store.create::<Team>(&draft, &stamp()).await) else {
        panic!("expected invalid");
    };
    assert!(errors.for_field("office_id").is_some());

    // Moving the office out of its team's area would strand the team.
    let moved = office_draft("NCL", "Newcastle office", other.id.0);
    let DomainError::Invalid(errors) = domain(
        store
            .update::<Office>(f.office.id.0, f.office.version, &moved, &stamp())
            .await,
    ) else {
        panic!("expected invalid");
    };
    assert!(errors.for_field("service_area_id").is_some());
}

async fn updates_need_the_current_version(store: Store) {
    let f = fixture(&store).await;
    let renamed = RegionInput {
        code: "NE".into(),
        name: "The North East".into(),
    }
    .validate()
    .expect("valid");
    let updated: Region = store
        .update(f.region.id.0, 1, &renamed, &stamp())
        .await
        .expect("update");
    assert_eq!(updated.version, 2);
    assert_eq!(updated.name, "The North East");

    // A second editor who opened version 1 is told to reload, and changes nothing.
    let theirs = RegionInput {
        code: "NE".into(),
        name: "North-East England".into(),
    }
    .validate()
    .expect("valid");
    assert_eq!(
        domain(
            store
                .update::<Region>(f.region.id.0, 1, &theirs, &stamp())
                .await
        ),
        DomainError::StaleVersion { kind: "region" }
    );
    assert_eq!(
        store.get::<Region>(f.region.id.0).await.expect("get").name,
        "The North East"
    );
    assert_eq!(
        domain(
            store
                .update::<Region>(f.region.id.0 + 99, 1, &theirs, &stamp())
                .await
        ),
        DomainError::NotFound { kind: "region" }
    );
}

async fn concurrent_edits_never_lose_an_update(store: Store) {
    let f = fixture(&store).await;
    let edit = |name: &str| {
        RegionInput {
            code: "NE".into(),
            name: name.into(),
        }
        .validate()
        .expect("valid")
    };
    let (first, second) = (edit("First"), edit("Second"));
    let stamp = stamp();
    let (a, b) = tokio::join!(
        store.update::<Region>(f.region.id.0, 1, &first, &stamp),
        store.update::<Region>(f.region.id.0, 1, &second, &stamp),
    );
    let winners = [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count();
    assert_eq!(
        winners, 1,
        "exactly one of two editors of version 1 succeeds"
    );
    let loser = if a.is_ok() { b } else { a };
    assert_eq!(domain(loser), DomainError::StaleVersion { kind: "region" });
    assert_eq!(
        store
            .get::<Region>(f.region.id.0)
            .await
            .expect("get")
            .version,
        2
    );
}

async fn records_in_use_cannot_be_deleted(store: Store) {
    let f = fixture(&store).await;
    assert!(matches!(
        domain(
            store
                .delete::<Region>(f.region.id.0, f.region.version, &stamp())
                .await
        ),
        DomainError::InUse { .. }
    ));
    assert!(matches!(
        domain(
            store
                .delete::<Office>(f.office.id.0, f.office.version, &stamp())
                .await
        ),
        DomainError::InUse { .. }
    ));
    assert_eq!(
        domain(
            store
                .delete::<Team>(f.team.id.0, f.team.version + 1, &stamp())
                .await
        ),
        DomainError::StaleVersion { kind: "team" }
    );
    store
        .delete::<Team>(f.team.id.0, f.team.version, &stamp())
        .await
        .expect("delete team");
    store
        .delete::<Office>(f.office.id.0, f.office.version, &stamp())
        .await
        .expect("delete office");
    assert_eq!(
        domain(store.get::<Team>(f.team.id.0).await),
        DomainError::NotFound { kind: "team" }
    );
}

/// A DFJ area is numbered once, when its first court names it, so the same
/// courts give the same `dfj-area-N` on either database.
async fn dfj_areas_are_numbered_without_gaps(store: Store) {
    let f = fixture(&store).await;
    for (code, dfj) in [
        ("NCL", "Newcastle"),
        ("GAT", "Newcastle"),
        ("SUN", "Newcastle"),
        ("DUR", "Cleveland and South Durham"),
    ] {
        store
            .create::<Court>(
                &CourtInput {
                    code: code.into(),
                    name: format!("{code} Family Court"),
                    dfj_area: dfj.into(),
                    service_area_id: Some(f.area.id.0),
                }
                .validate()
                .expect("valid"),
                &stamp(),
            )
            .await
            .expect("court");
    }
    let mut areas: Vec<(i64, String)> = store
        .court_dfj_areas()
        .await
        .expect("areas")
        .into_iter()
        .map(|(_, id, name)| (id, name))
        .collect();
    areas.sort();
    areas.dedup();
    assert_eq!(
        areas,
        [
            (1, "Newcastle".to_owned()),
            (2, "Cleveland and South Durham".to_owned())
        ]
    );
}

tandem_testkit::on_both_backends!(
    dfj_areas_are_numbered_without_gaps,
    records_round_trip,
    lists_are_ordered,
    duplicates_are_refused_naming_the_field,
    references_to_missing_records_are_refused,
    a_team_office_must_be_in_its_area,
    updates_need_the_current_version,
    concurrent_edits_never_lose_an_update,
    records_in_use_cannot_be_deleted,
);
