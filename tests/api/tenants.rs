//! Opening townships (api.md "Tenants"), and the command line that starts it all.

use std::io::Write;
use std::process::{Command, Stdio};

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use lianxin::db::schema::audit_log;
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::auth::{login, tokens};
use crate::fixtures::{platform_admin, Township};
use crate::harness::{TestApp, JWT_SECRET};

fn township(code: &str) -> Value {
    json!({
        "code": code, "name": "新埭镇", "timezone": "Asia/Shanghai", "visit_interval_days": 7,
        "admin": {"username": "admin", "display_name": "镇管理员", "password": "xindai-admin-2026"},
    })
}

#[tokio::test]
async fn a_platform_admin_opens_a_township_whose_admin_can_log_in() {
    let app = TestApp::spawn().await;
    let operator = platform_admin(&app).await;
    let created = app
        .post("/api/v1/tenants", &operator.token, township("xindai"))
        .await
        .expect(201);
    assert_eq!(created["code"], "xindai");
    assert_eq!(created["name"], "新埭镇");
    assert_eq!(created["timezone"], "Asia/Shanghai");
    assert_eq!(created["visit_interval_days"], 7);
    assert!(created["created_at"].as_str().unwrap().contains('T'));
    let id: Uuid = serde_json::from_value(created["id"].clone()).unwrap();

    let session = login(&app, Some("xindai"), "admin", "xindai-admin-2026")
        .await
        .expect(200);
    assert_eq!(session["user"]["role"], "tenant_admin");
    assert_eq!(session["user"]["tenant_id"], json!(id));

    // Defaults for the optional settings.
    let mut minimal = township("pinghu");
    minimal.as_object_mut().unwrap().remove("timezone");
    minimal
        .as_object_mut()
        .unwrap()
        .remove("visit_interval_days");
    let second = app
        .post("/api/v1/tenants", &operator.token, minimal)
        .await
        .expect(201);
    assert_eq!(second["timezone"], "Asia/Shanghai");
    assert_eq!(second["visit_interval_days"], 7);

    let list = app
        .get("/api/v1/tenants", &operator.token)
        .await
        .expect(200);
    assert_eq!(list["total"], 2);
    assert_eq!(list["page"], 1);
    assert_eq!(list["items"][0]["code"], "xindai");
    let page = app
        .get("/api/v1/tenants?page=2&per_page=1", &operator.token)
        .await
        .expect(200);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["code"], "pinghu");
    app.get("/api/v1/tenants?per_page=201", &operator.token)
        .await
        .expect_error(400, "bad_request");

    // Recorded in the new township's own audit log, with the operator as actor.
    let mut conn = app.db().await;
    let entries: Vec<(String, Option<Uuid>, Option<Uuid>)> = audit_log::table
        .filter(audit_log::tenant_id.eq(id))
        .filter(audit_log::action.ne("auth.login"))
        .select((audit_log::action, audit_log::actor_id, audit_log::entity_id))
        .load(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        entries,
        vec![("tenant.create".into(), Some(operator.id), Some(id))]
    );
}

#[tokio::test]
async fn only_platform_admins_manage_townships() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    for user in [&t.admin, &t.supervisor, &t.grid_supervisor, &t.leader1] {
        app.post("/api/v1/tenants", &user.token, township("gamma"))
            .await
            .expect_error(403, "forbidden");
        app.get("/api/v1/tenants", &user.token)
            .await
            .expect_error(403, "forbidden");
    }
    app.send(Method::GET, "/api/v1/tenants", None, None)
        .await
        .expect_error(401, "unauthenticated");
    let body = township("gamma");
    app.send(Method::POST, "/api/v1/tenants", None, Some(&body))
        .await
        .expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn a_taken_code_is_a_conflict() {
    let app = TestApp::spawn().await;
    Township::create(&app, "alpha").await;
    let operator = platform_admin(&app).await;
    app.post("/api/v1/tenants", &operator.token, township("alpha"))
        .await
        .expect_error(409, "conflict");
    app.post("/api/v1/tenants", &operator.token, township("gamma"))
        .await
        .expect(201);
    app.post("/api/v1/tenants", &operator.token, township("gamma"))
        .await
        .expect_error(409, "conflict");
    let list = app
        .get("/api/v1/tenants", &operator.token)
        .await
        .expect(200);
    assert_eq!(list["total"], 2, "nothing half-created");
}

#[tokio::test]
async fn every_invalid_value_is_named_at_once() {
    let app = TestApp::spawn().await;
    let operator = platform_admin(&app).await;
    let bad = json!({
        "code": "Xin Dai", "name": "  ", "timezone": "Mars/Olympus", "visit_interval_days": 0,
        "admin": {"username": "", "display_name": "", "password": "12345678"},
    });
    let resp = app.post("/api/v1/tenants", &operator.token, bad).await;
    resp.expect_error(422, "validation_failed");
    let fields = resp.body["error"]["fields"].as_object().unwrap();
    let mut names: Vec<&str> = fields.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "admin.display_name",
            "admin.password",
            "admin.username",
            "code",
            "name",
            "timezone",
            "visit_interval_days"
        ]
    );
    let mut too_long = township("gamma");
    too_long["visit_interval_days"] = json!(366);
    too_long["code"] = json!("g");
    let resp = app.post("/api/v1/tenants", &operator.token, too_long).await;
    resp.expect_error(422, "validation_failed");
    assert!(resp.body["error"]["fields"]["visit_interval_days"].is_array());
    assert!(resp.body["error"]["fields"]["code"].is_array());
    let list = app
        .get("/api/v1/tenants", &operator.token)
        .await
        .expect(200);
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn malformed_and_unknown_fields_are_bad_requests() {
    let app = TestApp::spawn().await;
    let operator = platform_admin(&app).await;
    let mut extra = township("gamma");
    extra["region"] = json!("嘉兴");
    app.post("/api/v1/tenants", &operator.token, extra)
        .await
        .expect_error(400, "bad_request");
    let mut extra_admin = township("gamma");
    extra_admin["admin"]["role"] = json!("platform_admin");
    app.post("/api/v1/tenants", &operator.token, extra_admin)
        .await
        .expect_error(400, "bad_request");
    let mut no_admin = township("gamma");
    no_admin.as_object_mut().unwrap().remove("admin");
    app.post("/api/v1/tenants", &operator.token, no_admin)
        .await
        .expect_error(400, "bad_request");
    let mut wrong_type = township("gamma");
    wrong_type["visit_interval_days"] = json!("weekly");
    app.post("/api/v1/tenants", &operator.token, wrong_type)
        .await
        .expect_error(400, "bad_request");
    app.raw(
        Method::POST,
        "/api/v1/tenants",
        Some(&operator.token),
        "application/json",
        b"{\"code\": \"gamma\",".to_vec(),
    )
    .await
    .expect_error(400, "bad_request");
    let mut huge = township("gamma");
    huge["name"] = json!("镇".repeat(400_000));
    app.raw(
        Method::POST,
        "/api/v1/tenants",
        Some(&operator.token),
        "application/json",
        huge.to_string().into_bytes(),
    )
    .await
    .expect_error(413, "payload_too_large");
}

async fn create_platform_admin(
    app: &TestApp,
    username: &str,
    password: &str,
) -> std::process::Output {
    let db_url = app.db_url.clone();
    let (username, password) = (username.to_owned(), format!("{password}\n"));
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lianxin"))
            .args(["create-platform-admin", "--username", &username])
            .env("DATABASE_URL", db_url)
            .env("LIANXIN_JWT_SECRET", JWT_SECRET)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run lianxin");
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(password.as_bytes()).unwrap();
        drop(stdin);
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

/// The whole path a city operator takes: the command line creates the platform admin, who
/// logs in over HTTP and opens two townships, whose admins log in.
#[tokio::test]
async fn the_command_line_platform_admin_opens_two_townships() {
    let app = TestApp::spawn().await;
    let output = create_platform_admin(&app, "ops", "city-operator-2026").await;
    assert!(
        output.status.success(),
        "create-platform-admin failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("ops"));

    let (operator, _) = tokens(&app, None, "ops", "city-operator-2026").await;
    for (code, admin_password) in [
        ("xindai", "xindai-admin-2026"),
        ("pinghu", "pinghu-admin-2026"),
    ] {
        let mut body = township(code);
        body["admin"]["password"] = json!(admin_password);
        app.post("/api/v1/tenants", &operator, body)
            .await
            .expect(201);
    }
    for (code, admin_password) in [
        ("xindai", "xindai-admin-2026"),
        ("pinghu", "pinghu-admin-2026"),
    ] {
        let session = login(&app, Some(code), "admin", admin_password)
            .await
            .expect(200);
        assert_eq!(session["user"]["role"], "tenant_admin");
    }
    // Each admin works in their own township only.
    let (xindai_admin, _) = tokens(&app, Some("xindai"), "admin", "xindai-admin-2026").await;
    login(&app, Some("pinghu"), "admin", "xindai-admin-2026")
        .await
        .expect_error(401, "unauthenticated");
    app.get("/api/v1/users", &xindai_admin).await.expect(200);

    // The operator's name is taken now; a name with a space or a weak password never is.
    for (username, password, problem) in [
        ("ops", "another-operator-2026", "taken"),
        ("o p", "another-operator-2026", "username"),
        ("ops2", "ops2", "password"),
    ] {
        let refused = create_platform_admin(&app, username, password).await;
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(
            !refused.status.success() && stderr.contains(problem),
            "{username}: {stderr}"
        );
    }
}
