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

    /// Valid codes, near misses (a capital, a space, a wrong length, a digit first) and any
    /// text, in equal shares: arbitrary text alone is almost never a valid code, so the
    /// accepting side would go untested.
    fn candidates() -> impl Strategy<Value = String> {
        prop_oneof!["[a-z][a-z0-9-]{1,31}", "[a-zA-Z0-9 _-]{0,34}", "\\PC{0,40}",]
    }

    proptest! {
        #[test]
        fn agrees_with_the_regex(input in candidates()) {
            let re = regex::Regex::new("^[a-z][a-z0-9-]{1,31}$").unwrap();
            prop_assert_eq!(TenantCode::parse(&input).is_ok(), re.is_match(&input));
        }
    }

    /// The strategy above does reach both answers, in fair shares.
    #[test]
    fn the_candidates_are_accepted_and_refused_alike() {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        let accepted = (0..600)
            .filter(|_| {
                let input = candidates().new_tree(&mut runner).unwrap().current();
                TenantCode::parse(&input).is_ok()
            })
            .count();
        assert!(
            (150..=450).contains(&accepted),
            "{accepted} of 600 accepted"
        );
    }
}
