//! National demo data: years of casework on the scale of the service, with
//! shapes like the published figures (domain notes, section 2): 55,000 to
//! 60,000 new cases and about 88,000 children a year, two thirds private
//! law; care proceedings lasting about 43 weeks on average with a third
//! within 26; private law about 45. Areas differ in demand, speed,
//! allocation backlogs and late work; demand varies month by month.
//!
//! Every case is told step by step through `tandem_domain::case_history`,
//! so each move, allocation, hearing, filing, outcome, re-opening and
//! transfer keeps to the rules a real one would. A month's cases are then
//! stored together, with their delay rows; their measure cells are worked
//! out from the same histories as they are stored, summed in memory, and
//! written once at the end.

use crate::{
    DemoError, DemoSummary, FAMILY_NAMES, Scale, case_letter, child_input, lead_application,
    load_organisation, outcome_input, parties,
};
use jiff::ToSpan;
use jiff::civil::Date;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use tandem_domain::audit::Stamp;
use tandem_domain::calendar::WorkingCalendar;
use tandem_domain::case_history::CaseHistory;
use tandem_domain::casework::{
    ApplicationKind, CLOSED, CaseInput, HearingInput, LawType, PRIVATE_LAW_PATHFINDER, Pathway,
    WorkItemInput, default_pathway, pathway_work,
};
use tandem_domain::choice::Choice;
use tandem_domain::clocks::PracticeTargets;
use tandem_domain::organisation::{
    Court, LocalAuthority, ServiceArea, ServiceAreaId, StaffMember, Team, TeamId,
};
use tandem_storage::CountedHistory;
use tandem_storage::Store;

/// New children's cases a year, before seasonal and yearly variation: the
/// service's own volume.
pub const CASES_A_YEAR: u32 = 57_500;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NationalOptions {
    /// The same seed and day always give the same data.
    pub seed: u64,
    pub years: u16,
    /// [`CASES_A_YEAR`], or fewer for a quick check of the same shapes.
    pub cases_a_year: u32,
    /// The history runs up to the day before.
    pub today: Date,
}

/// How demand moves through the year, January first (the summer holidays
/// and Christmas are quieter).
const SEASON: [f64; 12] = [
    1.06, 1.01, 1.08, 0.96, 1.02, 1.01, 1.03, 0.86, 0.97, 1.06, 1.02, 0.92,
];

/// What was loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NationalSummary {
    pub organisation: DemoSummary,
    pub cases: usize,
    pub children: usize,
    pub rollup_cells: usize,
}

/// How far the load has gone, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NationalProgress {
    /// `done` of `months` months of cases stored; `cases` so far.
    Cases {
        done: usize,
        months: usize,
        cases: usize,
    },
    /// Every case is stored; the measure rollups are being built.
    Rollups,
}

/// How an area works: its share of demand and how its cases go.
struct AreaHabits {
    demand: f64,
    /// Multiplies how long proceedings take.
    pace: f64,
    /// Multiplies the wait for allocation.
    backlog: f64,
    /// The share of work filed late.
    late: f64,
    /// The share of public law children met before the first hearing.
    seen_early: f64,
}

struct Organisation {
    areas: Vec<(ServiceAreaId, AreaHabits)>,
    teams: HashMap<ServiceAreaId, Vec<Team>>,
    team_area: HashMap<TeamId, ServiceAreaId>,
    courts: HashMap<ServiceAreaId, Vec<Court>>,
    authorities: HashMap<ServiceAreaId, Vec<LocalAuthority>>,
    /// Family court advisers by team.
    advisers: HashMap<TeamId, Vec<StaffMember>>,
    pathways: HashMap<(ServiceAreaId, LawType), &'static Pathway>,
    kinds: Vec<ApplicationKind>,
    calendar: WorkingCalendar,
    targets: PracticeTargets,
}

impl Organisation {
    fn area_of(&self, team: TeamId) -> Option<ServiceAreaId> {
        self.team_area.get(&team).copied()
    }

    fn public_team(team: &Team) -> bool {
        team.code.contains("PUB")
    }

    /// The teams in `area` that take cases of `law`.
    fn teams_for(&self, area: ServiceAreaId, law: LawType) -> Vec<&Team> {
        let public = law != LawType::Private;
        self.teams
            .get(&area)
            .map(|teams| {
                teams
                    .iter()
                    .filter(|t| Self::public_team(t) == public)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn habits(&self, area: ServiceAreaId) -> &AreaHabits {
        self.areas
            .iter()
            .find(|(a, _)| *a == area)
            .map(|(_, h)| h)
            .unwrap_or(&self.areas[0].1)
    }
}

/// Loads the national organisation and its casework as `options` say.
/// `progress` hears how far it has gone.
pub async fn load_national(
    store: &Store,
    options: NationalOptions,
    stamp: &Stamp,
    progress: &mut dyn FnMut(NationalProgress),
) -> Result<NationalSummary, DemoError> {
    let NationalOptions {
        seed,
        years,
        cases_a_year,
        today,
    } = options;
    let first_month = today
        .first_of_month()
        .saturating_sub((years as i64).years());
    let organisation = load_organisation(
        store,
        Scale::National {
            first_year: first_month.year(),
        },
        seed,
        stamp,
    )
    .await?;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x0a71_0a71);
    let org = read_organisation(store, &mut rng, stamp).await?;
    let months = usize::from(years) * 12 + 1;
    let mut summary = NationalSummary {
        organisation,
        cases: 0,
        children: 0,
        rollup_cells: 0,
    };
    // Each month's cases are told, and counted for the rollups, on a thread
    // of their own while the months before are stored, so that on two cores
    // the two overlap. The stories come in order from one generator, so the
    // data stays the same.
    let mut counts = store.bulk_counts().await?;
    let (told, stories) = std::sync::mpsc::sync_channel(2);
    let teller = std::thread::spawn(move || {
        let mut number = 0_u64;
        for m in 0..months {
            let month = first_month.saturating_add((m as i64).months());
            if month > today {
                break;
            }
            // Demand drifts a little from year to year, and with the season.
            let drift = 1.0 + 0.04 * ((m as f64 / 12.0) * 1.3).sin();
            let expected = f64::from(cases_a_year) / 12.0
                * SEASON[usize::from((month.month() - 1) as u8)]
                * drift;
            let count = (expected * rng.random_range(0.97..1.03)).round() as usize;
            let days_in_month = i64::from(month.days_in_month());
            let mut histories = Vec::with_capacity(count);
            for _ in 0..count {
                let day = rng.random_range(0..days_in_month);
                let received = month.saturating_add(day.days());
                if received >= today {
                    continue;
                }
                number += 1;
                histories.push(
                    case_history(&mut rng, &org, received, today, number)
                        .and_then(|h| Ok(counts.count(h)?)),
                );
            }
            let month: Result<Vec<CountedHistory>, DemoError> = histories.into_iter().collect();
            // Nobody listens once storing has failed.
            if told.send(month).is_err() {
                break;
            }
        }
        counts
    });
    for (m, histories) in stories.iter().enumerate() {
        let histories = histories?;
        summary.children += histories
            .iter()
            .map(|h| h.history().children.len())
            .sum::<usize>();
        summary.cases += store.load_case_histories(&histories, stamp).await?.len();
        progress(NationalProgress::Cases {
            done: m + 1,
            months,
            cases: summary.cases,
        });
    }
    let counts = teller
        .join()
        .map_err(|_| DemoError::Incomplete("the national cases could not all be told"))?;
    progress(NationalProgress::Rollups);
    summary.rollup_cells = store.add_bulk_counts(counts, stamp).await?;
    Ok(summary)
}

/// Reads back the organisation just loaded, and gives each area its habits.
async fn read_organisation(
    store: &Store,
    rng: &mut StdRng,
    stamp: &Stamp,
) -> Result<Organisation, DemoError> {
    let areas: Vec<ServiceArea> = store.list().await?;
    // One service area runs the investigative Pathfinder model for private law.
    let mut pathways = HashMap::new();
    for area in &areas {
        for law in [LawType::Private, LawType::Public, LawType::Adoption] {
            pathways.insert((area.id, law), default_pathway(law));
        }
        if area.code == "A3" {
            store
                .set_area_pathway(area.id, &PRIVATE_LAW_PATHFINDER, stamp)
                .await?;
            pathways.insert((area.id, LawType::Private), &PRIVATE_LAW_PATHFINDER);
        }
    }
    let teams: Vec<Team> = store.list().await?;
    let staff: Vec<StaffMember> = store.list().await?;
    let mut advisers: HashMap<TeamId, Vec<StaffMember>> = HashMap::new();
    for member in staff {
        if let Some(team) = member.team_id
            && member.grade.contains("court adviser")
        {
            advisers.entry(team).or_default().push(member);
        }
    }
    let mut org = Organisation {
        areas: areas
            .iter()
            .map(|a| {
                (
                    a.id,
                    AreaHabits {
                        demand: rng.random_range(0.6..1.6),
                        pace: rng.random_range(0.85..1.2),
                        backlog: rng.random_range(0.4..2.8),
                        late: rng.random_range(0.04..0.22),
                        seen_early: rng.random_range(0.7..0.95),
                    },
                )
            })
            .collect(),
        teams: HashMap::new(),
        team_area: HashMap::new(),
        courts: HashMap::new(),
        authorities: HashMap::new(),
        advisers,
        pathways,
        kinds: store.application_kinds().await?,
        calendar: store.working_calendar().await?,
        targets: store.practice_settings().await?.0.targets,
    };
    for team in teams {
        org.team_area.insert(team.id, team.service_area_id);
        org.teams
            .entry(team.service_area_id)
            .or_default()
            .push(team);
    }
    for court in store.list::<Court>().await? {
        org.courts
            .entry(court.service_area_id)
            .or_default()
            .push(court);
    }
    for la in store.list::<LocalAuthority>().await? {
        org.authorities
            .entry(la.service_area_id)
            .or_default()
            .push(la);
    }
    Ok(org)
}

/// A draw from a log-normal distribution with the given median.
fn log_normal(rng: &mut StdRng, median: f64, sigma: f64) -> f64 {
    // Box–Muller: two uniform draws give one standard normal one.
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random_range(0.0..1.0);
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    median * (sigma * z).exp()
}

fn days(n: f64) -> jiff::Span {
    (n.round().max(0.0) as i64).days()
}

/// Chooses an area by demand.
fn pick_area<'a>(rng: &mut StdRng, org: &'a Organisation) -> &'a (ServiceAreaId, AreaHabits) {
    let total: f64 = org.areas.iter().map(|(_, h)| h.demand).sum();
    let mut point = rng.random_range(0.0..total);
    for area in &org.areas {
        if point < area.1.demand {
            return area;
        }
        point -= area.1.demand;
    }
    &org.areas[org.areas.len() - 1]
}

/// One case received on `received`, told up to `today`.
fn case_history(
    rng: &mut StdRng,
    org: &Organisation,
    received: Date,
    today: Date,
    number: u64,
) -> Result<CaseHistory, DemoError> {
    let law = match rng.random_range(0..100) {
        0..=30 => LawType::Public,
        31..=32 => LawType::Adoption,
        _ => LawType::Private,
    };
    let (area, _) = pick_area(rng, org);
    let teams = org.teams_for(*area, law);
    let courts = org.courts.get(area).map(Vec::as_slice).unwrap_or_default();
    let (Some(team), Some(court)) = (
        teams.get(rng.random_range(0..teams.len().max(1))),
        courts.get(rng.random_range(0..courts.len().max(1))),
    ) else {
        return Err(DemoError::Incomplete("an area with no teams or courts"));
    };
    let authorities = org
        .authorities
        .get(area)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let issued = received.saturating_sub(rng.random_range(0..8_i64).days());
    let draft = CaseInput {
        case_number: format!(
            "{}/{:02}{}{:06}",
            court.code,
            received.year() % 100,
            case_letter(law),
            number
        ),
        court_id: Some(court.id.0),
        law_type: law.slug().into(),
        application_type: lead_application(rng, law).into(),
        harm_alleged: law == LawType::Private && rng.random_bool(0.4),
        received_on: received.to_string(),
        issued_on: issued.to_string(),
        local_authority_id: if law == LawType::Public {
            authorities
                .get(rng.random_range(0..authorities.len().max(1)))
                .map(|l| l.id.0)
        } else {
            None
        },
        team_id: Some(team.id.0),
    }
    .validate(today, &org.kinds)?;
    let family = FAMILY_NAMES[rng.random_range(0..FAMILY_NAMES.len())];
    // Public law cases more often concern several brothers and sisters.
    let weights: [u32; 4] = if law == LawType::Private {
        [64, 27, 9, 0]
    } else {
        [55, 25, 12, 8]
    };
    let mut roll = rng.random_range(0..100);
    let mut how_many = 1;
    for (n, w) in weights.iter().enumerate() {
        if roll < *w {
            how_many = n + 1;
            break;
        }
        roll -= w;
    }
    let children = (0..how_many)
        .map(|_| child_input(rng, family, received).validate(received))
        .collect::<Result<Vec<_>, _>>()?;
    let parties = parties(rng, law, family)?;
    // Work the pathway sets cannot be dated where the bank holiday list
    // does not reach; such a case simply has none.
    let work = pathway_work(&draft, &org.calendar, &org.targets).unwrap_or_default();
    let pathway = org
        .pathways
        .get(&(*area, law))
        .copied()
        .unwrap_or(default_pathway(law));
    let history = CaseHistory::open(draft, pathway, children, parties, work, today)?;
    let mut life = Life {
        h: history,
        rng,
        org,
        today,
        area: *area,
    };
    life.tell()?;
    Ok(life.h)
}

/// Tells a case's life, step by step, until it ends or reaches today.
struct Life<'a> {
    h: CaseHistory,
    rng: &'a mut StdRng,
    org: &'a Organisation,
    today: Date,
    area: ServiceAreaId,
}

/// Stops telling the life when its next step has not happened yet.
macro_rules! by {
    ($life:expr, $on:expr) => {{
        let on = $on.max($life.h.last_step_on());
        if on > $life.today {
            return Ok(());
        }
        on
    }};
}

impl Life<'_> {
    fn received(&self) -> Date {
        self.h.case.received_on
    }

    /// A day some `days` after `from`.
    fn after(&mut self, from: Date, days: std::ops::Range<i64>) -> Date {
        from.saturating_add(self.rng.random_range(days).days())
    }

    fn tell(&mut self) -> Result<(), DemoError> {
        let habits = self.org.habits(self.area);
        let pace = habits.pace;
        match self.h.case.pathway.code {
            "private-law" => self.private_law(pace),
            "private-law-pathfinder" => self.pathfinder(pace),
            "public-law" => self.public_law(pace),
            _ => self.adoption(pace),
        }
    }

    fn hearing(&mut self, kind: &str, on: Date) -> Result<(), DemoError> {
        // Some hearings are adjourned and heard again a few weeks later.
        let adjourned = self.rng.random_bool(0.12);
        let mut on = on;
        if adjourned {
            self.h.hear(&HearingInput {
                kind: kind.into(),
                on: on.to_string(),
                outcome: "Adjourned: a report was not ready".into(),
                directions: String::new(),
            })?;
            on = self.after(on, 14..35);
            if on > self.today {
                return Ok(());
            }
        }
        self.h.hear(&HearingInput {
            kind: kind.into(),
            on: on.to_string(),
            outcome: "Heard".into(),
            directions: String::new(),
        })?;
        Ok(())
    }

    /// Allocates the case to one of its team's advisers in post `on` (or,
    /// failing that, anyone in post in its area).
    fn allocate(&mut self, on: Date) -> Result<bool, DemoError> {
        let on = on.max(self.h.last_step_on());
        if on > self.today {
            return Ok(false);
        }
        let team = self.h.case.team_id;
        let Some(area) = self.org.area_of(team) else {
            return Ok(false);
        };
        let in_post = |t: &TeamId| -> Vec<&StaffMember> {
            self.org
                .advisers
                .get(t)
                .map(|staff| staff.iter().filter(|m| m.in_post_on(on)).collect())
                .unwrap_or_default()
        };
        let mut choices = in_post(&team);
        if choices.is_empty() {
            choices = self
                .org
                .teams
                .get(&area)
                .into_iter()
                .flatten()
                .flat_map(|t| in_post(&t.id))
                .collect();
        }
        let Some(worker) = choices.get(self.rng.random_range(0..choices.len().max(1))) else {
            return Ok(false);
        };
        let worker_area = worker.team_id.and_then(|t| self.org.area_of(t));
        self.h.allocate(worker, worker_area, area, on, None)?;
        Ok(true)
    }

    /// Files work item `index`, due `due`: on time, or late with a reason,
    /// as the area's habits go. Work not yet due by today stays unfiled.
    fn file(&mut self, index: usize, due: Date) -> Result<Date, DemoError> {
        let late = self.rng.random_bool(self.org.habits(self.area).late);
        let filed = if late {
            self.after(due, 1..15)
        } else {
            due.saturating_sub(self.rng.random_range(0..4_i64).days())
        }
        .max(self.received());
        if filed <= self.today {
            let reason = if late {
                "Waiting for police and local authority checks"
            } else {
                ""
            };
            self.h.file(index, filed, reason)?;
        }
        Ok(filed)
    }

    fn meet_children(&mut self, on: Date) -> Result<(), DemoError> {
        for child in 0..self.h.children.len() {
            let met = self.after(on, 0..10);
            if met <= self.today {
                self.h.first_met(child, met)?;
            }
        }
        Ok(())
    }

    /// Records every child's outcome and closes the case `on`; now and
    /// then, re-opens it later and closes it again.
    fn close(&mut self, on: Date, withdrawn: bool, reason: &str) -> Result<(), DemoError> {
        let on = by!(self, on);
        for child in 0..self.h.children.len() {
            let version = self.h.children[child].version;
            let outcome = outcome_input(self.rng, self.h.case.law_type, withdrawn, on, version);
            self.h.outcome(child, &outcome)?;
        }
        self.h.move_to(CLOSED, on, Some(reason))?;
        if self.rng.random_bool(0.025) {
            let again = by!(self, self.after(on, 14..140));
            let stage = self
                .h
                .case
                .pathway
                .stages
                .iter()
                .rev()
                .nth(1)
                .map_or("final-hearing", |s| s.code);
            self.h
                .reopen(stage, again, "Application to vary the order")?;
            let closed = by!(self, self.after(again, 28..120));
            self.h.move_to(CLOSED, closed, Some("Variation decided"))?;
        }
        Ok(())
    }

    /// Now and then a case moves to another team in the same area with the
    /// family, or to another area; the new team allocates it again.
    fn maybe_transfer(&mut self, on: Date) -> Result<(), DemoError> {
        if !self.rng.random_bool(0.012) {
            return Ok(());
        }
        let on = by!(self, on);
        let area = if self.rng.random_bool(0.7) {
            self.area
        } else {
            pick_area(self.rng, self.org).0
        };
        let current = self.h.case.team_id;
        let choices: Vec<&Team> = self
            .org
            .teams_for(area, self.h.case.law_type)
            .into_iter()
            .filter(|t| t.id != current)
            .collect();
        let Some(team) = choices.get(self.rng.random_range(0..choices.len().max(1))) else {
            return Ok(());
        };
        self.h.transfer(team, on, "The family moved")?;
        let again = by!(self, self.after(on, 3..15));
        self.allocate(again)?;
        Ok(())
    }

    fn private_law(&mut self, pace: f64) -> Result<(), DemoError> {
        let start = self.received();
        // Settled at the first hearing, straight to a final hearing, or
        // through a section 7 report.
        let route = self.rng.random_range(0..100);
        let weeks = match route {
            0..=19 => log_normal(self.rng, 11.0, 0.4),
            20..=49 => log_normal(self.rng, 36.0, 0.45),
            _ => log_normal(self.rng, 56.0, 0.45),
        } * pace;
        let end = start.saturating_add(days(weeks * 7.0));
        let on = by!(self, self.after(start, 0..3));
        self.h.move_to("safeguarding-checks", on, None)?;
        let on = by!(self, self.after(on, 5..12));
        self.h.move_to("safeguarding-letter", on, None)?;
        let letter_filed = match self.h.work.first().map(|w| w.due_on) {
            Some(due) => self.file(0, due)?,
            None => on.saturating_add(10_i64.days()),
        };
        let on = by!(self, letter_filed.saturating_add(1_i64.days()));
        self.h.move_to("first-hearing", on, None)?;
        let first_hearing = by!(self, self.after(start, 28..49));
        self.hearing("first-hearing", first_hearing)?;
        if route < 20 {
            return self.close(end, false, "Agreement reached at the first hearing");
        }
        let after_hearing = by!(self, first_hearing);
        if route < 50 {
            self.h.move_to("final-hearing", after_hearing, None)?;
            let final_hearing = by!(self, end);
            self.hearing("final", final_hearing)?;
            return self.close(end, false, "Final order made");
        }
        self.h.move_to("awaiting-allocation", after_hearing, None)?;
        let wait = log_normal(self.rng, 8.0, 0.7) * self.org.habits(self.area).backlog;
        let allocated_on = by!(self, after_hearing.saturating_add(days(wait * 1.4)));
        if !self.allocate(allocated_on)? {
            return Ok(());
        }
        let report = self.h.set_work(&WorkItemInput {
            kind: "section-7-report".into(),
            due_on: allocated_on.saturating_add(84_i64.days()).to_string(),
        })?;
        let when = self.after(allocated_on, 5..30);
        self.meet_children(when)?;
        let when = self.after(allocated_on, 5..20);
        self.maybe_transfer(when)?;
        let on = by!(self, self.after(allocated_on, 7..21));
        self.h.move_to("section-7-report", on, None)?;
        let due = self.h.work[report].due_on;
        let filed = self.file(report, due)?;
        let on = by!(self, self.after(filed, 7..21));
        self.h.move_to("final-hearing", on, None)?;
        let end = end.max(on.saturating_add(14_i64.days()));
        let final_hearing = by!(self, end);
        self.hearing("final", final_hearing)?;
        self.close(end, false, "Final order made")
    }

    fn pathfinder(&mut self, pace: f64) -> Result<(), DemoError> {
        let start = self.received();
        let weeks = log_normal(self.rng, 24.0, 0.45) * pace;
        let end = start.saturating_add(days(weeks * 7.0));
        let on = by!(self, self.after(start, 0..3));
        self.h.move_to("information-gathering", on, None)?;
        let when = self.after(on, 0..5);
        if !self.allocate(when)? {
            return Ok(());
        }
        let report = self.h.set_work(&WorkItemInput {
            kind: "child-impact-report".into(),
            due_on: on.saturating_add(42_i64.days()).to_string(),
        })?;
        let when = self.after(on, 3..20);
        self.meet_children(when)?;
        let on = by!(self, self.after(on, 14..28));
        self.h.move_to("child-impact-report", on, None)?;
        let due = self.h.work[report].due_on;
        let filed = self.file(report, due)?;
        let on = by!(self, filed.saturating_add(1_i64.days()));
        self.h.move_to("decision-hearing", on, None)?;
        let end = end.max(on.saturating_add(7_i64.days()));
        let hearing = by!(
            self,
            end.saturating_sub(self.rng.random_range(0..7_i64).days())
        );
        self.hearing("first-hearing", hearing)?;
        if self.rng.random_bool(0.3) {
            let on = by!(self, hearing);
            self.h.move_to("review", on, None)?;
            let end = self.after(end, 28..90);
            let review = by!(self, end);
            self.hearing("review", review)?;
            return self.close(end, false, "Review completed");
        }
        self.close(end, false, "Decision made")
    }

    fn public_law(&mut self, pace: f64) -> Result<(), DemoError> {
        let start = self.received();
        // About a third of care proceedings finish within 26 weeks; the
        // average is about 43.
        let weeks = (log_normal(self.rng, 34.5, 0.66) * pace).clamp(10.0, 150.0);
        let end = start.saturating_add(days(weeks * 7.0));
        let wait = log_normal(self.rng, 0.8, 0.9) * self.org.habits(self.area).backlog;
        let allocated_on = by!(self, start.saturating_add(days(wait * 1.4)));
        if !self.allocate(allocated_on)? {
            return Ok(());
        }
        let seen_early = self.rng.random_bool(self.org.habits(self.area).seen_early);
        let hearing_on = self.after(start, 12..22);
        let on = by!(self, self.after(allocated_on, 1..5));
        self.h.move_to("case-management-hearing", on, None)?;
        if seen_early {
            self.meet_children(on.min(hearing_on.saturating_sub(10_i64.days())).max(start))?;
        }
        let cmh = by!(self, hearing_on);
        self.hearing("case-management", cmh)?;
        if !seen_early {
            let when = self.after(cmh, 3..20);
            self.meet_children(when)?;
        }
        let on = by!(self, cmh);
        self.h.move_to("case-analysis", on, None)?;
        let when = self.after(on, 5..30);
        self.maybe_transfer(when)?;
        let span = (end - start).get_days().max(40);
        let irh = start.saturating_add((((span as f64) * 0.75).round() as i64).days());
        let analysis = self.h.set_work(&WorkItemInput {
            kind: "case-analysis".into(),
            due_on: irh.saturating_sub(5_i64.days()).to_string(),
        })?;
        let due = self.h.work[analysis].due_on;
        self.file(analysis, due)?;
        let on = by!(
            self,
            start.saturating_add((((span as f64) * 0.6).round() as i64).days())
        );
        self.h.move_to("issues-resolution-hearing", on, None)?;
        let irh = by!(self, irh);
        self.hearing("issues-resolution", irh)?;
        if self.rng.random_bool(0.3) {
            return self.close(irh, false, "Agreed at the issues resolution hearing");
        }
        let on = by!(self, irh);
        self.h.move_to("final-hearing", on, None)?;
        let end = end.max(on);
        let final_hearing = by!(self, end);
        self.hearing("final", final_hearing)?;
        self.close(end, false, "Final order made")
    }

    fn adoption(&mut self, pace: f64) -> Result<(), DemoError> {
        let start = self.received();
        let weeks = log_normal(self.rng, 22.0, 0.4) * pace;
        let end = start.saturating_add(days(weeks * 7.0));
        let allocated_on = by!(self, self.after(start, 0..6));
        if !self.allocate(allocated_on)? {
            return Ok(());
        }
        let when = self.after(allocated_on, 5..30);
        self.meet_children(when)?;
        let report = self.h.set_work(&WorkItemInput {
            kind: "other".into(),
            due_on: allocated_on.saturating_add(56_i64.days()).to_string(),
        })?;
        let on = by!(self, self.after(allocated_on, 7..14));
        self.h.move_to("report", on, None)?;
        let due = self.h.work[report].due_on;
        let filed = self.file(report, due)?;
        let on = by!(self, filed.saturating_add(1_i64.days()));
        self.h.move_to("final-hearing", on, None)?;
        let end = end.max(on.saturating_add(7_i64.days()));
        let hearing = by!(self, end);
        self.hearing("final", hearing)?;
        self.close(end, false, "Adoption order made")
    }
}
