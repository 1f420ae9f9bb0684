//! Working days in England and Wales.
//!
//! Practice targets are set in working days, so a due date depends on the bank
//! holidays. Bank holidays are announced by government year by year (and
//! sometimes changed at short notice), so they cannot be computed: Tandem ships
//! the GOV.UK list and refuses to work out a date in a year the list does not
//! cover rather than silently treating that year's holidays as working days.

use std::collections::BTreeSet;
use std::ops::Bound;

use jiff::civil::{Date, Weekday};
use serde_json::Value;

/// The England and Wales bank holidays Tandem ships with, in the shape of
/// GOV.UK's `bank-holidays.json`.
pub const SHIPPED: &str = include_str!("../data/bank-holidays.json");

/// The only division Tandem reads: the service works in England and Wales.
const DIVISION: &str = "england-and-wales";

/// One bank holiday as listed by GOV.UK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHoliday {
    pub date: Date,
    pub title: String,
}

/// Reads the england-and-wales events from a file in the GOV.UK
/// bank-holidays.json shape, sorted by date.
///
/// Other divisions (Scotland, Northern Ireland) and unknown fields are ignored,
/// so the file can be imported exactly as downloaded. Anything that would make
/// a due date wrong (a missing or impossible date, a date listed twice) is
/// refused with a sentence saying what to fix.
pub fn parse_govuk_bank_holidays(json: &str) -> Result<Vec<BankHoliday>, String> {
    let value: Value = serde_json::from_str(json)
        .map_err(|e| format!("The file is not a valid bank-holidays.json file ({e})"))?;
    let root = value
        .as_object()
        .ok_or("The file is not in the GOV.UK bank-holidays.json shape")?;
    let division = root
        .get(DIVISION)
        .ok_or("The file has no england-and-wales events")?
        .as_object()
        .ok_or("The england-and-wales section of the file is not in the GOV.UK shape")?;
    if let Some(label) = division.get("division")
        && label.as_str() != Some(DIVISION)
    {
        return Err(
            "The england-and-wales section of the file is labelled as a different division".into(),
        );
    }
    let events = match division.get("events") {
        None => return Err("The file has no england-and-wales events".into()),
        Some(events) => events
            .as_array()
            .ok_or("The england-and-wales events in the file are not a list")?,
    };
    if events.is_empty() {
        return Err("The file has no england-and-wales events".into());
    }

    let mut seen = BTreeSet::new();
    let mut holidays = Vec::with_capacity(events.len());
    for (index, event) in events.iter().enumerate() {
        let number = index + 1;
        let event = event
            .as_object()
            .ok_or_else(|| format!("Event {number} is not an event with a title and a date"))?;
        let title = event
            .get("title")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| format!("Event {number} has no title"))?;
        let text = event
            .get("date")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("Event {number} has no date"))?;
        let date = iso_date(text).ok_or_else(|| {
            format!(
                "Event {number} has a date that is not a real date: {}",
                shown(text)
            )
        })?;
        if !seen.insert(date) {
            return Err(format!("The file lists {date} twice"));
        }
        holidays.push(BankHoliday {
            date,
            title: title.to_owned(),
        });
    }
    holidays.sort_by_key(|h| h.date);
    Ok(holidays)
}

/// A date written exactly `YYYY-MM-DD`, as GOV.UK writes them.
fn iso_date(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return None;
    }
    let year = text.get(0..4)?.parse().ok()?;
    let month = text.get(5..7)?.parse().ok()?;
    let day = text.get(8..10)?.parse().ok()?;
    Date::new(year, month, day).ok()
}

/// Input quoted in an error message: short, with control characters escaped,
/// so a hostile file cannot make the message unreadable.
fn shown(text: &str) -> String {
    let short: String = text.chars().take(40).collect();
    let mut out = short.escape_debug().to_string();
    if text.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// Why a working-day calculation could not be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "There are no bank holiday dates for {0}. Import an up-to-date bank-holidays.json before working out dates in that year"
    )]
    NoDataForYear(i16),
}

/// Which days are working days, for the years the bank holiday list covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingCalendar {
    holidays: BTreeSet<Date>,
    years: BTreeSet<i16>,
}

/// A Monday, from which weekdays are counted arithmetically.
const MONDAY_EPOCH: Date = Date::constant(1970, 1, 5);

const SECONDS_PER_DAY: i64 = 86_400;

impl WorkingCalendar {
    /// Builds a calendar from a list of bank holidays. Years covered are the
    /// years with at least one holiday in the list: every year in England and
    /// Wales has several, so a year with none means the list does not reach it.
    pub fn new(holidays: impl IntoIterator<Item = Date>) -> Self {
        let holidays: BTreeSet<Date> = holidays.into_iter().collect();
        let years = holidays.iter().map(|d| d.year()).collect();
        Self { holidays, years }
    }

    /// The calendar from the list Tandem ships with ([`SHIPPED`]).
    pub fn england_and_wales() -> Result<Self, String> {
        let holidays = parse_govuk_bank_holidays(SHIPPED)?;
        Ok(Self::new(holidays.into_iter().map(|h| h.date)))
    }

    pub fn covers(&self, year: i16) -> bool {
        self.years.contains(&year)
    }

    pub fn first_year(&self) -> Option<i16> {
        self.years.first().copied()
    }

    pub fn last_year(&self) -> Option<i16> {
        self.years.last().copied()
    }

    /// Whether `date` is in the bank holiday list (whatever the year's coverage).
    pub fn is_bank_holiday(&self, date: Date) -> bool {
        self.holidays.contains(&date)
    }

    /// Saturdays, Sundays and bank holidays are not working days. A date in an
    /// uncovered year is an error, never a guess.
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        self.check_year(date.year())?;
        Ok(is_weekday(date) && !self.holidays.contains(&date))
    }

    /// The date `days` working days after `from` (`from` itself is not
    /// counted; `days = 0` gives the first working day on or after `from`).
    ///
    /// Errors if any year touched is not covered, including `from`'s own year:
    /// a start date outside the list is as suspect as a due date outside it.
    pub fn add_working_days(&self, from: Date, days: u32) -> Result<Date, CalendarError> {
        self.check_year(from.year())?;
        let mut date = from;
        if days == 0 {
            while !self.is_working_day(date)? {
                date = next_day(date)?;
            }
            return Ok(date);
        }
        let mut remaining = days;
        // Terminates: every step moves forward, and the list covers finitely
        // many years, so either enough working days are found or a step reaches
        // an uncovered year (or the end of the calendar) and returns an error.
        loop {
            date = next_day(date)?;
            if self.is_working_day(date)? {
                remaining -= 1;
                if remaining == 0 {
                    return Ok(date);
                }
            }
        }
    }

    /// Working days in `(from, to]`: how many working days after `from`, up to
    /// and including `to`. Negative when `to` is before `from` (the count of
    /// working days in `(to, from]`, negated).
    ///
    /// Every year from the earlier date's to the later date's must be covered.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<i64, CalendarError> {
        let (low, high, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        for year in low.year()..=high.year() {
            self.check_year(year)?;
        }
        // Counted rather than walked, so long spans (a case open for years)
        // cost the same as short ones.
        let weekdays = weekdays_before(day_index(high) + 1) - weekdays_before(day_index(low) + 1);
        let holidays = self
            .holidays
            .range((Bound::Excluded(low), Bound::Included(high)))
            .filter(|d| is_weekday(**d))
            .count();
        let holidays = i64::try_from(holidays).unwrap_or(i64::MAX);
        Ok(sign * (weekdays - holidays))
    }

    fn check_year(&self, year: i16) -> Result<(), CalendarError> {
        if self.covers(year) {
            Ok(())
        } else {
            Err(CalendarError::NoDataForYear(year))
        }
    }
}

fn is_weekday(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The next day; past the last date jiff can represent there is certainly no data.
fn next_day(date: Date) -> Result<Date, CalendarError> {
    date.tomorrow()
        .map_err(|_| CalendarError::NoDataForYear(date.year().saturating_add(1)))
}

/// Days from [`MONDAY_EPOCH`] to `date` (negative before it).
fn day_index(date: Date) -> i64 {
    date.duration_since(MONDAY_EPOCH)
        .as_secs()
        .div_euclid(SECONDS_PER_DAY)
}

/// Weekdays among the day indices `[0, n)` (negated for negative `n`), where
/// index 0 is a Monday.
fn weekdays_before(n: i64) -> i64 {
    5 * n.div_euclid(7) + n.rem_euclid(7).min(5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Span;
    use proptest::prelude::*;

    fn d(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn shipped() -> WorkingCalendar {
        WorkingCalendar::england_and_wales().unwrap()
    }

    const FIRST: Date = Date::constant(2010, 1, 1);
    const LAST: Date = Date::constant(2028, 6, 30);

    fn date_in_range() -> impl Strategy<Value = Date> {
        let span = day_index(LAST) - day_index(FIRST);
        (0..=span).prop_map(|n| FIRST.checked_add(Span::new().days(n)).unwrap())
    }

    /// A start date that leaves room, within the shipped data, to add up to
    /// 180 working days (about 36 weeks).
    fn start_date() -> impl Strategy<Value = Date> {
        let span = day_index(jiff::civil::date(2027, 12, 31)) - day_index(FIRST);
        (0..=span).prop_map(|n| FIRST.checked_add(Span::new().days(n)).unwrap())
    }

    /// Counts by walking day by day: the obvious definition the fast count must match.
    fn walked_between(calendar: &WorkingCalendar, from: Date, to: Date) -> i64 {
        let (low, high, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut count = 0;
        let mut date = low;
        while date < high {
            date = date.tomorrow().unwrap();
            if calendar.is_working_day(date).unwrap() {
                count += 1;
            }
        }
        sign * count
    }

    #[test]
    fn the_shipped_file_parses_and_covers_2010_to_2028() {
        let holidays = parse_govuk_bank_holidays(SHIPPED).unwrap();
        assert!(holidays.windows(2).all(|w| w[0].date < w[1].date));
        let calendar = shipped();
        assert_eq!(calendar.first_year(), Some(2010));
        assert_eq!(calendar.last_year(), Some(2028));
        for year in 2010..=2028 {
            assert!(calendar.covers(year), "{year}");
            let count = holidays.iter().filter(|h| h.date.year() == year).count();
            // Eight a year, plus the one-off extra days.
            let expected = match year {
                2011 | 2012 | 2023 => 9,
                2022 => 10,
                _ => 8,
            };
            assert_eq!(count, expected, "{year}");
        }
        assert!(!calendar.covers(2009));
        assert!(!calendar.covers(2029));
        assert!(holidays.iter().all(|h| is_weekday(h.date)));
        assert_eq!(holidays[0].title, "New Year\u{2019}s Day");
    }

    #[test]
    fn the_shipped_file_has_the_one_off_and_substitute_days() {
        let calendar = shipped();
        for date in [
            "2011-04-29", // royal wedding
            "2012-06-04", // spring bank holiday, moved
            "2012-06-05", // Diamond Jubilee
            "2020-05-08", // VE Day
            "2021-12-27",
            "2021-12-28",
            "2022-06-02", // spring bank holiday, moved
            "2022-06-03", // Platinum Jubilee
            "2022-09-19", // state funeral
            "2022-12-26",
            "2022-12-27",
            "2023-05-08", // coronation
            "2026-04-03", // Good Friday
            "2026-04-06", // Easter Monday
            "2026-12-25",
            "2026-12-28", // Boxing Day substitute: 26 December 2026 is a Saturday
            "2027-12-27",
            "2027-12-28",
        ] {
            assert!(calendar.is_bank_holiday(d(date)), "{date}");
            assert_eq!(calendar.is_working_day(d(date)), Ok(false), "{date}");
        }
        for date in ["2012-05-28", "2020-05-04", "2022-05-30", "2026-12-29"] {
            assert!(!calendar.is_bank_holiday(d(date)), "{date}");
        }
    }

    #[test]
    fn weekends_are_not_working_days() {
        let calendar = shipped();
        assert_eq!(calendar.is_working_day(d("2026-03-07")), Ok(false)); // Saturday
        assert_eq!(calendar.is_working_day(d("2026-03-08")), Ok(false)); // Sunday
        assert_eq!(calendar.is_working_day(d("2026-03-09")), Ok(true));
    }

    #[test]
    fn adding_working_days_known_cases() {
        let calendar = shipped();
        let add = |from: &str, days| calendar.add_working_days(d(from), days);
        assert_eq!(add("2026-03-06", 1), Ok(d("2026-03-09"))); // Friday + 1 = Monday
        assert_eq!(add("2026-03-07", 1), Ok(d("2026-03-09"))); // Saturday + 1 = Monday
        assert_eq!(add("2026-03-07", 0), Ok(d("2026-03-09")));
        assert_eq!(add("2026-03-09", 0), Ok(d("2026-03-09")));
        assert_eq!(add("2026-12-24", 1), Ok(d("2026-12-29")));
        assert_eq!(add("2026-04-02", 1), Ok(d("2026-04-07"))); // across Easter 2026
        assert_eq!(add("2026-03-02", 5), Ok(d("2026-03-09")));
        assert_eq!(add("2026-03-02", 17), Ok(d("2026-03-25")));
    }

    #[test]
    fn uncovered_years_are_an_error_not_a_guess() {
        let calendar = shipped();
        assert_eq!(
            calendar.is_working_day(d("2031-03-03")),
            Err(CalendarError::NoDataForYear(2031))
        );
        assert_eq!(
            calendar.add_working_days(d("2031-03-03"), 1),
            Err(CalendarError::NoDataForYear(2031))
        );
        assert_eq!(
            calendar.add_working_days(d("2028-12-20"), 10),
            Err(CalendarError::NoDataForYear(2029))
        );
        assert_eq!(
            calendar.working_days_between(d("2026-01-05"), d("2031-01-06")),
            Err(CalendarError::NoDataForYear(2029))
        );
        assert_eq!(
            calendar.working_days_between(d("2009-12-31"), d("2010-01-05")),
            Err(CalendarError::NoDataForYear(2009))
        );
        assert_eq!(
            CalendarError::NoDataForYear(2031).to_string(),
            "There are no bank holiday dates for 2031. Import an up-to-date \
             bank-holidays.json before working out dates in that year"
        );
    }

    #[test]
    fn a_calendar_reaching_the_end_of_time_errors_rather_than_panics() {
        let calendar = WorkingCalendar::new([Date::MAX]);
        assert_eq!(
            calendar.add_working_days(d("9999-12-30"), 5),
            Err(CalendarError::NoDataForYear(10000))
        );
        assert_eq!(calendar.working_days_between(Date::MAX, Date::MAX), Ok(0));
        assert_eq!(WorkingCalendar::new([]).first_year(), None);
    }

    #[test]
    fn working_days_between_known_cases() {
        let calendar = shipped();
        let between = |a: &str, b: &str| calendar.working_days_between(d(a), d(b));
        assert_eq!(between("2026-03-06", "2026-03-09"), Ok(1));
        assert_eq!(between("2026-03-09", "2026-03-06"), Ok(-1));
        assert_eq!(between("2026-03-09", "2026-03-09"), Ok(0));
        assert_eq!(between("2026-03-07", "2026-03-08"), Ok(0));
        assert_eq!(between("2026-12-24", "2026-12-29"), Ok(1));
        // 2026 has 261 weekdays and 8 bank holidays on weekdays; 1 January is one of them.
        assert_eq!(between("2026-01-01", "2026-12-31"), Ok(253));
        assert_eq!(between("2025-12-31", "2026-12-31"), Ok(253));
    }

    #[test]
    fn parser_errors_are_sentences() {
        let file = |events: &str| {
            format!(
                r#"{{"england-and-wales": {{"division": "england-and-wales", "events": [{events}]}}}}"#
            )
        };
        let ok =
            r#"{"title": "Christmas Day", "date": "2024-12-25", "notes": "", "bunting": true}"#;
        assert_eq!(
            parse_govuk_bank_holidays(&file("")),
            Err("The file has no england-and-wales events".into())
        );
        assert_eq!(
            parse_govuk_bank_holidays(r#"{"scotland": {"events": []}}"#),
            Err("The file has no england-and-wales events".into())
        );
        assert_eq!(
            parse_govuk_bank_holidays(&file(&format!(
                r#"{ok}, {ok}, {{"title": "Leap", "date": "2024-02-30"}}"#
            ))),
            Err("The file lists 2024-12-25 twice".into())
        );
        assert_eq!(
            parse_govuk_bank_holidays(&file(&format!(
                r#"{ok}, {{"title": "A", "date": "2024-01-01"}}, {{"title": "Leap", "date": "2024-02-30"}}"#
            ))),
            Err("Event 3 has a date that is not a real date: 2024-02-30".into())
        );
        assert_eq!(
            parse_govuk_bank_holidays(&file(r#"{"title": "Odd", "date": "24/12/2024"}"#)),
            Err("Event 1 has a date that is not a real date: 24/12/2024".into())
        );
        assert_eq!(
            parse_govuk_bank_holidays(&file(r#"{"title": "Odd", "date": "2024-1\n2-25"}"#)),
            Err("Event 1 has a date that is not a real date: 2024-1\\n2-25".into())
        );
        assert_eq!(
            parse_govuk_bank_holidays(&file(r#"{"date": "2024-12-25"}"#)),
            Err("Event 1 has no title".into())
        );
        assert_eq!(
            parse_govuk_bank_holidays(&file(r#"{"title": "X", "date": 20241225}"#)),
            Err("Event 1 has no date".into())
        );
        assert_eq!(
            parse_govuk_bank_holidays(&file("3")),
            Err("Event 1 is not an event with a title and a date".into())
        );
        assert_eq!(
            parse_govuk_bank_holidays(
                r#"{"england-and-wales": {"division": "scotland", "events": []}}"#
            ),
            Err(
                "The england-and-wales section of the file is labelled as a different division"
                    .into()
            )
        );
        assert_eq!(
            parse_govuk_bank_holidays("[]"),
            Err("The file is not in the GOV.UK bank-holidays.json shape".into())
        );
        let not_json = parse_govuk_bank_holidays("{").unwrap_err();
        assert!(
            not_json.starts_with("The file is not a valid bank-holidays.json file"),
            "{not_json}"
        );
    }

    #[test]
    fn the_full_govuk_file_is_read_for_england_and_wales_only() {
        let json = r#"{
          "england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "Boxing Day", "date": "2024-12-26", "notes": "", "bunting": true},
            {"title": "New Year\u2019s Day", "date": "2024-01-01", "notes": "", "bunting": true},
            {"title": "The \"special\" day", "date": "2024-06-03", "notes": "Extra", "bunting": false}
          ]},
          "scotland": {"division": "scotland", "events": [
            {"title": "2nd January", "date": "2024-01-02", "notes": "", "bunting": true},
            {"title": "St Andrew\u2019s Day", "date": "2024-12-02", "notes": "Substitute day", "bunting": true}
          ]},
          "northern-ireland": {"division": "northern-ireland", "events": [
            {"title": "St Patrick\u2019s Day", "date": "2024-03-18", "notes": "Substitute day", "bunting": true}
          ]}
        }"#;
        let holidays = parse_govuk_bank_holidays(json).unwrap();
        assert_eq!(
            holidays,
            vec![
                BankHoliday {
                    date: d("2024-01-01"),
                    title: "New Year\u{2019}s Day".into()
                },
                BankHoliday {
                    date: d("2024-06-03"),
                    title: "The \"special\" day".into()
                },
                BankHoliday {
                    date: d("2024-12-26"),
                    title: "Boxing Day".into()
                },
            ]
        );
    }

    proptest! {
        #[test]
        fn the_parser_never_panics_on_random_text(text in any::<String>()) {
            let _ = parse_govuk_bank_holidays(&text);
        }

        #[test]
        fn the_parser_never_panics_on_json_like_text(
            text in r#"[{}\[\]",:0-9a-z\- \\]{0,200}"#
        ) {
            let _ = parse_govuk_bank_holidays(&text);
        }

        #[test]
        fn the_parser_never_panics_on_a_damaged_shipped_file(
            start in 0usize..SHIPPED.len(),
            length in 0usize..200,
            insert in ".{0,5}",
        ) {
            let mut text = SHIPPED.to_owned();
            let start = (0..=start).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
            let mut end = (start + length).min(text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            text.replace_range(start..end, &insert);
            let _ = parse_govuk_bank_holidays(&text);
        }

        #[test]
        fn a_due_date_is_always_a_working_day(from in start_date(), days in 0u32..120) {
            let calendar = shipped();
            let due = calendar.add_working_days(from, days).unwrap();
            prop_assert!(is_weekday(due));
            prop_assert!(!calendar.is_bank_holiday(due));
            prop_assert!(due >= from);
        }

        /// For any `from` and n >= 1 there are exactly n working days in
        /// (from, due]; for n = 0 the due date is `from` itself when that is a
        /// working day (0 between) and otherwise the next working day (1 between).
        #[test]
        fn counting_back_gives_the_days_added(from in start_date(), days in 0u32..120) {
            let calendar = shipped();
            let due = calendar.add_working_days(from, days).unwrap();
            let counted = calendar.working_days_between(from, due).unwrap();
            let expected = if days == 0 {
                i64::from(!calendar.is_working_day(from).unwrap())
            } else {
                i64::from(days)
            };
            prop_assert_eq!(counted, expected);
            prop_assert_eq!(calendar.working_days_between(due, from).unwrap(), -expected);
        }

        #[test]
        fn more_days_never_gives_an_earlier_date(
            from in start_date(),
            days in 0u32..120,
            more in 0u32..60,
        ) {
            let calendar = shipped();
            let sooner = calendar.add_working_days(from, days).unwrap();
            let later = calendar.add_working_days(from, days + more).unwrap();
            prop_assert!(later >= sooner);
            // Strictly later unless `days` = 0 rounded a non-working `from` up
            // to the same working day that `more` = 1 reaches.
            if more > 0 && (days > 0 || calendar.is_working_day(from).unwrap()) {
                prop_assert!(later > sooner);
            }
        }

        #[test]
        fn the_fast_count_matches_walking(a in date_in_range(), b in date_in_range()) {
            let calendar = shipped();
            prop_assert_eq!(
                calendar.working_days_between(a, b).unwrap(),
                walked_between(&calendar, a, b)
            );
        }
    }
}
