//! The rounds of a task sent down to the leaders (任务下发). A one-off task has one round,
//! ending on its `due_on`. A repeating task's rounds end on its first `due_on` plus whole weeks
//! or months; the current round is the first not ended before today, and it begins the day
//! after the previous one ended. A household is done for a round when a visit linked to the
//! task was made on or after the round's first day.

use chrono::{Days, Months, NaiveDate};

use crate::domain::TaskRepeat;

/// The round a task is in on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// The round's last day: the task's `due_on` as the API shows it.
    pub due_on: NaiveDate,
    /// The round's first day; `None` for the first round (every linked visit counts).
    pub start: Option<NaiveDate>,
}

impl Round {
    /// The round of the task whose first round ends on `first_due`, on `today`.
    pub fn on(first_due: NaiveDate, repeat: Option<TaskRepeat>, today: NaiveDate) -> Round {
        let first = Round {
            due_on: first_due,
            start: None,
        };
        let Some(repeat) = repeat else {
            return first;
        };
        if today <= first_due {
            return first;
        }
        // The k-th round's end, counted from the first so that a task due on the 31st ends
        // each round on the month's last day and comes back to the 31st.
        let end = |k: u32| match repeat {
            TaskRepeat::Weekly => first_due.checked_add_days(Days::new(7 * u64::from(k))),
            TaskRepeat::Monthly => first_due.checked_add_months(Months::new(k)),
        };
        let days = (today - first_due).num_days();
        let mut k = match repeat {
            TaskRepeat::Weekly => (days + 6) / 7,
            // A month has at least 28 days: this never overshoots.
            TaskRepeat::Monthly => days / 31,
        }
        .max(1) as u32;
        while end(k).is_some_and(|d| d < today) {
            k += 1;
        }
        match (end(k), end(k - 1)) {
            (Some(due_on), Some(previous)) => Round {
                due_on,
                start: previous.succ_opt(),
            },
            // Past the end of the calendar: the first round stands.
            _ => first,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn round(first: &str, repeat: Option<TaskRepeat>, today: &str) -> (String, Option<String>) {
        let r = Round::on(day(first), repeat, day(today));
        (r.due_on.to_string(), r.start.map(|d| d.to_string()))
    }

    #[test]
    fn a_one_off_task_keeps_its_day_after_it_passes() {
        assert_eq!(
            round("2026-12-10", None, "2026-12-20"),
            ("2026-12-10".into(), None)
        );
    }

    #[test]
    fn a_weekly_task_moves_on_the_day_after_a_round_ends() {
        let weekly = Some(TaskRepeat::Weekly);
        assert_eq!(
            round("2026-12-04", weekly, "2026-12-04"),
            ("2026-12-04".into(), None)
        );
        assert_eq!(
            round("2026-12-04", weekly, "2026-12-05"),
            ("2026-12-11".into(), Some("2026-12-05".into()))
        );
        assert_eq!(
            round("2026-12-04", weekly, "2026-12-11"),
            ("2026-12-11".into(), Some("2026-12-05".into()))
        );
        assert_eq!(
            round("2026-12-04", weekly, "2027-01-02"),
            ("2027-01-08".into(), Some("2027-01-02".into()))
        );
    }

    #[test]
    fn a_monthly_task_due_on_the_31st_ends_each_month_on_its_last_day() {
        let monthly = Some(TaskRepeat::Monthly);
        assert_eq!(
            round("2027-01-31", monthly, "2027-02-01"),
            ("2027-02-28".into(), Some("2027-02-01".into()))
        );
        assert_eq!(
            round("2027-01-31", monthly, "2027-03-01"),
            ("2027-03-31".into(), Some("2027-03-01".into()))
        );
        assert_eq!(
            round("2027-01-31", monthly, "2027-04-30"),
            ("2027-04-30".into(), Some("2027-04-01".into()))
        );
        assert_eq!(
            round("2027-01-31", monthly, "2028-02-15"),
            ("2028-02-29".into(), Some("2028-02-01".into()))
        );
    }

    #[test]
    fn a_round_always_holds_today() {
        for repeat in [TaskRepeat::Weekly, TaskRepeat::Monthly] {
            let first = day("2026-01-30");
            let mut today = first;
            for _ in 0..800 {
                let r = Round::on(first, Some(repeat), today);
                assert!(r.due_on >= today, "{repeat:?} {today}");
                assert!(r.start.is_none_or(|s| s <= today), "{repeat:?} {today}");
                today = today.succ_opt().unwrap();
            }
        }
    }
}
