use std::path::Path;

use actix_web::http::header::{HeaderMap, HeaderValue, ACCEPT_LANGUAGE};

use super::catalogue::CATALOGUE;
use super::*;

fn lang(header: &str) -> Lang {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(header).unwrap());
    Lang::of(&headers)
}

#[test]
fn chinese_when_the_request_prefers_it_english_otherwise() {
    for zh in [
        "zh-CN",
        "zh",
        "ZH-cn",
        "zh-Hans-CN",
        "zh;q=0.9,en;q=0.8",
        "fr,zh;q=0.5,en;q=0.4",
    ] {
        assert_eq!(lang(zh), Lang::Zh, "{zh}");
    }
    for en in [
        "en",
        "en-US,zh;q=0.5",
        "*",
        "fr",
        "",
        "zh;q=0,en",
        "en;q=0.4,zh;q=0.3",
    ] {
        assert_eq!(lang(en), Lang::En, "{en}");
    }
    assert_eq!(Lang::of(&HeaderMap::new()), Lang::En);
}

#[test]
fn messages_with_varying_parts_and_nested_messages_are_said_in_chinese() {
    let zh = Lang::Zh;
    assert_eq!(zh.say("not found"), "未找到（或不在您的辖区内）");
    assert_eq!(
        zh.say("too many attempts; try again in 42 seconds"),
        "尝试次数过多，请 42 秒后再试"
    );
    assert_eq!(
        zh.say("must be at most 2000 characters"),
        "最多 2000 个字符"
    );
    assert_eq!(
        zh.say("micro_grid: no micro-grid named “第9微网格” in this township"),
        "micro_grid：本乡镇没有名为“第9微网格”的微网格"
    );
    assert_eq!(
        zh.say("must be one of: tenant_admin, supervisor, leader, handler"),
        "须为以下之一：tenant_admin（乡镇管理员）、supervisor（督导）、leader（联户长）、handler（部门经办人）"
    );
    // Unknown text stays as it is, in either language.
    assert_eq!(zh.say("no such message"), "no such message");
    assert_eq!(Lang::En.say("not found"), "not found");
}

#[test]
fn every_catalogue_line_is_chinese_with_the_same_parts() {
    for (en, zh) in CATALOGUE {
        assert_eq!(
            en.matches("{}").count(),
            zh.matches("{}").count(),
            "{en} / {zh}"
        );
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) || *en == "{}: {}",
            "{en}: {zh} is not Chinese"
        );
        let twice = CATALOGUE.iter().filter(|(other, _)| other == en).count();
        assert_eq!(twice, 1, "{en} is in the catalogue {twice} times");
    }
}

/// Texts the code writes that are not messages a client reads.
const NOT_MESSAGES: &[&str] = &[
    "{}",
    "LIANXIN_JWT_SECRET is required (32 or more bytes) when DATABASE_URL is set",
    "{} is not valid: {}",
];

/// Like xgettext: every string the code hands to an error or a field problem, including
/// the problems of declared rules (`problem(…)`, `message = "…"`).
#[test]
fn every_message_in_the_code_has_a_chinese_text() {
    let call = regex::Regex::new(
        r#"(?s)(?:(?:bad_request|invalid|\.add|conflict|Unauthenticated|Err|FileProblem::file|problems\.push|problem|#\[error)\s*\(\s*(?:"[a-z_]+"\s*,\s*)?(?:&?format!\(\s*)?|message\s*=\s*)"((?:[^"\\]|\\.)*)""#,
    )
    .unwrap();
    let placeholder = regex::Regex::new(r"\{[^}]*\}").unwrap();
    let continuation = regex::Regex::new(r"\\\n\s*").unwrap();
    let field_name = regex::Regex::new(r"^[a-z_]+$").unwrap();
    let mut missing = Vec::new();
    let mut files = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            // The demo's texts are its data, not the API's messages.
            if !path.ends_with("demo") {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            }
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") || path.ends_with("i18n/tests.rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        // A file's unit tests hold test data, not messages.
        let source = source.split("#[cfg(test)]\nmod tests").next().unwrap();
        for found in call.captures_iter(source) {
            let text = continuation.replace_all(&found[1], "");
            let text = placeholder
                .replace_all(&text, "{}")
                .replace("\\\\", "\\")
                .replace("\\\"", "\"");
            if field_name.is_match(&text) || NOT_MESSAGES.contains(&text.as_str()) {
                continue;
            }
            // The field's name written in front of the problem (`kind: …`) is not translated.
            let problem = match text.split_once(": ") {
                Some((field, problem)) if field_name.is_match(field) => problem.to_owned(),
                _ => text.clone(),
            };
            // `{}` alone is a message made elsewhere, checked where it is made.
            if problem != "{}" && !CATALOGUE.iter().any(|(en, _)| *en == problem) {
                missing.push(format!("{}: {problem}", path.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no Chinese text for:\n{}",
        missing.join("\n")
    );
}
