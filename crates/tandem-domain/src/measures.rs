//! The measure catalogue and the statistical rules the published figures
//! use (domain.md section 2): what each measure counts, its unit, its exact
//! formula, the periods it is reported for, and the Ministry of Justice's
//! mean and median rules. Nothing here reads data; storage supplies counts
//! and durations, and these functions turn them into the published numbers.

use crate::calendar::WorkingCalendar;
use crate::casework::LawType;
use crate::choice::{self, Choice};
use crate::clocks::{PracticeTargets, Rag};
use crate::error::{DomainError, ValidationErrors};
use crate::rollups::{
    CaseFacts, Component, MET, Month, Places, RollupRules, Scope, case_cells, span, total, wait,
    week,
};
use jiff::ToSpan;
use jiff::civil::Date;
use std::collections::BTreeMap;

crate::choice::choice!(
    /// What a measure's value counts.
    Unit, "unit", {
        Cases => ("cases", "Cases"),
        Children => ("children", "Children"),
        Weeks => ("weeks", "Weeks"),
        Percent => ("percent", "Per cent"),
        PerDay => ("per-day", "Per working day"),
        Ratio => ("ratio", "Ratio"),
    }
);

/// Which way a measure should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// A volume, such as demand: no target can be "met".
    Neither,
}

/// How far short of a target a value may fall and still be amber: 5% of
/// the target.
pub const AMBER_TOLERANCE: f64 = 0.05;

/// Red, amber or green against `target`; none without a value, a target,
/// or a direction.
pub fn rag(better: Better, value: Option<f64>, target: Option<f64>) -> Option<Rag> {
    let (value, target) = (value?, target?);
    let slack = target.abs() * AMBER_TOLERANCE;
    let (met, near) = match better {
        Better::Higher => (value >= target, value >= target - slack),
        Better::Lower => (value <= target, value <= target + slack),
        Better::Neither => return None,
    };
    Some(if met {
        Rag::Green
    } else if near {
        Rag::Amber
    } else {
        Rag::Red
    })
}

/// A target as typed into the form: blank removes it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TargetInput {
    pub target: String,
    pub version: String,
}

impl TargetInput {
    /// The target, or none to remove it; and the version it was read at.
    pub fn validate(&self, measure: &Measure) -> Result<(Option<f64>, i64), DomainError> {
        let version = self
            .version
            .trim()
            .parse::<i64>()
            .map_err(|_| DomainError::StaleVersion { kind: "target" })?;
        let text = self.target.trim().trim_end_matches('%');
        if text.is_empty() {
            return Ok((None, version));
        }
        if measure.better == Better::Neither {
            return Err(DomainError::invalid(
                "target",
                "This measure counts volume, so it has no target",
            ));
        }
        let bad = || {
            DomainError::invalid(
                "target",
                format!(
                    "Enter the target as a number of {}",
                    measure.unit.label().to_lowercase()
                ),
            )
        };
        let target: f64 = text.parse().map_err(|_| bad())?;
        let highest = match measure.unit {
            Unit::Percent => 100.0,
            Unit::Weeks => 520.0,
            _ => 100_000.0,
        };
        if !target.is_finite() || target < 0.0 || target > highest {
            return Err(DomainError::invalid(
                "target",
                format!("The target must be between 0 and {highest}"),
            ));
        }
        Ok((Some(target), version))
    }
}

/// A value's status against its target, in words, so it never depends on
/// colour alone.
pub fn target_status(rag: Rag) -> &'static str {
    match rag {
        Rag::Green => "Meets target",
        Rag::Amber => "Near target",
        Rag::Red => "Misses target",
    }
}

/// One measure: a stable id, what it is called, its unit, and its
/// definition in plain English and as a formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    pub id: &'static str,
    pub name: &'static str,
    pub unit: Unit,
    /// Which way is better, for judging a value against a target.
    pub better: Better,
    pub definition: &'static str,
    pub formula: &'static str,
}

/// The catalogue. Ids are stable: they appear in URLs and the API.
pub const CATALOGUE: &[Measure] = &[
    Measure {
        id: "new-cases",
        name: "New children's cases",
        unit: Unit::Cases,
        better: Better::Neither,
        definition: "Cases whose application the service received in the period, by the law type of the lead application. A case is one court case, whatever the number of children or applications in it.",
        formula: "|{case : receipt_date ∈ period}|",
    },
    Measure {
        id: "children-in-new-cases",
        name: "Children in new cases",
        unit: Unit::Children,
        better: Better::Neither,
        definition: "The children in the cases received in the period: each child of each new case once.",
        formula: "|{(case, child) : case ∈ new-cases(period)}|",
    },
    Measure {
        id: "average-daily-demand",
        name: "Average daily demand",
        unit: Unit::PerDay,
        better: Better::Neither,
        definition: "New children's cases divided by the working days (England and Wales) in the period.",
        formula: "new-cases(period) ÷ working_days(period)",
    },
    Measure {
        id: "open-cases",
        name: "Open children's cases at period end",
        unit: Unit::Cases,
        better: Better::Neither,
        definition: "Cases received on or before the last day of the period and not closed by then.",
        formula: "|{case : receipt_date ≤ end ∧ (closed_on is none ∨ closed_on > end)}|",
    },
    Measure {
        id: "children-in-open-cases",
        name: "Children in open cases at period end",
        unit: Unit::Children,
        better: Better::Neither,
        definition: "The children in the cases open at the end of the period.",
        formula: "|{(case, child) : case ∈ open-cases(end)}|",
    },
    Measure {
        id: "children-worked-with",
        name: "Children worked with",
        unit: Unit::Children,
        better: Better::Neither,
        definition: "Distinct children in cases open at any time in the period, new or continuing.",
        formula: "|{child : ∃ case open at some day of the period with child}|",
    },
    Measure {
        id: "care-proceedings-duration",
        name: "Average duration of care proceedings",
        unit: Unit::Weeks,
        better: Better::Lower,
        definition: "The mean time, in weeks, from the issue of a care (s31) application to its final order, for applications whose final order fell in the period.",
        formula: "mean over s31 cases closed in period of (closed_on − issued_on) ÷ 7, 1 dp",
    },
    Measure {
        id: "care-within-26-weeks",
        name: "Care and supervision proceedings concluded within 26 weeks",
        unit: Unit::Percent,
        better: Better::Higher,
        definition: "Of care and supervision cases concluded in the period, the share that took 26 weeks (182 days) or less from issue, counting court-granted extensions as time taken.",
        formula: "|{d ≤ 182 days}| ÷ |concluded in period| × 100",
    },
    Measure {
        id: "private-law-over-52-weeks",
        name: "Private law cases open over 52 weeks",
        unit: Unit::Cases,
        better: Better::Lower,
        definition: "Open private law cases received more than the long-running threshold (52 weeks by default) before the end of the period; with the share of all open private law cases.",
        formula: "|{open private case at end : end − receipt_date > 7 × N}|",
    },
    Measure {
        id: "public-law-over-26-weeks",
        name: "Public law cases open over 26 weeks",
        unit: Unit::Cases,
        better: Better::Lower,
        definition: "Open public law cases received more than the long-running threshold (26 weeks by default) before the end of the period; with the share of all open public law cases.",
        formula: "|{open public case at end : end − receipt_date > 7 × N}|",
    },
    Measure {
        id: "allocated-within-target",
        name: "Cases allocated within the target",
        unit: Unit::Percent,
        better: Better::Higher,
        definition: "Of cases received in the period, the share allocated within the organisation's allocation target in working days.",
        formula: "|{case : working_days(receipt_date, allocated_on) ≤ N}| ÷ |received in period| × 100",
    },
    Measure {
        id: "unallocated-at-month-end",
        name: "Unallocated work at month end",
        unit: Unit::Percent,
        better: Better::Lower,
        definition: "Open cases with no allocated worker at the end of the period, as a share of all open cases.",
        formula: "|{open case at end : not allocated}| ÷ |open cases at end| × 100",
    },
    Measure {
        id: "work-filed-on-time",
        name: "Safeguarding letters and reports filed on time",
        unit: Unit::Percent,
        better: Better::Higher,
        definition: "Of safeguarding letters and reports due in the period, the share filed on or before their due date (after any extension the court granted).",
        formula: "|{item due in period : filed_on ≤ due_on}| ÷ |due in period| × 100",
    },
    Measure {
        id: "caseload-per-fte",
        name: "Caseload per case-holding FTE",
        unit: Unit::Ratio,
        better: Better::Lower,
        definition: "Open cases allocated to practitioners at the end of the period, divided by the full-time equivalent of the practitioners in post then.",
        formula: "Σ open allocated cases ÷ Σ FTE of case-holding practitioners",
    },
    Measure {
        id: "children-seen-before-first-hearing",
        name: "Children seen before the first hearing",
        unit: Unit::Percent,
        better: Better::Higher,
        definition: "Of children in cases whose first hearing fell in the period, the share who had met their family court adviser on or before that hearing.",
        formula: "|{child : first_met ≤ first_hearing}| ÷ |children with a first hearing in period| × 100",
    },
    Measure {
        id: "private-law-time-to-final-order",
        name: "Private law time to final order (FCSQ Table 9 method)",
        unit: Unit::Weeks,
        better: Better::Lower,
        definition: "For private law cases whose last disposal before first closure fell in the period: weeks from issue to that disposal. Mean is the average of days ÷ 7; median is the Ministry of Justice's (the largest value of the lower half).",
        formula: "mean = round(avg(days) ÷ 7, 1); median = max(lower NTILE(2) tile of days) ÷ 7",
    },
    Measure {
        id: "private-law-time-to-first-disposal",
        name: "Private law time to first disposal (FCSQ Table 10 method)",
        unit: Unit::Weeks,
        better: Better::Lower,
        definition: "For each child's first application of each order type, weeks from receipt (or issue, if earlier) to its first non-interim disposal, in the period of that disposal. The mean averages whole weeks, as the Ministry's code does.",
        formula: "mean = round(avg(⌊days ÷ 7⌋), 1); median = max(lower NTILE(2) tile of days) ÷ 7",
    },
];

/// The measure with this id.
pub fn measure(id: &str) -> Option<&'static Measure> {
    CATALOGUE.iter().find(|m| m.id == id)
}

/// A measure's value for one scope and period. A ratio with nothing to
/// divide by is "no data", never 0 % and never NaN.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Value {
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub value: Option<f64>,
    /// For durations, the Ministry's median alongside the mean.
    pub median: Option<f64>,
}

impl Value {
    /// A plain count or amount.
    pub fn amount(value: f64) -> Self {
        Self {
            numerator: None,
            denominator: None,
            value: Some(value),
            median: None,
        }
    }

    /// No data at all for the period.
    pub fn none() -> Self {
        Self {
            numerator: None,
            denominator: None,
            value: None,
            median: None,
        }
    }

    /// `numerator ÷ denominator × scale` (100 for a percentage).
    pub fn ratio(numerator: f64, denominator: f64, scale: f64) -> Self {
        Self {
            numerator: Some(numerator),
            denominator: Some(denominator),
            value: (denominator != 0.0).then(|| numerator / denominator * scale),
            median: None,
        }
    }

    /// As shown on a page: one decimal place for weeks, ratios and shares,
    /// whole numbers for counts, and "no data" when there is none.
    pub fn display(&self, unit: Unit) -> String {
        match (self.value, unit) {
            (None, _) => "no data".into(),
            (Some(v), Unit::Cases | Unit::Children) => grouped(v.round()),
            (Some(v), Unit::Percent) => format!("{}%", grouped(format!("{v:.1}"))),
            (Some(v), _) => grouped(format!("{v:.1}")),
        }
    }
}

/// A number as the GOV.UK style writes it, thousands separated by commas
/// ("57,312.5"), from the way `Display` writes it.
pub fn grouped(number: impl std::fmt::Display) -> String {
    let text = number.to_string();
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let mut out = String::with_capacity(text.len() + whole.len() / 3);
    out.push_str(sign);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// Rounds to one decimal place, halves away from zero, as SQL `ROUND` does.
pub fn round_1dp(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// Durations, as the rollups keep them: counted by 13 weeks, summed, and
/// counted by week and by day as far as a median needs. That is enough for
/// the Ministry's mean and median to come out exactly as from the raw rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Durations {
    spans: BTreeMap<i64, i64>,
    weeks: BTreeMap<i64, i64>,
    days: BTreeMap<i64, i64>,
    total_days: i64,
    total_whole_weeks: i64,
}

/// What a median needs read next: the weeks of one 13-week span, or the
/// days of one week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finer {
    Weeks(i64),
    Days(i64),
}

/// The first of `buckets` (in order) at which the running count, starting
/// from `before`, reaches `target`: the bucket, the count before it and its
/// own count.
fn reaching<'a>(
    buckets: impl Iterator<Item = (&'a i64, &'a i64)>,
    target: i64,
    mut before: i64,
) -> Option<(i64, i64, i64)> {
    for (bucket, count) in buckets {
        if before + count >= target {
            return Some((*bucket, before, *count));
        }
        before += count;
    }
    None
}

impl Durations {
    pub fn from_days(days: &[i64]) -> Self {
        let mut durations = Self::default();
        for d in days {
            let week = week::of(*d);
            durations.add_span(span::of(week), 1);
            durations.add_week(week, 1);
            durations.add_days(*d, 1);
            durations.add_total(total::DAYS, *d);
            durations.add_total(total::WHOLE_WEEKS, d / 7);
        }
        durations
    }

    pub fn add_span(&mut self, span: i64, count: i64) {
        *self.spans.entry(span).or_insert(0) += count;
    }

    /// Durations in week `week`; needed only in the median's span.
    pub fn add_week(&mut self, week: i64, count: i64) {
        *self.weeks.entry(week).or_insert(0) += count;
    }

    /// Durations of `days` days; needed only in the median's week.
    pub fn add_days(&mut self, days: i64, count: i64) {
        *self.days.entry(days).or_insert(0) += count;
    }

    /// Adds to one of the sums, by its [`total`] bucket.
    pub fn add_total(&mut self, bucket: i64, amount: i64) {
        match bucket {
            total::DAYS => self.total_days += amount,
            total::WHOLE_WEEKS => self.total_whole_weeks += amount,
            _ => {}
        }
    }

    pub fn count(&self) -> i64 {
        self.spans.values().sum()
    }

    /// The Ministry of Justice's median in days, by narrowing down from
    /// 13-week spans to weeks to days; or what must be read first. A finer
    /// count is taken as read only when it adds up to the coarser one.
    fn locate(&self) -> Result<Option<i64>, Finer> {
        // Rows sorted and split into two tiles (`NTILE(2)`, the extra row
        // going to the first); the median is the first tile's last row.
        let first_tile = (self.count() + 1) / 2;
        if first_tile <= 0 {
            return Ok(None);
        }
        let Some((span, before, in_span)) = reaching(self.spans.iter(), first_tile, 0) else {
            return Ok(None);
        };
        let (first_week, last_week) = span::weeks(span);
        let weeks = self.weeks.range(first_week..=last_week);
        if weeks.clone().map(|(_, c)| c).sum::<i64>() != in_span {
            return Err(Finer::Weeks(span));
        }
        let Some((week, before, in_week)) = reaching(weeks, first_tile, before) else {
            return Ok(None);
        };
        let (first_day, last_day) = week::days(week);
        let days = self.days.range(first_day..=last_day);
        if days.clone().map(|(_, c)| c).sum::<i64>() != in_week {
            return Err(Finer::Days(week));
        }
        Ok(reaching(days, first_tile, before).map(|(day, _, _)| day))
    }

    /// What the median still needs read, if anything.
    pub fn median_needs(&self) -> Option<Finer> {
        self.locate().err()
    }

    /// The Ministry of Justice's median: rows sorted and split into two
    /// tiles, and the largest value of the first tile taken. For an odd
    /// count that is the true median; for an even count, the lower of the
    /// middle two. None when there are no durations, or when what it needs
    /// was not read ([`Self::median_needs`]).
    pub fn fcsq_median_days(&self) -> Option<i64> {
        self.locate().ok().flatten()
    }

    /// FCSQ Table 9's mean in weeks: the average of days, then ÷ 7, 1 dp.
    pub fn mean_weeks(&self) -> Option<f64> {
        let n = self.count();
        (n > 0).then(|| round_1dp(self.total_days as f64 / n as f64 / 7.0))
    }

    /// FCSQ Table 10's mean in weeks: the average of whole weeks (days ÷ 7
    /// truncated, as integer division does), 1 dp.
    pub fn mean_whole_weeks(&self) -> Option<f64> {
        let n = self.count();
        (n > 0).then(|| round_1dp(self.total_whole_weeks as f64 / n as f64))
    }

    /// The median in weeks, 1 dp, by the Ministry's rule.
    pub fn median_weeks(&self) -> Option<f64> {
        self.fcsq_median_days().map(|d| round_1dp(d as f64 / 7.0))
    }

    /// The share of durations within `spans` × 13 weeks (26 weeks is 182
    /// days or fewer), as a percentage.
    pub fn share_within_spans(&self, spans: i64) -> Value {
        let within: i64 = self.spans.range(..=spans).map(|(_, c)| c).sum();
        Value::ratio(within as f64, self.count() as f64, 100.0)
    }
}

crate::choice::choice!(
    /// How a series is broken down.
    Granularity, "breakdown", {
        Month => ("month", "By month"),
        Quarter => ("quarter", "By quarter"),
        Year => ("year", "By financial year"),
    }
);

/// A reporting period: a calendar month, a quarter of the financial year
/// (April to June is Q1), or a financial year (April to March).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    pub first: Date,
    pub last: Date,
}

impl Period {
    pub fn month(year: i16, month: i8) -> Result<Self, String> {
        let first = Date::new(year, month, 1).map_err(|e| e.to_string())?;
        Ok(Self {
            first,
            last: first.last_of_month(),
        })
    }

    /// The financial year starting in April of `year` (2024 is 2024-25).
    pub fn financial_year(year: i16) -> Result<Self, String> {
        let first = Date::new(year, 4, 1).map_err(|e| e.to_string())?;
        let last = Date::new(year + 1, 3, 31).map_err(|e| e.to_string())?;
        Ok(Self { first, last })
    }

    /// The periods of `granularity` covering the months `from` to `to`
    /// (`YYYY-MM`, both included), in order.
    pub fn series(from: &str, to: &str, granularity: Granularity) -> Result<Vec<Self>, String> {
        let parse = |s: &str, what: &str| -> Result<Self, String> {
            let bad = || format!("The {what} month must be written YYYY-MM, such as 2024-04");
            let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
            let (y, m) = (
                y.parse::<i16>().map_err(|_| bad())?,
                m.parse::<i8>().map_err(|_| bad())?,
            );
            Self::month(y, m).map_err(|_| bad())
        };
        let (start, end) = (parse(from, "first")?, parse(to, "last")?);
        if end.first < start.first {
            return Err("The last month must not be before the first".into());
        }
        let mut periods = Vec::new();
        let mut month = start;
        while month.first <= end.first {
            let period = match granularity {
                Granularity::Month => month,
                Granularity::Quarter => month.quarter(),
                Granularity::Year => month.year(),
            };
            if periods.last() != Some(&period) {
                periods.push(period);
            }
            let next = month.last.tomorrow().map_err(|e| e.to_string())?;
            month = Self::month(next.year(), next.month())?;
        }
        Ok(periods)
    }

    /// The financial quarter this period's first day falls in.
    fn quarter(self) -> Self {
        let d = self.first;
        // Financial quarters start in April, July, October and January.
        let start_month = ((d.month() - 1) / 3) * 3 + 1;
        let first = Date::new(d.year(), start_month, 1).unwrap_or(d);
        let last = Date::new(d.year(), start_month + 2, 1)
            .map(|m| m.last_of_month())
            .unwrap_or(self.last);
        Self { first, last }
    }

    /// The financial year this period's first day falls in.
    fn year(self) -> Self {
        let d = self.first;
        let start = if d.month() >= 4 {
            d.year()
        } else {
            d.year() - 1
        };
        Self::financial_year(start).unwrap_or(self)
    }

    /// How the period is named on pages and in files.
    pub fn label(&self) -> String {
        let months = (self.last.year() - self.first.year()) as i32 * 12
            + i32::from(self.last.month() - self.first.month())
            + 1;
        match months {
            1 => self.first.strftime("%B %Y").to_string(),
            3 => format!(
                "{} to {}",
                self.first.strftime("%B"),
                self.last.strftime("%B %Y")
            ),
            _ => format!("{}-{:02}", self.first.year(), (self.last.year() % 100)),
        }
    }
}

/// A request for a measure's values, as typed into a form or sent to the
/// API; blank parts take their defaults.
#[derive(Debug, Clone, Default)]
pub struct SeriesInput {
    pub scope: String,
    pub from: String,
    pub to: String,
    pub by: String,
    pub law: String,
}

/// A checked request for a measure's values.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesRequest {
    pub scope: Scope,
    pub periods: Vec<Period>,
    pub granularity: Granularity,
    pub law: Option<LawType>,
    /// The months asked for, as written back into forms and links.
    pub from: String,
    pub to: String,
}

/// Twenty years of months: long enough for any trend, short enough that no
/// request can ask for unbounded work.
pub const LONGEST_SERIES_MONTHS: usize = 240;

impl SeriesInput {
    /// Defaults: national, by month, the twelve months to the current one.
    pub fn validate(&self, today: Date) -> Result<SeriesRequest, DomainError> {
        let mut errors = ValidationErrors::default();
        let scope = errors.check("scope", Scope::parse(&self.scope));
        let granularity = errors.check(
            "by",
            if self.by.trim().is_empty() {
                Ok(Granularity::Month)
            } else {
                Granularity::parse(&self.by)
            },
        );
        let law = errors.check("law", choice::optional::<LawType>(&self.law));
        let current = Month::of(today);
        let to = if self.to.trim().is_empty() {
            current.to_string()
        } else {
            self.to.trim().to_owned()
        };
        let from = if self.from.trim().is_empty() {
            match Month::parse(&to) {
                Ok(last) => {
                    let first = last
                        .first_day()
                        .and_then(|d| d.checked_sub(11.months()).ok())
                        .map(Month::of)
                        .unwrap_or(last);
                    first.to_string()
                }
                Err(_) => to.clone(),
            }
        } else {
            self.from.trim().to_owned()
        };
        let months = errors.check("from", Period::series(&from, &to, Granularity::Month));
        if let Some(months) = &months
            && months.len() > LONGEST_SERIES_MONTHS
        {
            errors.add(
                "from",
                format!("Ask for at most {LONGEST_SERIES_MONTHS} months at a time"),
            );
        }
        errors.into_result()?;
        let (Some(scope), Some(granularity), Some(law)) = (scope, granularity, law) else {
            return Err(DomainError::invalid(
                "scope",
                "The request could not be read",
            ));
        };
        let periods =
            Period::series(&from, &to, granularity).map_err(|e| DomainError::invalid("from", e))?;
        Ok(SeriesRequest {
            scope,
            periods,
            granularity,
            law,
            from,
            to,
        })
    }
}

/// The measures a dashboard shows, in order.
pub const DASHBOARD: &[&str] = &[
    "new-cases",
    "open-cases",
    "allocated-within-target",
    "unallocated-at-month-end",
    "work-filed-on-time",
    "children-seen-before-first-hearing",
    "caseload-per-fte",
    "care-proceedings-duration",
    "care-within-26-weeks",
    "public-law-over-26-weeks",
    "private-law-over-52-weeks",
    "private-law-time-to-final-order",
];

/// The organisation's places by name, for naming scopes and walking from
/// one to the parts within it.
#[derive(Debug, Clone, Default)]
pub struct ScopeTree {
    pub regions: BTreeMap<i64, String>,
    /// Service areas: name and region.
    pub areas: BTreeMap<i64, (String, i64)>,
    /// Teams: name and service area.
    pub teams: BTreeMap<i64, (String, i64)>,
    /// Courts: name and Designated Family Judge area.
    pub courts: BTreeMap<i64, (String, i64)>,
    pub dfj_areas: BTreeMap<i64, String>,
    pub local_authorities: BTreeMap<i64, String>,
}

impl ScopeTree {
    /// The scope's name; none for a scope that does not exist.
    pub fn name(&self, scope: Scope) -> Option<String> {
        match scope {
            Scope::National => Some("England and Wales".into()),
            Scope::Region(id) => self.regions.get(&id).cloned(),
            Scope::ServiceArea(id) => self.areas.get(&id).map(|(n, _)| n.clone()),
            Scope::Team(id) => self.teams.get(&id).map(|(n, _)| n.clone()),
            Scope::Court(id) => self.courts.get(&id).map(|(n, _)| n.clone()),
            Scope::DfjArea(id) => self.dfj_areas.get(&id).cloned(),
            Scope::LocalAuthority(id) => self.local_authorities.get(&id).cloned(),
        }
    }

    /// The scopes from the whole service down to `scope`, outermost first.
    pub fn path(&self, scope: Scope) -> Vec<Scope> {
        let mut path = vec![scope];
        let mut at = scope;
        while let Some(up) = self.parent(at) {
            path.push(up);
            at = up;
        }
        path.reverse();
        path
    }

    fn parent(&self, scope: Scope) -> Option<Scope> {
        match scope {
            Scope::National => None,
            Scope::Team(id) => self.teams.get(&id).map(|(_, a)| Scope::ServiceArea(*a)),
            Scope::ServiceArea(id) => self.areas.get(&id).map(|(_, r)| Scope::Region(*r)),
            Scope::Court(id) => self.courts.get(&id).map(|(_, d)| Scope::DfjArea(*d)),
            Scope::Region(_) | Scope::DfjArea(_) | Scope::LocalAuthority(_) => {
                Some(Scope::National)
            }
        }
    }

    /// The parts directly within `scope`, and what they are called.
    pub fn parts(&self, scope: Scope) -> (Vec<Scope>, &'static str) {
        match scope {
            Scope::National => (
                self.regions.keys().map(|id| Scope::Region(*id)).collect(),
                "Region",
            ),
            Scope::Region(region) => (
                self.areas
                    .iter()
                    .filter(|(_, (_, r))| *r == region)
                    .map(|(id, _)| Scope::ServiceArea(*id))
                    .collect(),
                "Service area",
            ),
            Scope::ServiceArea(area) => (
                self.teams
                    .iter()
                    .filter(|(_, (_, a))| *a == area)
                    .map(|(id, _)| Scope::Team(*id))
                    .collect(),
                "Team",
            ),
            Scope::DfjArea(dfj) => (
                self.courts
                    .iter()
                    .filter(|(_, (_, d))| *d == dfj)
                    .map(|(id, _)| Scope::Court(*id))
                    .collect(),
                "Court",
            ),
            Scope::Team(_) | Scope::Court(_) | Scope::LocalAuthority(_) => (Vec::new(), ""),
        }
    }
}

/// The rollup counts for one scope, as storage reads them.
#[derive(Debug, Clone, Default)]
pub struct ScopeCounts(BTreeMap<(Component, Month, LawType, i64), i64>);

impl ScopeCounts {
    pub fn add(
        &mut self,
        component: Component,
        law: LawType,
        month: Month,
        bucket: i64,
        count: i64,
    ) {
        *self.0.entry((component, month, law, bucket)).or_insert(0) += count;
    }

    /// The cells of `component` for `law` (any law when none) in the months
    /// from `first` (or the earliest) to `last`. Cells are kept by month
    /// first, so a period's cells are read without passing the others.
    fn cells(
        &self,
        component: Component,
        law: Option<LawType>,
        first: Option<Month>,
        last: Month,
    ) -> impl Iterator<Item = (LawType, i64, i64)> {
        let from = first.unwrap_or(Month {
            year: i16::MIN,
            month: 1,
        });
        self.0
            .range((component, from, LawType::Private, i64::MIN)..)
            .take_while(move |((c, m, ..), _)| *c == component && *m <= last)
            .filter(move |((_, _, l, _), _)| law.is_none_or(|law| law == *l))
            .map(|((_, _, l, b), count)| (*l, *b, *count))
    }

    /// A flow summed over the months of `period`.
    fn flow(&self, component: Component, law: Option<LawType>, period: &Period) -> i64 {
        let (first, last) = (Month::of(period.first), Month::of(period.last));
        self.cells(component, law, Some(first), last)
            .map(|(_, _, c)| c)
            .sum()
    }

    /// A level at the end of `period`: every change up to its last month.
    fn level(&self, component: Component, law: Option<LawType>, period: &Period) -> i64 {
        let last = Month::of(period.last);
        self.cells(component, law, None, last)
            .map(|(_, _, c)| c)
            .sum()
    }

    /// The durations of `component` (counted by day) in `period`: its 13-week
    /// spans and sums, and its weeks and days as far as they were read.
    pub fn durations(
        &self,
        component: Component,
        law: Option<LawType>,
        period: &Period,
    ) -> Durations {
        let (first, last) = (Month::of(period.first), Month::of(period.last));
        let mut durations = Durations::default();
        let Some(forms) = component.duration_forms() else {
            return durations;
        };
        for (_, span, count) in self.cells(forms.spans, law, Some(first), last) {
            durations.add_span(span, count);
        }
        for (_, week, count) in self.cells(forms.weeks, law, Some(first), last) {
            durations.add_week(week, count);
        }
        for (_, days, count) in self.cells(component, law, Some(first), last) {
            durations.add_days(days, count);
        }
        for (_, bucket, amount) in self.cells(forms.totals, law, Some(first), last) {
            durations.add_total(bucket, amount);
        }
        durations
    }

    /// What the medians of `periods` still need read, for each duration
    /// among `components`: (the component to read, the period's first and
    /// last months, the first and last bucket). Read those and add them, and
    /// ask again, until nothing more is needed: then every median is exact.
    pub fn median_wanted(
        &self,
        components: &[Component],
        periods: &[Period],
    ) -> Vec<(Component, Month, Month, i64, i64)> {
        let mut by_day: Vec<Component> = components
            .iter()
            .filter_map(|c| c.duration_days())
            .collect();
        by_day.sort();
        by_day.dedup();
        let mut wanted = Vec::new();
        for by_day in by_day {
            let Some(forms) = by_day.duration_forms() else {
                continue;
            };
            for period in periods {
                let (what, (first, last)) =
                    match self.durations(by_day, None, period).median_needs() {
                        None => continue,
                        Some(Finer::Weeks(s)) => (forms.weeks, span::weeks(s)),
                        Some(Finer::Days(w)) => (by_day, week::days(w)),
                    };
                wanted.push((
                    what,
                    Month::of(period.first),
                    Month::of(period.last),
                    first,
                    last,
                ));
            }
        }
        wanted
    }

    /// Met against all, for components bucketed by [`MET`].
    fn share_met(&self, component: Component, law: Option<LawType>, period: &Period) -> Value {
        let (first, last) = (Month::of(period.first), Month::of(period.last));
        let (mut met, mut all) = (0, 0);
        for (_, bucket, count) in self.cells(component, law, Some(first), last) {
            all += count;
            if bucket == MET {
                met += count;
            }
        }
        Value::ratio(met as f64, all as f64, 100.0)
    }
}

/// A case-holding practitioner's post, for caseload per FTE.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub team_id: i64,
    pub fte: f64,
    pub start: Date,
    pub end: Option<Date>,
}

/// What every scope's measures are read with besides their counts.
#[derive(Debug, Clone)]
pub struct MeasureContext {
    pub targets: PracticeTargets,
    pub calendar: WorkingCalendar,
    pub posts: Vec<Post>,
    pub places: Places,
}

impl MeasureContext {
    /// The full-time equivalent of case-holding practitioners in post in
    /// `scope` on `date`; none for scopes without staff of their own.
    fn fte_on(&self, scope: Scope, date: Date) -> Option<f64> {
        let in_scope = |team: i64| match scope {
            Scope::National => true,
            Scope::Team(id) => team == id,
            Scope::ServiceArea(id) => self.places.teams.get(&team).is_some_and(|(a, _)| *a == id),
            Scope::Region(id) => self.places.teams.get(&team).is_some_and(|(_, r)| *r == id),
            Scope::Court(_) | Scope::DfjArea(_) | Scope::LocalAuthority(_) => false,
        };
        if matches!(
            scope,
            Scope::Court(_) | Scope::DfjArea(_) | Scope::LocalAuthority(_)
        ) {
            return None;
        }
        Some(
            self.posts
                .iter()
                .filter(|p| p.start <= date && p.end.is_none_or(|end| end >= date))
                .filter(|p| in_scope(p.team_id))
                .map(|p| p.fte)
                .sum(),
        )
    }
}

/// The counts `measure` is worked out from.
pub fn ingredients(measure: &Measure) -> &'static [Component] {
    use Component::*;
    match measure.id {
        "new-cases" | "average-daily-demand" => &[Received],
        "children-in-new-cases" => &[ReceivedChildren],
        "open-cases" => &[Open],
        "children-in-open-cases" => &[OpenChildren],
        "children-worked-with" => &[WorkedWith, WorkedWithOngoing],
        "care-proceedings-duration" => &[CareDurationSpans, CareDurationTotals],
        "care-within-26-weeks" => &[CareDurationSpans],
        "private-law-over-52-weeks" | "public-law-over-26-weeks" => &[LongRunning, Open],
        "allocated-within-target" => &[AllocationWait],
        "unallocated-at-month-end" => &[Open, AllocatedOpen],
        "work-filed-on-time" => &[WorkDue],
        "caseload-per-fte" => &[AllocatedOpen],
        "children-seen-before-first-hearing" => &[FirstHearingChildren],
        "private-law-time-to-final-order" => &[FinalOrderSpans, FinalOrderTotals],
        "private-law-time-to-first-disposal" => &[FirstDisposalSpans, FirstDisposalTotals],
        _ => &[],
    }
}

fn duration_value(durations: &Durations, mean: Option<f64>) -> Value {
    Value {
        numerator: None,
        denominator: Some(durations.count() as f64),
        value: mean,
        median: durations.median_weeks(),
    }
}

/// The working days in a period, for daily demand.
fn working_days(calendar: &WorkingCalendar, period: &Period) -> Option<i64> {
    let before = period.first.checked_sub(1.day()).ok()?;
    calendar.working_days_between(before, period.last).ok()
}

/// `measure`'s value in each of `periods`, from one scope's counts.
pub fn evaluate(
    measure: &Measure,
    periods: &[Period],
    granularity: Granularity,
    law: Option<LawType>,
    scope: Scope,
    counts: &ScopeCounts,
    context: &MeasureContext,
) -> Result<Vec<Value>, String> {
    use Component::*;
    if measure.id == "children-worked-with" && granularity != Granularity::Year {
        return Err("Children worked with is counted by financial year: ask for it by year".into());
    }
    let private = Some(LawType::Private);
    let public = Some(LawType::Public);
    let value = |period: &Period| -> Value {
        match measure.id {
            "new-cases" => Value::amount(counts.flow(Received, law, period) as f64),
            "children-in-new-cases" => {
                Value::amount(counts.flow(ReceivedChildren, law, period) as f64)
            }
            "average-daily-demand" => match working_days(&context.calendar, period) {
                Some(days) => {
                    Value::ratio(counts.flow(Received, law, period) as f64, days as f64, 1.0)
                }
                None => Value::none(),
            },
            "open-cases" => Value::amount(counts.level(Open, law, period) as f64),
            "children-in-open-cases" => {
                Value::amount(counts.level(OpenChildren, law, period) as f64)
            }
            "children-worked-with" => {
                let year = Month::financial_year_of(period.first);
                let in_year: i64 = counts
                    .cells(WorkedWith, law, Some(year), year)
                    .map(|(_, _, c)| c)
                    .sum();
                Value::amount((in_year + counts.level(WorkedWithOngoing, law, period)) as f64)
            }
            "care-proceedings-duration" => {
                let d = counts.durations(CareDuration, public, period);
                duration_value(&d, d.mean_weeks())
            }
            "care-within-26-weeks" => counts
                .durations(CareDuration, public, period)
                .share_within_spans(2),
            "private-law-over-52-weeks" | "public-law-over-26-weeks" => {
                let law = if measure.id.starts_with("private") {
                    private
                } else {
                    public
                };
                let long = counts.level(LongRunning, law, period) as f64;
                let open = counts.level(Open, law, period) as f64;
                Value {
                    value: Some(long),
                    ..Value::ratio(long, open, 100.0)
                }
            }
            "allocated-within-target" => {
                let (mut within, mut all) = (0, 0);
                for (law, waited, count) in counts.cells(
                    AllocationWait,
                    law,
                    Some(Month::of(period.first)),
                    Month::of(period.last),
                ) {
                    if waited == wait::UNCOUNTABLE {
                        continue;
                    }
                    let target = match law {
                        LawType::Private => context.targets.private_law_allocation_days,
                        LawType::Public | LawType::Adoption => {
                            context.targets.public_law_allocation_days
                        }
                    };
                    all += count;
                    if waited >= 0 && waited <= i64::from(target) {
                        within += count;
                    }
                }
                Value::ratio(within as f64, all as f64, 100.0)
            }
            "unallocated-at-month-end" => {
                let open = counts.level(Open, law, period);
                let allocated = counts.level(AllocatedOpen, law, period);
                Value::ratio((open - allocated) as f64, open as f64, 100.0)
            }
            "work-filed-on-time" => counts.share_met(WorkDue, law, period),
            "caseload-per-fte" => match context.fte_on(scope, period.last) {
                Some(fte) => {
                    Value::ratio(counts.level(AllocatedOpen, law, period) as f64, fte, 1.0)
                }
                None => Value::none(),
            },
            "children-seen-before-first-hearing" => {
                counts.share_met(FirstHearingChildren, law, period)
            }
            "private-law-time-to-final-order" => {
                let d = counts.durations(FinalOrder, private, period);
                duration_value(&d, d.mean_weeks())
            }
            "private-law-time-to-first-disposal" => {
                let d = counts.durations(FirstDisposal, private, period);
                duration_value(&d, d.mean_whole_weeks())
            }
            _ => Value::none(),
        }
    };
    Ok(periods.iter().map(value).collect())
}

/// One case's own part in `measure`'s number for `scope` in `period`: its
/// value as if it were the only case, when it is one of the cases behind the
/// number, and none when it is not. Worked out from the same cells as the
/// number itself, so the list behind a number always adds up to it.
#[allow(clippy::too_many_arguments)]
pub fn case_part(
    measure: &Measure,
    facts: &CaseFacts,
    scope: Scope,
    period: Period,
    granularity: Granularity,
    law: Option<LawType>,
    context: &MeasureContext,
    rules: &RollupRules,
) -> Result<Option<Value>, String> {
    let mut counts = ScopeCounts::default();
    for (cell, count) in case_cells(facts, &context.places, rules) {
        if cell.scope == scope {
            counts.add(
                cell.component,
                cell.law_type,
                cell.month,
                cell.bucket,
                count,
            );
        }
    }
    let value = evaluate(
        measure,
        &[period],
        granularity,
        law,
        scope,
        &counts,
        context,
    )?
    .into_iter()
    .next()
    .unwrap_or_else(Value::none);
    let counted = |x: Option<f64>| x.is_some_and(|x| x > 0.0);
    let behind = match measure.unit {
        // A count: the cases counted.
        Unit::Cases | Unit::Children => counted(value.value),
        // A share or a duration: every case measured, met or not.
        Unit::Percent | Unit::Weeks => counted(value.denominator),
        // Per working day or per FTE: the cases divided.
        Unit::PerDay | Unit::Ratio => counted(value.numerator),
    };
    Ok(behind.then_some(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_catalogue_ids_are_unique_and_found() {
        for (i, m) in CATALOGUE.iter().enumerate() {
            assert!(
                CATALOGUE[..i].iter().all(|other| other.id != m.id),
                "{} twice",
                m.id
            );
            assert_eq!(measure(m.id), Some(m));
            assert!(!m.definition.is_empty() && !m.formula.is_empty());
        }
        assert!(measure("happiness").is_none());
        for m in CATALOGUE {
            assert!(
                !ingredients(m).is_empty(),
                "{} has nothing to be worked out from",
                m.id
            );
        }
    }

    #[test]
    fn the_ministrys_median_is_the_lower_middle_for_even_counts() {
        assert_eq!(Durations::from_days(&[]).fcsq_median_days(), None);
        assert_eq!(Durations::from_days(&[70]).fcsq_median_days(), Some(70));
        assert_eq!(
            Durations::from_days(&[210, 70, 140]).fcsq_median_days(),
            Some(140),
            "odd: the middle"
        );
        assert_eq!(
            Durations::from_days(&[70, 140, 210, 280]).fcsq_median_days(),
            Some(140),
            "even: the largest of the lower half, not 175"
        );
        assert_eq!(
            Durations::from_days(&[70, 141, 210, 280]).median_weeks(),
            Some(20.1)
        );
    }

    #[test]
    fn the_median_narrows_down_from_spans_to_weeks_to_days() {
        // 7 durations: the median is the 4th, 150 days, in week 22 (days
        // 148–154), in the second 13-week span (weeks 14–26).
        let all = [3, 40, 149, 150, 152, 300, 301];
        let full = Durations::from_days(&all);
        assert_eq!(full.fcsq_median_days(), Some(150));
        assert_eq!(full.median_needs(), None);
        let mut partial = Durations::default();
        for d in all {
            partial.add_span(span::of(week::of(d)), 1);
        }
        assert_eq!(partial.median_needs(), Some(Finer::Weeks(2)));
        assert_eq!(partial.fcsq_median_days(), None, "not read yet");
        let (first, last) = span::weeks(2);
        for d in all
            .iter()
            .filter(|d| (first..=last).contains(&week::of(**d)))
        {
            partial.add_week(week::of(*d), 1);
        }
        assert_eq!(partial.median_needs(), Some(Finer::Days(22)));
        let (first, last) = week::days(22);
        for d in all.iter().filter(|d| (first..=last).contains(*d)) {
            partial.add_days(*d, 1);
        }
        assert_eq!(partial.median_needs(), None);
        assert_eq!(partial.fcsq_median_days(), Some(150));
        // Weeks and spans end on whole weeks, so 26 weeks is 182 days or
        // fewer, and two spans.
        assert_eq!(week::of(0), 0);
        assert_eq!((week::of(176), week::of(182), week::of(183)), (26, 26, 27));
        assert_eq!(week::days(26), (176, 182));
        assert_eq!(week::days(0), (0, 0));
        assert_eq!(
            (span::of(0), span::of(13), span::of(26), span::of(27)),
            (0, 1, 2, 3)
        );
        assert_eq!(span::weeks(2), (14, 26));
        assert_eq!(span::weeks(0), (0, 0));
    }

    #[test]
    fn table_9_and_table_10_means_differ_as_the_ministrys_code_does() {
        // 13 and 20 days: Table 9 averages days (16.5) then ÷ 7 = 2.357…;
        // Table 10 averages whole weeks (1 and 2) = 1.5.
        assert_eq!(Durations::from_days(&[13, 20]).mean_weeks(), Some(2.4));
        assert_eq!(
            Durations::from_days(&[13, 20]).mean_whole_weeks(),
            Some(1.5)
        );
        assert_eq!(Durations::from_days(&[]).mean_weeks(), None);
    }

    #[test]
    fn targets_are_judged_by_the_measures_direction() {
        assert_eq!(
            rag(Better::Higher, Some(90.0), Some(90.0)),
            Some(Rag::Green)
        );
        assert_eq!(
            rag(Better::Higher, Some(86.0), Some(90.0)),
            Some(Rag::Amber)
        );
        assert_eq!(rag(Better::Higher, Some(85.0), Some(90.0)), Some(Rag::Red));
        assert_eq!(rag(Better::Lower, Some(27.0), Some(26.0)), Some(Rag::Amber));
        assert_eq!(rag(Better::Lower, Some(28.0), Some(26.0)), Some(Rag::Red));
        assert_eq!(
            rag(Better::Lower, None, Some(26.0)),
            None,
            "no data is not red"
        );
        assert_eq!(rag(Better::Neither, Some(1.0), Some(1.0)), None);
        let within = measure("care-within-26-weeks").expect("measure");
        let typed = |t: &str| {
            TargetInput {
                target: t.into(),
                version: "0".into(),
            }
            .validate(within)
        };
        assert_eq!(typed("40%").ok(), Some((Some(40.0), 0)));
        assert_eq!(typed(" ").ok(), Some((None, 0)));
        assert!(typed("140").is_err() && typed("lots").is_err() && typed("NaN").is_err());
        let volume = measure("new-cases").expect("measure");
        assert!(
            TargetInput {
                target: "5".into(),
                version: "0".into()
            }
            .validate(volume)
            .is_err()
        );
    }

    #[test]
    fn nothing_to_divide_by_is_no_data() {
        let empty = Durations::from_days(&[]).share_within_spans(2);
        assert_eq!(empty.value, None);
        assert_eq!(empty.display(Unit::Percent), "no data");
        let some = Durations::from_days(&[182, 183, 100]).share_within_spans(2);
        assert_eq!(some.numerator, Some(2.0));
        assert_eq!(some.display(Unit::Percent), "66.7%");
        assert_eq!(Value::amount(12.0).display(Unit::Cases), "12");
        assert_eq!(Value::amount(57_312.0).display(Unit::Cases), "57,312");
        assert_eq!(Value::amount(1_234.56).display(Unit::Weeks), "1,234.6");
        assert_eq!(Value::amount(-1_000.0).display(Unit::Ratio), "-1,000.0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(grouped(-123_456), "-123,456");
        assert_eq!(Value::none().display(Unit::Weeks), "no data");
    }

    #[test]
    fn periods_follow_the_financial_year() {
        let quarters = Period::series("2024-02", "2024-07", Granularity::Quarter).expect("ok");
        let firsts: Vec<Date> = quarters.iter().map(|p| p.first).collect();
        assert_eq!(
            firsts,
            [date(2024, 1, 1), date(2024, 4, 1), date(2024, 7, 1)]
        );
        assert_eq!(quarters[1].last, date(2024, 6, 30));
        let years = Period::series("2024-03", "2024-04", Granularity::Year).expect("ok");
        assert_eq!(
            years,
            [
                Period::financial_year(2023).expect("fy"),
                Period::financial_year(2024).expect("fy")
            ]
        );
        assert_eq!(years[1].label(), "2024-25");
        let months = Period::series("2023-11", "2024-02", Granularity::Month).expect("ok");
        assert_eq!(months.len(), 4);
        assert_eq!(months[3].last, date(2024, 2, 29), "a leap year");
        assert_eq!(months[0].label(), "November 2023");
        assert_eq!(quarters[1].label(), "April to June 2024");
        assert!(Period::series("2024-05", "2024-04", Granularity::Month).is_err());
        assert!(Period::series("May 2024", "2024-06", Granularity::Month).is_err());
        assert_eq!(
            Period::series("2015-04", "2025-03", Granularity::Month)
                .expect("ten years")
                .len(),
            120
        );
    }
}
