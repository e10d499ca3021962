//! The name a staff member or platform admin types at the login screen.
//!
//! Stricter than a display name: it is typed again at every login and shown in staff lists,
//! statistics and exports as who did what, so it must read exactly as it is. No spaces, no
//! control characters, and nothing invisible or direction-changing — not even at its ends:
//! `\u{202E}nimdab` would list as "badmin", a twin of the real admin.

use std::fmt;

use serde::Serialize;

use super::name::{hides_something, is_invisible};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    /// Trimmed of spaces; 1–64 characters.
    pub fn parse(input: &str) -> Result<Username, &'static str> {
        let username = input.trim();
        if !(1..=64).contains(&username.chars().count()) {
            return Err("must be 1–64 characters");
        }
        if username
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
        {
            return Err("must not contain spaces");
        }
        if username.chars().any(is_invisible) || hides_something(username) {
            return Err("must not contain invisible or direction characters");
        }
        Ok(Username(username.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_username_reads_as_it_is() {
        assert_eq!(Username::parse(" wang.li ").unwrap().as_str(), "wang.li");
        assert_eq!(Username::parse("王丽").unwrap().as_str(), "王丽");
        assert_eq!(Username::parse(""), Err("must be 1–64 characters"));
        assert_eq!(
            Username::parse(&"a".repeat(65)),
            Err("must be 1–64 characters")
        );
        assert_eq!(Username::parse("wang li"), Err("must not contain spaces"));
        for twin in [
            "\u{202E}nimdab",
            "ad\u{200B}min",
            "admin\u{200B}",
            "\u{FEFF}admin",
            "\u{2066}admin",
            "ad\u{200D}min",
        ] {
            assert_eq!(
                Username::parse(twin),
                Err("must not contain invisible or direction characters"),
                "{twin:?}"
            );
        }
    }
}
