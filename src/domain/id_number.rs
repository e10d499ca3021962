//! The 18-character resident identity number (居民身份证号, GB 11643-1999).

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct IdNumber(String);

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

impl IdNumber {
    /// 17 digits and a check character (digit or `X`, `x` accepted) that matches the
    /// ISO 7064 MOD 11-2 checksum of the digits, with a plausible birth date.
    pub fn parse(input: &str) -> Result<IdNumber, &'static str> {
        let value = input.trim().to_ascii_uppercase();
        let bytes = value.as_bytes();
        if bytes.len() != 18 || !bytes[..17].iter().all(u8::is_ascii_digit) {
            return Err("must be 18 characters: 17 digits and a check digit");
        }
        if bytes[17] != check_char(&bytes[..17]) {
            return Err("check digit does not match");
        }
        let birth = std::str::from_utf8(&bytes[6..14]).unwrap_or_default();
        // Born since 1800 and not after today (a day's grace for the zones east of UTC).
        let latest = chrono::Utc::now().date_naive() + chrono::Days::new(1);
        match chrono::NaiveDate::parse_from_str(birth, "%Y%m%d") {
            Ok(day) if &birth[..2] >= "18" && day <= latest => {}
            _ => return Err("birth date is not a real date"),
        }
        Ok(IdNumber(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The check character for the first 17 digits.
pub fn check_char(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_known_valid_number_is_accepted() {
        // The standard's own example.
        assert_eq!(
            IdNumber::parse("11010519491231002X").unwrap().as_str(),
            "11010519491231002X"
        );
        assert_eq!(
            IdNumber::parse("11010519491231002x").unwrap().as_str(),
            "11010519491231002X"
        );
    }

    /// `birth` with a made-up area and sequence and the right check digit.
    fn born(birth: &str) -> String {
        let digits = format!("330424{birth}123");
        format!("{digits}{}", check_char(digits.as_bytes()) as char)
    }

    #[test]
    fn a_birth_date_in_the_future_or_before_1800_is_refused() {
        assert!(IdNumber::parse(&born("20000229")).is_ok());
        for birth in ["30000101", "17991231", "20010229"] {
            assert_eq!(
                IdNumber::parse(&born(birth)),
                Err("birth date is not a real date"),
                "{birth}"
            );
        }
        let next_year = (chrono::Utc::now().date_naive() + chrono::Days::new(400))
            .format("%Y%m%d")
            .to_string();
        assert!(IdNumber::parse(&born(&next_year)).is_err());
    }

    #[test]
    fn wrong_check_digits_and_shapes_are_refused() {
        assert_eq!(
            IdNumber::parse("110105194912310021"),
            Err("check digit does not match")
        );
        assert!(IdNumber::parse("11010519491231002").is_err());
        assert!(IdNumber::parse("11010519491231002XX").is_err());
        assert!(IdNumber::parse("A1010519491231002X").is_err());
    }

    #[test]
    fn impossible_birth_dates_are_refused() {
        let digits = b"33042119991399001";
        let number = format!(
            "{}{}",
            std::str::from_utf8(digits).unwrap(),
            check_char(digits) as char
        );
        assert_eq!(
            IdNumber::parse(&number),
            Err("birth date is not a real date")
        );
    }

    proptest! {
        #[test]
        fn never_panics(input in "\\PC*") {
            let _ = IdNumber::parse(&input);
        }

        #[test]
        fn any_number_with_its_check_char_round_trips(
            area in "[1-6][0-9]{5}", year in 1930u32..2020, month in 1u32..=12, day in 1u32..=28,
            seq in "[0-9]{3}",
        ) {
            let body = format!("{area}{year:04}{month:02}{day:02}{seq}");
            let number = format!("{body}{}", check_char(body.as_bytes()) as char);
            let parsed = IdNumber::parse(&number).unwrap();
            prop_assert_eq!(parsed.as_str(), number.as_str());
            // Changing the check character always breaks it.
            let wrong = if number.ends_with('0') { '1' } else { '0' };
            let changed = format!("{body}{wrong}");
            prop_assert!(IdNumber::parse(&changed).is_err());
        }
    }
}
