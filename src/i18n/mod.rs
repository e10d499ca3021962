//! The language of what the API says: error messages and field problems in Chinese for a
//! request whose `Accept-Language` prefers Chinese (`zh`, `zh-CN`, …), English otherwise.
//!
//! gettext's design: the code writes its messages in English, and that text is the key of
//! the catalogue (`catalogue.rs`); the language is chosen once, when the error envelope is
//! rendered for a request (`http::localize`, and the batch endpoint for its items). The
//! `code` of an error never changes with the language: clients decide by it.

mod catalogue;

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header::{HeaderMap, ACCEPT_LANGUAGE};
use actix_web::{FromRequest, HttpRequest};

use crate::error::ErrorDetail;
use catalogue::CATALOGUE;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// The language the request prefers among those we speak: by `q`, highest first; a tag
    /// we do not speak (`fr`) is passed over, `*` and no header mean English.
    pub fn of(headers: &HeaderMap) -> Lang {
        let Some(header) = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else {
            return Lang::En;
        };
        let mut ranges: Vec<(f32, usize, Option<Lang>)> = header
            .split(',')
            .enumerate()
            .filter_map(|(order, range)| {
                let mut parts = range.split(';');
                let tag = parts.next()?.trim().to_ascii_lowercase();
                let q = parts
                    .filter_map(|p| p.trim().strip_prefix("q="))
                    .find_map(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                let primary = tag.split('-').next().unwrap_or_default();
                let lang = match primary {
                    "zh" => Some(Lang::Zh),
                    "en" | "*" => Some(Lang::En),
                    _ => None,
                };
                (q > 0.0).then_some((q, order, lang))
            })
            .collect();
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranges
            .into_iter()
            .find_map(|(_, _, lang)| lang)
            .unwrap_or_default()
    }

    /// `message` in this language (unchanged in English, or when the catalogue lacks it).
    pub fn say(self, message: &str) -> String {
        match self {
            Lang::En => message.to_owned(),
            Lang::Zh => chinese(message, 0).unwrap_or_else(|| message.to_owned()),
        }
    }

    /// The envelope's message and field problems in this language; `code` stays.
    pub fn localize(self, detail: &mut ErrorDetail) {
        if self == Lang::En {
            return;
        }
        detail.message = self.say(&detail.message);
        if let Some(fields) = detail.fields.as_mut() {
            for problems in fields.values_mut() {
                for problem in problems.iter_mut() {
                    *problem = self.say(problem);
                }
            }
        }
    }
}

/// Handlers that put errors inside a 2xx body (the visit batch) take the language as an
/// argument.
impl FromRequest for Lang {
    type Error = std::convert::Infallible;
    type Future = Ready<Result<Lang, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Lang::of(req.headers())))
    }
}

/// How deep a message may nest in another (`row 3: micro_grid: no micro-grid named …`).
const MAX_DEPTH: usize = 4;

fn chinese(message: &str, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    if let Some((_, zh)) = CATALOGUE.iter().find(|(en, _)| *en == message) {
        return Some((*zh).to_owned());
    }
    CATALOGUE
        .iter()
        .filter(|(en, _)| en.contains("{}"))
        .find_map(|(en, zh)| {
            let parts = captures(en, message)?;
            let mut out = String::new();
            let mut pieces = zh.split("{}");
            out.push_str(pieces.next().unwrap_or_default());
            for (part, piece) in parts.iter().zip(pieces) {
                // A part that is a message itself is said in Chinese too.
                out.push_str(&chinese(part, depth + 1).unwrap_or_else(|| (*part).to_owned()));
                out.push_str(piece);
            }
            Some(out)
        })
}

/// The parts of `message` that the `{}` of `pattern` stand for, if it has that shape (each
/// `{}` takes the shortest text that lets the rest follow; the last takes the rest).
fn captures<'m>(pattern: &str, message: &'m str) -> Option<Vec<&'m str>> {
    let mut literals = pattern.split("{}");
    let first = literals.next()?;
    let mut rest = message.strip_prefix(first)?;
    let literals: Vec<&str> = literals.collect();
    let mut parts = Vec::with_capacity(literals.len());
    for (i, literal) in literals.iter().enumerate() {
        let last = i + 1 == literals.len();
        let end = if last {
            if !rest.ends_with(literal) {
                return None;
            }
            rest.len() - literal.len()
        } else if literal.is_empty() {
            return None;
        } else {
            rest.find(literal)?
        };
        let part = &rest[..end];
        if part.is_empty() {
            return None;
        }
        parts.push(part);
        rest = &rest[end + literal.len()..];
    }
    Some(parts)
}

#[cfg(test)]
mod tests;
