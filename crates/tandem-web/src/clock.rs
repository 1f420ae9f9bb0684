use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// Where handlers get the time from, so tests can fix it.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;

    /// Today's date in England, where the service works.
    fn today(&self) -> Date {
        let london = TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC);
        Zoned::new(self.now(), london).date()
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}
