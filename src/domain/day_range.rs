//! `from`/`to` date filters: whole days in the township's time zone, both ends inclusive,
//! turned into the UTC instants a `timestamptz` column is compared with. Every list and
//! statistic that takes days (visits, issues, the audit log, statistics) goes through here,
//! so a day starts and ends at the same instant everywhere.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Days as asked: either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// `[start, end)` in UTC; either end open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Instants {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

/// What is wrong with a range, and which of its fields says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeProblem {
    pub field: &'static str,
    pub problem: &'static str,
}

impl DayRange {
    /// Refuses a range that ends before it starts.
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<DayRange, RangeProblem> {
        match (from, to) {
            (Some(f), Some(t)) if f > t => Err(RangeProblem {
                field: "from",
                problem: "must not be after `to`",
            }),
            _ => Ok(DayRange { from, to }),
        }
    }

    pub fn is_open(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// From the start of `from` to the start of the day after `to`, in `tz`.
    pub fn instants(&self, tz: Tz) -> Result<Instants, RangeProblem> {
        Ok(Instants {
            start: self.from.map(|day| start_of_day(tz, day)),
            end: self.to.map(|day| end_of_day(tz, day)).transpose()?,
        })
    }
}

/// Local midnight; where a daylight-saving jump skips midnight, the first instant of the day.
pub fn start_of_day(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    let mut local = day.and_time(NaiveTime::MIN);
    for _ in 0..4 {
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.with_timezone(&Utc),
            LocalResult::None => local += chrono::Duration::minutes(30),
        }
    }
    Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN))
}

/// The first instant after `day`: the start of the next day.
pub fn end_of_day(tz: Tz, day: NaiveDate) -> Result<DateTime<Utc>, RangeProblem> {
    let next = day.succ_opt().ok_or(RangeProblem {
        field: "to",
        problem: "out of range",
    })?;
    Ok(start_of_day(tz, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn days_are_counted_in_the_tenant_zone() {
        let range = DayRange::new(Some(day("2026-03-02")), Some(day("2026-03-02"))).unwrap();
        let i = range.instants(chrono_tz::Asia::Shanghai).unwrap();
        assert_eq!(i.start.unwrap().to_rfc3339(), "2026-03-01T16:00:00+00:00");
        assert_eq!(i.end.unwrap().to_rfc3339(), "2026-03-02T16:00:00+00:00");
    }

    #[test]
    fn a_reversed_range_and_the_last_day_of_the_calendar_are_refused() {
        assert_eq!(
            DayRange::new(Some(day("2026-03-03")), Some(day("2026-03-02"))),
            Err(RangeProblem {
                field: "from",
                problem: "must not be after `to`"
            })
        );
        let last = DayRange::new(None, Some(NaiveDate::MAX)).unwrap();
        assert_eq!(
            last.instants(chrono_tz::UTC).unwrap_err().field,
            "to",
            "no day follows it"
        );
        assert_eq!(
            DayRange::default().instants(chrono_tz::UTC),
            Ok(Instants::default())
        );
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_at_its_first_instant() {
        // Santiago skipped 00:00–01:00 on 2024-09-08.
        let i = DayRange::new(Some(day("2024-09-08")), None)
            .unwrap()
            .instants(chrono_tz::America::Santiago)
            .unwrap();
        assert_eq!(i.start.unwrap().to_rfc3339(), "2024-09-08T04:00:00+00:00");
    }
}
