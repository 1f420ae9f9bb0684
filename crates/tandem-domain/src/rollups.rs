//! What one case contributes to the published measures, as counts in
//! cells: (component, scope, law type, month, bucket) → count.
//!
//! Storage keeps the sum of every case's cells and changes it in the same
//! transaction as each change to a case, by taking away the case's cells as
//! they were and adding them as they are now. Because a case's cells are a
//! pure function of its facts, the stored sums can always be checked against
//! a recomputation from the raw records (`tandem rollups verify`).
//!
//! Three shapes of component:
//! - *flows* count something once, in the month it happened (a case received);
//! - *changes* record +n when a state starts and −n when it ends, so the
//!   running total to the end of a month is the state at that month's end
//!   (cases open). A state that starts and ends within one month nets to 0;
//! - *histograms* count durations in days, one bucket a day, so medians come
//!   out exact, by the Ministry of Justice's rule.

use crate::calendar::WorkingCalendar;
use crate::casework::LawType;
use crate::choice;
use crate::clocks::LongRunningThresholds;
use jiff::ToSpan;
use jiff::civil::Date;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

choice::choice!(
    /// One ingredient of the measures.
    Component, "measure component", {
        Received => ("received", "Cases received"),
        ReceivedChildren => ("received-children", "Children in cases received"),
        Open => ("open", "Change in open cases"),
        OpenChildren => ("open-children", "Change in children in open cases"),
        LongRunning => ("long-running", "Change in open cases past the long-running threshold"),
        AllocatedOpen => ("allocated-open", "Change in open cases with an allocated worker"),
        AllocationWait => ("allocation-wait", "Working days from receipt to first allocation"),
        CareDuration => ("care-duration", "Days from issue to final order, care and supervision"),
        CareDurationSpans => ("care-duration-13-weeks", "Care and supervision durations, by 13 weeks"),
        CareDurationWeeks => ("care-duration-weeks", "Care and supervision durations, by week"),
        CareDurationTotals => ("care-duration-totals", "Care and supervision durations, summed"),
        FinalOrder => ("final-order", "Days from issue to final order, private law (Table 9)"),
        FinalOrderSpans => ("final-order-13-weeks", "Private law times to final order, by 13 weeks"),
        FinalOrderWeeks => ("final-order-weeks", "Private law times to final order, by week"),
        FinalOrderTotals => ("final-order-totals", "Private law times to final order, summed"),
        FirstDisposal => ("first-disposal", "Days to first disposal per child and order (Table 10)"),
        FirstDisposalSpans => ("first-disposal-13-weeks", "Times to first disposal, by 13 weeks"),
        FirstDisposalWeeks => ("first-disposal-weeks", "Times to first disposal, by week"),
        FirstDisposalTotals => ("first-disposal-totals", "Times to first disposal, summed"),
        WorkDue => ("work-due", "Work due, by whether it was filed on time"),
        FirstHearingChildren => ("first-hearing-children", "Children at a first hearing, by whether they had been seen"),
        WorkedWith => ("worked-with", "Children in cases open in the financial year"),
        WorkedWithOngoing => ("worked-with-ongoing", "Change in children in cases open in every later financial year"),
    }
);

impl Component {
    /// Whether the component records changes to a level (summed to date).
    pub fn is_change(self) -> bool {
        matches!(
            self,
            Self::Open
                | Self::OpenChildren
                | Self::LongRunning
                | Self::AllocatedOpen
                | Self::WorkedWithOngoing
        )
    }

    /// For a histogram of durations by day, the same durations by 13 weeks
    /// and by week, and their sums. A national series spans tens of
    /// thousands of day buckets; a median reads the 13-week spans, then the
    /// weeks of one span, then the days of one week.
    pub fn duration_forms(self) -> Option<DurationForms> {
        let forms = |spans, weeks, totals| DurationForms {
            spans,
            weeks,
            totals,
        };
        match self {
            Self::CareDuration => Some(forms(
                Self::CareDurationSpans,
                Self::CareDurationWeeks,
                Self::CareDurationTotals,
            )),
            Self::FinalOrder => Some(forms(
                Self::FinalOrderSpans,
                Self::FinalOrderWeeks,
                Self::FinalOrderTotals,
            )),
            Self::FirstDisposal => Some(forms(
                Self::FirstDisposalSpans,
                Self::FirstDisposalWeeks,
                Self::FirstDisposalTotals,
            )),
            _ => None,
        }
    }

    /// For any form of a duration, the durations by day.
    pub fn duration_days(self) -> Option<Self> {
        use Component::*;
        match self {
            CareDuration | CareDurationSpans | CareDurationWeeks | CareDurationTotals => {
                Some(CareDuration)
            }
            FinalOrder | FinalOrderSpans | FinalOrderWeeks | FinalOrderTotals => Some(FinalOrder),
            FirstDisposal | FirstDisposalSpans | FirstDisposalWeeks | FirstDisposalTotals => {
                Some(FirstDisposal)
            }
            _ => None,
        }
    }
}

/// The coarser forms of a duration histogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationForms {
    pub spans: Component,
    pub weeks: Component,
    pub totals: Component,
}

/// Durations by week: week `w` holds the days `7w − 6` to `7w`, so that
/// "within 26 weeks" (182 days or fewer) is weeks 0 to 26 exactly.
pub mod week {
    pub fn of(days: i64) -> i64 {
        (days + 6).div_euclid(7)
    }

    /// The days week `w` holds, first and last.
    pub fn days(w: i64) -> (i64, i64) {
        ((7 * w - 6).max(0), 7 * w)
    }
}

/// Durations by 13 weeks: span `s` holds the weeks `13s − 12` to `13s`, so
/// that 26 and 52 weeks are whole spans.
pub mod span {
    pub fn of(week: i64) -> i64 {
        (week + 12).div_euclid(13)
    }

    /// The weeks span `s` holds, first and last.
    pub fn weeks(s: i64) -> (i64, i64) {
        ((13 * s - 12).max(0), 13 * s)
    }
}

/// The buckets of a duration's sums.
pub mod total {
    /// The sum of the durations in days.
    pub const DAYS: i64 = 0;
    /// The sum of the durations in whole weeks (days ÷ 7, truncated).
    pub const WHOLE_WEEKS: i64 = 1;
}

/// Allocation-wait buckets beyond the working-day counts.
pub mod wait {
    /// Not allocated yet.
    pub const NOT_ALLOCATED: i64 = -1;
    /// The working days could not be counted: the bank holiday list does not
    /// cover the dates. Left out of the measure rather than guessed.
    pub const UNCOUNTABLE: i64 = -2;
    /// Waits longer than this are counted together in the bucket after it.
    pub const LONGEST: i64 = 60;
}

/// Work-due and first-hearing buckets.
pub const MISSED: i64 = 0;
pub const MET: i64 = 1;

/// Where a number is counted: the whole service, or one part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    National,
    Region(i64),
    ServiceArea(i64),
    Team(i64),
    Court(i64),
    /// A Designated Family Judge area: the courts a family judge leads.
    DfjArea(i64),
    LocalAuthority(i64),
}

impl Scope {
    /// As stored and as written in URLs: `national`, `region-3`, `team-12`.
    pub fn key(&self) -> String {
        match self {
            Self::National => "national".into(),
            Self::Region(id) => format!("region-{id}"),
            Self::ServiceArea(id) => format!("service-area-{id}"),
            Self::Team(id) => format!("team-{id}"),
            Self::Court(id) => format!("court-{id}"),
            Self::DfjArea(id) => format!("dfj-area-{id}"),
            Self::LocalAuthority(id) => format!("local-authority-{id}"),
        }
    }

    pub fn parse(key: &str) -> Result<Self, String> {
        let key = key.trim();
        if key.is_empty() || key == "national" {
            return Ok(Self::National);
        }
        let bad = || {
            format!(
                "Scope must be national, or region-, service-area-, team-, court-, dfj-area- or local-authority- followed by an id, not {key:?}"
            )
        };
        let (kind, id) = key.rsplit_once('-').ok_or_else(bad)?;
        let id: i64 = id.parse().map_err(|_| bad())?;
        if id <= 0 {
            return Err(bad());
        }
        Ok(match kind {
            "region" => Self::Region(id),
            "service-area" => Self::ServiceArea(id),
            "team" => Self::Team(id),
            "court" => Self::Court(id),
            "dfj-area" => Self::DfjArea(id),
            "local-authority" => Self::LocalAuthority(id),
            _ => return Err(bad()),
        })
    }
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    pub year: i16,
    pub month: i8,
}

impl Month {
    /// The month after this one.
    pub fn next(self) -> Self {
        if self.month >= 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The month before this one.
    pub fn previous(self) -> Self {
        if self.month <= 1 {
            Self {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Self {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    pub fn of(date: Date) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// April of the financial year `date` falls in.
    pub fn financial_year_of(date: Date) -> Self {
        let year = if date.month() >= 4 {
            date.year()
        } else {
            date.year() - 1
        };
        Self { year, month: 4 }
    }

    pub fn first_day(self) -> Option<Date> {
        Date::new(self.year, self.month, 1).ok()
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("A month is written YYYY-MM, not {text:?}");
        let (y, m) = text.split_once('-').ok_or_else(bad)?;
        let month = Self {
            year: y.parse().map_err(|_| bad())?,
            month: m.parse().map_err(|_| bad())?,
        };
        month.first_day().ok_or_else(bad)?;
        Ok(month)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// One cell of the rollups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell {
    pub component: Component,
    pub scope: Scope,
    pub law_type: LawType,
    pub month: Month,
    pub bucket: i64,
}

/// Counts by cell; zero counts are never kept.
pub type Cells = BTreeMap<Cell, i64>;

/// Adds `count` to a cell, dropping it when it reaches zero.
pub fn add(cells: &mut Cells, cell: Cell, count: i64) {
    if count == 0 {
        return;
    }
    let entry = cells.entry(cell).or_insert(0);
    *entry += count;
    if *entry == 0 {
        cells.remove(&cell);
    }
}

/// What must change to turn `before` into `after`.
pub fn difference(before: &Cells, after: &Cells) -> Cells {
    let mut delta = after.clone();
    for (cell, count) in before {
        add(&mut delta, *cell, -count);
    }
    delta
}

/// A cell whose stored sum differs from a recomputation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discrepancy {
    pub cell: Cell,
    pub stored: i64,
    pub expected: i64,
}

/// Stored cells checked off, one at a time, against a recomputation: a
/// national check compares ten million, and need hold only one side.
pub struct CellCheck {
    expected: Cells,
    wrong: Vec<Discrepancy>,
}

impl CellCheck {
    /// `expected` holds no zero cells (see [`add`]).
    pub fn new(expected: Cells) -> Self {
        Self {
            expected,
            wrong: Vec::new(),
        }
    }

    /// Checks one stored cell, each at most once.
    pub fn stored(&mut self, cell: Cell, count: i64) {
        let expected = self.expected.remove(&cell).unwrap_or(0);
        if expected != count {
            self.wrong.push(Discrepancy {
                cell,
                stored: count,
                expected,
            });
        }
    }

    /// Every cell where the stored and expected sums disagree, in cell
    /// order: those checked off wrongly, and those expected but never
    /// stored.
    pub fn finish(self) -> Vec<Discrepancy> {
        let mut wrong = self.wrong;
        wrong.extend(
            self.expected
                .into_iter()
                .map(|(cell, expected)| Discrepancy {
                    cell,
                    stored: 0,
                    expected,
                }),
        );
        wrong.sort_by_key(|d| d.cell);
        wrong
    }
}

/// Where each team sits (its service area and region), and each court (its
/// Designated Family Judge area).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    pub teams: BTreeMap<i64, (i64, i64)>,
    pub courts: BTreeMap<i64, i64>,
}

/// The settings the cells depend on. When they change, every case's cells
/// must be worked out again.
#[derive(Debug, Clone)]
pub struct RollupRules {
    pub thresholds: LongRunningThresholds,
    pub calendar: WorkingCalendar,
}

/// A closure of the case, and its re-opening if there was one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closure {
    pub closed_on: Date,
    pub reopened_on: Option<Date>,
}

/// An application in the case, for Table 10.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationFacts {
    pub kind: String,
    pub received_on: Date,
    pub issued_on: Option<Date>,
}

/// Everything about a case that the measures and the delay analysis
/// ([`crate::delay`]) depend on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub law_type: LawType,
    /// The code of the pathway it follows.
    pub pathway: String,
    /// The lead application is for a care or supervision order (s31).
    pub care_proceedings: bool,
    pub received_on: Date,
    pub issued_on: Option<Date>,
    pub court_id: i64,
    pub local_authority_id: Option<i64>,
    /// Which team held the case from which date, in order; the first from receipt.
    pub holders: Vec<(Date, i64)>,
    /// Closures in order.
    pub closures: Vec<Closure>,
    /// Each child's first meeting with their adviser.
    pub children_first_met: Vec<Option<Date>>,
    pub applications: Vec<ApplicationFacts>,
    /// Allocations as (from, until).
    pub allocations: Vec<(Date, Option<Date>)>,
    /// Work owed to the court as (due, filed).
    pub work: Vec<(Date, Option<Date>)>,
    pub first_hearing: Option<Date>,
    /// The stages it entered (codes) and when, in order: closing is not a
    /// stage here, as it ends the count.
    pub stages: Vec<(Date, String)>,
    /// How many of its hearings were adjourned.
    pub adjournments: usize,
}

/// A span of days `[from, until)`; `until = None` is still going.
type Span = (Date, Option<Date>);

fn intersect(a: Span, b: Span) -> Option<Span> {
    let from = a.0.max(b.0);
    let until = match (a.1, b.1) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    };
    match until {
        Some(u) if u <= from => None,
        _ => Some((from, until)),
    }
}

impl CaseFacts {
    /// When the case was open: from receipt (or re-opening) to closure.
    pub fn open_spans(&self) -> Vec<Span> {
        let mut spans = Vec::new();
        let mut from = Some(self.received_on);
        for closure in &self.closures {
            if let Some(start) = from {
                spans.push((start, Some(closure.closed_on.max(start))));
            }
            from = closure.reopened_on;
        }
        if let Some(start) = from {
            spans.push((start, None));
        }
        spans
    }

    /// Which team held the case over which span.
    fn holdings(&self) -> Vec<(Span, i64)> {
        self.holders
            .iter()
            .enumerate()
            .map(|(i, (from, team))| {
                let until = self.holders.get(i + 1).map(|(next, _)| *next);
                ((*from, until), *team)
            })
            .collect()
    }

    /// The team holding the case on `date` (the first holder before receipt).
    pub fn holder_on(&self, date: Date) -> Option<i64> {
        self.holders
            .iter()
            .rev()
            .find(|(from, _)| *from <= date)
            .or(self.holders.first())
            .map(|(_, team)| *team)
    }

    pub fn first_closed_on(&self) -> Option<Date> {
        self.closures.first().map(|c| c.closed_on)
    }

    /// Reconciles the closures read from the case's history with whether the
    /// case is closed now (`closed_now`, since when): the case record is the
    /// word on its present state, the history on any earlier closures.
    pub fn settle_closures(&mut self, closed_now: Option<Date>) {
        match closed_now {
            Some(closed_on) => {
                let now = Closure {
                    closed_on,
                    reopened_on: None,
                };
                match self.closures.last_mut() {
                    Some(last) if last.reopened_on.is_none() => *last = now,
                    _ => self.closures.push(now),
                }
            }
            None => {
                if self
                    .closures
                    .last()
                    .is_some_and(|c| c.reopened_on.is_none())
                {
                    self.closures.pop();
                }
            }
        }
    }

    /// Notes one event of the case's log, in order: a stage entered, a
    /// closure or a re-opening, on the day it took effect.
    pub fn add_event(&mut self, kind: &str, to_stage: Option<&str>, on: Date) {
        if kind == "reopened" {
            if let Some(last) = self.closures.last_mut() {
                last.reopened_on = Some(on);
            }
        } else if kind == "moved" && to_stage == Some(crate::casework::CLOSED) {
            self.closures.push(Closure {
                closed_on: on,
                reopened_on: None,
            });
        }
        if let Some(stage) = to_stage.filter(|s| *s != crate::casework::CLOSED) {
            self.stages.push((on, stage.to_owned()));
        }
    }

    /// Records a hearing on `held_on` with its `outcome`: the first, if
    /// before every other, and an adjournment if it says so.
    pub fn add_hearing(&mut self, held_on: Date, outcome: &str) {
        if hearing_changes_cells(self.first_hearing, held_on) {
            self.first_hearing = Some(held_on);
        }
        if crate::delay::is_adjournment(outcome) {
            self.adjournments += 1;
        }
    }

    /// The date of issue: the earliest of the case's and its applications'.
    fn issue_date(&self) -> Date {
        self.applications
            .iter()
            .filter_map(|a| a.issued_on)
            .chain(self.issued_on)
            .min()
            .unwrap_or(self.received_on)
    }
}

/// Whether recording a hearing on `held_on` can change its case's cells:
/// only the case's first hearing counts, so only one before every other.
pub fn hearing_changes_cells(first_hearing: Option<Date>, held_on: Date) -> bool {
    first_hearing.is_none_or(|first| held_on < first)
}

/// Whether recording a hearing can change its case's facts: its cells (see
/// [`hearing_changes_cells`]) or, if it was adjourned, the delay analysis.
pub fn hearing_changes_facts(first_hearing: Option<Date>, held_on: Date, outcome: &str) -> bool {
    hearing_changes_cells(first_hearing, held_on) || crate::delay::is_adjournment(outcome)
}

fn days(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days())
}

/// The cells one case contributes.
pub fn case_cells(facts: &CaseFacts, places: &Places, rules: &RollupRules) -> Cells {
    let mut builder = Builder {
        facts,
        places,
        cells: Cells::new(),
        distinct: BTreeSet::new(),
    };
    let Some(first_team) = facts.holders.first().map(|(_, team)| *team) else {
        return Cells::new();
    };
    let children = i64::try_from(facts.children_first_met.len()).unwrap_or(0);
    let received = Month::of(facts.received_on);
    builder.flow(Component::Received, first_team, received, 0, 1);
    builder.flow(
        Component::ReceivedChildren,
        first_team,
        received,
        0,
        children,
    );

    let wait = match facts.allocations.iter().map(|(from, _)| *from).min() {
        None => wait::NOT_ALLOCATED,
        Some(first) => match rules
            .calendar
            .working_days_between(facts.received_on, first)
        {
            Ok(n) => n.clamp(0, wait::LONGEST + 1),
            Err(_) => wait::UNCOUNTABLE,
        },
    };
    builder.flow(Component::AllocationWait, first_team, received, wait, 1);

    // Levels: open, open past the threshold, open with a worker; each
    // counted in whichever team held the case at the time.
    // Past the threshold from the first day `day − receipt > 7N`.
    let long_running_from = rules
        .thresholds
        .weeks(facts.law_type)
        .and_then(|weeks| facts.received_on.checked_add((weeks * 7 + 1).days()).ok());
    let allocations = merged(&facts.allocations);
    for open in facts.open_spans() {
        for (held, team) in facts.holdings() {
            let Some(span) = intersect(open, held) else {
                continue;
            };
            builder.level(Component::Open, team, span, 1);
            builder.level(Component::OpenChildren, team, span, children);
            if let Some(from) = long_running_from
                && let Some(long) = intersect(span, (from, None))
            {
                builder.level(Component::LongRunning, team, long, 1);
            }
            for allocated in &allocations {
                if let Some(with_worker) = intersect(span, *allocated) {
                    builder.level(Component::AllocatedOpen, team, with_worker, 1);
                }
            }
        }
    }

    // Children worked with: once per financial year in which the case was
    // open for any day (the closing or transfer day included), in each scope
    // that held it, however often it moved. A case still open counts in its
    // first year and, as a level, in every year after.
    for (from, until) in facts.open_spans() {
        for ((held_from, held_until), team) in facts.holdings() {
            let start = from.max(held_from);
            let end = match (until, held_until) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, None) => a,
                (None, b) => b,
            };
            if end.is_some_and(|end| end < start) {
                continue;
            }
            let mut year = Month::financial_year_of(start);
            builder.distinct_flow(Component::WorkedWith, team, year, children);
            match end {
                Some(end) => {
                    while year < Month::financial_year_of(end) {
                        year.year += 1;
                        builder.distinct_flow(Component::WorkedWith, team, year, children);
                    }
                }
                None => {
                    year.year += 1;
                    builder.flow(Component::WorkedWithOngoing, team, year, 0, children);
                }
            }
        }
    }

    let first_close = facts.first_closed_on();
    let issued = facts.issue_date();
    if let Some(closed) = first_close {
        let team = facts.holder_on(closed).unwrap_or(first_team);
        let duration = days(issued, closed);
        if duration >= 0 {
            match facts.law_type {
                LawType::Public if facts.care_proceedings => {
                    builder.duration(
                        Component::CareDuration,
                        team,
                        Month::of(closed),
                        duration,
                        1,
                    );
                }
                LawType::Private => {
                    builder.duration(Component::FinalOrder, team, Month::of(closed), duration, 1);
                }
                _ => {}
            }
        }
    }
    if facts.law_type == LawType::Private {
        // Table 10: each child's first application of each order type, from
        // its receipt (or the case's issue, if earlier) to the first
        // disposal on or after that.
        let mut firsts: BTreeMap<&str, Date> = BTreeMap::new();
        for application in &facts.applications {
            let start = application.received_on.min(issued);
            firsts
                .entry(application.kind.as_str())
                .and_modify(|d| *d = (*d).min(start))
                .or_insert(start);
        }
        for start in firsts.values() {
            let disposal = facts
                .closures
                .iter()
                .map(|c| c.closed_on)
                .find(|closed| closed >= start);
            if let Some(disposal) = disposal {
                let team = facts.holder_on(disposal).unwrap_or(first_team);
                builder.duration(
                    Component::FirstDisposal,
                    team,
                    Month::of(disposal),
                    days(*start, disposal),
                    children,
                );
            }
        }
    }

    for (due, filed) in &facts.work {
        let on_time = if filed.is_some_and(|f| f <= *due) {
            MET
        } else {
            MISSED
        };
        let team = facts.holder_on(*due).unwrap_or(first_team);
        builder.flow(Component::WorkDue, team, Month::of(*due), on_time, 1);
    }

    if let Some(hearing) = facts.first_hearing {
        let team = facts.holder_on(hearing).unwrap_or(first_team);
        for met in &facts.children_first_met {
            let seen = if met.is_some_and(|m| m <= hearing) {
                MET
            } else {
                MISSED
            };
            builder.flow(
                Component::FirstHearingChildren,
                team,
                Month::of(hearing),
                seen,
                1,
            );
        }
    }
    builder.cells
}

/// Allocation spans with overlaps joined, so a case is never counted twice.
fn merged(allocations: &[Span]) -> Vec<Span> {
    let mut sorted = allocations.to_vec();
    sorted.sort();
    let mut out: Vec<Span> = Vec::new();
    for (from, until) in sorted {
        if let Some(last) = out.last_mut() {
            let overlaps = last.1.is_none_or(|end| from <= end);
            if overlaps {
                last.1 = match (last.1, until) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
                continue;
            }
        }
        out.push((from, until));
    }
    out
}

struct Builder<'a> {
    facts: &'a CaseFacts,
    places: &'a Places,
    cells: Cells,
    /// Cells already counted once for this case (distinct counts).
    distinct: BTreeSet<Cell>,
}

impl Builder<'_> {
    /// Every scope a case held by `team` counts in.
    fn scopes(&self, team: i64) -> Vec<Scope> {
        let mut scopes = vec![Scope::National, Scope::Team(team)];
        if let Some((area, region)) = self.places.teams.get(&team) {
            scopes.push(Scope::ServiceArea(*area));
            scopes.push(Scope::Region(*region));
        }
        scopes.push(Scope::Court(self.facts.court_id));
        if let Some(dfj) = self.places.courts.get(&self.facts.court_id) {
            scopes.push(Scope::DfjArea(*dfj));
        }
        if let Some(la) = self.facts.local_authority_id {
            scopes.push(Scope::LocalAuthority(la));
        }
        scopes
    }

    fn flow(&mut self, component: Component, team: i64, month: Month, bucket: i64, count: i64) {
        for scope in self.scopes(team) {
            let cell = Cell {
                component,
                scope,
                law_type: self.facts.law_type,
                month,
                bucket,
            };
            add(&mut self.cells, cell, count);
        }
    }

    /// `count` durations of `days`, in each of the duration's forms.
    fn duration(&mut self, component: Component, team: i64, month: Month, days: i64, count: i64) {
        self.flow(component, team, month, days, count);
        if let Some(forms) = component.duration_forms() {
            let week = week::of(days);
            self.flow(forms.spans, team, month, span::of(week), count);
            self.flow(forms.weeks, team, month, week, count);
            self.flow(forms.totals, team, month, total::DAYS, days * count);
            self.flow(
                forms.totals,
                team,
                month,
                total::WHOLE_WEEKS,
                days / 7 * count,
            );
        }
    }

    /// Like [`Self::flow`], but a scope already counted for this case is not
    /// counted again.
    fn distinct_flow(&mut self, component: Component, team: i64, month: Month, count: i64) {
        for scope in self.scopes(team) {
            let cell = Cell {
                component,
                scope,
                law_type: self.facts.law_type,
                month,
                bucket: 0,
            };
            if self.distinct.insert(cell) {
                add(&mut self.cells, cell, count);
            }
        }
    }

    fn level(&mut self, component: Component, team: i64, (from, until): Span, count: i64) {
        self.flow(component, team, Month::of(from), 0, count);
        if let Some(until) = until {
            self.flow(component, team, Month::of(until), 0, -count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn rules() -> RollupRules {
        RollupRules {
            thresholds: LongRunningThresholds::default(),
            calendar: WorkingCalendar::england_and_wales().expect("calendar"),
        }
    }

    fn facts() -> CaseFacts {
        CaseFacts {
            law_type: LawType::Private,
            care_proceedings: false,
            received_on: date(2026, 1, 5),
            issued_on: Some(date(2026, 1, 5)),
            court_id: 9,
            local_authority_id: None,
            holders: vec![(date(2026, 1, 5), 1)],
            closures: Vec::new(),
            children_first_met: vec![None, None],
            applications: Vec::new(),
            allocations: Vec::new(),
            work: Vec::new(),
            first_hearing: None,
            pathway: "private-law".into(),
            stages: Vec::new(),
            adjournments: 0,
        }
    }

    fn level(cells: &Cells, component: Component, scope: Scope, month: Month) -> i64 {
        cells
            .iter()
            .filter(|(c, _)| c.component == component && c.scope == scope && c.month <= month)
            .map(|(_, n)| n)
            .sum()
    }

    #[test]
    fn a_transferred_case_counts_where_it_was_held_at_the_time() {
        // Teams 1 and 2 in different areas of one region.
        let places = Places {
            teams: [(1, (10, 100)), (2, (20, 100))].into(),
            courts: [(9, 50)].into(),
        };
        let mut moved = facts();
        moved.holders.push((date(2026, 3, 10), 2));
        let cells = case_cells(&moved, &places, &rules());
        let (feb, mar) = (
            Month {
                year: 2026,
                month: 2,
            },
            Month {
                year: 2026,
                month: 3,
            },
        );
        assert_eq!(level(&cells, Component::Open, Scope::Team(1), feb), 1);
        assert_eq!(level(&cells, Component::Open, Scope::Team(1), mar), 0);
        assert_eq!(
            level(&cells, Component::Open, Scope::ServiceArea(20), mar),
            1
        );
        assert_eq!(level(&cells, Component::Open, Scope::Region(100), mar), 1);
        // Received where it arrived; worked with once in the region, once in each area.
        let received = |scope| {
            cells.get(&Cell {
                component: Component::Received,
                scope,
                law_type: LawType::Private,
                month: Month {
                    year: 2026,
                    month: 1,
                },
                bucket: 0,
            })
        };
        assert_eq!(received(Scope::Team(1)), Some(&1));
        assert_eq!(received(Scope::Team(2)), None);
        assert_eq!(received(Scope::Court(9)), Some(&1));
        assert_eq!(
            received(Scope::DfjArea(50)),
            Some(&1),
            "its court's DFJ area"
        );
        let worked = |scope| {
            cells
                .iter()
                .filter(|(c, _)| c.component == Component::WorkedWith && c.scope == scope)
                .map(|(_, n)| *n)
                .sum::<i64>()
        };
        assert_eq!(worked(Scope::Region(100)), 2, "two children, counted once");
        assert_eq!(worked(Scope::ServiceArea(10)), 2);
        assert_eq!(worked(Scope::ServiceArea(20)), 2);
    }

    #[test]
    fn a_state_that_starts_and_ends_in_one_month_nets_to_nothing() {
        let mut quick = facts();
        quick.closures.push(Closure {
            closed_on: date(2026, 1, 20),
            reopened_on: None,
        });
        let cells = case_cells(&quick, &Places::default(), &rules());
        assert!(!cells.keys().any(|c| c.component == Component::Open));
        let before = case_cells(&facts(), &Places::default(), &rules());
        let delta = difference(&before, &cells);
        let mut replayed = before.clone();
        for (cell, n) in delta {
            add(&mut replayed, cell, n);
        }
        assert_eq!(replayed, cells, "before + difference = after");
        let check = |stored: &Cells, expected: &Cells| {
            let mut check = CellCheck::new(expected.clone());
            for (cell, count) in stored {
                check.stored(*cell, *count);
            }
            check.finish()
        };
        assert!(check(&cells, &replayed).is_empty());
        let wrong = check(&before, &cells);
        let changed = difference(&before, &cells);
        assert_eq!(
            wrong
                .iter()
                .map(|d| (d.cell, d.expected - d.stored))
                .collect::<Vec<_>>(),
            changed.into_iter().collect::<Vec<_>>(),
            "each cell that differs, once, by what differs, in cell order"
        );
        assert!(
            wrong.iter().any(|d| d.stored == 0),
            "expected, never stored"
        );
        assert!(
            wrong.iter().any(|d| d.expected == 0),
            "stored, not expected"
        );
    }

    #[test]
    fn scopes_read_back_as_written() {
        for scope in [
            Scope::National,
            Scope::Region(3),
            Scope::ServiceArea(4),
            Scope::Team(12),
            Scope::Court(5),
            Scope::DfjArea(7),
            Scope::LocalAuthority(6),
        ] {
            assert_eq!(Scope::parse(&scope.key()), Ok(scope));
        }
        assert!(Scope::parse("team-x").is_err());
        assert!(Scope::parse("planet-3").is_err());
        assert!(Scope::parse("team-0").is_err());
        assert_eq!(
            Month::parse("2026-04").map(|m| m.to_string()),
            Ok("2026-04".into())
        );
        assert!(Month::parse("2026-13").is_err());
    }
}
