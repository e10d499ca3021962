//! `Json<T>`: a request's JSON body, as actix's `web::Json` reads it (content type, 1 MiB,
//! compressed bodies), but refused whole with 400 when any of its text holds a NUL character.
//!
//! PostgreSQL's text cannot hold U+0000, and a name or note with one would otherwise meet a
//! different check in every field: a 422 from a name's rules here, a database error there.
//! One rule at the door answers every field alike (docs/security.md: 400). The visit batch
//! keeps `web::Json`: each of its items is answered alone (`visits::batch`).

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::JSON_LIMIT;
use crate::error::{AppError, NUL_REFUSED};

pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // `application/json`, or any `…+json`, as `web::Json` takes.
        let is_json = matches!(
            req.mime_type(),
            Ok(Some(mime)) if mime.subtype().as_str() == "json"
                || mime.suffix().is_some_and(|s| s.as_str() == "json")
        );
        // The limit is `payload_config`'s (startup); actix decompresses as it reads.
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(AppError::bad_request(
                    "the body must be JSON (Content-Type: application/json)",
                )
                .into());
            }
            let body = body.await.map_err(|e| match e.as_error::<PayloadError>() {
                Some(PayloadError::Overflow) => AppError::PayloadTooLarge("1 MiB"),
                _ => AppError::bad_request(format!("invalid JSON body: {e}")),
            })?;
            if holds_nul(&body) {
                return Err(AppError::bad_request(NUL_REFUSED).into());
            }
            serde_json::from_slice(&body)
                .map(Json)
                .map_err(|e| AppError::bad_request(format!("invalid JSON: {e}")).into())
        })
    }
}

/// The body limit of `Json` bodies (the contract's 1 MiB).
pub fn payload_config() -> web::PayloadConfig {
    web::PayloadConfig::new(JSON_LIMIT)
}

/// Whether JSON text holds a NUL character. JSON writes one only as the escape `\u0000` (a
/// raw control character is malformed, refused by the parser); a backslash that is itself
/// escaped (`\\u0000`, the six characters) is text, not an escape.
pub fn holds_nul(json: &[u8]) -> bool {
    let mut at = 0;
    while let Some(slash) = json[at..].iter().position(|b| *b == b'\\') {
        let escape = at + slash;
        if json.get(escape + 1..escape + 6) == Some(b"u0000") {
            return true;
        }
        // Skip the escaped character, whatever it is (a `\\` pair included).
        at = escape + 2;
        if at >= json.len() {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::holds_nul;

    #[test]
    fn a_nul_escape_is_found_and_an_escaped_backslash_is_not_one() {
        for nul in [
            r#"{"name": "\u0000"}"#,
            r#"{"name": "一\u0000村"}"#,
            r#"{"a": "\\", "b": "\u0000"}"#,
            r#"{"a": "\\\u0000"}"#,
            r#"{"a\u0000": 1}"#,
        ] {
            assert!(holds_nul(nul.as_bytes()), "{nul}");
        }
        for text in [
            r#"{"name": "\\u0000"}"#,
            r#"{"name": "\u0001"}"#,
            r#"{"name": "\n\t\"\/"}"#,
            r#"{"name": "\"#,
            "",
        ] {
            assert!(!holds_nul(text.as_bytes()), "{text}");
        }
    }

    /// A handler that read its body with actix's `web::Json` would let a NUL through to its
    /// field checks (a 422, or the database). Only the batch may, whose items stand alone.
    #[test]
    fn handlers_read_json_bodies_through_this_extractor() {
        let mut files = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
        let mut offenders = Vec::new();
        // Written in two pieces, so that this file is not one of them.
        let needle = [": web", "::Json<"].concat();
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") || path.ends_with("visits/batch.rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            if source.contains(&needle) {
                offenders.push(path.display().to_string());
            }
        }
        assert!(offenders.is_empty(), "web::Json bodies in {offenders:?}");
    }
}
