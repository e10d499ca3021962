//! Household tags (标签) and the standard priority groups (重点人群) townships report on.

/// The standard vocabulary: the groups townships are asked to report on and to visit more
/// often. Free tags stay allowed beside them.
pub const STANDARD_TAGS: [&str; 8] = [
    "独居老人",
    "空巢老人",
    "残疾人",
    "低保户",
    "特困人员",
    "留守儿童",
    "重病患者",
    "退役军人",
];

/// The longest tag, in characters.
pub const MAX_TAG: usize = 20;

/// One tag: trimmed, not blank, at most `MAX_TAG` characters, no control characters.
pub fn parse_tag(value: &str) -> Result<String, String> {
    let tag = value.trim();
    if tag.is_empty() {
        return Err("must not be empty".into());
    }
    // U+FFFD stands for bytes that were not text (a path decoded lossily), never for a word.
    if tag.contains(char::REPLACEMENT_CHARACTER) {
        return Err("must be text (UTF-8)".into());
    }
    if tag.chars().count() > MAX_TAG || tag.chars().any(char::is_control) {
        return Err(format!(
            "each tag must be at most {MAX_TAG} characters without control characters"
        ));
    }
    Ok(tag.to_owned())
}

/// Whether `tag` is one of the standard priority groups.
pub fn is_standard(tag: &str) -> bool {
    STANDARD_TAGS.contains(&tag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_and_bounded() {
        assert_eq!(parse_tag(" 独居老人 ").unwrap(), "独居老人");
        assert!(parse_tag("  ").is_err());
        assert!(parse_tag(&"长".repeat(MAX_TAG + 1)).is_err());
        assert!(parse_tag("低保\u{7}户").is_err());
        assert!(parse_tag("\u{FFFD}\u{FFFD}").is_err());
        assert!(is_standard("低保户") && !is_standard("党员"));
    }
}
