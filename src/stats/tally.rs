//! Counting visits and distinct households from the rollup's day bitmaps (`visit_days`,
//! docs/stats.md "The visit rollup"), in memory: a year back from any day is one row per
//! household, and every figure of a range of whole local days follows exactly from them.
//!
//! A row of `year` Y holds ISO years Y and Y + 1: day index `(ISO week - 1) * 7 + weekday`
//! in Y, and 371 more in Y + 1. A range inside two consecutive ISO years is one contiguous
//! run of indexes of one row, and an ISO week is 7 adjacent indexes.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use uuid::Uuid;

/// Days of one ISO year in a row: 53 weeks of 7 days.
const YEAR: usize = 371;
/// Bits per row: two ISO years.
const DAYS: usize = 2 * YEAR;
const WORDS: usize = DAYS.div_ceil(64);

/// A row's days as words, day 0 in the highest bit of the first word (PostgreSQL's order).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayBits(pub [u64; WORDS]);

impl DayBits {
    /// From a bit string's bytes, first day in the high bit of the first byte.
    pub fn from_bytes(bytes: &[u8]) -> DayBits {
        let mut words = [0u64; WORDS];
        for (word, chunk) in words.iter_mut().zip(bytes.chunks(8)) {
            let mut eight = [0u8; 8];
            eight[..chunk.len()].copy_from_slice(chunk);
            *word = u64::from_be_bytes(eight);
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

/// Where a range of local dates falls in the day indexes of the rows of one `year`.
#[derive(Debug, Clone, Copy)]
struct RowSpan {
    lo: usize,
    hi: usize,
    mask: DayBits,
    /// Days from the range's first Monday to the first Monday of the row's two ISO years
    /// (negative when a year began before the range).
    offsets: [i64; 2],
}

/// A range of local dates `from..=to` in day-index terms.
pub struct Calendar {
    first_monday: NaiveDate,
    /// By year, one or a few: found by a look along them.
    rows: Vec<(i16, RowSpan)>,
}

fn week1_monday(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_isoywd_opt(year, 1, Weekday::Mon)
}

/// A date's day index in its ISO year.
fn index_in_year(date: NaiveDate) -> usize {
    let week = date.iso_week().week() as usize;
    (week - 1) * 7 + date.weekday().num_days_from_monday() as usize
}

impl Calendar {
    /// The rows to read for `from..=to` (`from <= to`, years 1–9999: what `Range` lets in):
    /// those of the range's first ISO year and of every second year after it, each holding two
    /// of the range's years.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Calendar {
        let first_monday = from - Duration::days(i64::from(from.weekday().num_days_from_monday()));
        let (first, last) = (from.iso_week().year(), to.iso_week().year());
        let mut rows = Vec::new();
        for year in (first..=last).step_by(2) {
            let (Some(monday), Some(next), Ok(short)) = (
                week1_monday(year),
                week1_monday(year + 1),
                i16::try_from(year),
            ) else {
                continue;
            };
            let lo = if year == first {
                index_in_year(from)
            } else {
                0
            };
            let hi = match last - year {
                0 => index_in_year(to),
                1 => YEAR + index_in_year(to),
                _ => DAYS - 1,
            };
            let offsets = [
                (monday - first_monday).num_days(),
                (next - first_monday).num_days(),
            ];
            let mask = DayBits::run(lo, hi);
            rows.push((
                short,
                RowSpan {
                    lo,
                    hi,
                    mask,
                    offsets,
                },
            ));
        }
        Calendar { first_monday, rows }
    }

    /// The rows' years to read, each with the range's first and last day index there.
    pub fn spans(&self) -> Vec<(i16, i32, i32)> {
        self.rows
            .iter()
            .map(|(year, s)| (*year, s.lo as i32, s.hi as i32))
            .collect()
    }

    /// Whether the range reads more than one row per household and key (it touches more than
    /// two ISO years), so that every household's rows must be merged to count it once.
    pub fn merges_rows(&self) -> bool {
        self.rows.len() > 1
    }

    /// Calls `visit` with the range's week (0 for the week of `from`) of each visit of a row
    /// inside the range. Plain loops: a year's weekly figures walk every visit of the township.
    fn each_week(&self, row: &DayRow, mut visit: impl FnMut(usize)) {
        let Some((_, span)) = self.rows.iter().find(|(year, _)| *year == row.year) else {
            return;
        };
        // Days inside the range are on or after its first Monday: never negative.
        let week_of = |d: usize| {
            let day = if d < YEAR {
                span.offsets[0] + d as i64
            } else {
                span.offsets[1] + (d - YEAR) as i64
            };
            (day / 7) as usize
        };
        for d in row.days.and(span.mask).days() {
            visit(week_of(d));
        }
        for &d in &row.repeats {
            let d = d as usize;
            if (span.lo..=span.hi).contains(&d) {
                visit(week_of(d));
            }
        }
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
    // The household last counted in each week: once per week, whatever its rows and visits.
    let mut counted = vec![usize::MAX; weeks];
    for (n, household) in by_household(rows).enumerate() {
        for row in household {
            calendar.each_week(row, |week| {
                out[week].0 += 1;
                if counted[week] != n {
                    counted[week] = n;
                    out[week].1 += 1;
                }
            });
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
    /// row per household, key and pair of ISO years: each visit in its own year's row and in
    /// the year before's).
    fn rows(visits: &[(u128, u128, &str)]) -> Vec<DayRow> {
        let mut out: Vec<(u128, DayRow)> = Vec::new();
        let both = visits.iter().flat_map(|&(h, k, d)| {
            let (year, day) = index(date(d));
            [(h, k, year, day), (h, k, year - 1, day + YEAR)]
        });
        for (h, k, year, day) in both {
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
        // 2026 has 53 ISO weeks: 2026-12-28 is day 52 * 7 of it; 2027's days follow at 371.
        assert_eq!(cal.spans(), vec![(2026, 364, 372)]);
        assert!(!cal.merges_rows());
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

    #[test]
    fn a_range_over_three_iso_years_reads_every_second_years_rows() {
        // 2025 has 52 ISO weeks, 2026 53; 2027-01-04 is 2027-W01.
        let mut r = rows(&[
            (1, 9, "2025-12-22"),
            (1, 9, "2026-06-01"),
            (1, 9, "2027-01-04"),
            (1, 9, "2027-01-04"),
            (2, 9, "2026-12-28"),
            (2, 8, "2027-01-05"),
        ]);
        let cal = Calendar::new(date("2025-12-22"), date("2027-01-05"));
        // Rows of 2025 (holding 2025 and 2026) from 2025-W52, and of 2027.
        assert_eq!(cal.spans(), vec![(2025, 357, 741), (2027, 0, 1)]);
        assert!(cal.merges_rows());
        let weeks = per_week(&cal, date("2027-01-05"), &mut r);
        assert_eq!(weeks.len(), 55);
        assert_eq!(weeks[0], (1, 1));
        // 2026-06-01 is 23 weeks after 2025-12-22.
        assert_eq!(weeks[23], (1, 1));
        assert_eq!(weeks[53], (1, 1));
        assert_eq!(weeks[54], (3, 2));
        let total: i64 = weeks.iter().map(|w| w.0).sum();
        assert_eq!(total, 6);
    }
}
