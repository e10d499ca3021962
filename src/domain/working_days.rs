//! A township's working days: Monday to Friday, unless its calendar says otherwise. Chinese
//! public holidays move working days around (调休): 国庆 2026 is off from Thursday 1 to
//! Wednesday 7 October, and Sunday 20 September and Saturday 10 October are worked instead.
//! An issue's time limit is counted in these days, so a limit of five working days over
//! 国庆 ends where a clerk counting on the wall calendar would end it.

use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Included};

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::IssueCategory;

/// The exceptions of a township's calendar (day → is it worked), as stored.
#[derive(Debug, Clone, Default)]
pub struct WorkingDays {
    exceptions: BTreeMap<NaiveDate, bool>,
}

impl WorkingDays {
    pub fn new(exceptions: impl IntoIterator<Item = (NaiveDate, bool)>) -> WorkingDays {
        WorkingDays {
            exceptions: exceptions.into_iter().collect(),
        }
    }

    /// Whether `day` is worked: its exception if it has one, else Monday to Friday.
    pub fn is_workday(&self, day: NaiveDate) -> bool {
        match self.exceptions.get(&day) {
            Some(&worked) => worked,
            None => is_weekday(day),
        }
    }

    /// The `n`-th working day after `day` (`day` itself not counted); `day` when `n` is 0.
    /// `None` only past the end of the calendar (year 262142), never for a real limit.
    pub fn nth_after(&self, day: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut current = day;
        let mut left = n;
        while left > 0 {
            current = current.checked_add_days(Days::new(1))?;
            if self.is_workday(current) {
                left -= 1;
            }
        }
        Some(current)
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`):
    /// how long an issue took, in the days its limit is counted in.
    ///
    /// Counted, not walked: the statistics ask this of every issue resolved in a year.
    pub fn between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        if to <= from {
            return 0;
        }
        // Monday to Friday in whole weeks, then the days left over one by one (at most 6).
        let days = (to - from).num_days();
        let mut worked = days / 7 * 5;
        let mut day = from + chrono::Duration::days(days / 7 * 7);
        while day < to {
            day = day.succ_opt().unwrap_or(day);
            worked += i64::from(is_weekday(day));
        }
        // The exceptions inside move it by one each where they differ from the weekday rule.
        for (&day, &exception) in self.exceptions.range((Excluded(from), Included(to))) {
            worked += i64::from(exception) - i64::from(is_weekday(day));
        }
        u32::try_from(worked).unwrap_or(0)
    }
}

/// Monday to Friday.
fn is_weekday(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The time limit an issue gets when it is routed without one, in working days
/// (api.md "Township workflow").
pub fn due_days(category: IssueCategory) -> u32 {
    match category {
        IssueCategory::Road => 10,
        IssueCategory::Housing => 15,
        IssueCategory::Land => 20,
        IssueCategory::Welfare => 5,
        IssueCategory::Other => 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    /// 2026 as the State Council's notice of 4 November 2025 has it.
    fn china_2026() -> WorkingDays {
        WorkingDays::new(
            crate::domain::holidays::CHINA_2026
                .iter()
                .map(|(date, worked, _)| (day(date), *worked)),
        )
    }

    #[test]
    fn weekdays_are_worked_and_weekends_not_without_exceptions() {
        let plain = WorkingDays::default();
        assert!(plain.is_workday(day("2026-11-30"))); // a Monday
        assert!(!plain.is_workday(day("2026-11-28"))); // a Saturday
                                                       // Friday 27 November + 1 → Monday 30; + 5 → Friday 4 December.
        assert_eq!(
            plain.nth_after(day("2026-11-27"), 1),
            Some(day("2026-11-30"))
        );
        assert_eq!(
            plain.nth_after(day("2026-11-27"), 5),
            Some(day("2026-12-04"))
        );
        assert_eq!(
            plain.nth_after(day("2026-11-27"), 0),
            Some(day("2026-11-27"))
        );
    }

    #[test]
    fn five_working_days_over_guoqing() {
        let cal = china_2026();
        // Routed on Tuesday 29 September: Wed 30 is day 1; 1–7 October are off; Thursday 8,
        // Friday 9 and the make-up Saturday 10 are days 2–4; Monday 12 is day 5.
        assert_eq!(cal.nth_after(day("2026-09-29"), 5), Some(day("2026-10-12")));
        assert!(cal.is_workday(day("2026-10-10")));
        assert!(!cal.is_workday(day("2026-10-05")));
        // The make-up Sunday before it counts too: routed Friday 18 September, day 1 is
        // Sunday 20, not Monday 21.
        assert_eq!(cal.nth_after(day("2026-09-18"), 1), Some(day("2026-09-20")));
        // 中秋 (Friday 25 September) is off: from Wednesday 23, day 2 is Monday 28.
        assert_eq!(cal.nth_after(day("2026-09-23"), 2), Some(day("2026-09-28")));
    }

    #[test]
    fn ten_working_days_over_chunjie() {
        let cal = china_2026();
        // Routed on Thursday 12 February: Fri 13, the make-up Saturday 14, then 15–23 off,
        // then Tue 24 … Fri 27, the make-up Saturday 28, Mon 2, Tue 3, Wed 4 March.
        assert_eq!(
            cal.nth_after(day("2026-02-12"), 10),
            Some(day("2026-03-04"))
        );
        assert_eq!(cal.nth_after(day("2026-02-12"), 2), Some(day("2026-02-14")));
        assert_eq!(cal.nth_after(day("2026-02-12"), 3), Some(day("2026-02-24")));
    }

    #[test]
    fn between_counts_what_a_walk_over_the_calendar_counts() {
        let cal = china_2026();
        let walk = |from: NaiveDate, to: NaiveDate| {
            from.iter_days()
                .skip(1)
                .take_while(|d| *d <= to)
                .filter(|d| cal.is_workday(*d))
                .count() as u32
        };
        let days: Vec<NaiveDate> = day("2026-09-01").iter_days().take(70).collect();
        for &from in &days {
            for &to in &days {
                assert_eq!(cal.between(from, to), walk(from, to), "{from} → {to}");
            }
        }
        assert_eq!(
            cal.between(day("2026-01-01"), day("2026-12-31")),
            walk(day("2026-01-01"), day("2026-12-31"))
        );
    }

    #[test]
    fn working_days_between_two_days() {
        let cal = china_2026();
        assert_eq!(cal.between(day("2026-09-29"), day("2026-10-12")), 5);
        assert_eq!(cal.between(day("2026-10-12"), day("2026-09-29")), 0);
        assert_eq!(cal.between(day("2026-10-01"), day("2026-10-07")), 0);
    }

    #[test]
    fn the_notice_lists_real_days_and_weekends_only_as_make_up_days() {
        for (date, worked, note) in crate::domain::holidays::CHINA_2026 {
            let weekday = day(date).weekday();
            let weekend = matches!(weekday, Weekday::Sat | Weekday::Sun);
            // A make-up working day is always a weekend day; a holiday is named as such.
            assert!(!worked || weekend, "{date} {note}");
            assert_eq!(*worked, note.ends_with("上班"), "{date} {note}");
        }
    }

    #[test]
    fn default_limits_per_category() {
        assert_eq!(due_days(IssueCategory::Land), 20);
        assert_eq!(due_days(IssueCategory::Welfare), 5);
    }
}
