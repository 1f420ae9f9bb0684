//! Drivers of delay: for the cases that ran past their threshold (26 weeks
//! in public law, 52 in private, by default), where the time went: each
//! stage of their pathway against the median for all its cases, the wait
//! for allocation, adjournments and late filings; and which parts of the
//! service, courts and local authorities have most of them.
//!
//! Storage keeps a [`DelayCase`] for every case, worked out from its facts
//! in the same transaction as each change, so the analysis reads one short
//! row a case instead of every case's history. A national year is a hundred
//! thousand of them, so the tally takes them one at a time, without
//! allocating for each, and can be shared out and merged.

use crate::casework::{LawType, PATHWAYS, Pathway, pathway};
use crate::clocks::LongRunningThresholds;
use crate::measures::{Period, ScopeTree};
use crate::rollups::{CaseFacts, Scope};
use jiff::civil::Date;
use std::collections::{BTreeMap, HashMap};

/// Where a case is: the team holding it now, its court and its local
/// authority. The places an analysis counts a case in depend on these alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Location {
    pub team_id: i64,
    pub court_id: i64,
    pub local_authority_id: Option<i64>,
}

impl Location {
    /// The places a case here is counted in for an analysis of `scope`: the
    /// part of the scope it is in (its region of the service, its area of a
    /// region, its team of an area), then its court, DFJ area and local
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
}

/// What the delay analysis needs to know of one case. Dates after receipt
/// are kept as days after it: the analysis works in days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayCase {
    pub law_type: LawType,
    pub pathway: &'static Pathway,
    /// Its receipt, as a [`day_number`].
    pub received: i32,
    /// Its first closure, in days after receipt.
    pub first_closed: Option<i32>,
    /// The stages the case entered, by their place in its pathway, with
    /// the day, in order; the first is its stage on receipt, entered on
    /// day 0.
    pub stages: Vec<(i32, usize)>,
    pub first_allocated: Option<i32>,
    pub adjournments: usize,
    /// Some of its work was filed after its due date.
    pub filed_late: bool,
    /// The earliest due date of its work not yet filed.
    pub first_unfiled_due: Option<i32>,
    pub location: Location,
}

/// Whether a hearing's recorded outcome says it was adjourned. Storage
/// counts a case's adjournments with the same rule in SQL (`LOWER(outcome)
/// LIKE '%adjourn%'`); `tandem rollups verify` checks that the two agree.
pub fn is_adjournment(outcome: &str) -> bool {
    outcome.to_lowercase().contains("adjourn")
}

/// Days since 1 January 1970: date arithmetic a national analysis does a
/// few hundred thousand times, cheaper than a calendar span (Howard
/// Hinnant's `days_from_civil`).
pub fn day_number(date: Date) -> i32 {
    let (month, day) = (i32::from(date.month()), i32::from(date.day()));
    // Years counted from March, so that a leap day ends its year.
    let year = i32::from(date.year()) - i32::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The day numbers of the first and last dates jiff can hold.
pub const DAYS: std::ops::RangeInclusive<i32> = -4_371_587..=2_932_896;

/// The date of a [`day_number`], if it is one jiff can hold: the inverse,
/// as cheap (Hinnant's `civil_from_days`).
pub fn date_of_day(number: i32) -> Option<Date> {
    let z = number.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i32::from(month <= 2);
    Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()
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

    fn after(self, received: i32) -> Self {
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
        let received = day_number(facts.received_on);
        let after = |on: Date| day_number(on) - received;
        let mut stages: Vec<(i32, usize)> = Vec::with_capacity(facts.stages.len());
        for (on, code) in &facts.stages {
            let place = pathway
                .stages
                .iter()
                .position(|s| s.code == code)
                .ok_or_else(|| format!("The {} pathway has no stage {code}", pathway.code))?;
            // Events that leave the case where it was (a transfer names its
            // stage too) do not start the stage again. The first stage is
            // entered on receipt, whenever it was recorded.
            if stages.last().is_none_or(|(_, last)| *last != place) {
                stages.push((if stages.is_empty() { 0 } else { after(*on) }, place));
            }
        }
        Ok(Self {
            law_type: facts.law_type,
            pathway,
            received,
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
            location: Location {
                team_id: facts.holders.last().map_or(0, |(_, team)| *team),
                court_id: facts.court_id,
                local_authority_id: facts.local_authority_id,
            },
        })
    }

    pub fn received_on(&self) -> Option<Date> {
        date_of_day(self.received)
    }

    /// The day `days` after receipt.
    pub fn day(&self, days: i32) -> Option<Date> {
        date_of_day(self.received.checked_add(days)?)
    }

    pub fn first_closed_on(&self) -> Option<Date> {
        self.first_closed.and_then(|d| self.day(d))
    }

    /// The stages it entered, by code, with the day.
    pub fn stage_codes(&self) -> impl Iterator<Item = (i32, &'static str)> + '_ {
        self.stages
            .iter()
            .filter_map(|(day, place)| Some((*day, self.pathway.stages.get(*place)?.code)))
    }

    /// The day the analysis stops counting: its first closure, or the end
    /// of the period for a case still open then.
    fn end(&self, window: Window) -> i32 {
        self.first_closed
            .filter(|c| *c <= window.last)
            .unwrap_or(window.last)
    }

    /// In the analysis: first closed in the period, or open at its end.
    fn considered_in(&self, window: Window) -> bool {
        window.last >= 0 && self.first_closed.is_none_or(|c| c >= window.first)
    }

    /// Past its threshold by its first closure or, if open, the period's end.
    fn delayed_in(&self, thresholds: &LongRunningThresholds, window: Window) -> bool {
        thresholds
            .weeks(self.law_type)
            .is_some_and(|weeks| i64::from(self.end(window)) > weeks * 7)
    }

    /// Work filed after its due date, or still unfiled after it at the end
    /// of the period.
    fn late_work_in(&self, window: Window) -> bool {
        self.filed_late || self.first_unfiled_due.is_some_and(|due| due < window.last)
    }

    /// Days in each stage it entered (by its place in the pathway) until
    /// the end of the analysis.
    fn stage_days_in(&self, window: Window) -> impl Iterator<Item = (usize, u32)> + '_ {
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
                Some((*stage, u32::try_from(until - from).ok()?))
            })
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

/// One stage of one pathway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageName {
    pub pathway: &'static Pathway,
    /// The stage's label.
    pub stage: &'static str,
}

/// One stage: the median days spent in it by all the pathway's cases and
/// by its delayed ones.
#[derive(Debug, Clone, PartialEq)]
pub struct StageRow {
    pub stage: &'static str,
    pub all_median_days: Option<u32>,
    pub delayed_median_days: Option<u32>,
}

/// One pathway's cases, and the stages some of them spent time in, in
/// pathway order.
#[derive(Debug, Clone, PartialEq)]
pub struct PathwayRows {
    pub pathway: &'static Pathway,
    pub considered: usize,
    pub delayed: usize,
    pub stages: Vec<StageRow>,
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
    /// median for all the pathway's cases, and by how many days.
    pub worst_stage: Option<(StageName, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DelayReport {
    pub considered: usize,
    pub delayed: usize,
    /// The pathways with cases, in the case model's order: stages of
    /// different pathways are different steps, even where named alike.
    pub pathways: Vec<PathwayRows>,
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
pub fn fcsq_median<T: Ord + Copy>(values: &mut [T]) -> Option<T> {
    let k = values.len().checked_add(1)? / 2;
    let k = k.checked_sub(1)?;
    Some(*values.select_nth_unstable(k).1)
}

fn share(count: usize, of: usize) -> Option<f64> {
    (of > 0).then(|| count as f64 / of as f64 * 100.0)
}

/// The rows of a report: every pathway's stages but its last (closed: the
/// analysis stops at a case's first closure, so no time is spent there),
/// numbered one after another.
struct Rows {
    /// Each pathway's first row, by its place in [`PATHWAYS`], and after
    /// them the number of rows.
    first: [usize; PATHWAYS.len() + 1],
}

impl Rows {
    fn new() -> Self {
        let mut first = [0; PATHWAYS.len() + 1];
        for (i, pathway) in PATHWAYS.iter().enumerate() {
            first[i + 1] = first[i] + pathway.stages.len().saturating_sub(1);
        }
        Self { first }
    }

    fn count(&self) -> usize {
        self.first[PATHWAYS.len()]
    }

    /// The place of the case's pathway in [`PATHWAYS`]: compared by address
    /// first, since a case's pathway is one of them.
    fn pathway(case: &DelayCase) -> Option<usize> {
        PATHWAYS
            .iter()
            .position(|p| std::ptr::eq(*p, case.pathway))
            .or_else(|| PATHWAYS.iter().position(|p| p.code == case.pathway.code))
    }

    /// The row of the stage at `place` in the pathway numbered `pathway`.
    fn row(&self, pathway: usize, place: usize) -> Option<usize> {
        let row = self.first[pathway] + place;
        (row < self.first[pathway + 1]).then_some(row)
    }

    fn name(&self, row: usize) -> Option<StageName> {
        let pathway = self.first.iter().rposition(|first| *first <= row)?;
        let p = PATHWAYS.get(pathway)?;
        Some(StageName {
            pathway: p,
            stage: p.stages.get(row - self.first[pathway])?.label,
        })
    }
}

/// Days spent in each stage, a list a row: for a location's delayed cases,
/// few enough to list.
#[derive(Default)]
struct StageDays(Vec<Vec<u32>>);

impl StageDays {
    fn add(&mut self, row: usize, days: u32) {
        if self.0.len() <= row {
            self.0.resize_with(row + 1, Vec::new);
        }
        self.0[row].push(days);
    }

    fn merge(&mut self, other: StageDays) {
        for (row, days) in other.0.into_iter().enumerate() {
            if !days.is_empty() {
                if self.0.len() <= row {
                    self.0.resize_with(row + 1, Vec::new);
                }
                self.0[row].extend(days);
            }
        }
    }

    fn row(&self, row: usize) -> &[u32] {
        self.0.get(row).map_or(&[], Vec::as_slice)
    }
}

/// How many cases spent each number of days in each stage: for all cases,
/// too many to list. Adding is a count, and a median a walk along them.
#[derive(Default)]
struct DayCounts(Vec<Vec<u32>>);

impl DayCounts {
    fn add(&mut self, row: usize, days: u32) {
        if self.0.len() <= row {
            self.0.resize_with(row + 1, Vec::new);
        }
        let counts = &mut self.0[row];
        let at = days as usize;
        if counts.len() <= at {
            counts.resize(at + 1, 0);
        }
        counts[at] += 1;
    }

    fn merge(&mut self, other: DayCounts) {
        for (row, counts) in other.0.into_iter().enumerate() {
            for (days, count) in counts.into_iter().enumerate() {
                if count > 0 {
                    if self.0.len() <= row {
                        self.0.resize_with(row + 1, Vec::new);
                    }
                    let mine = &mut self.0[row];
                    if mine.len() <= days {
                        mine.resize(days + 1, 0);
                    }
                    mine[days] += count;
                }
            }
        }
    }

    /// Each row's median, by the Ministry's rule (see [`fcsq_median`]).
    fn medians(&self, rows: usize) -> Vec<Option<u32>> {
        (0..rows)
            .map(|row| {
                let counts = self.0.get(row)?;
                let total: u64 = counts.iter().map(|c| u64::from(*c)).sum();
                // The ((n + 1) / 2)th smallest.
                let wanted = total.checked_add(1)? / 2;
                let mut seen = 0_u64;
                counts
                    .iter()
                    .position(|c| {
                        seen += u64::from(*c);
                        wanted > 0 && seen >= wanted
                    })
                    .and_then(|d| u32::try_from(d).ok())
            })
            .collect()
    }
}

/// The tallies for one group of cases.
#[derive(Default)]
struct Tally {
    cases: usize,
    adjourned: usize,
    late_work: usize,
    waits: Vec<i32>,
    stages: DayCounts,
}

impl Tally {
    fn add(&mut self, case: &DelayCase, spent: &[(usize, u32)], late_work: bool) {
        self.cases += 1;
        self.adjourned += usize::from(case.adjournments > 0);
        self.late_work += usize::from(late_work);
        if let Some(allocated) = case.first_allocated {
            self.waits.push(allocated);
        }
        for (row, d) in spent {
            self.stages.add(*row, *d);
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

/// The cases at one location, and the days its delayed ones spent in each
/// stage. A case counts in several places (a region, a court, a local
/// authority); kept by location, it is tallied once and its places are
/// summed at the end from the few thousand locations.
#[derive(Default)]
struct LocationTally {
    considered: usize,
    delayed: usize,
    stages: StageDays,
}

impl LocationTally {
    fn merge(&mut self, other: LocationTally) {
        self.considered += other.considered;
        self.delayed += other.delayed;
        self.stages.merge(other.stages);
    }
}

/// The analysis of some of the cases, to be merged with the rest: the work
/// of a report can be shared out.
pub struct DelayTally {
    thresholds: LongRunningThresholds,
    window: Window,
    rows: Rows,
    all: Tally,
    delayed: Tally,
    /// Cases and delayed cases by pathway (its place in [`PATHWAYS`]).
    by_pathway: [(usize, usize); PATHWAYS.len()],
    locations: HashMap<Location, LocationTally, foldhash::fast::FixedState>,
    spent: Vec<(usize, u32)>,
}

impl DelayTally {
    pub fn new(thresholds: &LongRunningThresholds, period: &Period) -> Self {
        Self {
            thresholds: *thresholds,
            window: Window::of(period),
            rows: Rows::new(),
            all: Tally::default(),
            delayed: Tally::default(),
            by_pathway: [(0, 0); PATHWAYS.len()],
            locations: HashMap::default(),
            spent: Vec::new(),
        }
    }

    /// Tallies `cases`.
    pub fn of(cases: &[DelayCase], thresholds: &LongRunningThresholds, period: &Period) -> Self {
        let mut tally = Self::new(thresholds, period);
        for case in cases {
            tally.add(case);
        }
        tally
    }

    /// Adds the case, if the analysis considers it.
    pub fn add(&mut self, case: &DelayCase) {
        let window = self.window.after(case.received);
        if !case.considered_in(window) {
            return;
        }
        let is_delayed = case.delayed_in(&self.thresholds, window);
        let late_work = case.late_work_in(window);
        self.spent.clear();
        if let Some(p) = Rows::pathway(case) {
            let rows = &self.rows;
            self.spent.extend(
                case.stage_days_in(window)
                    .filter_map(|(place, d)| Some((rows.row(p, place)?, d))),
            );
            let counts = &mut self.by_pathway[p];
            counts.0 += 1;
            counts.1 += usize::from(is_delayed);
        }
        self.all.add(case, &self.spent, late_work);
        let at = self.locations.entry(case.location).or_default();
        at.considered += 1;
        if is_delayed {
            self.delayed.add(case, &self.spent, late_work);
            at.delayed += 1;
            for (row, d) in &self.spent {
                at.stages.add(*row, *d);
            }
        }
    }

    /// Adds another part's tally to this one.
    pub fn merge(&mut self, other: DelayTally) {
        self.all.merge(other.all);
        self.delayed.merge(other.delayed);
        for (mine, theirs) in self.by_pathway.iter_mut().zip(other.by_pathway) {
            mine.0 += theirs.0;
            mine.1 += theirs.1;
        }
        for (location, theirs) in other.locations {
            self.locations.entry(location).or_default().merge(theirs);
        }
    }

    /// The report the tally gives; `places` names the places a case at a
    /// location is counted in, into the list it is given.
    pub fn report(self, places: impl Fn(&Location, &mut Vec<Place>)) -> DelayReport {
        let Self {
            rows,
            mut all,
            mut delayed,
            by_pathway,
            locations,
            ..
        } = self;
        let count = rows.count();
        let all_medians = all.stages.medians(count);
        let delayed_medians = delayed.stages.medians(count);
        let mut located: BTreeMap<Place, Vec<&LocationTally>> = BTreeMap::new();
        let mut found = Vec::new();
        for (location, tally) in &locations {
            found.clear();
            places(location, &mut found);
            for place in &found {
                located.entry(*place).or_default().push(tally);
            }
        }
        let mut days = Vec::new();
        let places = located
            .into_iter()
            .map(|(place, tallies)| {
                // The first row, in pathway order, of those furthest over.
                let mut worst_stage: Option<(StageName, u32)> = None;
                for (row, all_median) in all_medians.iter().enumerate() {
                    days.clear();
                    for tally in &tallies {
                        days.extend_from_slice(tally.stages.row(row));
                    }
                    let Some(median) = fcsq_median(&mut days) else {
                        continue;
                    };
                    let excess = median.saturating_sub(all_median.unwrap_or(0));
                    if excess > worst_stage.map_or(0, |w| w.1) {
                        worst_stage = rows.name(row).map(|name| (name, excess)).or(worst_stage);
                    }
                }
                PlaceRow {
                    place,
                    considered: tallies.iter().map(|t| t.considered).sum(),
                    delayed: tallies.iter().map(|t| t.delayed).sum(),
                    worst_stage,
                }
            })
            .collect();
        let pathways = PATHWAYS
            .iter()
            .zip(by_pathway)
            .enumerate()
            .filter(|(_, (_, (considered, _)))| *considered > 0)
            .map(|(p, (pathway, (considered, late)))| PathwayRows {
                pathway,
                considered,
                delayed: late,
                // Only the stages some case spent time in.
                stages: (rows.first[p]..rows.first[p + 1])
                    .filter(|i| all_medians[*i].is_some())
                    .filter_map(|i| {
                        Some(StageRow {
                            stage: rows.name(i)?.stage,
                            all_median_days: all_medians[i],
                            delayed_median_days: delayed_medians[i],
                        })
                    })
                    .collect(),
            })
            .collect();
        let wait = |waits: &mut Vec<i32>| fcsq_median(waits).map(f64::from);
        DelayReport {
            considered: all.cases,
            delayed: delayed.cases,
            pathways,
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
/// at a location is counted in, into the list it is given.
pub fn report(
    cases: &[DelayCase],
    thresholds: &LongRunningThresholds,
    period: &Period,
    places: impl Fn(&Location, &mut Vec<Place>),
) -> DelayReport {
    DelayTally::of(cases, thresholds, period).report(places)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::casework::PUBLIC_LAW;
    use crate::measures::Durations;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn days(from: Date, to: Date) -> i32 {
        day_number(to) - day_number(from)
    }

    fn window(case: &DelayCase, period: &Period) -> Window {
        Window::of(period).after(case.received)
    }

    fn case(
        received: Date,
        closed: Option<Date>,
        court: i64,
        stages: &[(Date, &'static str)],
    ) -> DelayCase {
        DelayCase {
            law_type: LawType::Public,
            pathway: &PUBLIC_LAW,
            received: day_number(received),
            first_closed: closed.map(|c| days(received, c)),
            stages: stages
                .iter()
                .map(|(on, s)| (days(received, *on), place_of(s)))
                .collect(),
            first_allocated: Some(0),
            adjournments: 0,
            filed_late: false,
            first_unfiled_due: None,
            location: Location {
                team_id: 1,
                court_id: court,
                local_authority_id: None,
            },
        }
    }

    fn place_of(code: &str) -> usize {
        PUBLIC_LAW
            .stages
            .iter()
            .position(|s| s.code == code)
            .expect("a public law stage")
    }

    fn by_court(location: &Location, places: &mut Vec<Place>) {
        places.push(Scope::Court(location.court_id));
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
        assert_eq!(r.pathways.len(), 1, "only pathways with cases");
        let public = &r.pathways[0];
        assert_eq!((public.considered, public.delayed), (2, 1));
        let stages = &public.stages;
        assert_eq!(stages[0].stage, "Received");
        assert_eq!(stages[0].all_median_days, Some(30));
        assert_eq!(stages[1].stage, "Final hearing");
        assert_eq!(
            stages[1].all_median_days,
            Some(92),
            "lower middle of 92 and 270"
        );
        assert_eq!(stages[1].delayed_median_days, Some(270));
        assert_eq!(stages.len(), 2, "no row for closed, where no time is spent");
        assert_eq!(r.adjourned.delayed, Some(100.0));
        assert_eq!(r.adjourned.all, Some(50.0));
        let court = |id| {
            r.places
                .iter()
                .find(|p| p.place == Scope::Court(id))
                .expect("place")
        };
        assert_eq!(court(2).delayed, 1);
        let final_hearing = StageName {
            pathway: &PUBLIC_LAW,
            stage: "Final hearing",
        };
        assert_eq!(court(2).worst_stage, Some((final_hearing, 178)));
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
            let mut parts = DelayTally::of(a, &thresholds, &year);
            parts.merge(DelayTally::of(b, &thresholds, &year));
            assert_eq!(parts.report(by_court), whole, "split at {split}");
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
        let stages: Vec<&str> = r.pathways[0].stages.iter().map(|s| s.stage).collect();
        assert_eq!(stages, ["Received", "Case analysis", "Final hearing"]);
    }

    #[test]
    fn pathways_are_reported_apart_even_where_their_stages_share_a_name() {
        let year = Period::financial_year(2025).expect("year");
        let public = case(
            date(2025, 4, 1),
            Some(date(2025, 6, 30)),
            1,
            &[
                (date(2025, 4, 1), "received"),
                (date(2025, 5, 1), "final-hearing"),
            ],
        );
        let mut private = public.clone();
        private.law_type = LawType::Private;
        private.pathway = &crate::casework::PRIVATE_LAW;
        let place = |code| {
            private
                .pathway
                .stages
                .iter()
                .position(|s| s.code == code)
                .expect("a private law stage")
        };
        private.stages = vec![(0, place("intake")), (10, place("final-hearing"))];
        let r = report(
            &[public, private],
            &LongRunningThresholds::default(),
            &year,
            by_court,
        );
        type Medians = Vec<(&'static str, Option<u32>)>;
        let rows: Vec<(&str, Medians)> = r
            .pathways
            .iter()
            .map(|p| {
                let stages = p.stages.iter().map(|s| (s.stage, s.all_median_days));
                (p.pathway.code, stages.collect())
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "private-law",
                    vec![
                        ("Intake and screening", Some(10)),
                        ("Final hearing", Some(80))
                    ]
                ),
                (
                    "public-law",
                    vec![("Received", Some(30)), ("Final hearing", Some(60))]
                ),
            ]
        );
    }

    #[test]
    fn an_open_case_counts_to_the_end_of_the_period_and_late_work_by_then() {
        let year = Period::financial_year(2025).expect("year");
        let mut open = case(date(2025, 1, 1), None, 1, &[(date(2025, 1, 1), "received")]);
        open.first_unfiled_due = Some(days(date(2025, 1, 1), date(2026, 3, 31)));
        let w = window(&open, &year);
        assert!(open.considered_in(w));
        assert!(open.delayed_in(&LongRunningThresholds::default(), w));
        assert!(!open.late_work_in(w), "due on the last day is not yet late");
        open.first_unfiled_due = Some(days(date(2025, 1, 1), date(2026, 3, 30)));
        assert!(open.late_work_in(w));
        assert_eq!(
            open.stage_days_in(w).collect::<Vec<_>>(),
            [(place_of("received"), 454)],
            "1 January 2025 to 31 March 2026"
        );
        let closed_before = case(date(2024, 1, 1), Some(date(2025, 3, 31)), 1, &[]);
        assert!(!closed_before.considered_in(window(&closed_before, &year)));
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
            case.stage_codes().collect::<Vec<_>>(),
            [(0, "received"), (19, "guardian-allocated")],
            "the first entered on receipt; staying put starts nothing"
        );
        assert_eq!(case.stages, [(0, 0), (19, 1)], "by place in the pathway");
        assert_eq!(case.first_allocated, Some(19));
        assert_eq!(case.day(19), Some(date(2025, 4, 20)));
        assert!(case.filed_late);
        assert_eq!(case.first_unfiled_due, Some(122), "1 August");
        assert_eq!(case.first_closed_on(), None);
        assert_eq!(
            case.location,
            Location {
                team_id: 2,
                court_id: 7,
                local_authority_id: Some(3)
            },
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
        c.location.local_authority_id = Some(3);
        let partners = [Scope::Court(5), Scope::DfjArea(7), Scope::LocalAuthority(3)];
        for (scope, part) in [
            (Scope::National, Some(Scope::Region(100))),
            (Scope::Region(100), Some(Scope::ServiceArea(10))),
            (Scope::ServiceArea(10), Some(Scope::Team(1))),
            (Scope::Team(1), None),
            (Scope::Court(5), None),
        ] {
            let mut places = Vec::new();
            c.location.places(&tree, scope, &mut places);
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
            prop_assert_eq!(date_of_day(day_number(at(a))), Some(at(a)));
            prop_assert_eq!(date_of_day(-a - 5_000_000), None, "before jiff's first year");
            prop_assert_eq!(DAYS, day_number(Date::MIN)..=day_number(Date::MAX));
        }

        #[test]
        fn counted_days_give_the_median_of_the_list(
            values in proptest::collection::vec(0_u32..400, 0..200),
            split in 0_usize..200,
        ) {
            let (mut first, mut second) = (DayCounts::default(), DayCounts::default());
            for (i, v) in values.iter().enumerate() {
                if i < split { first.add(3, *v) } else { second.add(3, *v) }
            }
            first.merge(second);
            let mut listed = values.clone();
            prop_assert_eq!(first.medians(5), vec![None, None, None, fcsq_median(&mut listed), None]);
        }

        #[test]
        fn the_quick_median_is_the_ministrys(mut values in proptest::collection::vec(0_i32..2_000, 0..200)) {
            let days: Vec<i64> = values.iter().map(|d| i64::from(*d)).collect();
            let expected = Durations::from_days(&days).fcsq_median_days();
            prop_assert_eq!(fcsq_median(&mut values).map(i64::from), expected);
        }
    }
}
