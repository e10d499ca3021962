//! The web clients in a real browser: runs `tests/browser/run.mjs` (Node, node:test,
//! playwright-core driving Debian's headless Chromium) against this build's binary, so that
//! `cargo test` includes the browser suite.
//!
//! The PostgreSQL server is `TEST_DATABASE_URL` (or `DATABASE_URL`) when set, else the same
//! throwaway cluster the API tests use (`/tmp/lianxin-test-postgres-$USER`). Node 20 and
//! Chromium must be installed (`apt-get install nodejs npm chromium fonts-wqy-zenhei`); the
//! npm packages are installed from the lockfile on first use. A missing browser fails the
//! test: it never skips.

use std::path::Path;
use std::process::Command;

fn admin_url() -> String {
    let configured = std::env::var("TEST_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .ok()
        .filter(|u| !u.is_empty());
    if let Some(url) = configured {
        let mut url = url;
        // The harness needs the server's maintenance database to create its own beside it.
        if let Some(slash) = url.rfind('/') {
            let query = url
                .find('?')
                .map(|q| url[q..].to_owned())
                .unwrap_or_default();
            url.truncate(slash);
            url = format!("{url}/postgres{query}");
        }
        return url;
    }
    let user = std::env::var("USER").unwrap_or_else(|_| "user".into());
    let dir = std::env::temp_dir().join(format!("lianxin-test-postgres-{user}"));
    lianxin::db::cluster::Cluster::ensure(&dir)
        .expect("cannot start a PostgreSQL cluster for the browser tests")
        .url("postgres")
}

#[test]
fn the_web_clients_work_in_chromium() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "Chromium was not found at {chromium}: the browser tests need it \
         (apt-get install chromium fonts-wqy-zenhei, or set CHROMIUM)"
    );
    let suite = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !suite.join("node_modules/playwright-core").exists() {
        let installed = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&suite)
            .status()
            .expect("npm not found: apt-get install nodejs npm");
        assert!(installed.success(), "npm ci in tests/browser failed");
    }
    let status = Command::new("node")
        .arg(suite.join("run.mjs"))
        .arg(env!("CARGO_BIN_EXE_lianxin"))
        // BROWSER_TESTS="tests/browser/app/offline.test.mjs …": only these files.
        .args(
            std::env::var("BROWSER_TESTS")
                .unwrap_or_default()
                .split_whitespace(),
        )
        .env("LIANXIN_TEST_ADMIN_URL", admin_url())
        .status()
        .expect("node not found: apt-get install nodejs npm");
    assert!(
        status.success(),
        "the browser tests failed (their output is above)"
    );
}
