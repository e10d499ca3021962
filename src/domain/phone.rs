//! Phone numbers as township rosters hold them: a mainland mobile number, or a landline
//! with its area code.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// Accepts `1[3-9]` + 9 digits (mobile), or a landline: area code `0` + 2–3 digits and a
    /// 7–8 digit number, written with or without a hyphen (`0573-85123456`). Spaces and
    /// hyphens between digit groups are tolerated and normalised away for mobiles.
    pub fn parse(input: &str) -> Result<Phone, &'static str> {
        let trimmed = input.trim();
        let digits: String = trimmed.chars().filter(|c| *c != ' ' && *c != '-').collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) || digits.is_empty() {
            return Err("must be a mainland mobile (1[3-9] and 9 digits) or a landline number");
        }
        let bytes = digits.as_bytes();
        if bytes.len() == 11 && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1]) {
            return Ok(Phone(digits));
        }
        if bytes[0] == b'0' && (10..=12).contains(&bytes.len()) {
            // Keep the writer's area-code hyphen if there was one; it is how offices read it.
            let formatted = match trimmed.split_once('-') {
                Some((area, rest)) if (3..=4).contains(&area.len()) => {
                    format!("{area}-{}", rest.replace(['-', ' '], ""))
                }
                _ => digits,
            };
            return Ok(Phone(formatted));
        }
        if (7..=8).contains(&bytes.len()) && bytes[0] != b'0' && bytes[0] != b'1' {
            // A local number without area code, as rural rosters often write it.
            return Ok(Phone(digits));
        }
        Err("must be a mainland mobile (1[3-9] and 9 digits) or a landline number")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mobiles_are_accepted_and_normalised() {
        assert_eq!(Phone::parse("13812345678").unwrap().as_str(), "13812345678");
        assert_eq!(
            Phone::parse(" 138 1234 5678 ").unwrap().as_str(),
            "13812345678"
        );
        assert_eq!(
            Phone::parse("199-1234-5678").unwrap().as_str(),
            "19912345678"
        );
    }

    #[test]
    fn landlines_are_accepted() {
        assert_eq!(
            Phone::parse("0573-85123456").unwrap().as_str(),
            "0573-85123456"
        );
        assert_eq!(
            Phone::parse("057385123456").unwrap().as_str(),
            "057385123456"
        );
        assert_eq!(
            Phone::parse("010-12345678").unwrap().as_str(),
            "010-12345678"
        );
        assert_eq!(Phone::parse("85123456").unwrap().as_str(), "85123456");
    }

    #[test]
    fn wrong_numbers_are_refused() {
        for bad in [
            "",
            "12812345678",
            "1381234567",
            "138123456789",
            "abc",
            "+8613812345678",
            "0573",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    proptest! {
        #[test]
        fn never_panics(input in "\\PC*") {
            let _ = Phone::parse(&input);
        }

        #[test]
        fn every_mobile_round_trips(second in 3u8..=9, rest in "[0-9]{9}") {
            let number = format!("1{second}{rest}");
            let phone = Phone::parse(&number).unwrap();
            prop_assert_eq!(phone.as_str(), number.as_str());
            prop_assert_eq!(Phone::parse(phone.as_str()).unwrap(), phone);
        }
    }
}
