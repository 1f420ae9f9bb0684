//! Drivers of delay: for the cases that ran past their threshold (26 weeks
//! in public law, 52 in private, by default), where the time went: each
//! stage of the lifecycle against the median for all cases, the wait for
//! allocation, adjournments and late filings; and which parts of the
//! service, courts and local authorities have most of them.
//!
//! Storage keeps a [`DelayCase`] for every case, worked out from its facts
//! in the same transaction as each change, so the analysis reads one short
//! row a case instead of every case's history.

use crate::casework::{LawType, PATHWAYS, Pathway, pathway};
use crate::clocks::LongRunningThresholds;
use crate::measures::{Period, ScopeTree};
use crate::rollups::{CaseFacts, Scope};
use jiff::civil::Date;
use std::collections::BTreeMap;

/// What the delay analysis needs to know of one case. Dates after receipt
/// are kept as days after it: the analysis works in days, and a national
/// analysis reads a hundred thousand of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayCase {
    pub law_type: LawType,
    pub pathway: &'static Pathway,
    pub received_on: Date,
    /// Its first closure, in days after receipt.
    pub first_closed: Option<i32>,
    /// The stages the case entered (their codes), with the day, in order;
    /// the first is its stage on receipt, entered on day 0.
    pub stages: Vec<(i32, &'static str)>,
    pub first_allocated: Option<i32>,
    pub adjournments: usize,
    /// Some of its work was filed after its due date.
    pub filed_late: bool,
    /// The earliest due date of its work not yet filed.
    pub first_unfiled_due: Option<i32>,
    /// The team holding it now, its court and its local authority: where
    /// it is counted in the breakdowns.
    pub team_id: i64,
    pub court_id: i64,
    pub local_authority_id: Option<i64>,
}

/// Whether a hearing's recorded outcome says it was adjourned. Storage
/// counts a case's adjournments with the same rule in SQL (`LOWER(outcome)
/// LIKE '%adjourn%'`); `tandem rollups verify` checks that the two agree.
pub fn is_adjournment(outcome: &str) -> bool {
    outcome.to_lowercase().contains("adjourn")
}

fn days(from: Date, to: Date) -> i32 {
    day_number(to) - day_number(from)
}

/// Days since 1 January 1970: date arithmetic a national analysis does a
/// few hundred thousand times, cheaper than a calendar span (Howard
/// Hinnant's `days_from_civil`).
fn day_number(date: Date) -> i32 {
    let (month, day) = (i32::from(date.month()), i32::from(date.day()));
    // Years counted from March, so that a leap day ends its year.
    let year = i32::from(date.year()) - i32::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A period's first and last days, as day numbers or, once made relative
/// to a case, as days after its receipt.
#[derive(Clone, Copy)]
struct Window {
    first: i32,
    last: i32,
}

impl Window {
    fn of(period: &Period) -> Self {
        Self {
            first: day_number(period.first),
            last: day_number(period.last),
        }
    }

    fn after(self, received_on: Date) -> Self {
        let received = day_number(received_on);
        Self {
            first: self.first - received,
            last: self.last - received,
        }
    }
}

impl DelayCase {
    /// The case as the analysis sees it, from its facts: an error names a
    /// pathway or stage the case model does not know.
    pub fn of(facts: &CaseFacts) -> Result<Self, String> {
        let pathway = pathway(&facts.pathway)?;
        let after = |on: Date| days(facts.received_on, on);
        let mut stages: Vec<(i32, &'static str)> = Vec::with_capacity(facts.stages.len());
        for (on, code) in &facts.stages {
            let stage = pathway
                .stage(code)
                .ok_or_else(|| format!("The {} pathway has no stage {code}", pathway.code))?;
            // Events that leave the case where it was (a transfer names its
            // stage too) do not start the stage again. The first stage is
            // entered on receipt, whenever it was recorded.
            if stages.last().is_none_or(|(_, last)| *last != stage.code) {
                stages.push((if stages.is_empty() { 0 } else { after(*on) }, stage.code));
            }
        }
        Ok(Self {
            law_type: facts.law_type,
            pathway,
            received_on: facts.received_on,
            first_closed: facts.first_closed_on().map(after),
            stages,
            first_allocated: facts.allocations.iter().map(|(from, _)| after(*from)).min(),
            adjournments: facts.adjournments,
            filed_late: facts
                .work
                .iter()
                .any(|(due, filed)| filed.is_some_and(|f| f > *due)),
            first_unfiled_due: facts
                .work
                .iter()
                .filter(|(_, filed)| filed.is_none())
                .map(|(due, _)| after(*due))
                .min(),
            team_id: facts.holders.last().map_or(0, |(_, team)| *team),
            court_id: facts.court_id,
            local_authority_id: facts.local_authority_id,
        })
    }

    /// The places the case is counted in for an analysis of `scope`: the
    /// part of the scope it is in now (its region of the service, its area
    /// of a region, its team of an area), then its court, DFJ area and local
    /// authority.
    pub fn places(&self, tree: &ScopeTree, scope: Scope, places: &mut Vec<Place>) {
        let area = tree.teams.get(&self.team_id).map(|(_, area)| *area);
        match scope {
            Scope::National => {
                if let Some((_, region)) = area.and_then(|a| tree.areas.get(&a)) {
                    places.push(Scope::Region(*region));
                }
            }
            Scope::Region(_) => places.extend(area.map(Scope::ServiceArea)),
            Scope::ServiceArea(_) => places.push(Scope::Team(self.team_id)),
            _ => {}
        }
        places.push(Scope::Court(self.court_id));
        if let Some((_, dfj)) = tree.courts.get(&self.court_id) {
            places.push(Scope::DfjArea(*dfj));
        }
        places.extend(self.local_authority_id.map(Scope::LocalAuthority));
    }

    /// The day `days` after receipt.
    pub fn day(&self, days: i32) -> Option<Date> {
        self.received_on
            .checked_add(jiff::Span::new().days(days))
            .ok()
    }

    pub fn first_closed_on(&self) -> Option<Date> {
        self.first_closed.and_then(|d| self.day(d))
    }

    fn window(&self, period: &Period) -> Window {
        Window::of(period).after(self.received_on)
    }

    /// The day the analysis stops counting: its first closure, or the end
    /// of the period for a case still open then.
    fn end(&self, window: Window) -> i32 {
        self.first_closed
            .filter(|c| *c <= window.last)
            .unwrap_or(window.last)
    }

    fn considered_in(&self, window: Window) -> bool {
        window.last >= 0 && self.first_closed.is_none_or(|c| c >= window.first)
    }

    /// In the analysis: first closed in the period, or open at its end.
    pub fn considered(&self, period: &Period) -> bool {
        self.considered_in(self.window(period))
    }

    fn delayed_in(&self, thresholds: &LongRunningThresholds, window: Window) -> bool {
        let weeks = match self.law_type {
            LawType::Private => thresholds.private_law_weeks,
            LawType::Public => thresholds.public_law_weeks,
            LawType::Adoption => return false,
        };
        i64::from(self.end(window)) > weeks * 7
    }

    /// Past its threshold by its first closure or, if open, the period's end.
    pub fn delayed(&self, thresholds: &LongRunningThresholds, period: &Period) -> bool {
        self.delayed_in(thresholds, self.window(period))
    }

    fn late_work_in(&self, window: Window) -> bool {
        self.filed_late || self.first_unfiled_due.is_some_and(|due| due < window.last)
    }

    /// Work filed after its due date, or still unfiled after it at the end
    /// of the period.
    pub fn late_work(&self, period: &Period) -> bool {
        self.late_work_in(self.window(period))
    }

    fn stage_days_in(&self, window: Window) -> impl Iterator<Item = (&'static str, i64)> + '_ {
        let end = self.end(window);
        self.stages
            .iter()
            .enumerate()
            .filter_map(move |(i, (from, stage))| {
                let until = self
                    .stages
                    .get(i + 1)
                    .map_or(end, |(next, _)| *next)
                    .min(end);
                let from = (*from).max(0);
                (until >= from).then(|| (*stage, i64::from(until - from)))
            })
    }

    /// Days in each stage (by code) until the end of the analysis.
    pub fn stage_days(&self, period: &Period) -> impl Iterator<Item = (&'static str, i64)> + '_ {
        self.stage_days_in(self.window(period))
    }
}

/// A place the delayed cases are broken down by: a part of the service,
/// a court, a DFJ area or a local authority.
pub type Place = Scope;

/// What kind of place `place` is, as a breakdown names it.
pub fn place_kind(place: Place) -> &'static str {
    match place {
        Scope::National => "Service",
        Scope::Region(_) => "Region",
        Scope::ServiceArea(_) => "Service area",
        Scope::Team(_) => "Team",
        Scope::Court(_) => "Court",
        Scope::DfjArea(_) => "DFJ area",
        Scope::LocalAuthority(_) => "Local authority",
    }
}

/// One stage: the median days spent in it by all cases and by delayed ones.
#[derive(Debug, Clone, PartialEq)]
pub struct StageRow {
    pub stage: &'static str,
    pub all_median_days: Option<i64>,
    pub delayed_median_days: Option<i64>,
}

/// One comparison between all cases and delayed ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Contrast {
    pub all: Option<f64>,
    pub delayed: Option<f64>,
}

/// One place in a breakdown.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceRow {
    pub place: Place,
    pub considered: usize,
    pub delayed: usize,
    /// The stage where its delayed cases spent most longer than the
    /// median for all cases, and by how many days.
    pub worst_stage: Option<(&'static str, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DelayReport {
    pub considered: usize,
    pub delayed: usize,
    /// In pathway order.
    pub stages: Vec<StageRow>,
    /// Median calendar days from receipt to first allocation.
    pub allocation_wait: Contrast,
    /// Share of cases with at least one adjourned hearing, per cent.
    pub adjourned: Contrast,
    /// Share of cases with late work, per cent.
    pub late_work: Contrast,
    /// In place order (kind, then id).
    pub places: Vec<PlaceRow>,
}

/// The Ministry of Justice's median of `values` (see
/// [`crate::measures::Durations::fcsq_median_days`]): the largest value of
/// the lower of two tiles, found without sorting them all. Reorders them.
pub fn fcsq_median(values: &mut [i64]) -> Option<i64> {
    let k = values.len().checked_add(1)? / 2;
    let k = k.checked_sub(1)?;
    Some(*values.select_nth_unstable(k).1)
}

fn share(count: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| count as f64 / of as f64 * 100.0)
}

/// Days spent in each stage, a list a stage (by the stage's index).
#[derive(Default)]
struct StageDays(Vec<Vec<i64>>);

impl StageDays {
    fn add(&mut self, stage: usize, days: i64) {
        if self.0.len() <= stage {
            self.0.resize_with(stage + 1, Vec::new);
        }
        self.0[stage].push(days);
    }

    fn merge(&mut self, other: StageDays) {
        for (stage, days) in other.0.into_iter().enumerate() {
            if !days.is_empty() {
                if self.0.len() <= stage {
                    self.0.resize_with(stage + 1, Vec::new);
                }
                self.0[stage].extend(days);
            }
        }
    }

    fn medians(&mut self, stages: usize) -> Vec<Option<i64>> {
        self.0.resize_with(stages, Vec::new);
        self.0.iter_mut().map(|d| fcsq_median(d)).collect()
    }
}

/// The tallies for one group of cases.
#[derive(Default)]
struct Tally {
    cases: usize,
    adjourned: usize,
    late_work: usize,
    waits: Vec<i64>,
    stages: StageDays,
}

impl Tally {
    fn add(&mut self, case: &DelayCase, spent: &[(usize, i64)], window: Window) {
        self.cases += 1;
        self.adjourned += usize::from(case.adjournments > 0);
        self.late_work += usize::from(case.late_work_in(window));
        if let Some(allocated) = case.first_allocated {
            self.waits.push(i64::from(allocated));
        }
        for (stage, d) in spent {
            self.stages.add(*stage, *d);
        }
    }

    fn merge(&mut self, other: Tally) {
        self.cases += other.cases;
        self.adjourned += other.adjourned;
        self.late_work += other.late_work;
        self.waits.extend(other.waits);
        self.stages.merge(other.stages);
    }
}

/// Every pathway's stages by label, in pathway order (a label shared by two
/// pathways takes its earlier place), so that every tally of a report
/// numbers them alike.
struct Labels {
    labels: Vec<&'static str>,
    /// Each pathway's stages, by their code (compared by address first: a
    /// case's codes are its pathway's own), with their label's index.
    stages: Vec<(&'static Pathway, &'static str, usize)>,
}

impl Labels {
    fn new() -> Self {
        let mut placed: Vec<(usize, &'static str)> = Vec::new();
        for pathway in PATHWAYS {
            for (position, stage) in pathway.stages.iter().enumerate() {
                match placed.iter_mut().find(|(_, l)| *l == stage.label) {
                    Some(known) => known.0 = known.0.min(position),
                    None => placed.push((position, stage.label)),
                }
            }
        }
        placed.sort();
        let labels: Vec<&'static str> = placed.into_iter().map(|(_, l)| l).collect();
        let stages = PATHWAYS
            .iter()
            .flat_map(|p| p.stages.iter().map(move |s| (*p, s)))
            .filter_map(|(p, s)| Some((p, s.code, labels.iter().position(|l| *l == s.label)?)))
            .collect();
        Self { labels, stages }
    }

    fn index(&self, case: &DelayCase, code: &'static str) -> Option<usize> {
        let by_address = |(p, c, _): &&(&'static Pathway, &'static str, usize)| {
            std::ptr::eq(*p, case.pathway) && std::ptr::eq(*c, code)
        };
        let by_name = |(p, c, _): &&(&'static Pathway, &'static str, usize)| {
            p.code == case.pathway.code && *c == code
        };
        self.stages
            .iter()
            .find(by_address)
            .or_else(|| self.stages.iter().find(by_name))
            .map(|(_, _, i)| *i)
    }
}

/// The analysis of some of the cases, to be merged with the rest: the work
/// of a report can be shared out.
pub struct DelayTally {
    labels: Labels,
    all: Tally,
    delayed: Tally,
    /// Each place's cases, and the days its delayed ones spent in each stage.
    by_place: BTreeMap<Place, (usize, usize, StageDays)>,
}

impl DelayTally {
    /// Tallies `cases` for `period`; `places` names the places a case is
    /// counted in, into the list it is given.
    pub fn of(
        cases: &[DelayCase],
        thresholds: &LongRunningThresholds,
        period: &Period,
        places: impl Fn(&DelayCase, &mut Vec<Place>),
    ) -> Self {
        let mut tally = Self {
            labels: Labels::new(),
            all: Tally::default(),
            delayed: Tally::default(),
            by_place: BTreeMap::new(),
        };
        let (mut spent, mut in_places) = (Vec::new(), Vec::new());
        let period_window = Window::of(period);
        for case in cases {
            let window = period_window.after(case.received_on);
            if !case.considered_in(window) {
                continue;
            }
            let is_delayed = case.delayed_in(thresholds, window);
            spent.clear();
            spent.extend(
                case.stage_days_in(window)
                    .filter_map(|(code, d)| Some((tally.labels.index(case, code)?, d))),
            );
            tally.all.add(case, &spent, window);
            if is_delayed {
                tally.delayed.add(case, &spent, window);
            }
            in_places.clear();
            places(case, &mut in_places);
            for place in &in_places {
                let (considered, late, stages) = tally.by_place.entry(*place).or_default();
                *considered += 1;
                if is_delayed {
                    *late += 1;
                    for (stage, d) in &spent {
                        stages.add(*stage, *d);
                    }
                }
            }
        }
        tally
    }

    /// Adds another part's tally to this one.
    pub fn merge(&mut self, other: DelayTally) {
        self.all.merge(other.all);
        self.delayed.merge(other.delayed);
        for (place, (considered, late, stages)) in other.by_place {
            let mine = self.by_place.entry(place).or_default();
            mine.0 += considered;
            mine.1 += late;
            mine.2.merge(stages);
        }
    }

    /// The report the tally gives.
    pub fn report(self) -> DelayReport {
        let Self {
            labels,
            mut all,
            mut delayed,
            by_place,
        } = self;
        let count = labels.labels.len();
        let all_medians = all.stages.medians(count);
        let delayed_medians = delayed.stages.medians(count);
        let places = by_place
            .into_iter()
            .map(|(place, (considered, late, mut stages))| {
                let medians = stages.medians(count);
                // The first stage, in pathway order, of those furthest over.
                let worst_stage = (0..count)
                    .filter_map(|i| {
                        let excess = medians[i]? - all_medians[i].unwrap_or(0);
                        (excess > 0).then_some((labels.labels[i], excess))
                    })
                    .fold(
                        None,
                        |worst: Option<(&'static str, i64)>, next| match worst {
                            Some(w) if w.1 >= next.1 => Some(w),
                            _ => Some(next),
                        },
                    );
                PlaceRow {
                    place,
                    considered,
                    delayed: late,
                    worst_stage,
                }
            })
            .collect();
        let wait = |waits: &mut Vec<i64>| fcsq_median(waits).map(|d| d as f64);
        DelayReport {
            considered: all.cases,
            delayed: delayed.cases,
            // Only the stages some case spent time in.
            stages: (0..count)
                .filter(|i| all_medians[*i].is_some())
                .map(|i| StageRow {
                    stage: labels.labels[i],
                    all_median_days: all_medians[i],
                    delayed_median_days: delayed_medians[i],
                })
                .collect(),
            allocation_wait: Contrast {
                all: wait(&mut all.waits),
                delayed: wait(&mut delayed.waits),
            },
            adjourned: Contrast {
                all: share(all.adjourned, all.cases),
                delayed: share(delayed.adjourned, delayed.cases),
            },
            late_work: Contrast {
                all: share(all.late_work, all.cases),
                delayed: share(delayed.late_work, delayed.cases),
            },
            places,
        }
    }
}

/// The analysis of `cases` for `period`; `places` names the places a case
/// is counted in, into the list it is given.
pub fn report(
    cases: &[DelayCase],
    thresholds: &LongRunningThresholds,
    period: &Period,
    places: impl Fn(&DelayCase, &mut Vec<Place>),
) -> DelayReport {
    DelayTally::of(cases, thresholds, period, places).report()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::PUBLIC_LAW;
    use crate::measures::Durations;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn case(
        received: Date,
        closed: Option<Date>,
        court: i64,
        stages: &[(Date, &'static str)],
    ) -> DelayCase {
        DelayCase {
            law_type: LawType::Public,
            pathway: &PUBLIC_LAW,
            received_on: received,
            first_closed: closed.map(|c| days(received, c)),
            stages: stages
                .iter()
                .map(|(on, s)| (days(received, *on), *s))
                .collect(),
            first_allocated: Some(0),
            adjournments: 0,
            filed_late: false,
            first_unfiled_due: None,
            team_id: 1,
            court_id: court,
            local_authority_id: None,
        }
    }

    fn by_court(case: &DelayCase, places: &mut Vec<Place>) {
        places.push(Scope::Court(case.court_id));
    }

    #[test]
    fn delayed_cases_show_where_their_time_went() {
        let year = Period::financial_year(2025).expect("year");
        let quick = case(
            date(2025, 4, 1),
            Some(date(2025, 8, 1)),
            1,
            &[
                (date(2025, 4, 1), "received"),
                (date(2025, 5, 1), "final-hearing"),
            ],
        );
        // 300 days: past 26 weeks, most of it waiting for the final hearing.
        let mut slow = case(
            date(2025, 4, 1),
            Some(date(2026, 1, 26)),
            2,
            &[
                (date(2025, 4, 1), "received"),
                (date(2025, 5, 1), "final-hearing"),
            ],
        );
        slow.adjournments = 2;
        let never = case(date(2024, 1, 1), Some(date(2024, 6, 1)), 1, &[]);
        let r = report(
            &[quick, slow, never],
            &LongRunningThresholds::default(),
            &year,
            by_court,
        );
        assert_eq!(
            (r.considered, r.delayed),
            (2, 1),
            "the 2024 case is outside the year"
        );
        assert_eq!(r.stages[0].stage, "Received");
        assert_eq!(r.stages[0].all_median_days, Some(30));
        assert_eq!(r.stages[1].stage, "Final hearing");
        assert_eq!(
            r.stages[1].all_median_days,
            Some(92),
            "lower middle of 92 and 270"
        );
        assert_eq!(r.stages[1].delayed_median_days, Some(270));
        assert_eq!(r.adjourned.delayed, Some(100.0));
        assert_eq!(r.adjourned.all, Some(50.0));
        let court = |id| {
            r.places
                .iter()
                .find(|p| p.place == Scope::Court(id))
                .expect("place")
        };
        assert_eq!(court(2).delayed, 1);
        assert_eq!(court(2).worst_stage, Some(("Final hearing", 178)));
        assert_eq!(
            (court(1).considered, court(1).delayed, court(1).worst_stage),
            (1, 0, None)
        );
        let empty = report(&[], &LongRunningThresholds::default(), &year, by_court);
        assert_eq!(empty.adjourned.all, None, "no cases is no data, not 0%");
        assert_eq!(empty.allocation_wait.all, None);
    }

    #[test]
    fn a_report_shared_out_in_parts_is_the_report_of_the_whole() {
        let year = Period::financial_year(2025).expect("year");
        let thresholds = LongRunningThresholds::default();
        let cases: Vec<DelayCase> = (0..40)
            .map(|i| {
                let received = date(2024, 10, 1)
                    .checked_add(jiff::Span::new().days(i * 9))
                    .expect("date");
                let mut c = case(
                    received,
                    (i % 3 != 0).then(|| {
                        received
                            .checked_add(jiff::Span::new().days(100 + i * 7))
                            .expect("date")
                    }),
                    i % 4,
                    &[(received, "received"), (received, "guardian-allocated")],
                );
                c.stages[1].0 = 10 + (i as i32 % 11);
                c.adjournments = (i % 5) as usize;
                c.first_unfiled_due = Some(30 + i as i32);
                c
            })
            .collect();
        let whole = report(&cases, &thresholds, &year, by_court);
        for split in [1, 13, 39] {
            let (a, b) = cases.split_at(split);
            let mut parts = DelayTally::of(a, &thresholds, &year, by_court);
            parts.merge(DelayTally::of(b, &thresholds, &year, by_court));
            assert_eq!(parts.report(), whole, "split at {split}");
        }
        assert!(whole.delayed > 0 && whole.delayed < whole.considered);
    }

    #[test]
    fn stages_come_in_pathway_order_whatever_order_cases_come_in() {
        let year = Period::financial_year(2025).expect("year");
        let later = case(
            date(2025, 4, 1),
            None,
            1,
            &[
                (date(2025, 4, 1), "case-analysis"),
                (date(2025, 5, 1), "final-hearing"),
            ],
        );
        let earlier = case(date(2025, 4, 1), None, 1, &[(date(2025, 4, 1), "received")]);
        let r = report(
            &[later, earlier],
            &LongRunningThresholds::default(),
            &year,
            by_court,
        );
        let stages: Vec<&str> = r.stages.iter().map(|s| s.stage).collect();
        assert_eq!(stages, ["Received", "Case analysis", "Final hearing"]);
    }

    #[test]
    fn an_open_case_counts_to_the_end_of_the_period_and_late_work_by_then() {
        let year = Period::financial_year(2025).expect("year");
        let mut open = case(date(2025, 1, 1), None, 1, &[(date(2025, 1, 1), "received")]);
        open.first_unfiled_due = Some(days(open.received_on, date(2026, 3, 31)));
        assert!(open.considered(&year));
        assert!(open.delayed(&LongRunningThresholds::default(), &year));
        assert!(
            !open.late_work(&year),
            "due on the last day is not yet late"
        );
        open.first_unfiled_due = Some(days(open.received_on, date(2026, 3, 30)));
        assert!(open.late_work(&year));
        assert_eq!(
            open.stage_days(&year).collect::<Vec<_>>(),
            [("received", 454)],
            "1 January 2025 to 31 March 2026"
        );
        let closed_before = case(date(2024, 1, 1), Some(date(2025, 3, 31)), 1, &[]);
        assert!(!closed_before.considered(&year));
    }

    #[test]
    fn a_case_is_seen_through_its_facts() {
        let facts = CaseFacts {
            law_type: LawType::Public,
            care_proceedings: true,
            pathway: "public-law".into(),
            received_on: date(2025, 4, 1),
            issued_on: Some(date(2025, 4, 2)),
            court_id: 7,
            local_authority_id: Some(3),
            holders: vec![(date(2025, 4, 1), 1), (date(2025, 6, 1), 2)],
            closures: Vec::new(),
            children_first_met: Vec::new(),
            applications: Vec::new(),
            allocations: vec![
                (date(2025, 4, 20), Some(date(2025, 6, 1))),
                (date(2025, 6, 3), None),
            ],
            work: vec![
                (date(2025, 5, 1), Some(date(2025, 5, 2))),
                (date(2025, 9, 1), None),
                (date(2025, 8, 1), None),
            ],
            first_hearing: None,
            stages: vec![
                (date(2025, 4, 3), "received".into()),
                (date(2025, 4, 20), "guardian-allocated".into()),
                // A transfer: the case stays where it was.
                (date(2025, 6, 1), "guardian-allocated".into()),
            ],
            adjournments: 1,
        };
        let case = DelayCase::of(&facts).expect("known pathway");
        assert_eq!(
            case.stages,
            [(0, "received"), (19, "guardian-allocated")],
            "the first entered on receipt; staying put starts nothing"
        );
        assert_eq!(case.first_allocated, Some(19));
        assert_eq!(case.day(19), Some(date(2025, 4, 20)));
        assert!(case.filed_late);
        assert_eq!(case.first_unfiled_due, Some(122), "1 August");
        assert_eq!(case.first_closed_on(), None);
        assert_eq!(
            (case.team_id, case.court_id),
            (2, 7),
            "the team holding it now"
        );
        let mut unknown = facts.clone();
        unknown
            .stages
            .push((date(2025, 5, 1), "section-7-report".into()));
        assert!(DelayCase::of(&unknown).is_err());
        unknown.pathway = "nowhere".into();
        assert!(DelayCase::of(&unknown).is_err());
    }

    #[test]
    fn a_case_is_counted_in_the_part_of_the_scope_it_is_in_and_its_partners() {
        let tree = ScopeTree {
            regions: [(100, "North".to_owned())].into(),
            areas: [(10, ("Tyne".to_owned(), 100))].into(),
            teams: [(1, ("Tyne 1".to_owned(), 10))].into(),
            courts: [(5, ("Newcastle".to_owned(), 7))].into(),
            dfj_areas: [(7, "Newcastle".to_owned())].into(),
            local_authorities: [(3, "Gateshead".to_owned())].into(),
        };
        let mut c = case(date(2025, 4, 1), None, 5, &[]);
        c.local_authority_id = Some(3);
        let partners = [Scope::Court(5), Scope::DfjArea(7), Scope::LocalAuthority(3)];
        for (scope, part) in [
            (Scope::National, Some(Scope::Region(100))),
            (Scope::Region(100), Some(Scope::ServiceArea(10))),
            (Scope::ServiceArea(10), Some(Scope::Team(1))),
            (Scope::Team(1), None),
            (Scope::Court(5), None),
        ] {
            let mut places = Vec::new();
            c.places(&tree, scope, &mut places);
            let expected: Vec<Place> = part.into_iter().chain(partners).collect();
            assert_eq!(places, expected, "{scope:?}");
        }
    }

    #[test]
    fn adjournments_are_recognised_whatever_the_case() {
        assert!(is_adjournment("Adjourned for a further report"));
        assert!(is_adjournment("ADJOURNMENT: no interpreter"));
        assert!(!is_adjournment("Final order made"));
    }

    proptest! {
        #[test]
        fn day_numbers_count_calendar_days(a in 0_i32..200_000, b in 0_i32..200_000) {
            let epoch = date(1900, 1, 1);
            let at = |n: i32| epoch.checked_add(jiff::Span::new().days(n)).expect("date");
            prop_assert_eq!(days(at(a), at(b)), (at(b) - at(a)).get_days());
            prop_assert_eq!(day_number(date(1970, 1, 1)), 0);
        }

        #[test]
        fn the_quick_median_is_the_ministrys(mut values in proptest::collection::vec(0_i64..2_000, 0..200)) {
            let expected = Durations::from_days(&values).fcsq_median_days();
            prop_assert_eq!(fcsq_median(&mut values), expected);
        }
    }
}
