//! What bad input and a stuck database get: an answer in the contract's envelope, never a
//! 500 and never a hang (found by schemathesis and the fault drills; see docs/operations.md).

use std::time::{Duration, Instant};

use diesel_async::{AnsiTransactionManager, RunQueryDsl, TransactionManager};
use serde_json::json;

use crate::fixtures::Township;
use crate::harness::TestApp;

#[tokio::test]
async fn a_nul_character_in_text_is_a_bad_request_not_a_server_error() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    // Refused at the door like every field's (probes.rs has them all).
    app.post(
        "/api/v1/grids",
        &t.admin.token,
        json!({"name": "一\u{0}村", "kind": "village"}),
    )
    .await
    .expect_error(400, "bad_request");
    // A name of zero-width spaces shows as nothing: it is empty, not a grid.
    app.post(
        "/api/v1/grids",
        &t.admin.token,
        json!({"name": "\u{200B}\u{200B}", "kind": "village"}),
    )
    .await
    .expect_error(422, "validation_failed");
    let login = app
        .send(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(&json!({"tenant": "alpha", "username": "ad\u{0}min", "password": "x"})),
        )
        .await;
    login.expect_error(400, "bad_request");
    app.get("/api/v1/households?q=%00", &t.admin.token)
        .await
        .expect_error(400, "bad_request");
    // Nothing of it was stored, and the service goes on.
    app.get("/api/v1/grids", &t.admin.token).await.expect(200);
}

#[tokio::test]
async fn a_request_stuck_on_the_database_is_cut_off_with_503_and_the_service_goes_on() {
    let app = TestApp::spawn_with(&[("LIANXIN_REQUEST_TIMEOUT_SECS", "1")]).await;
    let t = Township::create(&app, "alpha").await;
    // Another session holds the grids table: a new grid waits for the lock.
    let mut blocker = app.db().await;
    AnsiTransactionManager::begin_transaction(&mut blocker)
        .await
        .unwrap();
    diesel::sql_query("LOCK TABLE grids IN ACCESS EXCLUSIVE MODE")
        .execute(&mut blocker)
        .await
        .unwrap();
    let started = Instant::now();
    app.post(
        "/api/v1/grids",
        &t.admin.token,
        json!({"name": "三村", "kind": "village"}),
    )
    .await
    .expect_error(503, "unavailable");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    AnsiTransactionManager::rollback_transaction(&mut blocker)
        .await
        .unwrap();
    // The abandoned request's connection does not poison the pool.
    for _ in 0..8 {
        app.get("/api/v1/grids", &t.admin.token).await.expect(200);
    }
    let grids = app.get("/api/v1/grids", &t.admin.token).await.expect(200);
    assert!(
        !grids["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == "三村"),
        "the cut-off request was rolled back"
    );
}

#[tokio::test]
async fn dates_outside_the_calendar_the_database_knows_are_refused() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let token = &t.admin.token;
    for day in [
        "-262143-01-01",
        "+262142-12-31",
        "-4800-01-01",
        "99999-01-01",
        "0000-01-01",
        "2026-1-5",
        "2026-01-05T00:00:00",
    ] {
        for path in [
            "/api/v1/visits",
            "/api/v1/issues",
            "/api/v1/audit",
            "/api/v1/stats/summary",
            "/api/v1/stats/breakdown?by=week",
        ] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let day = day.replace('+', "%2B");
            for query in [
                format!("from={day}"),
                format!("to={day}"),
                format!("from={day}&to={day}"),
            ] {
                let resp = app.get(&format!("{path}{sep}{query}"), token).await;
                assert_eq!(
                    resp.status, 400,
                    "{path}{sep}{query}: {} {}",
                    resp.status, resp.body
                );
            }
        }
    }
    // The service is still whole.
    app.get("/api/v1/stats/summary?from=2026-01-01&to=2026-01-31", token)
        .await
        .expect(200);
}
