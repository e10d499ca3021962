//! The service endpoints and the envelope every unmatched or unauthenticated call gets.

use serde_json::json;

use crate::fixtures::Township;
use crate::harness::TestApp;

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::spawn().await;
    let health = app.send(reqwest::Method::GET, "/healthz", None, None).await;
    assert_eq!(health.expect(200)["status"], "ok");
    for path in ["/healthz", "/readyz"] {
        let probe = app.send(reqwest::Method::HEAD, path, None, None).await;
        assert_eq!(probe.status, 200, "HEAD {path}");
        assert!(probe.bytes.is_empty(), "HEAD {path} has no body");
    }
    let ready = app.send(reqwest::Method::GET, "/readyz", None, None).await;
    assert_eq!(ready.status, 200);
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = TestApp::spawn().await;
    app.send(reqwest::Method::GET, "/healthz", None, None).await;
    let metrics = app.send(reqwest::Method::GET, "/metrics", None, None).await;
    assert_eq!(metrics.status, 200);
    let text = String::from_utf8(metrics.bytes).unwrap();
    assert!(text.contains("lianxin_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/healthz\""), "{text}");
}

#[tokio::test]
async fn openapi_and_docs_are_served_offline() {
    let app = TestApp::spawn().await;
    let spec = app
        .send(reqwest::Method::GET, "/api/v1/openapi.json", None, None)
        .await
        .expect(200);
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/healthz",
        "/readyz",
        "/metrics",
        "/docs",
        "/api/v1/openapi.json",
    ] {
        assert!(
            spec["paths"][path]["get"].is_object(),
            "{path} is described"
        );
    }
    assert_eq!(spec["paths"]["/healthz"]["get"]["security"], json!([]));
    // Fields always sent, some as null, are required: a generated client must not treat
    // `"phone": null` as a field that may be missing.
    let schemas = &spec["components"]["schemas"];
    let household_required = schemas["Household"]["required"].as_array().unwrap();
    for field in ["phone", "id_number", "last_visited_at", "acquainted_at"] {
        assert!(
            household_required.contains(&json!(field)),
            "Household.{field}"
        );
    }
    // A PATCH may leave the name out, but may not send it as null.
    let name = &schemas["UpdateHousehold"]["properties"]["name"];
    assert_eq!(name["type"], "string", "{name}");
    assert!(schemas["UpdateHousehold"]["required"].is_null());
    let docs = app.send(reqwest::Method::GET, "/docs/", None, None).await;
    assert_eq!(docs.status, 200);
    assert!(
        String::from_utf8_lossy(&docs.bytes).contains("swagger"),
        "docs page is Swagger UI"
    );
    assert_eq!(docs.headers["x-frame-options"], "DENY");
}

#[tokio::test]
async fn unknown_routes_and_missing_tokens_get_the_envelope() {
    let app = TestApp::spawn().await;
    app.send(reqwest::Method::GET, "/api/v1/nothing-here", None, None)
        .await
        .expect_error(404, "not_found");
    app.send(reqwest::Method::GET, "/nothing", None, None)
        .await
        .expect_error(404, "not_found");
    let anonymous = app
        .send(reqwest::Method::GET, "/api/v1/me", None, None)
        .await;
    assert_eq!(anonymous.headers["www-authenticate"], "Bearer");
    anonymous.expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn a_known_path_with_the_wrong_method_says_which_methods_it_takes() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let wrong = app
        .send(
            reqwest::Method::DELETE,
            "/api/v1/users",
            Some(&t.admin.token),
            None,
        )
        .await;
    let allow = wrong.headers["allow"].to_str().unwrap().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    wrong.expect_error(405, "method_not_allowed");
}

#[tokio::test]
async fn a_misspelt_filter_is_refused_rather_than_ignored() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    app.get("/api/v1/users?rol=leader", &t.admin.token)
        .await
        .expect_error(400, "bad_request");
    app.get("/api/v1/users?role=leader", &t.admin.token)
        .await
        .expect(200);
    let operator = crate::fixtures::platform_admin(&app).await;
    app.get("/api/v1/tenants?pag=2", &operator.token)
        .await
        .expect_error(400, "bad_request");
}

#[tokio::test]
async fn the_fixture_township_builds() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    assert_ne!(a.id, b.id);
}
