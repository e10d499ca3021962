//! A day in a query string (`from`/`to`): exactly `YYYY-MM-DD`, years 0001–9999.
//!
//! chrono alone accepts signed years up to ±262143 (`-4800-01-01`, `+99999-01-01`), which
//! PostgreSQL's `timestamptz` cannot hold: such a day used to reach the database and come back
//! as a 500 (found by schemathesis-style probing). Four-digit years keep every parsed day, and
//! the day after it, comparable in the database and clear of chrono's own limits.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer};

/// Parses `YYYY-MM-DD` strictly.
pub fn parse_day(text: &str) -> Result<NaiveDate, String> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    let day = shaped
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .filter(|d| d.year() >= 1);
    day.ok_or_else(|| format!("{text:?} is not a date (YYYY-MM-DD, years 0001-9999)"))
}

/// `#[serde(default, deserialize_with = "crate::domain::day::optional")]` for an
/// `Option<NaiveDate>` query field: absent or empty is `None`, anything else must parse.
pub fn optional<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        None => Ok(None),
        Some(text) if text.is_empty() => Ok(None),
        Some(text) => parse_day(&text).map(Some).map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn four_digit_days_parse_and_others_do_not() {
        assert_eq!(
            parse_day("2026-03-02").unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
        );
        assert_eq!(parse_day("0001-01-01").unwrap().year(), 1);
        assert_eq!(parse_day("9999-12-31").unwrap().year(), 9999);
        for bad in [
            "",
            "2026-3-2",
            "2026-02-30",
            "0000-01-01",
            "-4800-01-01",
            "+99999-01-01",
            "99999-01-01",
            "2026-01-05T00:00:00",
            " 2026-01-05",
            "２０２６-01-05",
            "2026/01/05",
        ] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
    }

    #[derive(Debug, Deserialize)]
    struct Query {
        #[serde(default, deserialize_with = "optional")]
        from: Option<NaiveDate>,
    }

    fn query(text: &str) -> Result<Query, actix_web::error::QueryPayloadError> {
        actix_web::web::Query::<Query>::from_query(text).map(|q| q.into_inner())
    }

    /// The second shape above is a real day about three times in four.
    #[test]
    fn the_date_shaped_text_is_often_a_day() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let shape = "[0-9]{4}-(0[0-9]|1[0-3])-([0-2][0-9]|3[0-2])";
        let days = (0..400)
            .filter(|_| parse_day(&shape.new_tree(&mut runner).unwrap().current()).is_ok())
            .count();
        assert!((200..=360).contains(&days), "{days} of 400 are days");
    }

    #[test]
    fn a_query_string_day_is_optional_and_strict() {
        assert_eq!(query("").unwrap().from, None);
        assert_eq!(query("from=").unwrap().from, None);
        assert_eq!(
            query("from=2026-01-05").unwrap().from,
            parse_day("2026-01-05").ok()
        );
        assert!(query("from=-262143-01-01").is_err());
        assert!(query("from=%2B262142-12-31").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC*") {
            let _ = parse_day(&text);
            let _ = query(&format!("from={text}"));
        }

        /// Near-dates of every shape, and four-digit years with months and days around their
        /// limits (most of them real days): text of the first kind alone is almost never a
        /// day, so the accepting side would go untested.
        #[test]
        fn agrees_with_the_calendar_on_date_shaped_text(text in prop_oneof![
            "[0-9+-]{0,7}-[0-9]{1,3}-[0-9]{1,3}",
            "[0-9]{4}-(0[0-9]|1[0-3])-([0-2][0-9]|3[0-2])",
        ]) {
            let strict = regex::Regex::new(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$").unwrap();
            let real = strict.is_match(&text).then(|| {
                let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap();
                let year = i32::try_from(number(0..4)).unwrap();
                NaiveDate::from_ymd_opt(year, number(5..7), number(8..10)).filter(|_| year >= 1)
            });
            prop_assert_eq!(parse_day(&text).ok(), real.flatten());
        }

        #[test]
        fn every_day_of_years_1_to_9999_round_trips(days in 0i64..3_652_059) {
            let day = NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Duration::days(days);
            let text = day.format("%Y-%m-%d").to_string();
            prop_assert_eq!(parse_day(&text), Ok(day));
            prop_assert_eq!(query(&format!("from={text}")).unwrap().from, Some(day));
        }

        #[test]
        fn a_parsed_day_and_the_day_after_it_are_instants_in_every_zone(
            days in 0i64..3_652_059,
            zone in prop::sample::select(vec![
                chrono_tz::Asia::Shanghai, chrono_tz::America::Santiago,
                chrono_tz::Pacific::Kiritimati, chrono_tz::Pacific::Pago_Pago,
                chrono_tz::Europe::London, chrono_tz::UTC,
            ]),
        ) {
            let day = NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Duration::days(days);
            let range = super::super::DayRange::new(Some(day), Some(day)).unwrap();
            let instants = range.instants(zone).unwrap();
            let (start, end) = (instants.start.unwrap(), instants.end.unwrap());
            // One local day: 23 to 25 hours, or longer where a zone skipped a whole day.
            prop_assert!(end > start);
            prop_assert!(end - start <= chrono::Duration::hours(49));
        }

        #[test]
        fn the_statistics_range_of_any_two_parsed_days_is_an_answer_not_a_panic(
            from in prop::option::of(0i64..3_652_059),
            to in prop::option::of(0i64..3_652_059),
        ) {
            let day = |n: i64| NaiveDate::from_ymd_opt(1, 1, 1).unwrap() + chrono::Duration::days(n);
            let range = crate::stats::scope::Range::new(
                from.map(day),
                to.map(day),
                chrono_tz::Asia::Shanghai,
                chrono::Utc::now(),
            );
            if let Ok(range) = range {
                prop_assert!(range.start < range.end);
            }
        }
    }
}
