//! Dashboards: the headline measures for the service and each part of it,
//! their trends and comparisons, and their downloads.

use crate::TestApp;
use axum::http::StatusCode;
use jiff::civil::date;
use tandem_domain::access::Role;
use tandem_domain::casework::{CaseInput, ChildInput, default_application_kinds};
use tandem_domain::organisation::{Court, Team};
use tandem_storage::Store;

/// The link to a DFJ area's dashboard among the national dashboard's.
fn store_dfj_link(page: &str, name: &str) -> String {
    let end = page
        .find(&format!("\">{name}</a>"))
        .expect("the DFJ area is listed");
    let start = page[..end].rfind("href=\"").expect("a link") + "href=\"".len();
    let link = page[start..end].replace("&amp;", "&");
    assert!(link.contains("scope=dfj-area-"), "{link}");
    link
}

async fn dashboards_show_the_service_and_each_part(store: Store) {
    tandem_demo::load(&store, 7, &tandem_testkit::stamp())
        .await
        .expect("load demo");
    let team = store.list::<Team>().await.expect("teams")[0].clone();
    let court = store
        .list::<Court>()
        .await
        .expect("courts")
        .into_iter()
        .find(|c| c.service_area_id == team.service_area_id)
        .expect("a court in the team's area");
    let case = CaseInput {
        case_number: "ZZ26P001".into(),
        court_id: Some(court.id.0),
        law_type: "private".into(),
        application_type: "child-arrangements".into(),
        received_on: "2026-01-05".into(),
        issued_on: "2026-01-05".into(),
        team_id: Some(team.id.0),
        ..Default::default()
    }
    .validate(date(2026, 6, 15), &default_application_kinds())
    .expect("valid case");
    let child = ChildInput {
        given_name: "Ava".into(),
        family_name: "Rivers".into(),
        date_of_birth: "2018-07-14".into(),
        ..Default::default()
    }
    .validate(date(2026, 1, 5))
    .expect("valid child");
    store
        .open_case(&case, &[child], &[], &[], &tandem_testkit::stamp())
        .await
        .expect("open");

    let app = TestApp::new(store);
    // Board members see aggregates: the dashboards are theirs too.
    let board = app
        .browser("board", &[(Role::BoardMember, "national")])
        .await;
    let national = app.get_as(&board, "/dashboards?to=2026-03").await;
    assert_eq!(national.status, StatusCode::OK);
    assert!(national.body.contains("England and Wales"));
    assert!(national.body.contains("Regions in England and Wales"));
    assert!(
        national.body.contains("New children&#39;s cases")
            || national.body.contains("New children's cases")
    );
    assert!(national.body.contains("<svg"), "trends are drawn");
    assert!(national.body.contains("Show the data as a table"));

    let here = app
        .get_as(
            &board,
            &format!("/dashboards?scope=team-{}&to=2026-03", team.id.0),
        )
        .await;
    assert_eq!(here.status, StatusCode::OK);
    assert!(here.body.contains(&team.name), "named, not numbered");
    assert!(here.body.contains("govuk-breadcrumbs"), "the way back up");

    // The case's court's Designated Family Judge area has a dashboard of
    // its own, listed on the national one, with its courts as the parts.
    let dfj = store_dfj_link(&national.body, &court.dfj_area);
    let area = app.get_as(&board, &dfj).await;
    assert_eq!(area.status, StatusCode::OK);
    assert!(area.body.contains(&format!("Courts in {}", court.dfj_area)));
    assert!(area.body.contains(&court.name));

    let nowhere = app.get_as(&board, "/dashboards?scope=team-99999").await;
    assert!(nowhere.body.contains("govuk-error-summary"));
    assert!(nowhere.body.contains("There is no team-99999"));

    let csv = app
        .get_as(
            &board,
            &format!(
                "/dashboards/download?scope=team-{}&to=2026-03&format=csv",
                team.id.0
            ),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.header("content-type").starts_with("text/csv"),
        "{}",
        csv.header("content-type")
    );
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next(),
        Some(
            "scope,scope_name,measure,measure_name,period,first_day,last_day,value,numerator,denominator,median,target,status"
        )
    );
    let january: Vec<&str> = csv
        .body
        .lines()
        .find(|l| l.contains(",new-cases,") && l.contains("January 2026"))
        .expect("January's new cases")
        .split(',')
        .collect();
    assert_eq!(january[7], "1", "the one case received then");

    // Targets: set by those who keep the organisation's settings, judged in words.
    let admin = app.admin().await;
    let set = |who: &crate::Browser, target: &'static str, version: &'static str| {
        let who = who.clone();
        let app = &app;
        async move {
            app.form_as(
                &who,
                "/measures/allocated-within-target/target",
                &[("target", target), ("version", version)],
            )
            .await
        }
    };
    assert_eq!(set(&board, "90", "0").await.status, StatusCode::FORBIDDEN);
    let wrong = set(&admin, "190", "0").await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("between 0 and 100"), "{}", wrong.body);
    let saved = set(&admin, "90", "0").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        set(&admin, "80", "0").await.status,
        StatusCode::CONFLICT,
        "a stale version"
    );
    let page = app
        .get_as(&admin, "/measures/allocated-within-target?saved")
        .await;
    assert!(
        page.body.contains("The organisation&#39;s target is 90.0%")
            || page.body.contains("The organisation's target is 90.0%"),
        "{}",
        page.body
    );
    let judged = app
        .get_as(
            &board,
            &format!("/dashboards?scope=team-{}&to=2026-01", team.id.0),
        )
        .await;
    assert!(
        judged.body.contains("Misses target"),
        "January's case is not yet allocated"
    );

    // The cases behind a number: as many as the number, listed for those
    // who may see them, counted but not named for others, and never for the board.
    let (area, other) = area_codes(&app, team.service_area_id.0).await;
    let manager = app
        .browser(
            "manager",
            &[(Role::ServiceManager, &format!("area:{area}"))],
        )
        .await;
    let behind = format!(
        "/dashboards/cases?measure=new-cases&scope=team-{}&to=2026-01",
        team.id.0
    );
    let listed = app.get_as(&manager, &behind).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert!(listed.body.contains("1 case is behind this number"));
    assert!(
        listed.body.contains("ZZ26P001"),
        "named for the area's manager"
    );
    let elsewhere = app
        .browser(
            "elsewhere",
            &[(Role::ServiceManager, &format!("area:{other}"))],
        )
        .await;
    let counted = app.get_as(&elsewhere, &behind).await;
    assert!(counted.body.contains("1 case is behind this number"));
    assert!(counted.body.contains("outside the cases you may see"));
    assert!(!counted.body.contains("ZZ26P001"));
    assert_eq!(
        app.get_as(&board, &behind).await.status,
        StatusCode::FORBIDDEN
    );
    let none = app
        .get_as(
            &manager,
            &format!(
                "/dashboards/cases?measure=new-cases&scope=team-{}&to=2026-02",
                team.id.0
            ),
        )
        .await;
    assert!(none.body.contains("0 cases are behind this number"));
    let with_link = app
        .get_as(
            &manager,
            &format!("/dashboards?scope=team-{}&to=2026-01", team.id.0),
        )
        .await;
    assert!(
        with_link
            .body
            .contains("/dashboards/cases?measure=new-cases&amp;scope=team-")
    );
    // Every value in the trend and comparison tables drills down too: each
    // month for the scope, each part in the latest month.
    let area_page = app
        .get_as(
            &manager,
            &format!(
                "/dashboards?scope=service-area-{}&to=2026-03",
                team.service_area_id.0
            ),
        )
        .await;
    for link in [
        format!(
            "/dashboards/cases?measure=open-cases&amp;scope=service-area-{}&amp;to=2026-02",
            team.service_area_id.0
        ),
        format!(
            "/dashboards/cases?measure=open-cases&amp;scope=team-{}&amp;to=2026-03",
            team.id.0
        ),
    ] {
        // Ampersands are escaped either way.
        assert!(
            area_page.body.replace("&#38;", "&amp;").contains(&link),
            "{link}"
        );
    }
    assert!(
        !app.get_as(&board, "/dashboards?to=2026-03")
            .await
            .body
            .contains("/dashboards/cases?"),
        "the board sees no links to cases"
    );

    // Drivers of delay: aggregates, for the board too.
    let delay = app
        .get_as(
            &board,
            &format!("/dashboards/delay?scope=team-{}&to=2026-03", team.id.0),
        )
        .await;
    assert_eq!(delay.status, StatusCode::OK, "{}", delay.body);
    assert!(
        delay
            .body
            .contains("Of 1 case open at some time in these months, 0 ran past")
    );
    assert!(
        delay.body.contains(
            "Private law (Child Arrangements Programme): median days in each stage\
             <span class=\"govuk-caption-m\">1 case, 0 delayed</span>"
        ),
        "a table for the pathway with cases: {}",
        delay.body
    );
    assert!(
        !delay
            .body
            .contains("Public law (care and supervision): median"),
        "none for a pathway without"
    );
    let later = app
        .get_as(
            &board,
            &format!("/dashboards/delay?scope=team-{}&to=2027-03", team.id.0),
        )
        .await;
    assert!(
        later
            .body
            .contains("Of 1 case open at some time in these months, 1 ran past"),
        "still open 52 weeks on: {}",
        later.body
    );
    let xlsx = app
        .get_as(&board, "/dashboards/download?to=2026-03&format=xlsx")
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(
        xlsx.header("content-disposition")
            .contains("dashboard-national-2026-03.xlsx")
    );
}

/// The code of the service area with this id, and of another.
async fn area_codes(app: &TestApp, id: i64) -> (String, String) {
    let areas = app
        .store
        .list::<tandem_domain::organisation::ServiceArea>()
        .await
        .expect("areas");
    let (this, others): (Vec<_>, Vec<_>) = areas.into_iter().partition(|a| a.id.0 == id);
    (this[0].code.clone(), others[0].code.clone())
}

tandem_testkit::on_both_backends!(dashboards_show_the_service_and_each_part);
