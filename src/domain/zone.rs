//! A township's time zone: the zone its days, weeks and due lists are counted in.
//!
//! One policy: the zone is checked when the township is created (a field problem, 422), so
//! every stored zone is a known one; a stored zone that is not (written around the service)
//! is a fault in the data, reported as such, never silently replaced by another zone, which
//! would shift every day boundary of the township without anyone noticing.

use chrono_tz::Tz;

/// A township's zone when its creator names none.
pub const DEFAULT_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// An IANA zone name as a request gives it (`Asia/Shanghai`).
pub fn parse_zone(input: &str) -> Result<Tz, &'static str> {
    input
        .trim()
        .parse::<Tz>()
        .map_err(|_| "must be an IANA time zone such as Asia/Shanghai")
}

/// A zone as the `tenants` table holds it; unknown only if the row was written around the
/// service's checks.
pub fn stored_zone(stored: &str) -> anyhow::Result<Tz> {
    stored
        .parse::<Tz>()
        .map_err(|e| anyhow::anyhow!("the township's stored time zone {stored:?} is unknown: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_is_an_iana_name() {
        assert_eq!(parse_zone(" Asia/Shanghai "), Ok(DEFAULT_ZONE));
        assert_eq!(
            parse_zone("America/Santiago"),
            Ok(chrono_tz::America::Santiago)
        );
        for bad in ["", "Mars/Base", "asia/shanghai", "+08:00", "CST"] {
            assert!(parse_zone(bad).is_err(), "{bad}");
        }
        assert!(stored_zone("Mars/Base").is_err());
    }
}
