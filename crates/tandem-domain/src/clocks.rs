//! Statutory and practice clocks.
//!
//! Two kinds of clock run on a case. The statutory 26-week limit for care and
//! supervision proceedings counts calendar days from issue, because that is how
//! the Children Act measures it. Practice targets (a safeguarding letter, an
//! allocation) count working days, because that is how the service sets them;
//! those go through the [`WorkingCalendar`] so bank holidays are honoured.

use jiff::Span;
use jiff::civil::Date;
use serde::Serialize;

use crate::calendar::{CalendarError, WorkingCalendar};
use crate::casework::LawType;
use crate::{DomainError, ValidationErrors, text};

/// The statutory limit for care and supervision proceedings: 26 weeks
/// beginning with the day the application was issued (Children Act 1989
/// s32(1)(a)(ii)).
pub const STATUTORY_WEEKS: i64 = 26;

/// The longest single extension: s32(8) allows extensions "not to exceed eight
/// weeks" each.
pub const MAX_EXTENSION_WEEKS: u8 = 8;

/// Longest reason recorded for an extension.
pub const MAX_REASON_LEN: usize = 500;

/// How close to a limit counts as at risk: the last 4 weeks.
const AMBER_WEEKS: i64 = 4;

/// An extension of the 26-week limit granted by the court.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    /// Whole weeks, 1 to [`MAX_EXTENSION_WEEKS`].
    pub weeks: u8,
    pub granted_on: Date,
    pub reason: String,
}

/// Checks an extension as typed into a form; `issued` is the application's issue date.
pub fn validate_extension(
    weeks: &str,
    granted_on: &str,
    reason: &str,
    issued: Date,
) -> Result<Extension, DomainError> {
    let mut errors = ValidationErrors::new();
    let weeks = errors.check("weeks", extension_weeks(weeks));
    let granted_on = errors.check(
        "granted_on",
        text::date(granted_on, "date the extension was granted").and_then(|date| {
            if date < issued {
                Err(format!(
                    "The date the extension was granted must not be before the application was issued ({issued})"
                ))
            } else {
                Ok(date)
            }
        }),
    );
    let reason = errors.check("reason", extension_reason(reason));
    match (weeks, granted_on, reason) {
        (Some(weeks), Some(granted_on), Some(reason)) if errors.is_empty() => Ok(Extension {
            weeks,
            granted_on,
            reason,
        }),
        _ => Err(DomainError::Invalid(errors)),
    }
}

fn extension_weeks(value: &str) -> Result<u8, String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err("Enter the number of weeks the limit was extended by".into());
    }
    let whole = trimmed.bytes().all(|b| b.is_ascii_digit());
    match trimmed.parse::<u8>() {
        Ok(weeks) if whole && (1..=MAX_EXTENSION_WEEKS).contains(&weeks) => Ok(weeks),
        _ => Err(format!(
            "An extension must be a whole number of weeks from 1 to {MAX_EXTENSION_WEEKS}"
        )),
    }
}

/// The reason may run over several lines (it comes from a text area), so line
/// breaks are kept, normalised to `\n`; other control characters are refused.
fn extension_reason(value: &str) -> Result<String, String> {
    let normalised = value.replace("\r\n", "\n");
    // Checked with line breaks as spaces: one character for one, so the
    // length rule and the trimming agree with the text kept.
    text::name(
        &normalised.replace('\n', " "),
        "reason for the extension",
        MAX_REASON_LEN,
    )?;
    Ok(normalised.trim().to_owned())
}

/// Red, amber or green, as shown on dashboards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Rag {
    Green,
    Amber,
    Red,
}

impl Rag {
    /// Stable machine name, for CSS classes and the API.
    pub fn name(self) -> &'static str {
        match self {
            Rag::Green => "green",
            Rag::Amber => "amber",
            Rag::Red => "red",
        }
    }

    /// Words shown with the colour, so the status never depends on colour alone.
    pub fn label(self) -> &'static str {
        match self {
            Rag::Green => "On track",
            Rag::Amber => "At risk",
            Rag::Red => "Over",
        }
    }
}

/// The 26-week clock of one set of care or supervision proceedings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwentySixWeeks {
    pub issued: Date,
    /// Total weeks of all extensions granted.
    pub extension_weeks: i64,
}

impl TwentySixWeeks {
    pub fn new(issued: Date, extensions: &[Extension]) -> Self {
        let extension_weeks = extensions.iter().map(|e| i64::from(e.weeks)).sum();
        Self {
            issued,
            extension_weeks,
        }
    }

    /// Day 1 is the day of issue ("beginning with the day"); days before issue
    /// are 0 and below.
    pub fn day_number(&self, on: Date) -> i64 {
        on.duration_since(self.issued).as_secs().div_euclid(86_400) + 1
    }

    /// Week 1 is days 1–7; days before issue are week 0 and below.
    pub fn week_number(&self, on: Date) -> i64 {
        (self.day_number(on) - 1).div_euclid(7) + 1
    }

    /// 26 plus the weeks of every extension.
    pub fn limit_weeks(&self) -> i64 {
        STATUTORY_WEEKS.saturating_add(self.extension_weeks)
    }

    fn limit_days(&self) -> i64 {
        self.limit_weeks().saturating_mul(7)
    }

    /// The last day within the limit: issued + (limit_weeks × 7 − 1) days.
    /// (Clamped to the range of dates jiff can represent.)
    pub fn last_day(&self) -> Date {
        let offset = self.limit_days().saturating_sub(1);
        match Span::new().try_days(offset) {
            Ok(span) => self.issued.saturating_add(span),
            Err(_) if offset < 0 => Date::MIN,
            Err(_) => Date::MAX,
        }
    }

    /// Whether `on` is no later than the last day of the limit. Days before
    /// issue are within it: the clock has not started, so it cannot be over.
    pub fn is_within(&self, on: Date) -> bool {
        self.day_number(on) <= self.limit_days()
    }

    /// Red once past the limit; amber in its last 4 weeks; green before.
    pub fn rag(&self, on: Date) -> Rag {
        let day = self.day_number(on);
        let limit = self.limit_days();
        if day > limit {
            Rag::Red
        } else if day > limit.saturating_sub(AMBER_WEEKS * 7) {
            Rag::Amber
        } else {
            Rag::Green
        }
    }

    /// "Week 12 of 26" (or "of 30" with extensions); "Week 27 of 26: 1 week
    /// over" when over. Before issue: "Not yet issued".
    pub fn describe(&self, on: Date) -> String {
        let week = self.week_number(on);
        let limit = self.limit_weeks();
        if week < 1 {
            return "Not yet issued".into();
        }
        let over = week.saturating_sub(limit);
        match over {
            ..=0 => format!("Week {week} of {limit}"),
            1 => format!("Week {week} of {limit}: 1 week over"),
            _ => format!("Week {week} of {limit}: {over} weeks over"),
        }
    }
}

/// Thresholds past which an open case counts as long-running: 26 weeks for
/// public law and 52 for private law by default (the 2023–26 strategic plan's
/// measures of success).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LongRunningThresholds {
    pub public_law_weeks: i64,
    pub private_law_weeks: i64,
}

impl LongRunningThresholds {
    /// The weeks after which a case of `law` runs long: none for adoption,
    /// which the plan's measures leave out.
    pub fn weeks(&self, law: LawType) -> Option<i64> {
        match law {
            LawType::Private => Some(self.private_law_weeks),
            LawType::Public => Some(self.public_law_weeks),
            LawType::Adoption => None,
        }
    }
}

impl Default for LongRunningThresholds {
    fn default() -> Self {
        Self {
            public_law_weeks: 26,
            private_law_weeks: 52,
        }
    }
}

/// Practice targets in working days, configurable per organisation. The
/// defaults are the service's own targets, not law, so an organisation can
/// change them without a code change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PracticeTargets {
    /// Safeguarding letter, from the service receiving the application.
    pub safeguarding_letter_days: u32,
    /// Allocation of a public law case to a guardian, from receipt.
    pub public_law_allocation_days: u32,
    /// Allocation of a private law case, from receipt.
    pub private_law_allocation_days: u32,
    /// First contact with the child, from allocation.
    pub first_contact_with_child_days: u32,
}

impl Default for PracticeTargets {
    fn default() -> Self {
        Self {
            safeguarding_letter_days: 17,
            public_law_allocation_days: 2,
            private_law_allocation_days: 20,
            first_contact_with_child_days: 10,
        }
    }
}

impl PracticeTargets {
    /// The due date `days` working days after `from` (one of this struct's
    /// targets); see [`WorkingCalendar::add_working_days`].
    pub fn due(
        &self,
        calendar: &WorkingCalendar,
        from: Date,
        days: u32,
    ) -> Result<Date, CalendarError> {
        calendar.add_working_days(from, days)
    }
}

/// RAG for a due date: red if `on` is after `due`, amber within `warn` working
/// days before it (so on the due date itself it is amber), green otherwise.
///
/// Red needs no calendar, so an overdue item is reported as red even when the
/// calendar does not cover the dates.
pub fn due_rag(
    calendar: &WorkingCalendar,
    due: Date,
    on: Date,
    warn: u32,
) -> Result<Rag, CalendarError> {
    if on > due {
        return Ok(Rag::Red);
    }
    let left = calendar.working_days_between(on, due)?;
    Ok(if left <= i64::from(warn) {
        Rag::Amber
    } else {
        Rag::Green
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn plus(date: Date, days: i64) -> Date {
        date.checked_add(Span::new().days(days)).unwrap()
    }

    const FIRST: Date = Date::constant(2010, 1, 1);
    const LAST: Date = Date::constant(2028, 6, 30);

    fn date_in_range() -> impl Strategy<Value = Date> {
        let span = LAST.duration_since(FIRST).as_secs() / 86_400;
        (0..=span).prop_map(|n| plus(FIRST, n))
    }

    fn extension(weeks: u8) -> Extension {
        Extension {
            weeks,
            granted_on: d("2026-05-01"),
            reason: "Further assessment".into(),
        }
    }

    #[test]
    fn week_numbering_starts_on_the_day_of_issue() {
        let clock = TwentySixWeeks::new(d("2026-01-05"), &[]);
        assert_eq!(clock.day_number(d("2026-01-05")), 1);
        for day in 1..=7 {
            assert_eq!(
                clock.week_number(plus(clock.issued, day - 1)),
                1,
                "day {day}"
            );
        }
        assert_eq!(clock.week_number(d("2026-01-12")), 2);
        assert_eq!(clock.week_number(d("2026-01-04")), 0);
        assert_eq!(clock.day_number(d("2026-01-04")), 0);
        assert_eq!(clock.limit_weeks(), 26);
        assert_eq!(clock.last_day(), d("2026-07-05"));
    }

    #[test]
    fn rag_boundaries() {
        let clock = TwentySixWeeks::new(d("2026-01-05"), &[]);
        let on_day = |n: i64| clock.rag(plus(clock.issued, n - 1));
        assert_eq!(clock.rag(d("2026-01-01")), Rag::Green);
        assert_eq!(on_day(1), Rag::Green);
        assert_eq!(on_day(154), Rag::Green); // end of week 22
        assert_eq!(on_day(155), Rag::Amber); // start of week 23: last 4 weeks
        assert_eq!(on_day(182), Rag::Amber);
        assert_eq!(on_day(183), Rag::Red);
        let extended = TwentySixWeeks::new(d("2026-01-05"), &[extension(4)]);
        assert_eq!(extended.rag(plus(extended.issued, 182)), Rag::Amber);
        assert_eq!(extended.rag(plus(extended.issued, 210)), Rag::Red);
        assert_eq!(
            (Rag::Amber.name(), Rag::Amber.label()),
            ("amber", "At risk")
        );
        assert_eq!(
            (Rag::Green.name(), Rag::Green.label()),
            ("green", "On track")
        );
        assert_eq!((Rag::Red.name(), Rag::Red.label()), ("red", "Over"));
    }

    #[test]
    fn describe_strings() {
        let clock = TwentySixWeeks::new(d("2026-01-05"), &[]);
        let on_day = |clock: &TwentySixWeeks, n: i64| clock.describe(plus(clock.issued, n - 1));
        assert_eq!(on_day(&clock, 1), "Week 1 of 26");
        assert_eq!(on_day(&clock, 80), "Week 12 of 26");
        assert_eq!(on_day(&clock, 182), "Week 26 of 26");
        assert_eq!(on_day(&clock, 183), "Week 27 of 26: 1 week over");
        assert_eq!(on_day(&clock, 200), "Week 29 of 26: 3 weeks over");
        assert_eq!(on_day(&clock, 0), "Not yet issued");
        let extended = TwentySixWeeks::new(d("2026-01-05"), &[extension(3), extension(1)]);
        assert_eq!(on_day(&extended, 80), "Week 12 of 30");
        assert_eq!(on_day(&extended, 183), "Week 27 of 30");
        assert_eq!(on_day(&extended, 211), "Week 31 of 30: 1 week over");
    }

    #[test]
    fn extreme_clocks_do_not_panic() {
        let clock = TwentySixWeeks {
            issued: d("9999-12-01"),
            extension_weeks: i64::MAX,
        };
        assert_eq!(clock.last_day(), Date::MAX);
        assert!(clock.is_within(Date::MAX));
        let clock = TwentySixWeeks {
            issued: Date::MIN,
            extension_weeks: i64::MIN,
        };
        assert_eq!(clock.last_day(), Date::MIN);
        assert_eq!(clock.rag(Date::MAX), Rag::Red);
        let _ = clock.describe(Date::MAX);
    }

    #[test]
    fn extensions_are_validated() {
        let issued = d("2026-01-05");
        let ok = validate_extension(" 8 ", "2026-06-30", "  Expert report\r\ndelayed ", issued);
        assert_eq!(
            ok,
            Ok(Extension {
                weeks: 8,
                granted_on: d("2026-06-30"),
                reason: "Expert report\ndelayed".into(),
            })
        );
        assert!(validate_extension("1", "2026-01-05", "Reason", issued).is_ok());

        let field = |weeks: &str, granted: &str, reason: &str, field: &str| match validate_extension(
            weeks, granted, reason, issued,
        ) {
            Err(DomainError::Invalid(errors)) => errors.for_field(field).map(str::to_owned),
            other => panic!("expected invalid, got {other:?}"),
        };
        let weeks_message =
            Some("An extension must be a whole number of weeks from 1 to 8".to_owned());
        for bad in ["0", "9", "-1", "+3", "2.5", "eight", "300"] {
            assert_eq!(
                field(bad, "2026-06-30", "Reason", "weeks"),
                weeks_message,
                "{bad}"
            );
        }
        assert_eq!(
            field("", "2026-06-30", "Reason", "weeks").as_deref(),
            Some("Enter the number of weeks the limit was extended by")
        );
        assert_eq!(
            field("4", "2026-01-04", "Reason", "granted_on").as_deref(),
            Some(
                "The date the extension was granted must not be before the application was issued (2026-01-05)"
            )
        );
        assert_eq!(
            field("4", "2026-02-30", "Reason", "granted_on").as_deref(),
            Some("The date the extension was granted must be a real date")
        );
        assert_eq!(
            field("4", "2026-06-30", "  ", "reason").as_deref(),
            Some("Enter the reason for the extension")
        );
        assert_eq!(
            field("4", "2026-06-30", &"x".repeat(501), "reason").as_deref(),
            Some("The reason for the extension must be 500 characters or fewer")
        );
        assert!(validate_extension("4", "2026-06-30", &"x".repeat(500), issued).is_ok());
        assert_eq!(
            field("4", "2026-06-30", "a\u{7}b", "reason").as_deref(),
            Some("The reason for the extension must not contain control characters")
        );
        // Every problem is reported at once.
        match validate_extension("0", "", "", issued) {
            Err(DomainError::Invalid(errors)) => assert_eq!(errors.fields().len(), 3),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn practice_targets_and_due_rag() {
        let calendar = WorkingCalendar::england_and_wales().unwrap();
        let targets = PracticeTargets::default();
        assert_eq!(targets.safeguarding_letter_days, 17);
        assert_eq!(targets.public_law_allocation_days, 2);
        assert_eq!(targets.private_law_allocation_days, 20);
        assert_eq!(targets.first_contact_with_child_days, 10);
        let received = d("2026-12-22");
        assert_eq!(
            targets.due(&calendar, received, targets.public_law_allocation_days),
            Ok(d("2026-12-24"))
        );
        assert_eq!(targets.due(&calendar, received, 3), Ok(d("2026-12-29")));
        assert_eq!(
            LongRunningThresholds::default(),
            LongRunningThresholds {
                public_law_weeks: 26,
                private_law_weeks: 52
            }
        );
        let thresholds = LongRunningThresholds::default();
        assert_eq!(thresholds.weeks(LawType::Private), Some(52));
        assert_eq!(thresholds.weeks(LawType::Public), Some(26));
        assert_eq!(thresholds.weeks(LawType::Adoption), None);

        let due = d("2026-12-29");
        let rag = |on: &str| due_rag(&calendar, due, d(on), 2);
        assert_eq!(rag("2026-12-30"), Ok(Rag::Red));
        assert_eq!(rag("2026-12-29"), Ok(Rag::Amber));
        assert_eq!(rag("2026-12-23"), Ok(Rag::Amber)); // 2 working days: 24th, 29th
        assert_eq!(rag("2026-12-22"), Ok(Rag::Green)); // 3 working days
        assert_eq!(due_rag(&calendar, due, d("2026-12-29"), 0), Ok(Rag::Amber));
        assert_eq!(due_rag(&calendar, due, d("2026-12-24"), 0), Ok(Rag::Green));
        assert_eq!(
            due_rag(&calendar, d("2031-01-06"), d("2030-12-01"), 2),
            Err(CalendarError::NoDataForYear(2030))
        );
        assert_eq!(
            due_rag(&calendar, d("2031-01-06"), d("2031-01-07"), 2),
            Ok(Rag::Red)
        );
    }

    proptest! {
        #[test]
        fn day_182_is_within_26_weeks_and_day_183_is_over(issued in date_in_range()) {
            let clock = TwentySixWeeks::new(issued, &[]);
            prop_assert!(clock.is_within(plus(issued, 181)));
            prop_assert!(!clock.is_within(plus(issued, 182)));
            prop_assert_eq!(clock.last_day(), plus(issued, 181));
            prop_assert_eq!(clock.day_number(plus(issued, 181)), 182);
            prop_assert_eq!(clock.week_number(plus(issued, 181)), 26);
        }

        #[test]
        fn an_extension_moves_the_limit_by_exactly_its_weeks(
            issued in date_in_range(),
            weeks in proptest::collection::vec(1u8..=8, 0..4),
        ) {
            let extensions: Vec<Extension> = weeks.iter().map(|w| extension(*w)).collect();
            let total: i64 = weeks.iter().map(|w| i64::from(*w)).sum();
            let plain = TwentySixWeeks::new(issued, &[]);
            let extended = TwentySixWeeks::new(issued, &extensions);
            prop_assert_eq!(extended.limit_weeks(), 26 + total);
            prop_assert_eq!(extended.last_day(), plus(plain.last_day(), 7 * total));
            prop_assert!(extended.is_within(extended.last_day()));
            prop_assert!(!extended.is_within(plus(extended.last_day(), 1)));
        }

        #[test]
        fn rag_never_improves_as_time_passes(issued in date_in_range(), a in 0i64..400, b in 0i64..400) {
            let clock = TwentySixWeeks::new(issued, &[]);
            let (early, late) = (a.min(b), a.max(b));
            let rank = |rag: Rag| match rag { Rag::Green => 0, Rag::Amber => 1, Rag::Red => 2 };
            prop_assert!(rank(clock.rag(plus(issued, early))) <= rank(clock.rag(plus(issued, late))));
            prop_assert_eq!(clock.rag(plus(issued, late)) == Rag::Red, !clock.is_within(plus(issued, late)));
        }
    }
}
