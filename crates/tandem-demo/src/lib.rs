//! Demo data: a plausible England organisation and its people, generated
//! deterministically and written through the same validation and storage as
//! real records, so the demo can never hold data the service would refuse.

// Library code reports failures as errors; a panic could be reached from a request.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod national;
pub use national::{
    CASES_A_YEAR, NationalOptions, NationalProgress, NationalSummary, load_national,
};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use tandem_domain::audit::Stamp;
use tandem_domain::case_notes::NoteInput;
use tandem_domain::casework::{CaseDraft, CaseId, HearingInput, LawType, WorkItemDraft, WorkKind};
use tandem_domain::child_experience::{ChildExperienceInput, ChildOutcomeInput};
use tandem_domain::organisation::*;
use tandem_domain::risk::RiskInput;
use tandem_storage::{Store, StoreError};

/// The organisation's reference data: regions, service areas, offices,
/// teams, courts and local authorities.
const ENGLAND: &str = include_str!("../data/england.json");

#[derive(Deserialize)]
struct Organisation {
    regions: Vec<RegionData>,
}

#[derive(Deserialize)]
struct RegionData {
    code: String,
    name: String,
    service_areas: Vec<AreaData>,
}

#[derive(Deserialize)]
struct AreaData {
    code: String,
    name: String,
    offices: Vec<OfficeData>,
    teams: Vec<TeamData>,
    courts: Vec<CourtData>,
    local_authorities: Vec<AuthorityData>,
}

#[derive(Deserialize)]
struct OfficeData {
    code: String,
    name: String,
    address: String,
    town: String,
    postcode: String,
}

#[derive(Deserialize)]
struct TeamData {
    code: String,
    name: String,
    office: String,
}

#[derive(Deserialize)]
struct CourtData {
    code: String,
    name: String,
    dfj_area: String,
}

#[derive(Deserialize)]
struct AuthorityData {
    code: String,
    name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the bundled demo organisation is not valid JSON: {0}")]
    Data(#[from] serde_json::Error),
    #[error("could not store the demo data: {0}")]
    Store(#[from] StoreError),
    #[error("the bundled demo data breaks a rule: {0}")]
    Invalid(#[from] tandem_domain::DomainError),
    #[error("the demo organisation is incomplete: {0}")]
    Incomplete(&'static str),
    #[error("the bundled demo office {0} is not in its service area")]
    UnknownOffice(String),
}

/// What was loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub regions: usize,
    pub service_areas: usize,
    pub offices: usize,
    pub teams: usize,
    pub courts: usize,
    pub local_authorities: usize,
    pub staff: usize,
}

/// Whether the database already holds an organisation, in which case the
/// demo is not loaded again.
pub async fn already_loaded(store: &Store) -> Result<bool, StoreError> {
    Ok(!store.list::<Region>().await?.is_empty())
}

/// How big a demo organisation to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Four teams an area, six to nine practitioners a team: a quick start.
    Small,
    /// About 120 teams and 1,400 family court advisers, as the service
    /// has, most of them in post since before `first_year`.
    National { first_year: i16 },
}

/// Loads the small demo organisation and its staff. The same `seed` always
/// gives the same people.
pub async fn load(store: &Store, seed: u64, stamp: &Stamp) -> Result<DemoSummary, DemoError> {
    load_organisation(store, Scale::Small, seed, stamp).await
}

/// Loads the demo organisation at `scale`, and its staff.
pub async fn load_organisation(
    store: &Store,
    scale: Scale,
    seed: u64,
    stamp: &Stamp,
) -> Result<DemoSummary, DemoError> {
    let organisation: Organisation = serde_json::from_str(ENGLAND)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut people = People { count: 0, scale };
    let mut summary = DemoSummary::default();
    for region_data in &organisation.regions {
        let region: Region = store
            .create(
                &RegionInput {
                    code: region_data.code.clone(),
                    name: region_data.name.clone(),
                }
                .validate()?,
                stamp,
            )
            .await?;
        summary.regions += 1;
        let head = people
            .add(store, stamp, &mut rng, Post::HeadOfPractice, None, None)
            .await?;
        for area_data in &region_data.service_areas {
            let area: ServiceArea = store
                .create(
                    &ServiceAreaInput {
                        code: area_data.code.clone(),
                        name: area_data.name.clone(),
                        region_id: Some(region.id.0),
                    }
                    .validate()?,
                    stamp,
                )
                .await?;
            summary.service_areas += 1;
            let mut offices = Vec::new();
            for o in &area_data.offices {
                let office: Office = store
                    .create(
                        &OfficeInput {
                            code: o.code.clone(),
                            name: o.name.clone(),
                            address: o.address.clone(),
                            town: o.town.clone(),
                            postcode: o.postcode.clone(),
                            service_area_id: Some(area.id.0),
                        }
                        .validate()?,
                        stamp,
                    )
                    .await?;
                offices.push(office);
            }
            summary.offices += offices.len();
            for c in &area_data.courts {
                let _: Court = store
                    .create(
                        &CourtInput {
                            code: c.code.clone(),
                            name: c.name.clone(),
                            dfj_area: c.dfj_area.clone(),
                            service_area_id: Some(area.id.0),
                        }
                        .validate()?,
                        stamp,
                    )
                    .await?;
                summary.courts += 1;
            }
            for la in &area_data.local_authorities {
                let _: LocalAuthority = store
                    .create(
                        &LocalAuthorityInput {
                            code: la.code.clone(),
                            name: la.name.clone(),
                            service_area_id: Some(area.id.0),
                        }
                        .validate()?,
                        stamp,
                    )
                    .await?;
                summary.local_authorities += 1;
            }
            let mut service_manager = None;
            let mut teams: Vec<(String, String, &OfficeData)> = Vec::new();
            for t in &area_data.teams {
                let office = area_data
                    .offices
                    .iter()
                    .find(|o| o.code == t.office)
                    .ok_or_else(|| DemoError::UnknownOffice(t.office.clone()))?;
                teams.push((t.code.clone(), t.name.clone(), office));
            }
            if let (Scale::National { .. }, Some(office)) = (scale, area_data.offices.first()) {
                // Two or three more teams an area bring the 72 in the
                // bundled organisation to about 120.
                let extra: &[(&str, &str)] = if summary.service_areas % 3 == 0 {
                    &[("PUB", "public law"), ("PRL", "private law")]
                } else {
                    &[
                        ("PUB", "public law"),
                        ("PRL", "private law"),
                        ("PRL", "private law"),
                    ]
                };
                for (code, name) in extra {
                    // The next number the area has not used for such a team.
                    let (code, n) = (2..)
                        .map(|n| (format!("{}-{}-{code}{n}", area_data.code, office.code), n))
                        .find(|(c, _)| teams.iter().all(|(taken, _, _)| taken != c))
                        .unwrap_or_default();
                    teams.push((code, format!("{} {name} {n}", area_data.name), office));
                }
            }
            for (code, name, office_data) in teams {
                let office = offices
                    .iter()
                    .find(|o| o.code == office_data.code)
                    .ok_or_else(|| DemoError::UnknownOffice(office_data.code.clone()))?;
                let team: Team = store
                    .create(
                        &TeamInput {
                            code,
                            name,
                            service_area_id: Some(area.id.0),
                            office_id: Some(office.id.0),
                        }
                        .validate()?,
                        stamp,
                    )
                    .await?;
                summary.teams += 1;
                // The area's service manager sits in its first team.
                let manager = match service_manager {
                    Some(manager) => manager,
                    None => {
                        let manager = people
                            .add(
                                store,
                                stamp,
                                &mut rng,
                                Post::ServiceManager,
                                Some(team.id),
                                Some(head),
                            )
                            .await?;
                        service_manager = Some(manager);
                        manager
                    }
                };
                staff_team(store, stamp, &mut rng, &mut people, team.id, manager).await?;
            }
        }
    }
    summary.staff = people.count;
    Ok(summary)
}

/// A team: its practice supervisor, practitioners and business support.
async fn staff_team(
    store: &Store,
    stamp: &Stamp,
    rng: &mut StdRng,
    people: &mut People,
    team: TeamId,
    service_manager: StaffId,
) -> Result<(), DemoError> {
    let supervisor = people
        .add(
            store,
            stamp,
            rng,
            Post::PracticeSupervisor,
            Some(team),
            Some(service_manager),
        )
        .await?;
    let practitioners = match people.scale {
        Scale::Small => rng.random_range(6..=9),
        Scale::National { .. } => rng.random_range(10..=14),
    };
    for _ in 0..practitioners {
        let post = if rng.random_bool(0.25) {
            Post::SeniorPractitioner
        } else {
            Post::Practitioner
        };
        people
            .add(store, stamp, rng, post, Some(team), Some(supervisor))
            .await?;
    }
    people
        .add(
            store,
            stamp,
            rng,
            Post::FamilySupportWorker,
            Some(team),
            Some(supervisor),
        )
        .await?;
    people
        .add(
            store,
            stamp,
            rng,
            Post::BusinessSupport,
            Some(team),
            Some(supervisor),
        )
        .await?;
    Ok(())
}

#[derive(Clone, Copy)]
enum Post {
    HeadOfPractice,
    ServiceManager,
    PracticeSupervisor,
    SeniorPractitioner,
    Practitioner,
    FamilySupportWorker,
    BusinessSupport,
}

impl Post {
    fn job(self) -> (JobGroup, &'static str) {
        match self {
            Post::HeadOfPractice => (JobGroup::SeniorLeadership, "Head of practice"),
            Post::ServiceManager => (JobGroup::PracticeManagement, "Service manager"),
            Post::PracticeSupervisor => (JobGroup::PracticeManagement, "Practice supervisor"),
            Post::SeniorPractitioner => (JobGroup::Practitioner, "Senior family court adviser"),
            Post::Practitioner => (JobGroup::Practitioner, "Family court adviser"),
            Post::FamilySupportWorker => (JobGroup::Practitioner, "Family support worker"),
            Post::BusinessSupport => (JobGroup::BusinessSupport, "Business support officer"),
        }
    }

    /// Practitioners may be self-employed, bank or agency; managers are employed.
    fn is_case_holding(self) -> bool {
        matches!(self, Post::SeniorPractitioner | Post::Practitioner)
    }
}

const GIVEN_NAMES: &[&str] = &[
    "Aisha",
    "Alex",
    "Amara",
    "Amir",
    "Ananya",
    "Ben",
    "Bethany",
    "Callum",
    "Chloe",
    "Chidi",
    "Daniel",
    "Deborah",
    "Dev",
    "Eilidh",
    "Ella",
    "Emeka",
    "Fatima",
    "Finn",
    "Grace",
    "Hannah",
    "Harpreet",
    "Imran",
    "Isla",
    "Jack",
    "Jamal",
    "Jasmine",
    "Joanne",
    "Kai",
    "Kemi",
    "Laura",
    "Leon",
    "Lucy",
    "Mariam",
    "Mark",
    "Megan",
    "Mohammed",
    "Nadia",
    "Nathan",
    "Niamh",
    "Olivia",
    "Oluwaseun",
    "Priya",
    "Rachel",
    "Rhys",
    "Rosa",
    "Ruth",
    "Sam",
    "Sanjay",
    "Sarah",
    "Sophie",
    "Tariq",
    "Tom",
    "Una",
    "Vikram",
    "Wendy",
    "Yasmin",
    "Zainab",
    "Zoe",
];

const FAMILY_NAMES: &[&str] = &[
    "Adeyemi",
    "Ahmed",
    "Akhtar",
    "Allen",
    "Bailey",
    "Begum",
    "Brown",
    "Campbell",
    "Chen",
    "Clarke",
    "Collins",
    "Davies",
    "Dhillon",
    "Evans",
    "Fernandes",
    "Green",
    "Hall",
    "Harris",
    "Hughes",
    "Hussain",
    "Islam",
    "Jackson",
    "James",
    "Johnson",
    "Kaur",
    "Khan",
    "King",
    "Kowalski",
    "Lewis",
    "Martin",
    "Mensah",
    "Mitchell",
    "Moore",
    "Murphy",
    "Nowak",
    "O'Brien",
    "Okafor",
    "Okonkwo",
    "Patel",
    "Phillips",
    "Rahman",
    "Roberts",
    "Robinson",
    "Scott",
    "Shah",
    "Singh",
    "Smith",
    "Taylor",
    "Thomas",
    "Thompson",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wright",
    "Young",
];

struct People {
    count: usize,
    scale: Scale,
}

impl People {
    async fn add(
        &mut self,
        store: &Store,
        stamp: &Stamp,
        rng: &mut StdRng,
        post: Post,
        team: Option<TeamId>,
        manager: Option<StaffId>,
    ) -> Result<StaffId, DemoError> {
        let (job_group, grade) = post.job();
        let contract = if post.is_case_holding() {
            match rng.random_range(0..100) {
                0..=84 => ContractType::Employed,
                85..=92 => ContractType::SelfEmployedContractor,
                93..=96 => ContractType::Agency,
                _ => ContractType::Bank,
            }
        } else {
            ContractType::Employed
        };
        let fte = if rng.random_bool(0.7) {
            "1"
        } else {
            ["0.5", "0.6", "0.8", "0.9"][rng.random_range(0..4)]
        };
        let start_year = match self.scale {
            Scale::Small => rng.random_range(2008..=2025),
            // Most were in post before the history starts; some joined since.
            Scale::National { first_year } if rng.random_bool(0.8) => {
                rng.random_range(first_year - 12..first_year)
            }
            Scale::National { first_year } => rng.random_range(first_year..=2025.max(first_year)),
        };
        let start = jiff::civil::date(
            start_year,
            rng.random_range(1..=12),
            rng.random_range(1..=28),
        );
        let member: StaffMember = store
            .create(
                &StaffInput {
                    given_name: GIVEN_NAMES[rng.random_range(0..GIVEN_NAMES.len())].into(),
                    family_name: FAMILY_NAMES[rng.random_range(0..FAMILY_NAMES.len())].into(),
                    job_group: job_group.slug().into(),
                    grade: grade.into(),
                    fte: fte.into(),
                    team_id: team.map(|t| t.0),
                    line_manager_id: manager.map(|m| m.0),
                    contract_type: contract.slug().into(),
                    start_date: start.to_string(),
                    end_date: String::new(),
                }
                .validate()?,
                stamp,
            )
            .await?;
        self.count += 1;
        Ok(member.id)
    }
}

/// One demo sign-in: a user holding one role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUser {
    pub username: String,
    pub role: tandem_domain::access::Role,
    pub scope: String,
}

/// Creates one demo account per role, all with the password whose hash is
/// given, scoped to the first region, service area and team of the demo
/// organisation. Existing demo accounts are left as they are.
pub async fn load_users(
    store: &Store,
    password_hash: &str,
    stamp: &Stamp,
) -> Result<Vec<DemoUser>, DemoError> {
    use tandem_domain::access::{Role, ScopeRef};
    let region = store
        .list::<Region>()
        .await?
        .into_iter()
        .min_by_key(|r| r.id);
    let area = store
        .list::<ServiceArea>()
        .await?
        .into_iter()
        .min_by_key(|a| a.id);
    let team = store.list::<Team>().await?.into_iter().min_by_key(|t| t.id);
    let (Some(region), Some(area), Some(team)) = (region, area, team) else {
        return Ok(Vec::new());
    };
    // The team-level demo users are real people in the first team, so their
    // home pages show their own caseloads and confidential addresses.
    let staff: Vec<StaffMember> = store.list().await?;
    let in_team = |grade: &str| {
        staff
            .iter()
            .filter(|m| m.team_id == Some(team.id) && m.grade == grade)
            .map(|m| m.id)
            .min()
    };
    let linked = |username: &str| match username {
        "fca" => in_team("Family court adviser"),
        "supervisor" => in_team("Practice supervisor"),
        "manager" => in_team("Service manager"),
        _ => None,
    };
    let plan = [
        (
            "fca",
            Role::FamilyCourtAdviser,
            ScopeRef::Team(team.code.clone()),
        ),
        (
            "fsw",
            Role::FamilySupportWorker,
            ScopeRef::Team(team.code.clone()),
        ),
        (
            "supervisor",
            Role::PracticeSupervisor,
            ScopeRef::Team(team.code.clone()),
        ),
        (
            "manager",
            Role::ServiceManager,
            ScopeRef::Area(area.code.clone()),
        ),
        (
            "support",
            Role::BusinessSupport,
            ScopeRef::Area(area.code.clone()),
        ),
        ("people", Role::Hr, ScopeRef::National),
        (
            "performance",
            Role::PerformanceAndStrategy,
            ScopeRef::National,
        ),
        (
            "auditor",
            Role::QualityAuditor,
            ScopeRef::Region(region.code.clone()),
        ),
        ("board", Role::BoardMember, ScopeRef::National),
        ("admin", Role::SystemAdministrator, ScopeRef::National),
    ];
    let mut users = Vec::new();
    for (username, role, scope) in plan {
        if store.credentials(username).await?.is_none() {
            store
                .create_account(
                    username,
                    linked(username),
                    password_hash,
                    &[(role, scope.clone())],
                    stamp,
                )
                .await?;
        }
        users.push(DemoUser {
            username: username.to_owned(),
            role,
            scope: scope.to_string(),
        });
    }
    Ok(users)
}

/// How many cases each demo team gets.
pub const CASES_PER_TEAM: usize = 24;

/// Opens demo cases for every team, through the same rules as real ones,
/// and moves each a random way along its pathway, so that every stage of
/// every pathway has cases in it. Deterministic for a given seed and day.
pub async fn load_cases(
    store: &Store,
    seed: u64,
    stamp: &Stamp,
    today: jiff::civil::Date,
) -> Result<usize, DemoError> {
    use tandem_domain::casework::*;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x000c_a5e5);
    let courts: Vec<Court> = store.list().await?;
    let authorities: Vec<LocalAuthority> = store.list().await?;
    let teams: Vec<Team> = store.list().await?;
    let staff: Vec<StaffMember> = store.list().await?;
    let calendar = store.working_calendar().await?;
    let targets = store.practice_settings().await?.0.targets;
    let kinds = store.application_kinds().await?;
    // One service area runs the investigative Pathfinder model for private law.
    if let Some(area) = store
        .list::<ServiceArea>()
        .await?
        .into_iter()
        .find(|a| a.code == "A3")
    {
        store
            .set_area_pathway(area.id, &PRIVATE_LAW_PATHFINDER, stamp)
            .await?;
    }
    let mut opened = 0;
    for team in &teams {
        let area_courts: Vec<&Court> = courts
            .iter()
            .filter(|c| c.service_area_id == team.service_area_id)
            .collect();
        let area_las: Vec<&LocalAuthority> = authorities
            .iter()
            .filter(|l| l.service_area_id == team.service_area_id)
            .collect();
        let Some(first_court) = area_courts.first() else {
            continue;
        };
        let public = team.code.contains("PUB");
        // Case holders: the team's family court advisers, not its support workers.
        let holders: Vec<&StaffMember> = staff
            .iter()
            .filter(|m| m.team_id == Some(team.id) && m.grade.contains("court adviser"))
            .collect();
        let first_hearing_only = team.code.contains("WTFH");
        for n in 0..CASES_PER_TEAM {
            let court = area_courts
                .get(rng.random_range(0..area_courts.len()))
                .unwrap_or(first_court);
            let adoption = public && rng.random_bool(0.15);
            let law = if adoption {
                LawType::Adoption
            } else if public {
                LawType::Public
            } else {
                LawType::Private
            };
            let received = today - jiff::Span::new().days(rng.random_range(3..540));
            let issued = received - jiff::Span::new().days(rng.random_range(0..8));
            let kind = lead_application(&mut rng, law);
            let letter = case_letter(law);
            let draft = CaseInput {
                case_number: format!(
                    "{}/{:02}{letter}{:05}",
                    court.code,
                    received.year() % 100,
                    opened + n + 1
                ),
                court_id: Some(court.id.0),
                law_type: law.slug().into(),
                application_type: kind.into(),
                harm_alleged: !public && rng.random_bool(0.4),
                received_on: received.to_string(),
                issued_on: issued.to_string(),
                local_authority_id: if law == LawType::Public {
                    area_las
                        .get(rng.random_range(0..area_las.len().max(1)))
                        .map(|l| l.id.0)
                } else {
                    None
                },
                team_id: Some(team.id.0),
            }
            .validate(today, &kinds)?;
            let family = FAMILY_NAMES[rng.random_range(0..FAMILY_NAMES.len())];
            let children: Vec<ChildDraft> = (0..rng.random_range(1..=3))
                .map(|_| child_input(&mut rng, family, received).validate(received))
                .collect::<Result<_, _>>()?;
            let parties = parties(&mut rng, law, family)?;
            let work = pathway_work(&draft, &calendar, &targets).unwrap_or_default();
            let id = store
                .open_case(&draft, &children, &parties, &work, stamp)
                .await?;
            // Walk the case on: some stay at the start, some reach the end.
            let pathway = store
                .case(id)
                .await?
                .map(|r| r.case.pathway)
                .unwrap_or(default_pathway(law));
            let mut stage = pathway.first_stage();
            let mut on = received;
            let steps = rng.random_range(0..pathway.stages.len());
            // Each move raises the case's version by one, from 1.
            for version in 1..=steps as i64 {
                let next: Vec<&str> = pathway
                    .next_stages(stage)
                    .into_iter()
                    // Close early now and then (a withdrawal); always at the end.
                    .filter(|s| *s != CLOSED || rng.random_bool(0.08))
                    .collect();
                let to = match next.first().copied() {
                    Some(to) => to,
                    None => CLOSED,
                };
                if first_hearing_only && stage == "first-hearing" {
                    break;
                }
                let later = on + jiff::Span::new().days(rng.random_range(5..40));
                if later > today {
                    break;
                }
                on = later;
                let reason = (to == CLOSED).then_some(if stage == "intake" {
                    "Application withdrawn"
                } else {
                    "Final order made"
                });
                record_court_work(store, id, stage, to, on, today, stamp, &mut rng).await?;
                let allocating = matches!(to, "allocated" | "guardian-allocated");
                let in_post: Vec<&&StaffMember> =
                    holders.iter().filter(|m| m.in_post_on(on)).collect();
                match in_post.get(rng.random_range(0..in_post.len().max(1))) {
                    // Allocating moves the case on to its allocated stage.
                    Some(worker) if allocating => {
                        store
                            .allocate_case(id, version, worker.id, on, None, stamp)
                            .await?;
                    }
                    _ => {
                        if to == CLOSED {
                            record_outcomes(
                                store,
                                id,
                                law,
                                stage == "intake",
                                on,
                                today,
                                stamp,
                                &mut rng,
                            )
                            .await?;
                        }
                        store
                            .move_case(id, version, to, on, reason, false, stamp)
                            .await?;
                    }
                }
                if allocating {
                    record_practice(store, id, &draft, on, today, stamp, &mut rng).await?;
                }
                stage = to;
                if to == CLOSED {
                    break;
                }
            }
            // Most work past its date was filed on time; the rest is overdue.
            for item in store.work_items(id).await? {
                if item.filed_on.is_none() && item.due_on < today && rng.random_bool(0.8) {
                    store
                        .file_work(
                            id,
                            item.id,
                            item.version,
                            &item.due_on.to_string(),
                            "",
                            today,
                            stamp,
                        )
                        .await?;
                }
            }
        }
        opened += CASES_PER_TEAM;
    }
    Ok(opened)
}

/// What the court decided for each child, recorded before a case closes.
#[allow(clippy::too_many_arguments)]
async fn record_outcomes(
    store: &Store,
    id: CaseId,
    law: LawType,
    withdrawn: bool,
    on: jiff::civil::Date,
    today: jiff::civil::Date,
    stamp: &Stamp,
    rng: &mut StdRng,
) -> Result<(), DemoError> {
    let children = store
        .case(id)
        .await?
        .map(|r| r.children)
        .unwrap_or_default();
    for child in children {
        let outcome = outcome_input(rng, law, withdrawn, on, child.version);
        store
            .set_child_outcome(id, child.id, &outcome, today, stamp)
            .await?;
    }
    Ok(())
}

/// The practice that follows allocation: meeting the children (not always
/// yet), domestic abuse indicators where harm is alleged, checks, a contact
/// and, usually, the manager's oversight.
async fn record_practice(
    store: &Store,
    id: CaseId,
    draft: &CaseDraft,
    allocated_on: jiff::civil::Date,
    today: jiff::civil::Date,
    stamp: &Stamp,
    rng: &mut StdRng,
) -> Result<(), DemoError> {
    let Some(record) = store.case(id).await? else {
        return Ok(());
    };
    let after = |days: i64| (allocated_on + jiff::Span::new().days(days)).min(today);
    if rng.random_bool(0.7) {
        store
            .add_note(
                id,
                &NoteInput {
                    kind: "oversight".into(),
                    on: after(2).to_string(),
                    oversight_for: "allocation".into(),
                    body: "Allocation agreed. Plan: see the children within ten working days, then the parents.".into(),
                    ..Default::default()
                },
                today,
                stamp,
            )
            .await?;
    }
    let met = rng.random_bool(0.75);
    for child in &record.children {
        if !met {
            continue;
        }
        let when = after(rng.random_range(3..20));
        let experience = ChildExperienceInput {
            first_met_fca_on: when.to_string(),
            wishes_and_feelings: [
                "Wants to keep living with mum and see dad at weekends.",
                "Says home is calmer now and wants it to stay that way.",
                "Misses their brother and wants to see him more.",
            ][rng.random_range(0..3)]
            .into(),
            told_outcome_by: [
                "family-court-adviser",
                "adviser-with-carer",
                "letter",
                "not-yet-asked",
            ][rng.random_range(0..4)]
            .into(),
            told_outcome_notes: String::new(),
            version: child.version.to_string(),
        };
        store
            .set_child_experience(id, child.id, &experience, today, stamp)
            .await?;
        store
            .add_note(
                id,
                &NoteInput {
                    kind: "contact".into(),
                    on: when.to_string(),
                    contact_with: "child".into(),
                    contact_method: ["home-visit", "in-person", "video"][rng.random_range(0..3)]
                        .into(),
                    body: format!(
                        "Met {} to hear their wishes and feelings.",
                        child.details.given_name
                    ),
                    ..Default::default()
                },
                today,
                stamp,
            )
            .await?;
    }
    let case = &record.case;
    if draft.harm_alleged {
        let abuse = RiskInput {
            kind: "domestic-abuse".into(),
            noted_on: draft.received_on.to_string(),
            indicator: ["coercive-control", "physical", "emotional", "threats"]
                [rng.random_range(0..4)]
            .into(),
            source: "court".into(),
            detail: "Alleged in the C1A with the application.".into(),
            ..Default::default()
        };
        if let Ok(entry) = abuse.validate(case, today) {
            store.add_risk(id, &entry, stamp).await?;
        }
    }
    let check = RiskInput {
        kind: "police-check".into(),
        noted_on: draft.received_on.to_string(),
        ..Default::default()
    };
    if let Ok(entry) = check.validate(case, today) {
        store.add_risk(id, &entry, stamp).await?;
        if rng.random_bool(0.8)
            && let Some(asked) = store
                .risks(id)
                .await?
                .into_iter()
                .find(|r| r.awaiting_response())
        {
            let answered =
                (draft.received_on + jiff::Span::new().days(rng.random_range(2..9))).min(today);
            store
                .record_check_response(
                    id,
                    asked.id,
                    asked.version,
                    &answered.to_string(),
                    ["nothing-known", "information-held"][rng.random_range(0..2)],
                    today,
                    stamp,
                )
                .await?;
        }
    }
    Ok(())
}

/// The hearings and work for the court a case's moves imply: leaving a
/// hearing stage means the hearing was held; a report stage sets its report,
/// filed (sometimes late, usually after a manager's oversight) when the
/// case moves on.
#[allow(clippy::too_many_arguments)]
async fn record_court_work(
    store: &Store,
    id: CaseId,
    stage: &str,
    to: &str,
    on: jiff::civil::Date,
    today: jiff::civil::Date,
    stamp: &Stamp,
    rng: &mut StdRng,
) -> Result<(), DemoError> {
    let hearing = match stage {
        "first-hearing" => Some((
            "first-hearing",
            "Adjourned for a section 7 report",
            "Cafcass to file a section 7 report; parties to attend a MIAM",
        )),
        "case-management-hearing" => Some((
            "case-management",
            "Timetable set",
            "Children's guardian to file a case analysis; local authority to file its final evidence",
        )),
        "issues-resolution-hearing" => Some((
            "issues-resolution",
            "Issues narrowed",
            "Final hearing listed",
        )),
        "decision-hearing" => Some(("final", "Orders made by consent", "")),
        "final-hearing" => Some(("final", "Final orders made", "")),
        _ => None,
    };
    if let Some((kind, outcome, directions)) = hearing
        && let Some(record) = store.case(id).await?
    {
        let input = HearingInput {
            kind: kind.into(),
            on: on.to_string(),
            outcome: outcome.into(),
            directions: directions.into(),
        };
        if let Ok(hearing) = input.validate(&record.case) {
            store.add_hearing(id, &hearing, stamp).await?;
        }
    }
    let report = |stage: &str| match stage {
        "section-7-report" => Some((WorkKind::Section7Report, 12)),
        "case-analysis" => Some((WorkKind::CaseAnalysis, 3)),
        "child-impact-report" => Some((WorkKind::ChildImpactReport, 6)),
        "safeguarding-letter" => Some((WorkKind::SafeguardingLetter, 0)),
        _ => None,
    };
    // Leaving a report stage: the report was filed, mostly on time, by the
    // day the case moved on.
    if let Some((kind, _)) = report(stage)
        && let Some(item) = store
            .work_items(id)
            .await?
            .into_iter()
            .find(|w| w.kind == kind && w.filed_on.is_none())
    {
        let filed = if rng.random_bool(0.85) {
            on.min(item.due_on)
        } else {
            on
        };
        if rng.random_bool(0.75) {
            store
                .add_note(
                    id,
                    &NoteInput {
                        kind: "oversight".into(),
                        on: filed.to_string(),
                        oversight_for: "before-filing".into(),
                        work_item_id: item.id.to_string(),
                        body: "Read and agreed: the analysis is evidenced and the child's voice is clear.".into(),
                        ..Default::default()
                    },
                    today,
                    stamp,
                )
                .await?;
        }
        let reason = if filed > item.due_on {
            "Waiting for police disclosure"
        } else {
            ""
        };
        store
            .file_work(
                id,
                item.id,
                item.version,
                &filed.to_string(),
                reason,
                today,
                stamp,
            )
            .await?;
    }
    if let Some((kind, weeks)) = report(to)
        && weeks > 0
    {
        let work = WorkItemDraft {
            kind,
            due_on: on + jiff::Span::new().weeks(weeks),
        };
        store.add_work(id, &work, stamp).await?;
    }
    Ok(())
}

/// The lead application of a demo case of `law`: mostly child arrangements
/// in private law and care in public law.
fn lead_application(rng: &mut StdRng, law: tandem_domain::casework::LawType) -> &'static str {
    use tandem_domain::casework::LawType;
    match law {
        LawType::Adoption => "adoption",
        LawType::Public if rng.random_bool(0.85) => "care",
        LawType::Public => "supervision",
        LawType::Private => [
            "child-arrangements",
            "child-arrangements",
            "child-arrangements",
            "prohibited-steps",
            "specific-issue",
        ][rng.random_range(0..5)],
    }
}

/// The letter demo case numbers carry for their law type.
fn case_letter(law: tandem_domain::casework::LawType) -> char {
    use tandem_domain::casework::LawType;
    match law {
        LawType::Public => 'C',
        LawType::Adoption => 'A',
        LawType::Private => 'P',
    }
}

/// A child of the `family`, under 17 when the application was `received`.
fn child_input(
    rng: &mut StdRng,
    family: &str,
    received: jiff::civil::Date,
) -> tandem_domain::casework::ChildInput {
    let age_days = rng.random_range(60..17 * 365);
    tandem_domain::casework::ChildInput {
        given_name: GIVEN_NAMES[rng.random_range(0..GIVEN_NAMES.len())].into(),
        family_name: family.into(),
        date_of_birth: (received - jiff::Span::new().days(age_days)).to_string(),
        sex: ["female", "male", "not-known"][rng.random_range(0..3)].into(),
        ethnicity: [
            "white-british",
            "asian-pakistani",
            "black-african",
            "mixed-white-black-caribbean",
            "white-other",
            "",
        ][rng.random_range(0..6)]
        .into(),
        disability: ["no", "yes", ""][rng.random_range(0..3)].into(),
        first_language: ["English", "English", "Urdu", "Polish", ""][rng.random_range(0..5)].into(),
        interpreter_needed: ["no", "no", "yes", ""][rng.random_range(0..4)].into(),
    }
}

/// The parents: in private law one applies and the other responds; in
/// public law both respond to the local authority. Some respondents'
/// addresses are confidential.
fn parties(
    rng: &mut StdRng,
    law: tandem_domain::casework::LawType,
    family: &str,
) -> Result<Vec<tandem_domain::casework::PartyDraft>, tandem_domain::DomainError> {
    let roles = if law == tandem_domain::casework::LawType::Private {
        [("applicant", "Father"), ("respondent", "Mother")]
    } else {
        [("respondent", "Mother"), ("respondent", "Father")]
    };
    roles
        .into_iter()
        .map(|(role, relationship)| {
            let confidential = role == "respondent" && rng.random_bool(0.12);
            tandem_domain::casework::PartyInput {
                role: role.into(),
                given_name: GIVEN_NAMES[rng.random_range(0..GIVEN_NAMES.len())].into(),
                family_name: if rng.random_bool(0.6) {
                    family.into()
                } else {
                    FAMILY_NAMES[rng.random_range(0..FAMILY_NAMES.len())].into()
                },
                relationship: relationship.into(),
                represented: rng.random_bool(0.5),
                address: format!(
                    "{} {} Road",
                    rng.random_range(1..200),
                    ["Station", "Church", "Park", "Victoria", "Mill"][rng.random_range(0..5)]
                ),
                postcode: "NE1 4XB".into(),
                address_confidential: confidential,
            }
            .validate()
        })
        .collect()
}

/// What the court decided for one child of a case of `law` (all children
/// of a withdrawn application: withdrawn), recorded `on` the closing day.
fn outcome_input(
    rng: &mut StdRng,
    law: tandem_domain::casework::LawType,
    withdrawn: bool,
    on: jiff::civil::Date,
    version: i64,
) -> ChildOutcomeInput {
    use tandem_domain::casework::LawType;
    let (orders, lives_with, contact) = match (withdrawn, law) {
        (true, _) => ("withdrawn", "mother", ""),
        (false, LawType::Private) => [
            (
                "child-arrangements-lives-with,child-arrangements-spends-time",
                "mother",
                "Alternate weekends and half the school holidays with father",
            ),
            (
                "child-arrangements-lives-with",
                "shared-care",
                "Week about with each parent",
            ),
            ("no-order", "mother", "As agreed between the parents"),
        ][rng.random_range(0..3)],
        (false, LawType::Public) => [
            (
                "care",
                "foster-carer",
                "Supervised time with parents monthly",
            ),
            (
                "special-guardianship",
                "kinship-carer",
                "Time with parents as the special guardian arranges",
            ),
            ("supervision", "mother", ""),
        ][rng.random_range(0..3)],
        (false, LawType::Adoption) => (
            "adoption",
            "adoptive-parents",
            "Letterbox contact once a year",
        ),
    };
    ChildOutcomeInput {
        orders: orders.into(),
        lives_with: lives_with.into(),
        contact: contact.into(),
        recorded_on: on.to_string(),
        version: version.to_string(),
    }
}
