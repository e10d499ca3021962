//! `from`/`to` date filters: whole days in the tenant's time zone, both ends inclusive,
//! turned into the UTC instants a `timestamptz` column is compared with.

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The zone used when a tenant's stored zone is not a known IANA name.
pub const DEFAULT_ZONE: Tz = chrono_tz::Asia::Shanghai;

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

impl DayRange {
    /// Refuses a range that ends before it starts.
    pub fn new(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<DayRange, String> {
        match (from, to) {
            (Some(f), Some(t)) if f > t => Err(format!("from ({f}) is after to ({t})")),
            _ => Ok(DayRange { from, to }),
        }
    }

    pub fn is_open(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// From the start of `from` to the start of the day after `to`, in `zone`.
    pub fn instants(&self, zone: &str) -> Instants {
        let tz: Tz = zone.parse().unwrap_or(DEFAULT_ZONE);
        Instants {
            start: self.from.map(|d| start_of_day(tz, d)),
            end: self
                .to
                .map(|d| start_of_day(tz, d.checked_add_days(Days::new(1)).unwrap_or(d))),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn days_are_counted_in_the_tenant_zone() {
        let range = DayRange::new(Some(day("2026-03-02")), Some(day("2026-03-02"))).unwrap();
        let i = range.instants("Asia/Shanghai");
        assert_eq!(i.start.unwrap().to_rfc3339(), "2026-03-01T16:00:00+00:00");
        assert_eq!(i.end.unwrap().to_rfc3339(), "2026-03-02T16:00:00+00:00");
    }

    #[test]
    fn an_unknown_zone_falls_back_and_a_reversed_range_is_refused() {
        let range = DayRange::new(Some(day("2026-03-02")), None).unwrap();
        assert_eq!(range.instants("Mars/Base"), range.instants("Asia/Shanghai"));
        assert!(DayRange::new(Some(day("2026-03-03")), Some(day("2026-03-02"))).is_err());
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_at_its_first_instant() {
        // Santiago skipped 00:00–01:00 on 2024-09-08.
        let i = DayRange::new(Some(day("2024-09-08")), None)
            .unwrap()
            .instants("America/Santiago");
        assert_eq!(i.start.unwrap().to_rfc3339(), "2024-09-08T04:00:00+00:00");
    }
}
