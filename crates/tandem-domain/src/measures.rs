//! The measure catalogue and the statistical rules the published figures
//! use (domain.md section 2): what each measure counts, its unit, its exact
//! formula, the periods it is reported for, and the Ministry of Justice's
//! mean and median rules. Nothing here reads data; storage supplies counts
//! and durations, and these functions turn them into the published numbers.

use jiff::civil::Date;

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

/// One measure: a stable id, what it is called, its unit, and its
/// definition in plain English and as a formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    pub id: &'static str,
    pub name: &'static str,
    pub unit: Unit,
    pub definition: &'static str,
    pub formula: &'static str,
}

/// The catalogue. Ids are stable: they appear in URLs and the API.
pub const CATALOGUE: &[Measure] = &[
    Measure {
        id: "new-cases",
        name: "New children's cases",
        unit: Unit::Cases,
        definition: "Cases whose application the service received in the period, by the law type of the lead application. A case is one court case, whatever the number of children or applications in it.",
        formula: "|{case : receipt_date ∈ period}|",
    },
    Measure {
        id: "children-in-new-cases",
        name: "Children in new cases",
        unit: Unit::Children,
        definition: "The children in the cases received in the period: each child of each new case once.",
        formula: "|{(case, child) : case ∈ new-cases(period)}|",
    },
    Measure {
        id: "average-daily-demand",
        name: "Average daily demand",
        unit: Unit::PerDay,
        definition: "New children's cases divided by the working days (England and Wales) in the period.",
        formula: "new-cases(period) ÷ working_days(period)",
    },
    Measure {
        id: "open-cases",
        name: "Open children's cases at period end",
        unit: Unit::Cases,
        definition: "Cases received on or before the last day of the period and not closed by then.",
        formula: "|{case : receipt_date ≤ end ∧ (closed_on is none ∨ closed_on > end)}|",
    },
    Measure {
        id: "children-in-open-cases",
        name: "Children in open cases at period end",
        unit: Unit::Children,
        definition: "The children in the cases open at the end of the period.",
        formula: "|{(case, child) : case ∈ open-cases(end)}|",
    },
    Measure {
        id: "children-worked-with",
        name: "Children worked with",
        unit: Unit::Children,
        definition: "Distinct children in cases open at any time in the period, new or continuing.",
        formula: "|{child : ∃ case open at some day of the period with child}|",
    },
    Measure {
        id: "care-proceedings-duration",
        name: "Average duration of care proceedings",
        unit: Unit::Weeks,
        definition: "The mean time, in weeks, from the issue of a care (s31) application to its final order, for applications whose final order fell in the period.",
        formula: "mean over s31 cases closed in period of (closed_on − issued_on) ÷ 7, 1 dp",
    },
    Measure {
        id: "care-within-26-weeks",
        name: "Care and supervision proceedings concluded within 26 weeks",
        unit: Unit::Percent,
        definition: "Of care and supervision cases concluded in the period, the share that took 26 weeks (182 days) or less from issue, counting court-granted extensions as time taken.",
        formula: "|{d ≤ 182 days}| ÷ |concluded in period| × 100",
    },
    Measure {
        id: "private-law-over-52-weeks",
        name: "Private law cases open over 52 weeks",
        unit: Unit::Cases,
        definition: "Open private law cases received more than the long-running threshold (52 weeks by default) before the end of the period; with the share of all open private law cases.",
        formula: "|{open private case at end : end − receipt_date > 7 × N}|",
    },
    Measure {
        id: "public-law-over-26-weeks",
        name: "Public law cases open over 26 weeks",
        unit: Unit::Cases,
        definition: "Open public law cases received more than the long-running threshold (26 weeks by default) before the end of the period; with the share of all open public law cases.",
        formula: "|{open public case at end : end − receipt_date > 7 × N}|",
    },
    Measure {
        id: "allocated-within-target",
        name: "Cases allocated within the target",
        unit: Unit::Percent,
        definition: "Of cases received in the period, the share allocated within the organisation's allocation target in working days.",
        formula: "|{case : working_days(receipt_date, allocated_on) ≤ N}| ÷ |received in period| × 100",
    },
    Measure {
        id: "unallocated-at-month-end",
        name: "Unallocated work at month end",
        unit: Unit::Percent,
        definition: "Open cases with no allocated worker at the end of the period, as a share of all open cases.",
        formula: "|{open case at end : not allocated}| ÷ |open cases at end| × 100",
    },
    Measure {
        id: "work-filed-on-time",
        name: "Safeguarding letters and reports filed on time",
        unit: Unit::Percent,
        definition: "Of safeguarding letters and reports due in the period, the share filed on or before their due date (after any extension the court granted).",
        formula: "|{item due in period : filed_on ≤ due_on}| ÷ |due in period| × 100",
    },
    Measure {
        id: "caseload-per-fte",
        name: "Caseload per case-holding FTE",
        unit: Unit::Ratio,
        definition: "Open cases allocated to practitioners at the end of the period, divided by the full-time equivalent of the practitioners in post then.",
        formula: "Σ open allocated cases ÷ Σ FTE of case-holding practitioners",
    },
    Measure {
        id: "children-seen-before-first-hearing",
        name: "Children seen before the first hearing",
        unit: Unit::Percent,
        definition: "Of children in cases whose first hearing fell in the period, the share who had met their family court adviser on or before that hearing.",
        formula: "|{child : first_met ≤ first_hearing}| ÷ |children with a first hearing in period| × 100",
    },
    Measure {
        id: "private-law-time-to-final-order",
        name: "Private law time to final order (FCSQ Table 9 method)",
        unit: Unit::Weeks,
        definition: "For private law cases whose last disposal before first closure fell in the period: weeks from issue to that disposal. Mean is the average of days ÷ 7; median is the Ministry of Justice's (the largest value of the lower half).",
        formula: "mean = round(avg(days) ÷ 7, 1); median = max(lower NTILE(2) tile of days) ÷ 7",
    },
    Measure {
        id: "private-law-time-to-first-disposal",
        name: "Private law time to first disposal (FCSQ Table 10 method)",
        unit: Unit::Weeks,
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
}

impl Value {
    /// A plain count or amount.
    pub fn amount(value: f64) -> Self {
        Self {
            numerator: None,
            denominator: None,
            value: Some(value),
        }
    }

    /// No data at all for the period.
    pub fn none() -> Self {
        Self {
            numerator: None,
            denominator: None,
            value: None,
        }
    }

    /// `numerator ÷ denominator × scale` (100 for a percentage).
    pub fn ratio(numerator: f64, denominator: f64, scale: f64) -> Self {
        Self {
            numerator: Some(numerator),
            denominator: Some(denominator),
            value: (denominator != 0.0).then(|| numerator / denominator * scale),
        }
    }

    /// As shown on a page: one decimal place for weeks, ratios and shares,
    /// whole numbers for counts, and "no data" when there is none.
    pub fn display(&self, unit: Unit) -> String {
        match (self.value, unit) {
            (None, _) => "no data".into(),
            (Some(v), Unit::Cases | Unit::Children) => format!("{}", v.round()),
            (Some(v), Unit::Percent) => format!("{v:.1}%"),
            (Some(v), _) => format!("{v:.1}"),
        }
    }
}

/// Rounds to one decimal place, halves away from zero, as SQL `ROUND` does.
pub fn round_1dp(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// The Ministry of Justice's median of durations in days: rows sorted and
/// split into two tiles (`NTILE(2)`, the extra row going to the first), and
/// the largest value of the first tile taken. For an odd count that is the
/// true median; for an even count, the lower of the middle two.
pub fn fcsq_median_days(days: &[i64]) -> Option<i64> {
    if days.is_empty() {
        return None;
    }
    let mut sorted = days.to_vec();
    sorted.sort_unstable();
    let first_tile = sorted.len().div_ceil(2);
    sorted.get(first_tile - 1).copied()
}

/// FCSQ Table 9's mean in weeks: the average of days, then ÷ 7, 1 dp.
pub fn mean_weeks(days: &[i64]) -> Option<f64> {
    if days.is_empty() {
        return None;
    }
    let total: i64 = days.iter().sum();
    Some(round_1dp(total as f64 / days.len() as f64 / 7.0))
}

/// FCSQ Table 10's mean in weeks: the average of whole weeks (days ÷ 7
/// truncated, as integer division does), 1 dp.
pub fn mean_whole_weeks(days: &[i64]) -> Option<f64> {
    if days.is_empty() {
        return None;
    }
    let total: i64 = days.iter().map(|d| d / 7).sum();
    Some(round_1dp(total as f64 / days.len() as f64))
}

/// The median in weeks, 1 dp, by the Ministry's rule.
pub fn median_weeks(days: &[i64]) -> Option<f64> {
    fcsq_median_days(days).map(|d| round_1dp(d as f64 / 7.0))
}

/// The share of durations of at most `limit` days, as a percentage.
pub fn share_within(days: &[i64], limit: i64) -> Value {
    let within = days.iter().filter(|d| **d <= limit).count();
    Value::ratio(within as f64, days.len() as f64, 100.0)
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
    }

    #[test]
    fn the_ministrys_median_is_the_lower_middle_for_even_counts() {
        assert_eq!(fcsq_median_days(&[]), None);
        assert_eq!(fcsq_median_days(&[70]), Some(70));
        assert_eq!(
            fcsq_median_days(&[210, 70, 140]),
            Some(140),
            "odd: the middle"
        );
        assert_eq!(
            fcsq_median_days(&[70, 140, 210, 280]),
            Some(140),
            "even: the largest of the lower half, not 175"
        );
        assert_eq!(median_weeks(&[70, 141, 210, 280]), Some(20.1));
    }

    #[test]
    fn table_9_and_table_10_means_differ_as_the_ministrys_code_does() {
        // 13 and 20 days: Table 9 averages days (16.5) then ÷ 7 = 2.357…;
        // Table 10 averages whole weeks (1 and 2) = 1.5.
        assert_eq!(mean_weeks(&[13, 20]), Some(2.4));
        assert_eq!(mean_whole_weeks(&[13, 20]), Some(1.5));
        assert_eq!(mean_weeks(&[]), None);
    }

    #[test]
    fn nothing_to_divide_by_is_no_data() {
        let empty = share_within(&[], 182);
        assert_eq!(empty.value, None);
        assert_eq!(empty.display(Unit::Percent), "no data");
        let some = share_within(&[182, 183, 100], 182);
        assert_eq!(some.numerator, Some(2.0));
        assert_eq!(some.display(Unit::Percent), "66.7%");
        assert_eq!(Value::amount(12.0).display(Unit::Cases), "12");
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
