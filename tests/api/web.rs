//! The web clients' files: served from the binary with a strict CSP, content-hash ETags,
//! gzip and the right types, without touching the API.

use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH};

use crate::harness::{into_resp, Resp, TestApp};

async fn fetch(app: &TestApp, path: &str, headers: &[(reqwest::header::HeaderName, &str)]) -> Resp {
    let mut request = app.client.get(format!("{}{path}", app.base));
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    into_resp(request.send().await.expect("request sent")).await
}

fn header<'a>(resp: &'a Resp, name: &str) -> &'a str {
    resp.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy() {
    let app = TestApp::spawn().await;
    for path in ["/", "/app/", "/shared/api.js", "/vendor/preact.module.js"] {
        let page = fetch(&app, path, &[]).await;
        assert_eq!(page.status, 200, "{path}");
        let csp = header(&page, "content-security-policy");
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(!csp.contains("http"), "no other origin: {csp}");
        assert_eq!(header(&page, "x-content-type-options"), "nosniff");
        assert_eq!(header(&page, "cache-control"), "no-cache", "{path}");
    }
    let front = fetch(&app, "/", &[]).await;
    let text = String::from_utf8(front.bytes).unwrap();
    assert!(text.contains("href=\"/app/\"") && text.contains("href=\"/console/\""));
    assert!(!text.contains("<script>"), "no inline script");
}

#[tokio::test]
async fn files_have_their_types() {
    let app = TestApp::spawn().await;
    for (path, expected) in [
        ("/app/", "text/html"),
        ("/app/sw.js", "text/javascript"),
        ("/shared/base.css", "text/css"),
        ("/vendor/htm.module.js", "text/javascript"),
        ("/app/manifest.webmanifest", "application/manifest+json"),
    ] {
        let file = fetch(&app, path, &[]).await;
        assert_eq!(file.status, 200, "{path}");
        assert!(
            header(&file, "content-type").starts_with(expected),
            "{path}"
        );
    }
}

#[tokio::test]
async fn an_unchanged_file_answers_304_to_its_etag() {
    let app = TestApp::spawn().await;
    let first = fetch(&app, "/shared/api.js", &[]).await;
    let etag = header(&first, "etag").to_owned();
    assert!(etag.contains('"'), "an entity tag: {etag}");
    let again = fetch(&app, "/shared/api.js", &[(IF_NONE_MATCH, &etag)]).await;
    assert_eq!(again.status, 304);
    assert!(again.bytes.is_empty());
    assert_eq!(header(&again, "etag"), etag);
    let stale = fetch(&app, "/shared/api.js", &[(IF_NONE_MATCH, "\"0000\"")]).await;
    assert_eq!(stale.status, 200);
    assert_eq!(stale.bytes, first.bytes);
    // Another file, another tag.
    let other = fetch(&app, "/shared/strings.js", &[]).await;
    assert_ne!(header(&other, "etag"), etag);
}

#[tokio::test]
async fn files_travel_gzipped_when_asked() {
    let app = TestApp::spawn().await;
    let plain = fetch(&app, "/vendor/preact.module.js", &[]).await;
    let zipped = fetch(
        &app,
        "/vendor/preact.module.js",
        &[(ACCEPT_ENCODING, "gzip")],
    )
    .await;
    assert_eq!(zipped.status, 200);
    assert_eq!(header(&zipped, CONTENT_ENCODING.as_str()), "gzip");
    assert!(
        zipped.bytes.len() * 10 < plain.bytes.len() * 7,
        "{} gzipped vs {} plain",
        zipped.bytes.len(),
        plain.bytes.len()
    );
    assert!(header(&zipped, CONTENT_TYPE.as_str()).starts_with("text/javascript"));
    assert_eq!(
        header(&zipped, ETAG.as_str()),
        header(&plain, ETAG.as_str())
    );
}

#[tokio::test]
async fn the_service_worker_names_its_version_and_shell() {
    let app = TestApp::spawn().await;
    let worker = fetch(&app, "/app/sw.js", &[]).await;
    let text = String::from_utf8(worker.bytes).unwrap();
    assert!(text.starts_with("// Written by the server"), "{text}");
    assert!(text.contains("const VERSION = \""), "{text}");
    let shell_line = text
        .lines()
        .find(|l| l.starts_with("const SHELL = "))
        .unwrap();
    let shell: Vec<String> = serde_json::from_str(
        shell_line
            .trim_start_matches("const SHELL = ")
            .trim_end_matches(';'),
    )
    .unwrap();
    for url in ["/app/", "/shared/api.js", "/vendor/preact.module.js"] {
        assert!(shell.iter().any(|u| u == url), "{url} in {shell:?}");
    }
    assert!(!shell.iter().any(|u| u.starts_with("/api/")));
    assert!(!shell.iter().any(|u| u == "/app/sw.js"));
}

#[tokio::test]
async fn unknown_files_are_404_and_the_api_is_untouched() {
    let app = TestApp::spawn().await;
    for path in [
        "/app/nothing.js",
        "/vendor/",
        "/app/%2e%2e/Cargo.toml",
        "/shared/..%2f..%2fCargo.toml",
        "/app/.hidden",
    ] {
        let missing = fetch(&app, path, &[]).await;
        assert_eq!(missing.status, 404, "{path}");
        missing.expect_error(404, "not_found");
    }
    let redirect = fetch(&app, "/app", &[]).await;
    assert_eq!(redirect.status, 308);
    assert_eq!(header(&redirect, "location"), "/app/");
    // The API keeps its own answers and headers.
    let api = fetch(&app, "/api/v1/households", &[]).await;
    api.expect_error(401, "unauthenticated");
    assert!(!header(&api, "content-security-policy").contains("default-src 'self'; script"));
    let health = fetch(&app, "/healthz", &[]).await;
    assert_eq!(health.status, 200);
}

#[tokio::test]
async fn the_phone_app_preloads_every_module() {
    let app = TestApp::spawn().await;
    let page = String::from_utf8(fetch(&app, "/app/", &[]).await.bytes).unwrap();
    let worker = String::from_utf8(fetch(&app, "/app/sw.js", &[]).await.bytes).unwrap();
    let shell_line = worker
        .lines()
        .find(|l| l.starts_with("const SHELL = "))
        .unwrap();
    let shell: Vec<String> = serde_json::from_str(
        shell_line
            .trim_start_matches("const SHELL = ")
            .trim_end_matches(';'),
    )
    .unwrap();
    // The app's own modules (shared/ may hold the console's too).
    for module in shell
        .iter()
        .filter(|url| url.starts_with("/app/") && url.ends_with(".js"))
    {
        assert!(
            page.contains(&format!("<link rel=\"modulepreload\" href=\"{module}\">")),
            "{module} is preloaded by /app/index.html"
        );
    }
}
