//! What people type as names: a township, a staff member's display name, a grid, a
//! micro-grid, a household. One rule for all of them, so that wherever a name is typed, one
//! that shows as another (a direction override turning `\u{202E}nimdab` into "badmin", a
//! zero-width space inside "ad\u{200B}min") is refused, and one that shows as nothing is
//! empty.

use std::fmt;

use serde::Serialize;

/// Longest name of any kind; the article's are a dozen characters.
pub const MAX_NAME: usize = 100;

/// A name as typed, cleaned (see `clean_text`): trimmed, 1–`MAX_NAME` characters, nothing
/// invisible or direction-changing inside.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Name(String);

impl Name {
    pub fn parse(input: &str) -> Result<Name, String> {
        clean_text(input, MAX_NAME).map(Name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// One line of text as people type it (a name, an address, a messaging group's name):
/// trimmed of spaces and of invisible characters at its ends (a BOM or a zero-width space
/// pasted from a spreadsheet), not empty, at most `max` characters, with no control
/// characters (they break exports and the messaging groups' lists) and none of the
/// invisible or direction characters that make one text show as another.
pub fn clean_text(value: &str, max: usize) -> Result<String, String> {
    let value = value.trim_matches(|c: char| c.is_whitespace() || is_invisible(c));
    if value.is_empty() {
        return Err("must not be empty".into());
    }
    if value.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    if hides_something(value) {
        return Err("must not contain invisible or direction characters".into());
    }
    Ok(value.to_owned())
}

/// Whether `text` holds a character that changes how the rest reads without showing
/// itself. The one exception is the joiner inside an emoji sequence (👨‍👩), which is how
/// such an emoji is written.
pub fn hides_something(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        if c == ZERO_WIDTH_JOINER {
            let before = i.checked_sub(1).and_then(|j| chars.get(j));
            let after = chars.get(i + 1);
            !(before.is_some_and(|&b| is_pictograph(b)) && after.is_some_and(|&a| is_pictograph(a)))
        } else {
            is_invisible(c)
        }
    })
}

const ZERO_WIDTH_JOINER: char = '\u{200D}';

/// Characters that take no space or turn the text's direction: the soft hyphen, the
/// Mongolian vowel separator, zero-width spaces and joiners, the direction marks, embeddings,
/// overrides and isolates (U+202A–202E, U+2066–2069), the word joiner and invisible
/// operators, and the byte order mark.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
    )
}

/// Emoji and the characters an emoji sequence is built of (variation selector, skin tones).
fn is_pictograph(c: char) -> bool {
    matches!(
        c,
        '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}' | '\u{FE0F}' | '\u{1F000}'..='\u{1FAFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_of_invisible_characters_is_empty() {
        for name in [
            "\u{200B}",
            "\u{FEFF}",
            " \u{200B}\u{200B} ",
            "\u{3000}",
            "\u{00A0}",
            "\u{202E}",
        ] {
            assert_eq!(
                Name::parse(name),
                Err("must not be empty".into()),
                "{name:?}"
            );
        }
    }

    #[test]
    fn invisible_ends_are_trimmed_and_the_inside_is_refused() {
        assert_eq!(
            Name::parse("\u{FEFF}新埭村\u{200B}").unwrap().as_str(),
            "新埭村"
        );
        for twin in [
            "新埭\u{202E}村",
            "ad\u{200B}min",
            "ad\u{200D}min",
            "ad\u{200C}min",
            "a\u{2066}dmin\u{2069}",
            "ad\u{200F}min",
            "新\u{FEFF}埭",
            "ad\u{2060}min",
        ] {
            assert_eq!(
                Name::parse(twin),
                Err("must not contain invisible or direction characters".into()),
                "{twin:?}"
            );
        }
        assert_eq!(
            Name::parse("一\u{0}村"),
            Err("must not contain control characters".into())
        );
        // `\u{202E}nimdab` would list as "badmin": its override is at an end, so it goes,
        // and what is left is the name as it reads.
        assert_eq!(Name::parse("\u{202E}nimdab").unwrap().as_str(), "nimdab");
    }

    #[test]
    fn a_joiner_inside_an_emoji_is_part_of_the_name() {
        assert_eq!(
            Name::parse("家\u{1F468}\u{200D}\u{1F469}")
                .unwrap()
                .as_str(),
            "家\u{1F468}\u{200D}\u{1F469}"
        );
        assert!(
            Name::parse("家\u{1F468}\u{200D}").is_ok(),
            "trimmed at the end"
        );
        assert!(Name::parse("家\u{200D}\u{1F469}").is_err());
    }

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        assert!(Name::parse(&"村".repeat(MAX_NAME)).is_ok());
        let long = Name::parse(&"村".repeat(MAX_NAME + 1)).unwrap_err();
        assert_eq!(long, format!("must be at most {MAX_NAME} characters"));
        assert!(clean_text(&"路".repeat(200), 200).is_ok());
    }
}
