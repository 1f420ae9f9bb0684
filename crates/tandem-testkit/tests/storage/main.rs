//! The storage behaviour suite: every test runs on SQLite and on PostgreSQL.

mod audit;
mod casework;
mod delay;
mod identity;
mod interchange;
mod measures;
mod migrations;
mod organisation;
mod practice_settings;
mod staff;
mod transfers;

use tandem_domain::organisation::*;
use tandem_storage::Store;
use tandem_testkit::stamp;

/// A region, one service area in it, an office and a team there.
pub struct Fixture {
    pub region: Region,
    pub area: ServiceArea,
    pub office: Office,
    pub team: Team,
}

pub async fn fixture(store: &Store) -> Fixture {
    let region: Region = store
        .create(
            &RegionInput {
                code: "ne".into(),
                name: "North East".into(),
            }
            .validate()
            .expect("valid region"),
            &stamp(),
        )
        .await
        .expect("create region");
    let area: ServiceArea = store
        .create(&area_draft("A1", "Northumbria", region.id.0), &stamp())
        .await
        .expect("create area");
    let office: Office = store
        .create(
            &office_draft("NCL", "Newcastle office", area.id.0),
            &stamp(),
        )
        .await
        .expect("create office");
    let team: Team = store
        .create(
            &TeamInput {
                code: "A1-PRL1".into(),
                name: "Newcastle private law 1".into(),
                service_area_id: Some(area.id.0),
                office_id: Some(office.id.0),
            }
            .validate()
            .expect("valid team"),
            &stamp(),
        )
        .await
        .expect("create team");
    Fixture {
        region,
        area,
        office,
        team,
    }
}

pub fn area_draft(code: &str, name: &str, region: i64) -> ServiceAreaDraft {
    ServiceAreaInput {
        code: code.into(),
        name: name.into(),
        region_id: Some(region),
    }
    .validate()
    .expect("valid area")
}

pub fn office_draft(code: &str, name: &str, area: i64) -> OfficeDraft {
    OfficeInput {
        code: code.into(),
        name: name.into(),
        address: "Floor 3, 1 Example Street".into(),
        town: "Newcastle upon Tyne".into(),
        postcode: "NE1 4XB".into(),
        service_area_id: Some(area),
    }
    .validate()
    .expect("valid office")
}
