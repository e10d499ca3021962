//! The web clients: the files under `web/` (the phone app, the office console, what they
//! share and the vendored view library), compiled into the binary so that `lianxin serve`
//! needs nothing beside it. Debug builds read them from disk, so an edit shows on reload.
//!
//! Every file is revalidated on use (`Cache-Control: no-cache`) against its content hash
//! (the ETag), so a phone sees a new version at once and otherwise gets 304s. The phone
//! app's service worker is the one file with content of the server's: its version (the hash
//! of every file it caches) and the list of those files are written in front of it, so a new
//! build is a new worker.

use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{Compress, DefaultHeaders};
use actix_web::{web, HttpRequest, HttpResponse};
use rust_embed::RustEmbed;
use sha2::{Digest, Sha256};

#[derive(RustEmbed)]
#[folder = "web/"]
struct Files;

/// The folders served, each under its own name.
const FOLDERS: [&str; 4] = ["app", "console", "shared", "vendor"];

/// The folders the phone app keeps offline (its shell).
const APP_SHELL: [&str; 3] = ["app/", "shared/", "vendor/"];

/// The service worker, which gets its version and asset list written in front.
const SERVICE_WORKER: &str = "app/sw.js";

/// Nothing but this origin's own files; no inline script or style (`default-src` covers
/// scripts, styles, images, fetches, workers and the manifest). Short: it goes with every file.
const CSP: &str = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// `/`, `/app/`, `/console/`, `/shared/`, `/vendor/`; compressed, with the strict CSP.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/")
            .wrap(Compress::default())
            .wrap(headers())
            .route(web::get().to(index))
            .route(web::head().to(index)),
    );
    for folder in FOLDERS {
        cfg.service(
            web::resource(format!("/{folder}"))
                .route(web::get().to(move || to_folder(folder)))
                .route(web::head().to(move || to_folder(folder))),
        );
        cfg.service(
            web::scope(&format!("/{folder}"))
                .wrap(Compress::default())
                .wrap(headers())
                .route("/{path:.*}", web::get().to(file))
                .route("/{path:.*}", web::head().to(file)),
        );
    }
}

fn headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CSP))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cache-Control", "no-cache"))
}

async fn index(req: HttpRequest) -> HttpResponse {
    serve(&req, "index.html")
}

/// `/app` → `/app/`, so that relative links in the page resolve.
async fn to_folder(folder: &'static str) -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, format!("/{folder}/")))
        .finish()
}

async fn file(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    let folder = req
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let inner = path.into_inner();
    let inner = if inner.is_empty() || inner.ends_with('/') {
        format!("{inner}index.html")
    } else {
        inner
    };
    serve(&req, &format!("{folder}/{inner}"))
}

fn serve(req: &HttpRequest, path: &str) -> HttpResponse {
    if !is_plain(path) {
        return not_found();
    }
    let Some(found) = Files::get(path) else {
        return not_found();
    };
    let body: Vec<u8> = if path == SERVICE_WORKER {
        service_worker(&found.data)
    } else {
        found.data.into_owned()
    };
    // Weak: the same file travels gzipped or not under one tag.
    let etag = format!("W/\"{}\"", hex::encode(&Sha256::digest(&body)[..12]));
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| same_tag(tag, &etag)));
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(mime(path))));
    if path == SERVICE_WORKER {
        // The worker may control the whole of `/app/` even though it imports nothing else.
        response.insert_header(("Service-Worker-Allowed", "/app/"));
    }
    if fresh {
        response.finish()
    } else {
        response.body(body)
    }
}

/// Weak comparison (RFC 9110 §8.8.3.2): `W/"x"` and `"x"` match.
fn same_tag(candidate: &str, etag: &str) -> bool {
    let strip = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let candidate = candidate.trim();
    candidate == "*" || strip(candidate) == strip(etag)
}

/// A relative path of plain names: no `..`, no hidden files, no backslashes.
fn is_plain(path: &str) -> bool {
    !path.contains('\\')
        && path
            .split('/')
            .all(|part| !part.is_empty() && !part.starts_with('.'))
}

fn not_found() -> HttpResponse {
    actix_web::ResponseError::error_response(&crate::error::AppError::NotFound)
}

fn mime(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    match extension {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The phone app's shell: every file the service worker keeps, as URLs.
fn app_shell() -> Vec<String> {
    let mut urls: Vec<String> = Files::iter()
        .filter(|path| APP_SHELL.iter().any(|folder| path.starts_with(folder)))
        .filter(|path| {
            path != SERVICE_WORKER && !path.contains("LICENSE") && !path.ends_with(".md")
        })
        .map(|path| match path.strip_suffix("index.html") {
            Some(folder) => format!("/{folder}"),
            None => format!("/{path}"),
        })
        .collect();
    urls.sort();
    urls
}

/// The version of the shell: a hash over its files' content hashes.
fn shell_version(urls: &[String]) -> String {
    let mut hasher = Sha256::new();
    for url in urls {
        let path = url.trim_start_matches('/');
        let path = if path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.to_owned()
        };
        if let Some(file) = Files::get(&path) {
            hasher.update(path.as_bytes());
            hasher.update(file.metadata.sha256_hash());
        }
    }
    hex::encode(&hasher.finalize()[..8])
}

/// `const VERSION = "…"; const SHELL = [...];` in front of the worker's own code.
fn service_worker(code: &[u8]) -> Vec<u8> {
    let urls = app_shell();
    let version = shell_version(&urls);
    let mut out = format!(
        "// Written by the server: the shell's version (a hash of its files) and its files.\n\
         const VERSION = {};\nconst SHELL = {};\n\n",
        serde_json::Value::from(version),
        serde_json::Value::from(urls),
    )
    .into_bytes();
    out.extend_from_slice(code);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_are_served() {
        assert!(is_plain("app/index.html"));
        assert!(!is_plain("app/../Cargo.toml"));
        assert!(!is_plain("app/.hidden"));
        assert!(!is_plain("app//x"));
        assert!(!is_plain("app\\x"));
    }

    #[test]
    fn weak_and_strong_tags_match() {
        assert!(same_tag("\"abc\"", "W/\"abc\""));
        assert!(same_tag(" W/\"abc\"", "W/\"abc\""));
        assert!(!same_tag("\"abd\"", "W/\"abc\""));
    }
}
