//! Drivers of delay: for the cases that ran past their threshold (26 weeks
//! in public law, 52 in private, by default), where the time went: each
//! stage of the lifecycle against the median for all cases, the wait for
//! allocation, adjournments and late filings; and which parts of the
//! service, courts and local authorities have most of them.

use crate::casework::LawType;
use crate::clocks::LongRunningThresholds;
use crate::measures::{Durations, Period};
use jiff::civil::Date;
use std::collections::BTreeMap;

/// What the delay analysis needs to know of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelayCase {
    pub law_type: LawType,
    pub received_on: Date,
    pub first_closed_on: Option<Date>,
    /// The stages the case entered, with the date, in order; the first is
    /// its stage on receipt.
    pub stages: Vec<(Date, String)>,
    pub first_allocated_on: Option<Date>,
    pub adjournments: usize,
    /// Work filed after its due date, or still unfiled after it.
    pub late_work: usize,
    /// Where it is counted in the breakdowns: (kind of place, name).
    pub places: Vec<(&'static str, String)>,
}

fn days(from: Date, to: Date) -> i64 {
    i64::from((to - from).get_days())
}

impl DelayCase {
    /// The day the analysis stops counting: its first closure, or the end
    /// of the period for a case still open then.
    fn end(&self, period: &Period) -> Date {
        self.first_closed_on
            .filter(|c| *c <= period.last)
            .unwrap_or(period.last)
    }

    /// In the analysis: first closed in the period, or open at its end.
    pub fn considered(&self, period: &Period) -> bool {
        self.received_on <= period.last && self.first_closed_on.is_none_or(|c| c >= period.first)
    }

    /// Past its threshold by its first closure or, if open, the period's end.
    pub fn delayed(&self, thresholds: &LongRunningThresholds, period: &Period) -> bool {
        let weeks = match self.law_type {
            LawType::Private => thresholds.private_law_weeks,
            LawType::Public => thresholds.public_law_weeks,
            LawType::Adoption => return false,
        };
        days(self.received_on, self.end(period)) > weeks * 7
    }

    /// Days in each stage until the end of the analysis.
    pub fn stage_days(&self, period: &Period) -> Vec<(String, i64)> {
        let end = self.end(period);
        self.stages
            .iter()
            .enumerate()
            .filter_map(|(i, (from, stage))| {
                let until = self
                    .stages
                    .get(i + 1)
                    .map_or(end, |(next, _)| *next)
                    .min(end);
                let from = (*from).max(self.received_on);
                (until >= from).then(|| (stage.clone(), days(from, until)))
            })
            .collect()
    }
}

/// One stage: the median days spent in it by all cases and by delayed ones.
#[derive(Debug, Clone, PartialEq)]
pub struct StageRow {
    pub stage: String,
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
    pub kind: &'static str,
    pub name: String,
    pub considered: usize,
    pub delayed: usize,
    /// The stage where its delayed cases spent most longer than the
    /// median for all cases, and by how many days.
    pub worst_stage: Option<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DelayReport {
    pub considered: usize,
    pub delayed: usize,
    pub stages: Vec<StageRow>,
    /// Median calendar days from receipt to first allocation.
    pub allocation_wait: Contrast,
    /// Share of cases with at least one adjourned hearing, per cent.
    pub adjourned: Contrast,
    /// Share of cases with late work, per cent.
    pub late_work: Contrast,
    pub places: Vec<PlaceRow>,
}

fn median(values: &[i64]) -> Option<i64> {
    Durations::from_days(values).fcsq_median_days()
}

fn share(cases: &[&DelayCase], test: impl Fn(&DelayCase) -> bool) -> Option<f64> {
    (!cases.is_empty())
        .then(|| cases.iter().filter(|c| test(c)).count() as f64 / cases.len() as f64 * 100.0)
}

/// Median days in each stage, in the order stages are first met.
fn stage_medians(cases: &[&DelayCase], period: &Period) -> Vec<(String, Option<i64>)> {
    let mut order: Vec<String> = Vec::new();
    let mut spent: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for case in cases {
        for (stage, d) in case.stage_days(period) {
            if !order.contains(&stage) {
                order.push(stage.clone());
            }
            spent.entry(stage).or_default().push(d);
        }
    }
    order
        .into_iter()
        .map(|stage| {
            let m = spent.get(&stage).and_then(|d| median(d));
            (stage, m)
        })
        .collect()
}

/// A place's cases: all of them, and the delayed ones.
type Split<'a> = (Vec<&'a DelayCase>, Vec<&'a DelayCase>);

/// The analysis of `cases` for `period`.
pub fn report(
    cases: &[DelayCase],
    thresholds: &LongRunningThresholds,
    period: &Period,
) -> DelayReport {
    let considered: Vec<&DelayCase> = cases.iter().filter(|c| c.considered(period)).collect();
    let delayed: Vec<&DelayCase> = considered
        .iter()
        .copied()
        .filter(|c| c.delayed(thresholds, period))
        .collect();
    let all_stages = stage_medians(&considered, period);
    let delayed_stages: BTreeMap<String, Option<i64>> =
        stage_medians(&delayed, period).into_iter().collect();
    let stages = all_stages
        .iter()
        .map(|(stage, all)| StageRow {
            stage: stage.clone(),
            all_median_days: *all,
            delayed_median_days: delayed_stages.get(stage).copied().flatten(),
        })
        .collect();
    let wait = |cases: &[&DelayCase]| {
        let waits: Vec<i64> = cases
            .iter()
            .filter_map(|c| c.first_allocated_on.map(|a| days(c.received_on, a)))
            .collect();
        median(&waits).map(|d| d as f64)
    };
    let medians: BTreeMap<String, i64> = all_stages
        .iter()
        .filter_map(|(s, m)| m.map(|m| (s.clone(), m)))
        .collect();
    let mut by_place: BTreeMap<(&'static str, String), Split> = BTreeMap::new();
    for case in &considered {
        let is_delayed = case.delayed(thresholds, period);
        for place in &case.places {
            let entry = by_place.entry(place.clone()).or_default();
            entry.0.push(case);
            if is_delayed {
                entry.1.push(case);
            }
        }
    }
    let mut places: Vec<PlaceRow> = by_place
        .into_iter()
        .map(|((kind, name), (all, late))| {
            let worst_stage = stage_medians(&late, period)
                .into_iter()
                .filter_map(|(stage, m)| {
                    let excess = m? - medians.get(&stage).copied().unwrap_or(0);
                    (excess > 0).then_some((stage, excess))
                })
                .max_by_key(|(_, excess)| *excess);
            PlaceRow {
                kind,
                name,
                considered: all.len(),
                delayed: late.len(),
                worst_stage,
            }
        })
        .collect();
    places.sort_by(|a, b| {
        a.kind
            .cmp(b.kind)
            .then(b.delayed.cmp(&a.delayed))
            .then(a.name.cmp(&b.name))
    });
    DelayReport {
        considered: considered.len(),
        delayed: delayed.len(),
        stages,
        allocation_wait: Contrast {
            all: wait(&considered),
            delayed: wait(&delayed),
        },
        adjourned: Contrast {
            all: share(&considered, |c| c.adjournments > 0),
            delayed: share(&delayed, |c| c.adjournments > 0),
        },
        late_work: Contrast {
            all: share(&considered, |c| c.late_work > 0),
            delayed: share(&delayed, |c| c.late_work > 0),
        },
        places,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn case(
        received: Date,
        closed: Option<Date>,
        place: &str,
        stages: &[(Date, &str)],
    ) -> DelayCase {
        DelayCase {
            law_type: LawType::Public,
            received_on: received,
            first_closed_on: closed,
            stages: stages.iter().map(|(d, s)| (*d, (*s).to_owned())).collect(),
            first_allocated_on: Some(received),
            adjournments: 0,
            late_work: 0,
            places: vec![("Court", place.to_owned())],
        }
    }

    #[test]
    fn delayed_cases_show_where_their_time_went() {
        let year = Period::financial_year(2025).expect("year");
        let quick = case(
            date(2025, 4, 1),
            Some(date(2025, 8, 1)),
            "Leeds",
            &[
                (date(2025, 4, 1), "intake"),
                (date(2025, 5, 1), "final-hearing"),
            ],
        );
        // 300 days: past 26 weeks, most of it waiting for the final hearing.
        let mut slow = case(
            date(2025, 4, 1),
            Some(date(2026, 1, 26)),
            "Bradford",
            &[
                (date(2025, 4, 1), "intake"),
                (date(2025, 5, 1), "final-hearing"),
            ],
        );
        slow.adjournments = 2;
        let never = case(date(2024, 1, 1), Some(date(2024, 6, 1)), "Leeds", &[]);
        let r = report(
            &[quick, slow, never],
            &LongRunningThresholds::default(),
            &year,
        );
        assert_eq!(
            (r.considered, r.delayed),
            (2, 1),
            "the 2024 case is outside the year"
        );
        assert_eq!(r.stages[0].stage, "intake");
        assert_eq!(r.stages[0].all_median_days, Some(30));
        assert_eq!(
            r.stages[1].all_median_days,
            Some(92),
            "lower middle of 92 and 270"
        );
        assert_eq!(r.stages[1].delayed_median_days, Some(270));
        assert_eq!(r.adjourned.delayed, Some(100.0));
        assert_eq!(r.adjourned.all, Some(50.0));
        let bradford = r
            .places
            .iter()
            .find(|p| p.name == "Bradford")
            .expect("place");
        assert_eq!(bradford.delayed, 1);
        assert_eq!(bradford.worst_stage, Some(("final-hearing".into(), 178)));
        let leeds = r.places.iter().find(|p| p.name == "Leeds").expect("place");
        assert_eq!(
            (leeds.considered, leeds.delayed, leeds.worst_stage.clone()),
            (1, 0, None)
        );
        let empty = report(&[], &LongRunningThresholds::default(), &year);
        assert_eq!(empty.adjourned.all, None, "no cases is no data, not 0%");
    }
}
