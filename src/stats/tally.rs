//! Counting visits and distinct households from the rollup's day bitmaps (`visit_days`,
//! docs/stats.md "The visit rollup"), in memory: a year of a township is ~2 rows per
//! household, and every figure of a range of whole local days follows exactly from them.
//!
//! A row's days are indexed within its ISO week-year: `(ISO week - 1) * 7 + weekday`, so a
//! range of dates is one contiguous run of indexes in each year it touches, and an ISO week
//! is 7 adjacent indexes.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use uuid::Uuid;

/// Bits per row: 53 weeks of 7 days.
pub const DAYS: usize = 371;
const WORDS: usize = DAYS.div_ceil(64);

/// A row's days as words, day 0 in the highest bit of the first word (PostgreSQL's order).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayBits(pub [u64; WORDS]);

impl DayBits {
    /// From a bit string's bytes, first day in the high bit of the first byte.
    pub fn from_bytes(bytes: &[u8]) -> DayBits {
        let mut words = [0u64; WORDS];
        for (i, byte) in bytes.iter().take(WORDS * 8).enumerate() {
            words[i / 8] |= u64::from(*byte) << (56 - 8 * (i % 8));
        }
        DayBits(words)
    }

    #[cfg(test)]
    pub fn of(days: &[usize]) -> DayBits {
        let mut bits = DayBits::default();
        for &d in days {
            bits.0[d / 64] |= 1 << (63 - d % 64);
        }
        bits
    }

    /// Days `lo..=hi`.
    fn run(lo: usize, hi: usize) -> DayBits {
        let mut bits = DayBits::default();
        for (k, word) in bits.0.iter_mut().enumerate() {
            let (first, last) = (k * 64, k * 64 + 63);
            if hi < first || lo > last {
                continue;
            }
            let (a, b) = (lo.max(first) - first, hi.min(last) - first);
            // Bits a..=b counted from the high end.
            let width = b - a + 1;
            let ones = if width == 64 {
                u64::MAX
            } else {
                (1u64 << width) - 1
            };
            *word = ones << (63 - b);
        }
        bits
    }

    fn and(self, other: DayBits) -> DayBits {
        let mut out = self;
        for (a, b) in out.0.iter_mut().zip(other.0) {
            *a &= b;
        }
        out
    }

    #[cfg(test)]
    fn count(self) -> i64 {
        self.0.iter().map(|w| i64::from(w.count_ones())).sum()
    }

    /// The set days, ascending.
    fn days(self) -> impl Iterator<Item = usize> {
        self.0.into_iter().enumerate().flat_map(|(k, mut word)| {
            std::iter::from_fn(move || {
                (word != 0).then(|| {
                    let lead = word.leading_zeros() as usize;
                    word &= !(1u64 << (63 - lead));
                    k * 64 + lead
                })
            })
        })
    }
}

/// One rollup row as read: a household's visits in one ISO year (under one micro-grid and
/// recorder, which weeks do not need).
#[derive(Debug, Clone)]
pub struct DayRow {
    pub household_id: Uuid,
    pub year: i16,
    pub days: DayBits,
    /// A day once for every visit beyond its day's first.
    pub repeats: Vec<i16>,
}

/// Where a range of local dates falls in one ISO year's day indexes.
#[derive(Debug, Clone, Copy)]
struct YearSpan {
    lo: usize,
    hi: usize,
    mask: DayBits,
    /// Days from the range's first Monday to this year's first Monday (negative when the
    /// year began before the range).
    offset: i64,
}

/// A range of local dates `from..=to` in day-index terms.
pub struct Calendar {
    first_monday: NaiveDate,
    years: HashMap<i16, YearSpan>,
}

fn week1_monday(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_isoywd_opt(year, 1, Weekday::Mon)
}

impl Calendar {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Calendar {
        let first_monday = from - Duration::days(i64::from(from.weekday().num_days_from_monday()));
        let mut years = HashMap::new();
        for year in from.iso_week().year()..=to.iso_week().year() {
            let (Some(monday), Some(next)) = (week1_monday(year), week1_monday(year + 1)) else {
                continue;
            };
            let last = (next - monday).num_days() - 1;
            let lo = (from - monday).num_days().max(0);
            let hi = (to - monday).num_days().min(last);
            let offset = (monday - first_monday).num_days();
            if let (Ok(short), true) = (i16::try_from(year), lo <= hi) {
                let (lo, hi) = (lo as usize, hi as usize);
                let mask = DayBits::run(lo, hi);
                years.insert(
                    short,
                    YearSpan {
                        lo,
                        hi,
                        mask,
                        offset,
                    },
                );
            }
        }
        Calendar {
            first_monday,
            years,
        }
    }

    /// Each ISO year the range touches, with its first and last day index there.
    pub fn spans(&self) -> Vec<(i16, i32, i32)> {
        let mut spans: Vec<(i16, i32, i32)> = self
            .years
            .iter()
            .map(|(&year, s)| (year, s.lo as i32, s.hi as i32))
            .collect();
        spans.sort_unstable();
        spans
    }

    /// The range's week (0 for the week of `from`) of each visit of a row inside the range.
    fn weeks<'a>(&self, row: &'a DayRow) -> impl Iterator<Item = usize> + 'a {
        let span = self.years.get(&row.year).copied();
        let days = span.map(|s| row.days.and(s.mask)).unwrap_or_default();
        let repeats = row.repeats.iter().filter_map(move |&d| {
            let s = span?;
            let d = d as usize;
            (s.lo..=s.hi).contains(&d).then_some(d)
        });
        let offset = span.map_or(0, |s| s.offset);
        // Days inside the range are on or after its first Monday: never negative.
        days.days()
            .chain(repeats)
            .map(move |d| ((offset + d as i64) / 7) as usize)
    }

    /// Weeks from the range's first Monday to `to`'s week, inclusive.
    fn week_count(&self, to: NaiveDate) -> usize {
        ((to - self.first_monday).num_days() / 7 + 1) as usize
    }
}

/// Visits and distinct households per week of the range (index 0: the week of `to`'s first
/// day `from`), as many weeks as `Range::weeks` lists.
pub fn per_week(calendar: &Calendar, to: NaiveDate, rows: &mut [DayRow]) -> Vec<(i64, i64)> {
    let weeks = calendar.week_count(to);
    let mut out = vec![(0i64, 0i64); weeks];
    let mut seen = vec![false; weeks];
    let mut touched: Vec<usize> = Vec::new();
    for household in by_household(rows) {
        for row in household.iter() {
            for week in calendar.weeks(row) {
                out[week].0 += 1;
                if !seen[week] {
                    seen[week] = true;
                    touched.push(week);
                }
            }
        }
        for week in touched.drain(..) {
            seen[week] = false;
            out[week].1 += 1;
        }
    }
    out
}

/// The rows of each household together.
fn by_household(rows: &mut [DayRow]) -> impl Iterator<Item = &[DayRow]> {
    rows.sort_unstable_by_key(|r| r.household_id);
    rows.chunk_by(|a, b| a.household_id == b.household_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The day index of a date in its ISO year.
    fn index(d: NaiveDate) -> (i16, usize) {
        let w = d.iso_week();
        (
            w.year() as i16,
            (w.week() as usize - 1) * 7 + d.weekday().num_days_from_monday() as usize,
        )
    }

    /// Rows for visits given as (household, key, date), as the rollup would hold them (one
    /// row per household, key and ISO year).
    fn rows(visits: &[(u128, u128, &str)]) -> Vec<DayRow> {
        let mut out: Vec<(u128, DayRow)> = Vec::new();
        for &(h, k, d) in visits {
            let (year, day) = index(date(d));
            let household_id = Uuid::from_u128(h);
            let found = out
                .iter()
                .position(|(key, r)| *key == k && r.household_id == household_id && r.year == year);
            let i = found.unwrap_or_else(|| {
                let row = DayRow {
                    household_id,
                    year,
                    days: DayBits::default(),
                    repeats: Vec::new(),
                };
                out.push((k, row));
                out.len() - 1
            });
            let row = &mut out[i].1;
            if row.days.and(DayBits::of(&[day])).count() == 1 {
                row.repeats.push(day as i16);
            } else {
                row.days.0[day / 64] |= 1 << (63 - day % 64);
            }
        }
        out.into_iter().map(|(_, r)| r).collect()
    }

    #[test]
    fn bytes_and_runs_follow_postgres_bit_order() {
        // B'1000…' then bit 9 set: bytes 0x80, 0x40.
        assert_eq!(DayBits::from_bytes(&[0x80, 0x40]), DayBits::of(&[0, 9]));
        assert_eq!(DayBits::run(62, 66), DayBits::of(&[62, 63, 64, 65, 66]));
        assert_eq!(DayBits::run(0, 370).count(), 371);
        assert_eq!(
            DayBits::of(&[3, 64, 370]).days().collect::<Vec<_>>(),
            vec![3, 64, 370]
        );
    }

    #[test]
    fn a_range_counts_its_days_only_across_iso_years() {
        // 2026-12-28 (Mon) is in ISO 2026-W53; 2027-01-04 is 2027-W01.
        let mut r = rows(&[
            (1, 9, "2026-12-27"),
            (1, 9, "2026-12-31"),
            (1, 9, "2026-12-31"),
            (1, 9, "2027-01-04"),
            (2, 9, "2027-01-05"),
            (2, 8, "2027-01-05"),
            (3, 9, "2027-01-06"),
        ]);
        let cal = Calendar::new(date("2026-12-28"), date("2027-01-05"));
        // 2026 has 53 ISO weeks: 2026-12-28 is day 52 * 7 of it.
        assert_eq!(cal.spans(), vec![(2026, 364, 370), (2027, 0, 1)]);
        assert_eq!(
            per_week(&cal, date("2027-01-05"), &mut r),
            vec![(2, 1), (3, 2)]
        );
    }

    #[test]
    fn weeks_are_clipped_to_the_range() {
        let mut r = rows(&[
            (1, 9, "2026-04-01"),
            (1, 9, "2026-04-02"),
            (2, 9, "2026-04-06"),
            (1, 9, "2026-04-13"),
            (1, 9, "2026-04-14"),
        ]);
        let cal = Calendar::new(date("2026-04-02"), date("2026-04-13"));
        assert_eq!(
            per_week(&cal, date("2026-04-13"), &mut r),
            vec![(1, 1), (1, 1), (1, 1)]
        );
    }
}
