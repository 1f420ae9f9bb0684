//! Demo data: a plausible England organisation and its people, generated
//! deterministically and written through the same validation and storage as
//! real records, so the demo can never hold data the service would refuse.

// Library code reports failures as errors; a panic could be reached from a request.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use tandem_domain::audit::Stamp;
use tandem_domain::organisation::*;
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

/// Loads the demo organisation and its staff. The same `seed` always gives
/// the same people.
pub async fn load(store: &Store, seed: u64, stamp: &Stamp) -> Result<DemoSummary, DemoError> {
    let organisation: Organisation = serde_json::from_str(ENGLAND)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut people = People::default();
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
            for t in &area_data.teams {
                let office = offices
                    .iter()
                    .find(|o| o.code == t.office)
                    .ok_or_else(|| DemoError::UnknownOffice(t.office.clone()))?;
                let team: Team = store
                    .create(
                        &TeamInput {
                            code: t.code.clone(),
                            name: t.name.clone(),
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
    let practitioners = rng.random_range(6..=9);
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

#[derive(Default)]
struct People {
    count: usize,
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
        let start = jiff::civil::date(
            rng.random_range(2008..=2025),
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
                    None,
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
