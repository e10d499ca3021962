//! What makes the demo's field work uneven, as real work is: a grid whose leaders are still
//! getting to know their households (认亲), leaders who fall behind for weeks, families who
//! are hardly ever home, households added lately, and public holidays with few visits.
//! Decided before the weeks are simulated, all from the seeded RNG.

use std::ops::Range;

use chrono::{DateTime, Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::RngExt;

use super::township::Township;
use super::Area;

const DAY: i64 = 24 * 3600 * 1000;
const WEEK: i64 = 7 * DAY;
/// The township's offset from UTC (Asia/Shanghai has no daylight saving).
const OFFSET: i64 = 8 * 3600 * 1000;

/// Chinese New Year's Day (春节) by year; the holiday is its eve and the six days after.
const SPRING_FESTIVAL: &[(i32, u32, u32)] = &[
    (2023, 1, 22),
    (2024, 2, 10),
    (2025, 1, 29),
    (2026, 2, 17),
    (2027, 2, 6),
    (2028, 1, 26),
    (2029, 2, 13),
    (2030, 2, 3),
    (2031, 1, 23),
    (2032, 2, 11),
];

pub struct Variation {
    /// Leaders who are lax: they see fewer households a week and skip more weeks.
    pub lax: Vec<bool>,
    /// The week each household is first visited (认亲), `u32::MAX` for never.
    pub acquaint_week: Vec<u32>,
    /// When each household came onto the roster, if after the township was set up.
    pub added_ms: Vec<Option<i64>>,
    /// How likely the leader finds each household in on a round (1 for most).
    pub reach: Vec<f64>,
    /// Weeks in which each leader falls behind: they rarely go out, and see fewer when they do.
    pub slump: Vec<Range<u32>>,
    /// For each day of the history, whether it is a public holiday (国庆, 春节).
    pub holiday: Vec<bool>,
}

/// The grid still in the middle of 认亲: the township's last village, whose micro-grids were
/// handed to their leaders late. Its households are first visited over the whole history
/// and beyond, so at its end many have never been visited.
pub fn late_grid(town: &Township) -> Option<usize> {
    town.grids.iter().rposition(|g| g.area == Area::Village)
}

pub fn plan(town: &Township, weeks: u32, start_ms: i64, rng: &mut StdRng) -> Variation {
    let late = late_grid(town);
    let lax: Vec<bool> = town.leaders.iter().map(|_| rng.random_bool(0.2)).collect();
    let count = town.households.len();
    let (mut acquaint_week, mut added_ms, mut reach) = (
        Vec::with_capacity(count),
        Vec::with_capacity(count),
        Vec::with_capacity(count),
    );
    // 认亲 is spread over the first weeks: a leader reaches each household in some week of
    // the first few, earlier more likely.
    let ramp = weeks.clamp(1, 6);
    for household in &town.households {
        let micro_grid = &town.micro_grids[household.micro_grid];
        let mut week = if Some(micro_grid.grid) == late {
            weeks / 2 + rng.random_range(0..weeks.max(2))
        } else {
            rng.random_range(0..ramp).min(rng.random_range(0..ramp))
        };
        // A few households came onto the roster in the last weeks (new flats, families back
        // from the city); the leader gets to them a week or two later, or not yet.
        let mut added = None;
        if weeks > 0 && rng.random_bool(0.015) {
            let added_week = weeks - 1 - rng.random_range(0..weeks.min(8));
            added = Some(start_ms + i64::from(added_week) * WEEK - rng.random_range(0..3 * DAY));
            week = week.max(added_week + rng.random_range(0..3));
        }
        acquaint_week.push(if week < weeks { week } else { u32::MAX });
        added_ms.push(added);
        // Families working in the city are hardly ever home; lax leaders give up on more.
        let away = if lax[micro_grid.leader] { 0.25 } else { 0.06 };
        reach.push(if rng.random_bool(away) { 0.2 } else { 1.0 });
    }
    // One leader in ten falls behind for 3–8 weeks somewhere in the history, and one in
    // twenty-five is behind right now, for the last 2–6 weeks.
    let slump = lax
        .iter()
        .map(|&lax| {
            if weeks == 0 {
                return 0..0;
            }
            let now = rng.random_bool(0.04);
            let length = rng.random_range(3..9).min(weeks);
            if now {
                weeks - rng.random_range(2..7).min(weeks)..weeks
            } else if rng.random_bool(if lax { 0.2 } else { 0.075 }) {
                let from = rng.random_range(0..weeks);
                from..(from + length).min(weeks)
            } else {
                0..0
            }
        })
        .collect();
    Variation {
        acquaint_week,
        added_ms,
        reach,
        slump,
        holiday: holidays(start_ms, weeks),
        lax,
    }
}

/// For each day of the `weeks` weeks from `start_ms` (a local midnight), whether it is a
/// public holiday on which leaders mostly stay home: National Day week (Oct 1–7) and the
/// Spring Festival (its eve and six days after).
fn holidays(start_ms: i64, weeks: u32) -> Vec<bool> {
    let Some(first) = DateTime::from_timestamp_millis(start_ms + OFFSET) else {
        return vec![false; weeks as usize * 7];
    };
    let first = first.date_naive();
    let festivals: Vec<NaiveDate> = SPRING_FESTIVAL
        .iter()
        .filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
        .collect();
    (0..i64::from(weeks) * 7)
        .map(|n| {
            let day = first + chrono::Duration::days(n);
            let national_day = day.month() == 10 && day.day() <= 7;
            let spring = festivals
                .iter()
                .any(|f| (-1..=6).contains(&(day - *f).num_days()));
            national_day || spring
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::township::{self, Ids};
    use crate::demo::DemoShape;
    use rand::SeedableRng;

    #[test]
    fn the_article_township_varies_as_real_work_does() {
        let mut rng = StdRng::seed_from_u64(7);
        let mut ids = Ids(StdRng::seed_from_u64(8));
        let start = midnight(2025, 12, 1);
        let town = township::build(&DemoShape::xindai(), start - 3 * DAY, &mut rng, &mut ids);
        let plan = plan(&town, 52, start, &mut rng);
        let late = late_grid(&town).expect("a village");
        assert_eq!(town.grids[late].name, "和平村");
        // Half of the late village is first visited after the history's end.
        let (mut never, mut in_late) = (0, 0);
        for (household, week) in town.households.iter().zip(&plan.acquaint_week) {
            if town.micro_grids[household.micro_grid].grid == late {
                in_late += 1;
                never += usize::from(*week == u32::MAX);
            }
        }
        assert!(
            (in_late * 3 / 10..in_late * 7 / 10).contains(&never),
            "{never} of {in_late}"
        );
        // A dozen leaders are behind now, a few dozen more were for some weeks.
        let behind_now = plan
            .slump
            .iter()
            .filter(|s| !s.is_empty() && s.end == 52)
            .count();
        let behind = plan.slump.iter().filter(|s| !s.is_empty()).count();
        assert!((5..30).contains(&behind_now), "{behind_now}");
        assert!((25..90).contains(&behind), "{behind}");
        assert!(plan.slump.iter().all(|s| s.end <= 52 && s.len() <= 8));
        // About 1.5 % of the roster came lately.
        let added = plan.added_ms.iter().flatten().count();
        assert!((150..500).contains(&added), "{added}");
        let end = start + 52 * WEEK;
        assert!(plan
            .added_ms
            .iter()
            .flatten()
            .all(|&t| t > end - 9 * WEEK && t < end));
        // From 2025-12-01: the Spring Festival 2026 (8 days) and National Day (7).
        assert_eq!(plan.holiday.iter().filter(|h| **h).count(), 15);
    }

    fn midnight(y: i32, m: u32, d: u32) -> i64 {
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        date.and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis()
            - OFFSET
    }

    #[test]
    fn national_day_and_the_spring_festival_are_holidays() {
        // Four weeks from Monday 2026-09-28: Oct 1–7 are days 3–9.
        let days = holidays(midnight(2026, 9, 28), 4);
        let marked: Vec<usize> = (0..days.len()).filter(|&d| days[d]).collect();
        assert_eq!(marked, (3..=9).collect::<Vec<_>>());
        // 2026's New Year is Feb 17: Feb 16–23 from Feb 9 are days 7–14.
        let days = holidays(midnight(2026, 2, 9), 3);
        let marked: Vec<usize> = (0..days.len()).filter(|&d| days[d]).collect();
        assert_eq!(marked, (7..=14).collect::<Vec<_>>());
        assert!(!holidays(midnight(2026, 11, 2), 4).contains(&true));
    }
}
