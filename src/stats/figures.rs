//! Turns the queries' counts into the contract's figures: the summary and the breakdown rows
//! (shared by the breakdown endpoint and the exports, so a file always equals the screen).

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::queries::{self, Keyed, Params};
use super::types::{By, ByKind, IssueFigures, Row, Summary};
use crate::domain::WorkingDays;
use crate::error::AppResult;

pub async fn summary(conn: &mut AsyncPgConnection, p: Params<'_>) -> AppResult<Summary> {
    // Six statements pipelined on the one connection: one round trip, not six.
    let shared: &AsyncPgConnection = conn;
    // `join`, not `try_join`: every statement sent is awaited (src/db/mod.rs says why).
    let (grids, micro_grids, households, visits, issues, resolutions) = futures_util::join!(
        queries::grid_counts(shared, p),
        queries::micro_grid_counts(shared, p),
        queries::household_counts(shared, p),
        queries::visit_counts(shared, p),
        queries::issue_counts(shared, p),
        queries::resolutions(shared, p),
    );
    let (grids, micro_grids, households, visits, issues, resolutions) = (
        grids?,
        micro_grids?,
        households?,
        visits?,
        issues?,
        resolutions?,
    );
    let (on_time_rate, median_working_days) = timeliness(conn, p, &resolutions).await?;
    Ok(Summary {
        from: p.range.from,
        to: p.range.to,
        grids: ByKind {
            village: grids.village,
            enterprise: grids.enterprise,
        },
        micro_grids: ByKind {
            village: micro_grids.village,
            enterprise: micro_grids.enterprise,
        },
        leaders: micro_grids.leaders,
        households: households.households,
        households_acquainted: households.acquainted,
        groups: micro_grids.groups,
        households_in_group: households.in_group,
        visits: visits.visits,
        households_visited: visits.households_visited,
        issues: IssueFigures {
            raised: issues.raised,
            resolved: issues.resolved,
            open: issues.open,
            satisfaction_rate: ratio(issues.satisfied, issues.with_feedback),
            on_time_rate,
            median_working_days,
        },
    })
}

/// The on-time rate and the median working days to resolve (api.md "Timeliness"), counted
/// in the township's calendar from the earliest day raised.
async fn timeliness(
    conn: &mut AsyncPgConnection,
    p: Params<'_>,
    resolutions: &[queries::Resolution],
) -> AppResult<(Option<f64>, Option<f64>)> {
    let days: Vec<Days> = resolutions
        .iter()
        .map(|r| (r.raised_on, r.resolved_on, r.due_on))
        .collect();
    let Some(calendar) = calendar_for(conn, p, &days).await? else {
        return Ok((None, None));
    };
    Ok(timely(&calendar, &days))
}

/// A resolution's days: raised, resolved, and the time limit if it had one.
type Days = (NaiveDate, NaiveDate, Option<NaiveDate>);

/// The township's calendar from the earliest day raised; `None` without resolutions.
async fn calendar_for(
    conn: &mut AsyncPgConnection,
    p: Params<'_>,
    days: &[Days],
) -> AppResult<Option<WorkingDays>> {
    let Some(earliest) = days.iter().map(|d| d.0).min() else {
        return Ok(None);
    };
    let calendar = crate::db::calendar::working_days(conn, p.tenant, earliest).await?;
    Ok(Some(calendar))
}

/// The on-time rate (of those with a time limit) and the median working days of `days`.
fn timely(calendar: &WorkingDays, days: &[Days]) -> (Option<f64>, Option<f64>) {
    let routed: Vec<bool> = days
        .iter()
        .filter_map(|(_, resolved, due)| due.map(|due| *resolved <= due))
        .collect();
    let on_time = routed.iter().filter(|on_time| **on_time).count();
    let mut working: Vec<u32> = days
        .iter()
        .map(|(raised, resolved, _)| calendar.between(*raised, *resolved))
        .collect();
    (
        ratio(on_time as i64, routed.len() as i64),
        median(&mut working),
    )
}

/// The middle value (the mean of the two middle ones for an even count); None when empty.
fn median(values: &mut [u32]) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(f64::from(values[n / 2])),
        _ => Some((f64::from(values[n / 2 - 1]) + f64::from(values[n / 2])) / 2.0),
    }
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Visited / households, 0 without households. Capped at 1: a household visited here and
/// moved elsewhere since counts as visited here but lives elsewhere now.
pub fn coverage(visited: i64, households: i64) -> f64 {
    ratio(visited, households).map_or(0.0, |c| c.min(1.0))
}

/// The breakdown rows: every grid / micro-grid / leader in scope (with or without work in
/// the range) ordered by name, or every ISO week touching the range in order.
pub async fn rows(conn: &mut AsyncPgConnection, p: Params<'_>, by: By) -> AppResult<Vec<Row>> {
    let weeks = if by == By::Week {
        p.range.weeks()
    } else {
        Vec::new()
    };
    // The four counts pipelined: one round trip, with the names of grids and micro-grids too
    // (a leader breakdown's names follow: they depend on who worked).
    let shared: &AsyncPgConnection = conn;
    let early_names = async {
        match by {
            By::Grid | By::MicroGrid | By::Tag => queries::dimension(shared, p, by, Vec::new())
                .await
                .map(Some),
            By::Leader | By::Week => Ok(None),
        }
    };
    // `join`, not `try_join`: every statement sent is awaited (src/db/mod.rs says why).
    let (households, visits, raised, resolved, resolutions, early_names) = futures_util::join!(
        queries::households_by(shared, p, by),
        queries::visits_by(shared, p, by, &weeks),
        queries::issues_by(shared, p, by, false, &weeks),
        queries::issues_by(shared, p, by, true, &weeks),
        queries::resolutions_by(shared, p, by, &weeks),
        early_names,
    );
    let (households, visits, raised, resolved, resolutions, early_names) = (
        households?,
        visits?,
        raised?,
        resolved?,
        resolutions?,
        early_names?,
    );
    let mut days_of: HashMap<String, Vec<Days>> = HashMap::new();
    for r in resolutions {
        days_of
            .entry(r.key)
            .or_default()
            .push((r.raised_on, r.resolved_on, r.due_on));
    }

    let (households, visits, raised, resolved) = (
        by_key(households),
        by_key(visits),
        by_key(raised),
        by_key(resolved),
    );

    let mut dims: Vec<(String, String)> = if by == By::Week {
        weeks.into_iter().map(|w| (w.key, w.name)).collect()
    } else {
        // Leaders: those leading a micro-grid in scope, and whoever did work in it.
        let workers: BTreeSet<Uuid> = visits
            .keys()
            .chain(raised.keys())
            .chain(resolved.keys())
            .filter_map(|k| k.parse().ok())
            .collect();
        let also = if by == By::Leader {
            workers.into_iter().collect()
        } else {
            Vec::new()
        };
        let names = match early_names {
            Some(names) => names,
            None => queries::dimension(shared, p, by, also).await?,
        };
        let mut named: Vec<(String, String)> = names.into_iter().map(|n| (n.key, n.name)).collect();
        named.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
        named
    };

    // Each row's timeliness, in the township's calendar (read once, from the earliest day).
    let all_days: Vec<Days> = days_of.values().flatten().copied().collect();
    let calendar = calendar_for(conn, p, &all_days).await?;
    let count =
        |map: &HashMap<String, (i64, i64)>, key: &str| map.get(key).copied().unwrap_or((0, 0));
    Ok(dims
        .drain(..)
        .map(|(key, name)| {
            let households = if by == By::Week {
                count(&households, "").0
            } else {
                count(&households, &key).0
            };
            let (visit_count, visited) = count(&visits, &key);
            let (on_time_rate, median_working_days) = match (&calendar, days_of.get(&key)) {
                (Some(calendar), Some(days)) => timely(calendar, days),
                _ => (None, None),
            };
            Row {
                on_time_rate,
                median_working_days,
                households,
                visits: visit_count,
                households_visited: visited,
                coverage: coverage(visited, households),
                issues_raised: count(&raised, &key).0,
                issues_resolved: count(&resolved, &key).0,
                key,
                name,
            }
        })
        .collect())
}

fn by_key(rows: Vec<Keyed>) -> HashMap<String, (i64, i64)> {
    rows.into_iter()
        .map(|r| (r.key, (r.n, r.distinct_n)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::scope::{week_key, Range};
    use super::*;
    use chrono::{Datelike, NaiveDate, TimeZone, Utc, Weekday};

    #[test]
    fn the_median_of_odd_and_even_counts() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [7, 1, 3]), Some(3.0));
        assert_eq!(median(&mut [4, 1, 3, 10]), Some(3.5));
    }

    fn range(from: &str, to: &str) -> Range {
        let tz: chrono_tz::Tz = "Asia/Shanghai".parse().unwrap();
        Range::new(
            Some(from.parse().unwrap()),
            Some(to.parse().unwrap()),
            tz,
            Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn weeks_cover_the_range_clipped_at_both_ends() {
        let weeks: Vec<(String, String)> = range("2026-04-01", "2026-04-13")
            .weeks()
            .into_iter()
            .map(|w| (w.key, w.name))
            .collect();
        assert_eq!(
            weeks,
            vec![
                ("2026-W14".to_owned(), "2026-04-01/2026-04-05".to_owned()),
                ("2026-W15".to_owned(), "2026-04-06/2026-04-12".to_owned()),
                ("2026-W16".to_owned(), "2026-04-13/2026-04-13".to_owned()),
            ]
        );
        assert_eq!(
            Weekday::Mon,
            NaiveDate::from_ymd_opt(2026, 4, 6).unwrap().weekday()
        );
    }

    #[test]
    fn week_bounds_are_local_mondays_clipped_to_the_range() {
        let r = range("2026-04-01", "2026-04-13");
        let weeks = r.weeks();
        assert_eq!(weeks[0].start, r.start);
        // Monday 2026-04-06 00:00 in Shanghai.
        assert_eq!(
            weeks[0].end,
            Utc.with_ymd_and_hms(2026, 4, 5, 16, 0, 0).unwrap()
        );
        assert_eq!(weeks[1].start, weeks[0].end);
        assert_eq!(weeks[2].end, r.end);
    }

    #[test]
    fn iso_week_year_differs_from_calendar_year_at_new_year() {
        // 2027-01-01 is a Friday: ISO week 53 of 2026.
        assert_eq!(
            week_key(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
            "2026-W53"
        );
        assert_eq!(
            week_key(NaiveDate::from_ymd_opt(2024, 12, 30).unwrap()),
            "2025-W01"
        );
    }

    #[test]
    fn coverage_is_a_share_capped_at_one() {
        assert_eq!(coverage(0, 0), 0.0);
        assert_eq!(coverage(1, 4), 0.25);
        assert_eq!(coverage(5, 4), 1.0);
    }

    #[test]
    fn range_is_local_midnight_to_local_midnight() {
        let r = range("2026-04-01", "2026-04-02");
        assert_eq!(
            r.start,
            Utc.with_ymd_and_hms(2026, 3, 31, 16, 0, 0).unwrap()
        );
        assert_eq!(r.end, Utc.with_ymd_and_hms(2026, 4, 2, 16, 0, 0).unwrap());
    }
}
