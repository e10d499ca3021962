//! Staff accounts (api.md "Users"): who may manage them, their rules, and how changes end
//! sessions.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use lianxin::db::schema::audit_log;
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::auth::{login, refresh, tokens};
use crate::fixtures::{platform_admin, Township, PASSWORD};
use crate::harness::TestApp;

fn leader(username: &str) -> Value {
    json!({
        "username": username, "display_name": "陈微网格长", "role": "leader",
        "password": "leader-pass-2026", "phone": "139 1234 5678",
    })
}

#[tokio::test]
async fn an_admin_adds_staff_of_every_role_who_can_log_in() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let created = app
        .post("/api/v1/users", &t.admin.token, leader("chen"))
        .await
        .expect(201);
    let id = created["id"].clone();
    assert_eq!(
        created,
        json!({
            "id": id, "tenant_id": t.id, "username": "chen", "display_name": "陈微网格长",
            "role": "leader", "phone": "13912345678", "grid_id": null, "department_id": null,
            "active": true,
        })
    );
    let session = login(&app, Some("alpha"), "chen", "leader-pass-2026")
        .await
        .expect(200);
    assert_eq!(session["user"], created);

    let supervisor = json!({
        "username": "zhou", "display_name": "周督导", "role": "supervisor",
        "password": "supervisor-2026", "grid_id": t.g2,
    });
    let created = app
        .post("/api/v1/users", &t.admin.token, supervisor)
        .await
        .expect(201);
    assert_eq!(created["grid_id"], json!(t.g2));
    assert_eq!(created["phone"], Value::Null);
    let session = login(&app, Some("alpha"), "zhou", "supervisor-2026")
        .await
        .expect(200);
    assert_eq!(session["user"]["grid_id"], json!(t.g2));

    let admin = json!({
        "username": "wu", "display_name": "吴管理员", "role": "tenant_admin",
        "password": "second-admin-2026",
    });
    let (token, _) = {
        app.post("/api/v1/users", &t.admin.token, admin)
            .await
            .expect(201);
        tokens(&app, Some("alpha"), "wu", "second-admin-2026").await
    };
    // The new admin is a full admin.
    app.post("/api/v1/users", &token, leader("sun"))
        .await
        .expect(201);

    let mut conn = app.db().await;
    let created_count: i64 = audit_log::table
        .filter(audit_log::tenant_id.eq(t.id))
        .filter(audit_log::action.eq("user.create"))
        .count()
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(created_count, 4);
}

#[tokio::test]
async fn usernames_are_unique_within_a_township_only() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    app.post("/api/v1/users", &a.admin.token, leader("chen"))
        .await
        .expect(201);
    app.post("/api/v1/users", &a.admin.token, leader("chen"))
        .await
        .expect_error(409, "conflict");
    app.post("/api/v1/users", &a.admin.token, leader("leader1"))
        .await
        .expect_error(409, "conflict");
    app.post("/api/v1/users", &b.admin.token, leader("chen"))
        .await
        .expect(201);
}

#[tokio::test]
async fn every_invalid_value_is_named_at_once() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    let bad = json!({
        "username": "has space", "display_name": "", "role": "boss",
        "password": "password", "phone": "12345",
    });
    let resp = app.post("/api/v1/users", &a.admin.token, bad).await;
    resp.expect_error(422, "validation_failed");
    let fields = resp.body["error"]["fields"].as_object().unwrap();
    let mut names: Vec<&str> = fields.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(
        names,
        ["display_name", "password", "phone", "role", "username"]
    );

    let cases = [
        (json!({"role": "platform_admin"}), "role"),
        (json!({"password": "short1"}), "password"),
        (
            json!({"password": "chenchen", "username": "chenchen"}),
            "password",
        ),
        // A leader has no grid scope; a supervisor's grid must be one of this township.
        (json!({"grid_id": a.g1}), "grid_id"),
        (json!({"role": "supervisor", "grid_id": b.g1}), "grid_id"),
        (
            json!({"role": "supervisor", "grid_id": Uuid::now_v7()}),
            "grid_id",
        ),
    ];
    for (change, field) in cases {
        let mut body = leader("chen");
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let resp = app.post("/api/v1/users", &a.admin.token, body).await;
        resp.expect_error(422, "validation_failed");
        assert!(
            resp.body["error"]["fields"][field].is_array(),
            "{field}: {}",
            resp.body
        );
    }
    let list = app
        .get("/api/v1/users?q=chen", &a.admin.token)
        .await
        .expect(200);
    assert_eq!(list["total"], 0, "nothing created");
}

#[tokio::test]
async fn malformed_unknown_and_oversized_bodies_are_refused() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let mut extra = leader("chen");
    extra["tenant_id"] = json!(Uuid::now_v7());
    app.post("/api/v1/users", &t.admin.token, extra)
        .await
        .expect_error(400, "bad_request");
    app.patch(
        &format!("/api/v1/users/{}", t.leader1.id),
        &t.admin.token,
        json!({"username": "renamed"}),
    )
    .await
    .expect_error(400, "bad_request");
    app.patch(
        &format!("/api/v1/users/{}", t.leader1.id),
        &t.admin.token,
        json!({"active": "no"}),
    )
    .await
    .expect_error(400, "bad_request");
    app.raw(
        Method::POST,
        "/api/v1/users",
        Some(&t.admin.token),
        "application/json",
        b"{\"username\": }".to_vec(),
    )
    .await
    .expect_error(400, "bad_request");
    let mut big = leader("chen");
    big["display_name"] = json!("x".repeat((1 << 20) + 1));
    app.raw(
        Method::POST,
        "/api/v1/users",
        Some(&t.admin.token),
        "application/json",
        big.to_string().into_bytes(),
    )
    .await
    .expect_error(413, "payload_too_large");
}

#[tokio::test]
async fn roles_other_than_the_admin_may_not_manage_staff() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let operator = platform_admin(&app).await;
    let leader1 = format!("/api/v1/users/{}", t.leader1.id);
    for user in [
        &t.supervisor,
        &t.grid_supervisor,
        &t.leader1,
        &t.idle_leader,
        &operator,
    ] {
        app.post("/api/v1/users", &user.token, leader("chen"))
            .await
            .expect_error(403, "forbidden");
        app.patch(&leader1, &user.token, json!({"display_name": "x"}))
            .await
            .expect_error(403, "forbidden");
    }
    // Supervisors read the staff list; leaders and platform admins do not.
    for user in [&t.leader1, &operator] {
        app.get("/api/v1/users", &user.token)
            .await
            .expect_error(403, "forbidden");
        app.get(&leader1, &user.token)
            .await
            .expect_error(403, "forbidden");
    }
    for user in [&t.supervisor, &t.grid_supervisor] {
        app.get("/api/v1/users", &user.token).await.expect(200);
        app.get(&leader1, &user.token).await.expect(200);
    }
    app.send(Method::GET, "/api/v1/users", None, None)
        .await
        .expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn another_townships_staff_do_not_exist() {
    let app = TestApp::spawn().await;
    let a = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    let foreign = format!("/api/v1/users/{}", b.leader1.id);
    app.get(&foreign, &a.admin.token)
        .await
        .expect_error(404, "not_found");
    app.get(&foreign, &a.supervisor.token)
        .await
        .expect_error(404, "not_found");
    app.patch(&foreign, &a.admin.token, json!({"active": false}))
        .await
        .expect_error(404, "not_found");
    app.get(&format!("/api/v1/users/{}", Uuid::now_v7()), &a.admin.token)
        .await
        .expect_error(404, "not_found");
    app.get("/api/v1/users/not-a-uuid", &a.admin.token)
        .await
        .expect_error(404, "not_found");
    // Untouched: beta's leader still logs in.
    login(&app, Some("beta"), "leader1", PASSWORD)
        .await
        .expect(200);
    let list = app
        .get("/api/v1/users?per_page=200", &a.admin.token)
        .await
        .expect(200);
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["tenant_id"] == json!(a.id)));
}

#[tokio::test]
async fn the_staff_list_filters_by_role_and_text_and_pages() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    Township::create(&app, "beta").await;
    let all = app.get("/api/v1/users", &t.admin.token).await.expect(200);
    assert_eq!(all["total"], 6);
    assert_eq!(all["per_page"], 50);
    let names: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "admin",
            "grid_supervisor",
            "idle_leader",
            "leader1",
            "leader2",
            "supervisor"
        ]
    );
    assert!(all["items"][0].get("password_hash").is_none());

    let leaders = app
        .get("/api/v1/users?role=leader", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(leaders["total"], 3);
    let q = app
        .get("/api/v1/users?q=SUPER", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(q["total"], 2, "case-insensitive, username or display name");
    let both = app
        .get("/api/v1/users?role=supervisor&q=grid", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(both["total"], 1);
    // `_` and `%` are letters, not wildcards.
    let literal = app
        .get("/api/v1/users?q=%25", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(literal["total"], 0);
    let underscore = app
        .get("/api/v1/users?q=_", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(underscore["total"], 2);
    let page = app
        .get("/api/v1/users?page=2&per_page=4", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(
        (
            page["total"].clone(),
            page["items"].as_array().unwrap().len()
        ),
        (json!(6), 2)
    );
    app.get("/api/v1/users?role=boss", &t.admin.token)
        .await
        .expect_error(400, "bad_request");
    app.get("/api/v1/users?per_page=0", &t.admin.token)
        .await
        .expect_error(400, "bad_request");
}

#[tokio::test]
async fn details_change_without_ending_sessions() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let (token, refresh_token) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    let path = format!("/api/v1/users/{}", t.leader1.id);
    let changed = app
        .patch(
            &path,
            &t.admin.token,
            json!({"display_name": "  张网格长 ", "phone": "0573-85123456"}),
        )
        .await
        .expect(200);
    assert_eq!(changed["display_name"], "张网格长");
    assert_eq!(changed["phone"], "0573-85123456");
    let cleared = app
        .patch(&path, &t.admin.token, json!({"phone": null}))
        .await
        .expect(200);
    assert_eq!(cleared["phone"], Value::Null);
    assert_eq!(cleared["display_name"], "张网格长", "absent fields stay");
    app.get("/api/v1/me", &token).await.expect(200);
    refresh(&app, &refresh_token).await.expect(200);
    assert_eq!(app.get(&path, &t.admin.token).await.expect(200), cleared);

    let bad = app
        .patch(
            &path,
            &t.admin.token,
            json!({"display_name": "", "phone": "555", "password": "123"}),
        )
        .await;
    bad.expect_error(422, "validation_failed");
    let fields = bad.body["error"]["fields"].as_object().unwrap();
    assert_eq!(fields.len(), 3, "{fields:?}");
    let audited: i64 = audit_log::table
        .filter(audit_log::tenant_id.eq(t.id))
        .filter(audit_log::action.eq("user.update"))
        .filter(audit_log::entity_id.eq(t.leader1.id))
        .count()
        .get_result(&mut app.db().await)
        .await
        .unwrap();
    assert_eq!(audited, 2);
}

#[tokio::test]
async fn a_password_reset_by_the_admin_ends_the_users_sessions() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let (token, refresh_token) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    let path = format!("/api/v1/users/{}", t.leader1.id);
    app.patch(
        &path,
        &t.admin.token,
        json!({"password": "reset-by-admin-2026"}),
    )
    .await
    .expect(200);
    app.get("/api/v1/me", &token)
        .await
        .expect_error(401, "unauthenticated");
    refresh(&app, &refresh_token)
        .await
        .expect_error(401, "unauthenticated");
    login(&app, Some("alpha"), "leader1", PASSWORD)
        .await
        .expect(401);
    login(&app, Some("alpha"), "leader1", "reset-by-admin-2026")
        .await
        .expect(200);
}

#[tokio::test]
async fn a_new_grid_scope_ends_the_supervisors_sessions() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let b = Township::create(&app, "beta").await;
    let (token, _) = tokens(&app, Some("alpha"), "grid_supervisor", PASSWORD).await;
    let path = format!("/api/v1/users/{}", t.grid_supervisor.id);
    // Setting the same grid again changes nothing.
    app.patch(&path, &t.admin.token, json!({"grid_id": t.g1}))
        .await
        .expect(200);
    app.get("/api/v1/me", &token).await.expect(200);

    app.patch(&path, &t.admin.token, json!({"grid_id": b.g1}))
        .await
        .expect_error(422, "validation_failed");
    let leader = format!("/api/v1/users/{}", t.leader1.id);
    app.patch(&leader, &t.admin.token, json!({"grid_id": t.g1}))
        .await
        .expect_error(422, "validation_failed");

    let moved = app
        .patch(&path, &t.admin.token, json!({"grid_id": t.g2}))
        .await
        .expect(200);
    assert_eq!(moved["grid_id"], json!(t.g2));
    // The old token carried the old scope: it no longer works.
    app.get("/api/v1/me", &token)
        .await
        .expect_error(401, "unauthenticated");
    let session = login(&app, Some("alpha"), "grid_supervisor", PASSWORD)
        .await
        .expect(200);
    assert_eq!(session["user"]["grid_id"], json!(t.g2));
    // Null: the whole township.
    let whole = app
        .patch(&path, &t.admin.token, json!({"grid_id": null}))
        .await
        .expect(200);
    assert_eq!(whole["grid_id"], Value::Null);
}

#[tokio::test]
async fn an_admin_cannot_deactivate_themselves() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let resp = app
        .patch(
            &format!("/api/v1/users/{}", t.admin.id),
            &t.admin.token,
            json!({"active": false}),
        )
        .await;
    resp.expect_error(422, "validation_failed");
    assert!(resp.body["error"]["fields"]["active"].is_array());
    app.get("/api/v1/me", &t.admin.token).await.expect(200);
}

#[tokio::test]
async fn an_admin_changes_a_role_and_the_users_sessions_end() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let (token, _) = tokens(&app, Some("alpha"), "leader1", PASSWORD).await;
    let path = format!("/api/v1/users/{}", t.leader1.id);
    // A leader's new role may not carry a grid scope unless it is a supervisor's.
    app.patch(
        &path,
        &t.admin.token,
        json!({"role": "leader", "grid_id": t.g1}),
    )
    .await
    .expect_error(422, "validation_failed");
    for role in ["platform_admin", "boss"] {
        let refused = app
            .patch(&path, &t.admin.token, json!({"role": role}))
            .await;
        refused.expect_error(422, "validation_failed");
        assert!(refused.body["error"]["fields"]["role"].is_array());
    }
    let changed = app
        .patch(
            &path,
            &t.admin.token,
            json!({"role": "supervisor", "grid_id": t.g1}),
        )
        .await
        .expect(200);
    assert_eq!(changed["role"], "supervisor");
    assert_eq!(changed["grid_id"], json!(t.g1));
    // The old token said leader: it no longer works; a new one says supervisor.
    app.get("/api/v1/me", &token)
        .await
        .expect_error(401, "unauthenticated");
    let session = login(&app, Some("alpha"), "leader1", PASSWORD)
        .await
        .expect(200);
    assert_eq!(session["user"]["role"], "supervisor");
    // Their micro-grids lost their leader, as on deactivation.
    for m in [t.m1, t.m2] {
        let shown = app
            .get(&format!("/api/v1/micro-grids/{m}"), &t.admin.token)
            .await
            .expect(200);
        assert_eq!(shown["leader_id"], Value::Null);
    }
    let log = app
        .get("/api/v1/audit?action=user.update", &t.admin.token)
        .await
        .expect(200);
    assert_eq!(
        log["items"][0]["detail"]["role"],
        json!({"from": "leader", "to": "supervisor"})
    );
    let removed = app
        .get(
            "/api/v1/audit?action=micro_grid.remove_leader",
            &t.admin.token,
        )
        .await
        .expect(200);
    assert_eq!(removed["total"], 2);
    assert_eq!(removed["items"][0]["detail"]["reason"], "role_changed");

    // A supervisor given another role loses their grid scope.
    let scoped = format!("/api/v1/users/{}", t.grid_supervisor.id);
    let leader = app
        .patch(&scoped, &t.admin.token, json!({"role": "leader"}))
        .await
        .expect(200);
    assert_eq!(
        (leader["role"].as_str(), &leader["grid_id"]),
        (Some("leader"), &Value::Null)
    );

    // Nobody changes their own role.
    let own = app
        .patch(
            &format!("/api/v1/users/{}", t.admin.id),
            &t.admin.token,
            json!({"role": "supervisor"}),
        )
        .await;
    own.expect_error(422, "validation_failed");
    assert!(own.body["error"]["fields"]["role"].is_array());
}

#[tokio::test]
async fn two_admins_demoting_each_other_leave_one_admin() {
    let app = TestApp::spawn().await;
    let t = Township::create(&app, "alpha").await;
    let second = app
        .post(
            "/api/v1/users",
            &t.admin.token,
            json!({"username": "admin2", "display_name": "第二管理员", "role": "tenant_admin",
                   "password": "admin2-pass-2026"}),
        )
        .await
        .expect(201);
    let (token2, _) = tokens(&app, Some("alpha"), "admin2", "admin2-pass-2026").await;
    let demote = |who: String, token: String| {
        let app = &app;
        async move {
            app.patch(
                &format!("/api/v1/users/{who}"),
                &token,
                json!({"role": "supervisor"}),
            )
            .await
            .status
        }
    };
    let (one, two) = tokio::join!(
        demote(
            second["id"].as_str().unwrap().to_owned(),
            t.admin.token.clone()
        ),
        demote(t.admin.id.to_string(), token2.clone()),
    );
    let mut statuses = [one, two];
    statuses.sort();
    assert_eq!(statuses[0], 200, "{statuses:?}");
    // The other waited, then found itself demoted (401) or the last admin (409).
    assert!([401, 409].contains(&statuses[1]), "{statuses:?}");
    let admins = crate::grids::count(
        &app,
        "SELECT count(*) AS n FROM users WHERE role = 'tenant_admin' AND active",
    )
    .await;
    assert_eq!(admins, 1);
}
