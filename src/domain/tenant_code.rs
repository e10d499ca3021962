//! A township's short code, used at login (`"tenant": "xindai"`).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct TenantCode(String);

impl TenantCode {
    /// `^[a-z][a-z0-9-]{1,31}$`.
    pub fn parse(input: &str) -> Result<TenantCode, &'static str> {
        let bytes = input.as_bytes();
        let valid = (2..=32).contains(&bytes.len())
            && bytes[0].is_ascii_lowercase()
            && bytes[1..]
                .iter()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
        if valid {
            Ok(TenantCode(input.to_owned()))
        } else {
            Err("must be 2–32 characters: a lower-case letter, then letters, digits or '-'")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_follow_the_contract_pattern() {
        assert!(TenantCode::parse("xindai").is_ok());
        assert!(TenantCode::parse("a1-b").is_ok());
        for bad in [
            "",
            "x",
            "Xindai",
            "1abc",
            "xin dai",
            "新埭",
            &"a".repeat(33),
        ] {
            assert!(TenantCode::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn agrees_with_the_regex(input in "\\PC{0,40}") {
            let re = regex::Regex::new("^[a-z][a-z0-9-]{1,31}$").unwrap();
            prop_assert_eq!(TenantCode::parse(&input).is_ok(), re.is_match(&input));
        }
    }
}
